/*
 * gen.c - gnbv_gen_run: units, households, the two output files.
 *
 * One pseudo-random stream (xoshiro256**, seeded from the seed and the
 * profile's name through splitmix64) is drawn in a fixed order: units in
 * code order, households within a unit, members within a household. The
 * same options therefore give the same bytes. Unit properties (weights,
 * effects, ethnic mixes) do not use the stream at all: they hash the codes.
 *
 * Household ids are PREFIX-COMMUNE-NNNNNN: the profile's prefix (HQ for the
 * poor district, VN for the nation), the code of the commune the household
 * lives in, and its number within that commune, from 000001 (more digits
 * past 999999). They are unique in a file and the same for the same
 * options; docs/gen.md documents them.
 */
#include "gen_internal.h"

#include "gnbv/error.h"
#include "gnbv/standard.h"

#include "../io/outfile.h"
#include "../util/hash.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

double gen_normal(gen_rng *r)
{
	double u1 = ((double)(gen_next(r) >> 11) + 1.0) * 0x1.0p-53; /* (0, 1] */
	double u2 = gen_unif(r);
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

double gen_hash_normal(const char *s, size_t n, uint64_t salt)
{
	uint64_t x = gnbv_hash64(s, n) ^ gnbv_mix64(salt + 0x9e3779b97f4a7c15ull);
	double u1 = ((double)(gen_splitmix64(&x) >> 11) + 1.0) * 0x1.0p-53;
	double u2 = (double)(gen_splitmix64(&x) >> 11) * 0x1.0p-53;
	return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int gen_generate(const gen_profile *p, const gen_units *t, uint64_t seed,
		 const gnbv_standard *std, gen_visit_fn fn, void *ctx)
{
	int rc = 0;
	gen_rng r;
	gen_rng_seed(&r, seed ^ gnbv_hash64(p->name, strlen(p->name)));
	gen_hh *h = malloc(sizeof *h);
	uint64_t *seq = calloc(t->ncommunes ? t->ncommunes : 1, sizeof *seq);
	char id[GEN_ID_CAP];
	if (!h || !seq) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < t->n; i++) {
		const gen_unit *u = &t->u[i];
		const gen_region *rg = &p->regions[u->region];
		for (uint64_t j = 0; j < u->households; j++) {
			gen_household(&r, p, rg, u, std, h);
			uint64_t k = ++seq[u->commune];
			size_t n = gen_fmt_id(id, p->id_prefix, t->communes[u->commune], k);
			if ((rc = fn(ctx, u, id, n, h))) goto done;
		}
	}
done:
	free(h);
	free(seq);
	return rc;
}

typedef struct writer {
	gnbv_out *ho, *mo;
	gnbv_gen_stats st;
	char hbuf[GEN_HH_ROW_CAP];
	char mbuf[GEN_MEMBERS_CAP];
} writer;

static int write_one(void *ctx, const gen_unit *u, const char *id, size_t id_len, const gen_hh *h)
{
	writer *w = ctx;
	size_t n = gen_fmt_household(w->hbuf, id, id_len, u, h);
	int rc = gnbv_out_write(w->ho, w->hbuf, n);
	if (rc) return rc;
	w->st.bytes_households += n;
	n = gen_fmt_members(w->mbuf, id, id_len, h);
	if ((rc = gnbv_out_write(w->mo, w->mbuf, n))) return rc;
	w->st.bytes_members += n;
	w->st.households++;
	w->st.members += h->n;
	return 0;
}

static int make_dir(const char *dir)
{
	struct stat sb;
	if (!stat(dir, &sb)) {
		if (S_ISDIR(sb.st_mode)) return 0;
		return gnbv_error_set(GNBV_EINVALID, "%s: exists and is not a folder", dir);
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return gnbv_error_set(GNBV_EIO, "%s: cannot create the folder: %s", dir,
				      strerror(errno));
	return 0;
}

int gnbv_gen_run(const gnbv_gen_opts *o, gnbv_gen_stats *st)
{
	int rc;
	gen_units t = {0};
	writer *w = NULL;
	gnbv_standard *std = NULL;
	const char *name = o->profile ? o->profile : "poor-district";
	const gen_profile *p = gen_profile_find(name);
	if (st) memset(st, 0, sizeof *st);
	if (!p) {
		rc = gnbv_error_set(GNBV_EINVALID,
				    "unknown profile '%s' (expected poor-district or nation)", name);
		goto done;
	}
	if (!o->out_dir || !o->out_dir[0]) {
		rc = gnbv_error_set(GNBV_EINVALID, "no output folder given");
		goto done;
	}
	std = malloc(sizeof *std);
	w = calloc(1, sizeof *w);
	if (!std || !w) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = gnbv_standard_load(std, p->standard))) goto done;
	if ((rc = gen_units_build(&t, p, o->units_path))) goto done;
	gen_units_allocate(&t, o->households);
	if ((rc = make_dir(o->out_dir))) goto done;
	if ((rc = gnbv_out_open(&w->ho, o->out_dir, "households.csv")) ||
	    (rc = gnbv_out_open(&w->mo, o->out_dir, "members.csv")) ||
	    (rc = gnbv_out_str(w->ho, GEN_HOUSEHOLDS_HEADER)) ||
	    (rc = gnbv_out_str(w->mo, GEN_MEMBERS_HEADER)))
		goto done;
	w->st.bytes_households = strlen(GEN_HOUSEHOLDS_HEADER);
	w->st.bytes_members = strlen(GEN_MEMBERS_HEADER);
	if ((rc = gen_generate(p, &t, o->seed, std, write_one, w))) goto done;
	for (size_t i = 0; i < t.n; i++) w->st.units += t.u[i].households > 0;
	if (t.units_csv) {
		gnbv_out *uo = NULL;
		if ((rc = gnbv_out_open(&uo, o->out_dir, "units.csv"))) goto done;
		if ((rc = gnbv_out_write(uo, t.units_csv, t.units_csv_len))) {
			gnbv_out_abort(uo);
			goto done;
		}
		if ((rc = gnbv_out_commit(uo))) goto done;
		w->st.bytes_units = t.units_csv_len;
	}
	rc = gnbv_out_commit(w->ho);
	w->ho = NULL;
	if (rc) goto done;
	rc = gnbv_out_commit(w->mo);
	w->mo = NULL;
	if (rc) {
		/* Not a households.csv without its members. */
		char path[4096];
		snprintf(path, sizeof path, "%s/households.csv", o->out_dir);
		unlink(path);
		goto done;
	}
	if (st) *st = w->st;
done:
	if (w) {
		gnbv_out_abort(w->ho);
		gnbv_out_abort(w->mo);
	}
	free(w);
	free(std);
	gen_units_free(&t);
	return rc;
}
