/*
 * cmd_user.c - `gnbv user add NAME --role ROLE [--unit CODE]`, `user disable
 * NAME`, `user reset NAME` and `user list [--unit CODE] [--role ROLE] [--state
 * enabled|disabled]`: the web application's accounts
 * (gnbv/accounts.h), managed by the local administrator.
 *
 * A password is never an argument (it would sit in the shell history and
 * in `ps`): it is read from the terminal with echo off, twice, or as one
 * line of standard input when that is not a terminal (scripts, tests).
 *
 * The prompts and what was done are in Vietnamese, in English with `gnbv
 * --lang en`; `user list` is CSV and stays as it is.
 */
#include "cli.h"
#include "cmd_db.h"

#include "gnbv/accounts.h"
#include "gnbv/error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* One line into buf (cap bytes), without its newline; -1 on EOF or too long. */
static int read_line(FILE *f, char *buf, size_t cap)
{
	if (!fgets(buf, (int)cap, f)) return -1;
	size_t n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f))
		return -1; /* longer than the buffer: refuse, never truncate */
	if (n && buf[n - 1] == '\r') buf[--n] = '\0';
	return 0;
}

static int prompt(const char *what, char *buf, size_t cap)
{
	struct termios old, quiet;
	fprintf(stderr, "%s", what);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old)) return -1;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)) return -1;
	int rc = read_line(stdin, buf, cap);
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
	fprintf(stderr, "\n");
	return rc;
}

static int read_password(char *buf, size_t cap, int en)
{
	if (!isatty(STDIN_FILENO)) {
		if (read_line(stdin, buf, cap)) {
			fprintf(stderr,
			        gnbv_tr("gnbv: error: expected the password as one line on stdin\n"));
			return -1;
		}
		return 0;
	}
	char again[GNBV_PASSWORD_MAX + 2];
	int rc = -1;
	if (prompt(en ? "password: " : "mật khẩu: ", buf, cap) ||
	    prompt(en ? "again: " : "nhập lại mật khẩu: ", again, sizeof again)) {
		fprintf(stderr, gnbv_tr("gnbv: error: no password read\n"));
	} else if (strcmp(buf, again)) {
		fprintf(stderr, gnbv_tr("gnbv: error: the two passwords differ\n"));
	} else {
		rc = 0;
	}
	sodium_memzero(again, sizeof again);
	return rc;
}

static int list_one(void *ctx, const gnbv_user *u)
{
	(void)ctx;
	printf("%s,%s,%s,%s\n", u->name, gnbv_role_name(u->role), u->unit_code,
	       u->disabled ? "disabled" : "active");
	return 0;
}

int gnbv_cmd_user(const gnbv_cli *g, int argc, char **argv)
{
	gnbv_store *s = NULL;
	gnbv_scope all;
	char pw[GNBV_PASSWORD_MAX + 2];
	int rc = 0, exit_code = EXIT_OK;
	int64_t now = (int64_t)time(NULL);
	gnbv_store_scope_all(&all);
	pw[0] = '\0';
	if (argc < 2) return gnbv_cli_usage("user");
	const char *verb = argv[1];
	if (!strcmp(verb, "list")) {
		/* the web list's filters, checked by the store the same way */
		gnbv_user_filter f = {0, 0, NULL, NULL, GNBV_USER_ANY};
		for (int i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "--unit") && i + 1 < argc)
				f.unit_code = argv[++i];
			else if (!strcmp(argv[i], "--role") && i + 1 < argc)
				f.role = argv[++i];
			else if (!strcmp(argv[i], "--state") && i + 1 < argc &&
			         (f.state = gnbv_user_state_parse(argv[i + 1])) > 0)
				i++;
			else
				return gnbv_cli_usage("user");
		}
		if (f.role && gnbv_role_parse(f.role) < 0) {
			fprintf(stderr, gnbv_tr("gnbv: error: --role: one of admin, office, commune, agency, finance, viewer\n"));
			return EXIT_USAGE;
		}
		if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
		printf("name,role,unit,status\n");
		rc = gnbv_account_list(s, &all, &f, list_one, NULL, NULL);
		goto done;
	}
	if (!strcmp(verb, "add") && argc >= 3) {
		const char *role = NULL, *unit = NULL;
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--role") && i + 1 < argc)
				role = argv[++i];
			else if (!strcmp(argv[i], "--unit") && i + 1 < argc)
				unit = argv[++i];
			else
				return gnbv_cli_usage("user");
		}
		int r = gnbv_role_parse(role);
		if (r < 0) {
			fprintf(
			    stderr,
			    gnbv_tr("gnbv: error: --role: one of admin, office, commune, agency, finance, "
			    "viewer\n"));
			return EXIT_USAGE;
		}
		if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
		if (read_password(pw, sizeof pw, g->english)) {
			exit_code = EXIT_USER;
			goto done;
		}
		if (!(rc = gnbv_account_add(s, &all, argv[2], r, unit, pw, now)))
			printf(g->english ? "user %s added (%s%s%s)\n"
			                  : "Đã thêm tài khoản %s (vai trò %s%s%s)\n",
			       argv[2], role, unit ? (g->english ? ", unit " : ", đơn vị ") : "",
			       unit ? unit : "");
		goto done;
	}
	if ((!strcmp(verb, "disable") || !strcmp(verb, "reset")) && argc == 3) {
		if ((rc = gnbv_cli_open_store(g, 0, &s))) return gnbv_cli_fail(rc);
		if (verb[0] == 'd') {
			if (!(rc = gnbv_account_disable(s, &all, argv[2], now)))
				printf(g->english ? "user %s disabled; their sessions ended\n"
				                  : "Đã khóa tài khoản %s; các phiên đăng nhập của "
				                    "tài khoản đã kết thúc\n",
				       argv[2]);
			goto done;
		}
		gnbv_user u;
		if ((rc = gnbv_account_get(s, argv[2], &u))) goto done;
		if (read_password(pw, sizeof pw, g->english)) {
			exit_code = EXIT_USER;
			goto done;
		}
		if (!(rc = gnbv_account_set_password(s, &all, argv[2], pw, 1, now)))
			printf(g->english
			           ? "user %s: new password set, enabled; their sessions ended\n"
			           : "Tài khoản %s: đã đặt mật khẩu mới và mở khóa; các phiên đăng "
			             "nhập của tài khoản đã kết thúc\n",
			       argv[2]);
		goto done;
	}
	return gnbv_cli_usage("user");
done:
	sodium_memzero(pw, sizeof pw);
	gnbv_store_close(s);
	if (rc) return gnbv_cli_fail(rc);
	return exit_code;
}
