/*
 * test_outfile.c - atomic output files (src/io/outfile.c): a commit puts the
 * whole new file in place of the old one, an abort leaves the old one, and
 * with deferred release the replaced file is held, then let go of by a
 * child process, never by the caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "gnbv/error.h"
#include "io/outfile.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct fixture {
	char dir[64];
	char path[96];
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof *f);
	if (!f) return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/gnbv-outfile-XXXXXX");
	if (!mkdtemp(f->dir)) return -1;
	snprintf(f->path, sizeof f->path, "%s/a.csv", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	gnbv_out_defer_release(0);
	DIR *d = opendir(f->dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
		snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
		if (rmdir(p)) unlink(p);
	}
	if (d) closedir(d);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void assert_content(const char *path, const char *text)
{
	char buf[256] = {0};
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	assert_int_equal(n, strlen(text));
	assert_string_equal(buf, text);
}

/* Only the named files are in the folder: no temporary left behind. */
static int entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
	if (d) closedir(d);
	return n;
}

/* Descriptors this process has open. */
static int open_fds(void)
{
	return entries("/proc/self/fd") - 1; /* less the one reading it */
}

static void commit_text(const char *dir, const char *text)
{
	gnbv_out *o;
	assert_int_equal(gnbv_out_open(&o, dir, "a.csv"), 0);
	assert_int_equal(gnbv_out_str(o, text), 0);
	assert_int_equal(gnbv_out_commit(o), 0);
}

static void test_replace_at_once(void **state)
{
	fixture *f = *state;
	write_file(f->path, "old\n");
	int watch = open(f->path, O_RDONLY); /* the old file, to see it unlinked */
	assert_true(watch >= 0);
	commit_text(f->dir, "new,1\n");
	assert_content(f->path, "new,1\n");
	struct stat st;
	assert_int_equal(fstat(watch, &st), 0);
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(gnbv_out_retired(), 0); /* deferral is off: nothing held */
	assert_int_equal(gnbv_out_release_retired(), 0);
	assert_int_equal(entries(f->dir), 1);
	close(watch);
}

static void test_abort_keeps_old(void **state)
{
	fixture *f = *state;
	gnbv_out_defer_release(1);
	write_file(f->path, "old\n");
	gnbv_out *o;
	assert_int_equal(gnbv_out_open(&o, f->dir, "a.csv"), 0);
	assert_int_equal(gnbv_out_str(o, "half"), 0);
	assert_int_equal(entries(f->dir), 2); /* the hidden temporary */
	gnbv_out_abort(o);
	assert_content(f->path, "old\n");
	assert_int_equal(entries(f->dir), 1);
	assert_int_equal(gnbv_out_retired(), 0);
}

static void test_deferred_release(void **state)
{
	fixture *f = *state;
	gnbv_out_defer_release(1);
	commit_text(f->dir, "first\n"); /* nothing to replace: nothing held */
	assert_int_equal(gnbv_out_retired(), 0);
	int fds = open_fds();
	int watch = open(f->path, O_RDONLY);
	assert_true(watch >= 0);
	commit_text(f->dir, "second\n");
	assert_content(f->path, "second\n");
	struct stat st;
	assert_int_equal(fstat(watch, &st), 0);
	assert_int_equal(st.st_nlink, 0); /* replaced: unlinked, still open */
	assert_int_equal(gnbv_out_retired(), 1);
	commit_text(f->dir, "third\n");
	assert_int_equal(gnbv_out_retired(), 2);
	assert_int_equal(open_fds(), fds + 3); /* watch and the two held */
	assert_content(f->path, "third\n");
	assert_int_equal(entries(f->dir), 1);

	/* The child lets go of both and exits cleanly; the caller holds none. */
	pid_t pid = gnbv_out_release_retired();
	assert_true(pid > 0);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(gnbv_out_retired(), 0);
	assert_int_equal(gnbv_out_release_retired(), 0); /* nothing left: no child */
	assert_int_equal(open_fds(), fds + 1);
	close(watch);
}

static void test_failed_rename_holds_nothing(void **state)
{
	fixture *f = *state;
	gnbv_out_defer_release(1);
	assert_int_equal(mkdir(f->path, 0755), 0); /* a folder where the file goes */
	char inner[128];
	snprintf(inner, sizeof inner, "%s/x", f->path);
	write_file(inner, "x"); /* not empty: a rename over it fails */
	gnbv_out *o;
	assert_int_equal(gnbv_out_open(&o, f->dir, "a.csv"), 0);
	assert_int_equal(gnbv_out_str(o, "new\n"), 0);
	assert_int_equal(gnbv_out_commit(o), GNBV_EIO);
	assert_non_null(strstr(gnbv_error_message(), "cannot rename into place"));
	assert_int_equal(gnbv_out_retired(), 0);
	assert_int_equal(entries(f->dir), 1); /* the temporary went */
	unlink(inner);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_replace_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_abort_keeps_old, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_deferred_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_failed_rename_holds_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
