/*
 * import.c - gnbv import: a review round from households.csv + members.csv
 * into the store, all or nothing.
 *
 * Two passes inside one write transaction. Pass 1 reads and validates
 * everything and writes nothing: every cell (through the exchange-format
 * parsers of src/io/exchange.c, the same as gnbv classify), every household
 * id unique, every unit known to the store, valid on the reference date
 * and inside the caller's scope, the round's date and standard consistent
 * with an existing round, every member's household present, member numbers
 * unique, every household with 1 to 200 members. Pass 2 writes, classifying
 * each household as it goes, GNBV__BATCH households at a time; the
 * transaction commits only at the end, so a failure at any point leaves the
 * store as it was.
 *
 * What pass 1 parses it keeps for pass 2 (households always; members up to
 * a memory budget, GNBV_IMPORT_MEMORY_MB, 1024 by default), so a district
 * or a province is read once. Members beyond the budget are read again in
 * pass 2, streaming. Members in household order (what gnbv gen and gnbv
 * export write) are checked streaming; when pass 1 meets one out of step,
 * it reads the members file again into memory, whatever the budget, grouped
 * by household (like gnbv classify's indexed mode).
 *
 * Speed (quality.md P2): statements are prepared once, values are bound
 * (integers as integers, text without copies), several rows go in each
 * INSERT, ids come from memory, and when the registry holds no household
 * yet no lookup is made at all.
 */
#include "registry.h"

#include "gnbv/error.h"

#include "io/csv.h"
#include "io/exchange.h"
#include "util/hash.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EXTRA_CELL_MAX 4096

/* One household of the file, parsed in pass 1. */
typedef struct hrec {
	uint64_t hash;
	gnbv_household h;
	long unit;
	size_t first;       /* its first member in I->all */
	uint32_t id_off;    /* in I->ids */
	uint32_t extra_off; /* in I->ids too; extra_len 0: none */
	uint32_t extra_len;
	uint32_t line;
	uint16_t id_len;
	uint16_t nmem;
} hrec;

typedef struct extra_col {
	size_t col;
	const char *name;
} extra_col;

typedef struct imp {
	gnbv_store *s;
	const gnbv_import_opts *o;
	gnbv__writer w;
	gnbv_csv *hc, *mc;
	gnbv_xmap hmap, mmap;
	extra_col hx[GNBV_CSV_MAX_FIELDS], mx[GNBV_CSV_MAX_FIELDS];
	size_t nhx, nmx;
	int name_col, eth_col, birth_col;
	/* households of the file */
	hrec *hh;
	size_t nh, hcap;
	gnbv__buf ids;   /* ids and kept columns of households */
	uint32_t *table; /* index + 1 */
	size_t tcap;
	/* members held in memory, grouped by household */
	int in_step;
	gnbv__xmem *all;
	size_t nall, allcap;
	gnbv__buf all_arena;
	size_t budget;    /* bytes for members in memory */
	size_t kept_upto; /* households [0, kept_upto) have their members in memory */
	/* scratch */
	gnbv__buf arena, extra, hextra;
	gnbv__xmem group[GNBV_STORE_MAX_MEMBERS];
	char *cell; /* EXTRA_CELL_MAX + 1 */
	/* progress */
	uint64_t total, base, last_tick;
} imp;

static void progress(imp *I)
{
	if (!I->o->progress) return;
	uint64_t done = I->base + gnbv_csv_offset(I->hc) + gnbv_csv_offset(I->mc);
	if (done - I->last_tick < (1u << 20) && done < I->total) return;
	I->last_tick = done;
	I->o->progress(I->o->progress_ctx, done > I->total ? I->total : done, I->total);
}

static uint64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (uint64_t)sb.st_size : 0;
}

/* The exchange-format reader's warnings, as they apply to an import: an
 * unknown column is not ignored here but kept. */
static void warn_fn(void *ctx, const char *msg)
{
	static const char IGNORED[] = " is ignored (misspelt?)";
	const gnbv_import_opts *o = ctx;
	if (!o->warn) return;
	size_t n = strlen(msg), k = sizeof IGNORED - 1;
	if (n > k && !strcmp(msg + n - k, IGNORED)) {
		char buf[600];
		snprintf(buf, sizeof buf,
		         "%.*s is not in the exchange format: it is kept as it is (misspelt?)",
		         (int)(n - k), msg);
		o->warn(o->warn_ctx, buf);
		return;
	}
	o->warn(o->warn_ctx, msg);
}

static int cmp_extra(const void *a, const void *b)
{
	return strcmp(((const extra_col *)a)->name, ((const extra_col *)b)->name);
}

static int open_input(imp *I, gnbv_csv **c, const char *path, int kind, gnbv_xmap *map)
{
	int rc = gnbv_csv_open(c, path);
	if (rc) return rc;
	rc = gnbv_csv_next(*c);
	if (rc == 0)
		return gnbv_error_set(GNBV_EINVALID, "%s:1: empty file: expected a header row",
		                      path);
	if (rc < 0) return rc;
	if ((rc = gnbv_csv_take_header(*c))) return rc;
	if ((rc = gnbv_xmap_build(map, *c, kind, &I->w.std, warn_fn, (void *)I->o))) return rc;
	/* Columns the format does not know are kept, as JSON sorted by name. */
	extra_col *x = kind ? I->mx : I->hx;
	size_t *nx = kind ? &I->nmx : &I->nhx;
	*nx = 0;
	for (size_t i = 0; i < map->ncols; i++)
		if (map->col[i] == XF_IGNORE) {
			x[*nx].col = i;
			x[*nx].name = gnbv_csv_column(*c, i);
			(*nx)++;
		}
	if (*nx) qsort(x, *nx, sizeof *x, cmp_extra);
	if (kind == 1) {
		I->name_col = I->eth_col = I->birth_col = -1;
		for (size_t i = 0; i < map->ncols; i++) {
			if (map->col[i] == XF_NAME) I->name_col = (int)i;
			if (map->col[i] == XF_ETHNICITY) I->eth_col = (int)i;
			if (map->col[i] == XF_BIRTH) I->birth_col = (int)i;
		}
	}
	return 0;
}

/* NFC of cell `col` of the current record into dst (cap with the NUL);
 * the error names the cell. */
static int cell_nfc(gnbv_csv *c, int col, char *dst, size_t cap, size_t *len)
{
	*len = 0;
	dst[0] = '\0';
	if (col < 0) return 0;
	const gnbv_csv_field *f = &gnbv_csv_fields(c)[col];
	const char *p = f->p;
	size_t n = f->len;
	gnbv_x_trim(&p, &n);
	int rc = gnbv__nfc(p, n, dst, cap, len);
	if (rc == GNBV_ETOOBIG)
		return gnbv_csv_error(c, rc, (size_t)col, "longer than %zu bytes", cap - 1);
	if (rc) return gnbv_csv_error(c, rc, (size_t)col, "%s", gnbv_error_message());
	return 0;
}

/* The unknown columns of the current record as a JSON object into b
 * (nothing when none is filled in). */
static int extras_json(imp *I, gnbv_csv *c, const extra_col *x, size_t nx, gnbv__buf *b)
{
	int rc;
	size_t n = 0;
	for (size_t k = 0; k < nx; k++) {
		size_t len;
		if ((rc = cell_nfc(c, (int)x[k].col, I->cell, EXTRA_CELL_MAX + 1, &len))) return rc;
		if (!len) continue;
		if ((rc = gnbv__buf_str(b, n++ ? "," : "{")) ||
		    (rc = gnbv__buf_json(b, x[k].name, strlen(x[k].name))) ||
		    (rc = gnbv__buf_str(b, ":")) || (rc = gnbv__buf_json(b, I->cell, len)))
			return rc;
	}
	if (n && (rc = gnbv__buf_str(b, "}"))) return rc;
	return 0;
}

static int arena_put(gnbv__buf *a, const char *p, size_t n, uint32_t *off)
{
	if (a->len + n + 1 > UINT32_MAX)
		return gnbv_error_set(GNBV_ETOOBIG, "input too large to hold in memory");
	*off = (uint32_t)a->len;
	int rc = gnbv__buf_put(a, p, n); /* leaves a NUL after the bytes: keep it */
	if (!rc) a->len++;
	return rc;
}

/* Parses and checks the current households.csv record: x gets the
 * household (x->code points to idbuf, the NFC id; x->extra into I->hextra). */
static int parse_household(imp *I, gnbv__xhh *x, char *idbuf)
{
	gnbv_csv *c = I->hc;
	gnbv_csv_field id, unit;
	int rc;
	memset(x, 0, sizeof *x);
	if ((rc = gnbv_x_household(&I->hmap, c, &I->w.std, &x->h, &id, &unit))) return rc;
	size_t n;
	if ((rc = cell_nfc(c, I->hmap.id_col, idbuf, GNBV_STORE_CODE_MAX + 1, &n))) return rc;
	x->code = idbuf;
	x->code_len = n;
	char why[512];
	int code = 0;
	long u = gnbv__writer_unit(&I->w, unit.p, unit.len, why, sizeof why, &code);
	if (u < 0) return gnbv_csv_error(c, code, (size_t)I->hmap.unit_col, "%s", why);
	x->unit = u;
	if (gnbv__writer_area(&I->w, x) == GNBV_AREA_UNKNOWN) {
		size_t col = (size_t)I->hmap.unit_col;
		for (size_t i = 0; i < I->hmap.ncols; i++)
			if (I->hmap.col[i] == XF_AREA) col = i;
		return gnbv_csv_error(
		    c, GNBV_EINVALID, col,
		    "area is empty and unit '%.*s' has no known area; fill in rural or urban",
		    (int)unit.len, unit.p);
	}
	I->hextra.len = 0;
	if ((rc = extras_json(I, c, I->hx, I->nhx, &I->hextra))) return rc;
	if (I->hextra.len) {
		x->extra = I->hextra.p;
		x->extra_len = I->hextra.len;
	}
	return 0;
}

/* Parses the current members.csv record into *xm, its strings into
 * `arena`; hid gets the NFC household id. */
static int parse_member(imp *I, gnbv__xmem *xm, gnbv__buf *arena, char *hid, size_t *hid_len)
{
	gnbv_csv *c = I->mc;
	gnbv_csv_field raw;
	int rc;
	char name[GNBV_STORE_NAME_MAX + 1], key[GNBV_STORE_NAME_MAX + 1],
	    eth[GNBV_STORE_TEXT_MAX + 1];
	size_t nl, el, bl = 0;
	memset(xm, 0, sizeof *xm);
	if ((rc = gnbv_x_member(&I->mmap, c, &xm->m, &raw))) return rc;
	if ((rc = cell_nfc(c, I->mmap.id_col, hid, GNBV_STORE_CODE_MAX + 1, hid_len)) ||
	    (rc = cell_nfc(c, I->name_col, name, sizeof name, &nl)) ||
	    (rc = cell_nfc(c, I->eth_col, eth, sizeof eth, &el)))
		return rc;
	const char *birth = "";
	if (I->birth_col >= 0) {
		const gnbv_csv_field *f = &gnbv_csv_fields(c)[I->birth_col];
		birth = f->p;
		bl = f->len;
		gnbv_x_trim(&birth, &bl); /* checked by gnbv_x_member: YYYY or YYYY-MM-DD */
	}
	size_t kl = gnbv__search_key(name, nl, key, sizeof key);
	if ((rc = arena_put(arena, name, nl, &xm->name_off)) ||
	    (rc = arena_put(arena, key, kl, &xm->key_off)) ||
	    (rc = arena_put(arena, eth, el, &xm->eth_off)) ||
	    (rc = arena_put(arena, birth, bl, &xm->birth_off)))
		return rc;
	xm->name_len = (uint16_t)nl;
	xm->key_len = (uint16_t)kl;
	xm->eth_len = (uint16_t)el;
	xm->birth_len = (uint16_t)bl;
	xm->extra_off = 0;
	xm->extra_len = 0;
	if (I->nmx) {
		I->extra.len = 0;
		if ((rc = extras_json(I, c, I->mx, I->nmx, &I->extra))) return rc;
		if (I->extra.len &&
		    (rc = arena_put(arena, I->extra.p, I->extra.len, &xm->extra_off)))
			return rc;
		xm->extra_len = (uint32_t)I->extra.len;
	}
	long line = gnbv_csv_line(c);
	xm->line = line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	return 0;
}

/* ---- the household index ---- */

static const char *hid_of(const imp *I, const hrec *h)
{
	return I->ids.p + h->id_off;
}

static long find_household(const imp *I, const char *id, size_t n, uint64_t hv)
{
	if (!I->tcap) return -1;
	for (size_t j = (size_t)hv & (I->tcap - 1); I->table[j]; j = (j + 1) & (I->tcap - 1)) {
		const hrec *h = &I->hh[I->table[j] - 1];
		if (h->hash == hv && h->id_len == n && !memcmp(hid_of(I, h), id, n))
			return (long)(I->table[j] - 1);
	}
	return -1;
}

static int grow_table(imp *I)
{
	size_t nc = I->tcap ? I->tcap * 2 : 1 << 12;
	uint32_t *t = calloc(nc, sizeof *t);
	if (!t) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	for (size_t i = 0; i < I->nh; i++) {
		size_t j = (size_t)I->hh[i].hash & (nc - 1);
		while (t[j])
			j = (j + 1) & (nc - 1);
		t[j] = (uint32_t)i + 1;
	}
	free(I->table);
	I->table = t;
	I->tcap = nc;
	return 0;
}

static int add_household(imp *I, const gnbv__xhh *x, uint64_t hv, long line)
{
	int rc;
	if (I->nh >= UINT32_MAX - 1)
		return gnbv_error_set(GNBV_ETOOBIG, "too many households in one file");
	if ((I->nh + 1) * 2 > I->tcap && (rc = grow_table(I))) return rc;
	if (I->nh == I->hcap) {
		size_t nc = I->hcap ? I->hcap * 2 : 4096;
		hrec *nh = realloc(I->hh, nc * sizeof *nh);
		if (!nh) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		I->hh = nh;
		I->hcap = nc;
	}
	hrec *h = &I->hh[I->nh];
	memset(h, 0, sizeof *h);
	h->hash = hv;
	h->h = x->h;
	h->unit = x->unit;
	h->id_len = (uint16_t)x->code_len;
	h->line = line > (long)UINT32_MAX ? UINT32_MAX : (uint32_t)line;
	if ((rc = arena_put(&I->ids, x->code, x->code_len, &h->id_off))) return rc;
	if (x->extra_len) {
		if ((rc = arena_put(&I->ids, x->extra, x->extra_len, &h->extra_off))) return rc;
		h->extra_len = (uint32_t)x->extra_len;
	}
	size_t j = (size_t)hv & (I->tcap - 1);
	while (I->table[j])
		j = (j + 1) & (I->tcap - 1);
	I->table[j] = (uint32_t)I->nh + 1;
	I->nh++;
	return 0;
}

/* ---- pass 1 ---- */

static int check_households(imp *I)
{
	char id[GNBV_STORE_CODE_MAX + 1];
	gnbv__xhh x;
	int rc;
	while ((rc = gnbv_csv_next(I->hc)) == 1) {
		if ((rc = parse_household(I, &x, id))) return rc;
		if ((rc = gnbv__writer_check_round(&I->w, x.unit)))
			return gnbv_csv_error(I->hc, rc, (size_t)I->hmap.unit_col, "%s",
			                      gnbv_error_message());
		uint64_t hv = gnbv_hash64(id, x.code_len);
		long prev = find_household(I, id, x.code_len, hv);
		if (prev >= 0)
			return gnbv_csv_error(I->hc, GNBV_ECONFLICT, (size_t)I->hmap.id_col,
			                      "duplicate household_id '%s' (first at line %u)", id,
			                      I->hh[prev].line);
		if ((rc = add_household(I, &x, hv, gnbv_csv_line(I->hc)))) return rc;
		progress(I);
	}
	return rc;
}

static int member_household(imp *I, const char *hid, size_t n, long *out)
{
	*out = find_household(I, hid, n, gnbv_hash64(hid, n));
	if (*out < 0)
		return gnbv_csv_error(I->mc, GNBV_EINVALID, (size_t)I->mmap.id_col,
		                      "member of unknown household '%s' (not in %s)", hid,
		                      gnbv_csv_name(I->hc));
	return 0;
}

static int too_many(imp *I, long h)
{
	return gnbv_csv_error(I->mc, GNBV_ETOOBIG, (size_t)I->mmap.member_no_col,
	                      "household '%s' has more than %d members", hid_of(I, &I->hh[h]),
	                      GNBV_STORE_MAX_MEMBERS);
}

static int reserve_all(imp *I)
{
	if (I->nall < I->allcap) return 0;
	size_t nc = I->allcap ? I->allcap * 2 : 1 << 14;
	gnbv__xmem *na = realloc(I->all, nc * sizeof *na);
	if (!na)
		return gnbv_error_set(GNBV_ENOMEM, "out of memory holding %s",
		                      gnbv_csv_name(I->mc));
	I->all = na;
	I->allcap = nc;
	return 0;
}

/* Streams members.csv checking that it is in step with households.csv,
 * keeping members in memory while the budget lasts. Returns 0 (in step),
 * 1 (not: start over in memory) or an error. */
static int check_members_streaming(imp *I)
{
	char hid[GNBV_STORE_CODE_MAX + 1];
	size_t hl, n = 0;
	long cur = -1;
	int rc, keep = 1;
	gnbv__xmem xm;
	while ((rc = gnbv_csv_next(I->mc)) == 1) {
		I->arena.len = 0;
		if ((rc = parse_member(I, &xm, keep ? &I->all_arena : &I->arena, hid, &hl)))
			return rc;
		long h = -1;
		/* In step, a member belongs to the current household or the
		 * next: no need to look it up. */
		for (long c = cur < 0 ? 0 : cur; c <= cur + 1 && h < 0 && (size_t)c < I->nh; c++)
			if (I->hh[c].id_len == hl && !memcmp(hid_of(I, &I->hh[c]), hid, hl)) h = c;
		if (h < 0 && (rc = member_household(I, hid, hl, &h))) return rc;
		if (h != cur) {
			if (h != cur + 1) return 1;
			cur = h;
			n = 0;
			/* Members are kept for whole households only. */
			if (keep && I->all_arena.len + I->nall * sizeof *I->all > I->budget)
				keep = 0;
			if (keep) {
				I->kept_upto = (size_t)h + 1;
				I->hh[h].first = I->nall;
			}
		}
		for (size_t k = 0; k < n; k++)
			if (I->group[k].m.member_no == xm.m.member_no)
				return gnbv_csv_error(
				    I->mc, GNBV_EINVALID, (size_t)I->mmap.member_no_col,
				    "household '%s' already has a member number %d (line %u)", hid,
				    xm.m.member_no, I->group[k].line);
		if (n == GNBV_STORE_MAX_MEMBERS) return too_many(I, h);
		I->group[n++] = xm;
		I->hh[h].nmem++;
		if (keep && (size_t)h < I->kept_upto) {
			if ((rc = reserve_all(I))) return rc;
			xm.hidx = (uint32_t)h;
			I->all[I->nall++] = xm;
		}
		progress(I);
	}
	if (rc < 0) return rc;
	return 0;
}

static int cmp_xmem(const void *a, const void *b)
{
	const gnbv__xmem *x = a, *y = b;
	if (x->hidx != y->hidx) return x->hidx < y->hidx ? -1 : 1;
	if (x->m.member_no != y->m.member_no) return x->m.member_no < y->m.member_no ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/* Members not in household order: all of them into memory, grouped. */
static int load_members(imp *I)
{
	char hid[GNBV_STORE_CODE_MAX + 1];
	size_t hl;
	int rc;
	for (size_t i = 0; i < I->nh; i++)
		I->hh[i].nmem = 0;
	I->nall = 0;
	I->all_arena.len = 0;
	if ((rc = gnbv_csv_rewind(I->mc))) return rc;
	while ((rc = gnbv_csv_next(I->mc)) == 1) {
		if ((rc = reserve_all(I))) return rc;
		gnbv__xmem *xm = &I->all[I->nall];
		if ((rc = parse_member(I, xm, &I->all_arena, hid, &hl))) return rc;
		long h;
		if ((rc = member_household(I, hid, hl, &h))) return rc;
		xm->hidx = (uint32_t)h;
		if (I->hh[h].nmem == GNBV_STORE_MAX_MEMBERS) return too_many(I, h);
		I->hh[h].nmem++;
		I->nall++;
	}
	if (rc < 0) return rc;
	if (I->nall) qsort(I->all, I->nall, sizeof *I->all, cmp_xmem);
	for (size_t k = 1; k < I->nall; k++) {
		const gnbv__xmem *a = &I->all[k - 1], *b = &I->all[k];
		if (a->hidx == b->hidx && a->m.member_no == b->m.member_no)
			return gnbv_error_set(GNBV_EINVALID,
			                      "%s:%u:%d: column 'member_no': household '%s' "
			                      "already has a member number %d (line %u)",
			                      gnbv_csv_name(I->mc), b->line,
			                      I->mmap.member_no_col + 1, hid_of(I, &I->hh[b->hidx]),
			                      b->m.member_no, a->line);
	}
	size_t at = 0;
	for (size_t i = 0; i < I->nh; i++) {
		I->hh[i].first = at;
		at += I->hh[i].nmem;
	}
	I->kept_upto = I->nh;
	return 0;
}

static int check_all_have_members(imp *I)
{
	for (size_t i = 0; i < I->nh; i++)
		if (!I->hh[i].nmem)
			return gnbv_error_set(
			    GNBV_EINVALID,
			    "%s:%u:%d: column 'household_id': household '%s' has no members in %s",
			    gnbv_csv_name(I->hc), I->hh[i].line, I->hmap.id_col + 1,
			    hid_of(I, &I->hh[i]), gnbv_csv_name(I->mc));
	return 0;
}

/* ---- pass 2 ---- */

static int changed_underneath(imp *I)
{
	return gnbv_error_set(GNBV_EIO, "%s changed while being imported: nothing was imported",
	                      gnbv_csv_name(I->mc));
}

/* Members of households past the memory budget, read again. */
typedef struct reread {
	gnbv__xmem *m;
	size_t cap;
	gnbv__buf arena;
} reread;

static int write_all(imp *I)
{
	gnbv__xhh x[GNBV__BATCH];
	reread rr = {0};
	char hid[GNBV_STORE_CODE_MAX + 1];
	int rc = 0;
	rr.arena.max = (size_t)UINT32_MAX;
	if (I->kept_upto < I->nh) {
		/* Skip what is in memory. */
		if ((rc = gnbv_csv_rewind(I->mc))) goto done;
		for (size_t k = 0; k < I->nall; k++)
			if ((rc = gnbv_csv_next(I->mc)) != 1) {
				if (rc >= 0) rc = changed_underneath(I);
				goto done;
			}
	}
	for (size_t i0 = 0; i0 < I->nh; i0 += GNBV__BATCH) {
		size_t n = I->nh - i0 < GNBV__BATCH ? I->nh - i0 : GNBV__BATCH;
		size_t nm = 0;
		rr.arena.len = 0;
		for (size_t j = 0; j < n; j++) {
			const hrec *h = &I->hh[i0 + j];
			if (i0 + j >= I->kept_upto) nm += h->nmem;
		}
		if (nm > rr.cap) {
			gnbv__xmem *m = realloc(rr.m, nm * sizeof *m);
			if (!m) {
				rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
				goto done;
			}
			rr.m = m;
			rr.cap = nm;
		}
		nm = 0;
		for (size_t j = 0; j < n; j++) {
			const hrec *h = &I->hh[i0 + j];
			gnbv__xhh *xx = &x[j];
			memset(xx, 0, sizeof *xx);
			xx->code = hid_of(I, h);
			xx->code_len = h->id_len;
			xx->unit = h->unit;
			xx->h = h->h;
			xx->extra = h->extra_len ? I->ids.p + h->extra_off : NULL;
			xx->extra_len = h->extra_len;
			xx->n = h->nmem;
			if (i0 + j < I->kept_upto) {
				xx->m = &I->all[h->first];
				xx->arena = I->all_arena.p;
				continue;
			}
			for (size_t k = 0; k < h->nmem; k++) {
				size_t hl;
				if ((rc = gnbv_csv_next(I->mc)) != 1) {
					if (rc >= 0) rc = changed_underneath(I);
					goto done;
				}
				if ((rc = parse_member(I, &rr.m[nm + k], &rr.arena, hid, &hl)))
					goto done;
				if (hl != h->id_len || memcmp(hid, xx->code, hl)) {
					rc = changed_underneath(I);
					goto done;
				}
			}
			xx->m = &rr.m[nm];
			nm += h->nmem;
		}
		for (size_t j = 0; j < n; j++) /* the arena may have moved while filling */
			if (i0 + j >= I->kept_upto) x[j].arena = rr.arena.p;
		if ((rc = gnbv__writer_put_batch(&I->w, x, n, NULL))) {
			char msg[1024];
			snprintf(msg, sizeof msg, "%s", gnbv_error_message());
			rc = gnbv_error_set(rc, "%s: %s", gnbv_csv_name(I->hc), msg);
			goto done;
		}
		if (I->o->progress) {
			uint64_t done = I->base + (I->base * (i0 + n)) / (I->nh ? I->nh : 1);
			if (done - I->last_tick >= (1u << 20)) {
				I->last_tick = done;
				I->o->progress(I->o->progress_ctx, done, I->total);
			}
		}
	}
done:
	free(rr.m);
	gnbv__buf_free(&rr.arena);
	return rc;
}

static int audit_detail(imp *I, gnbv__buf *d, uint64_t members)
{
	const gnbv__writer *w = &I->w;
	struct {
		const char *k;
		uint64_t v;
	} nums[] = {{"households", I->nh},       {"members", members},
	            {"added", w->added},         {"changed", w->changed},
	            {"unchanged", w->unchanged}, {"rounds_created", w->rounds_created}};
	int rc;
	if ((rc = gnbv__buf_str(d, "{\"period\":")) ||
	    (rc = gnbv__buf_json(d, w->period, strlen(w->period))) ||
	    (rc = gnbv__buf_str(d, ",\"standard\":")) ||
	    (rc = gnbv__buf_json(d, w->std.name, strlen(w->std.name))) ||
	    (rc = gnbv__buf_str(d, ",\"ref_date\":")) ||
	    (rc = gnbv__buf_json(d, w->ref_text, strlen(w->ref_text))) ||
	    (rc = gnbv__buf_str(d, ",\"households_file\":")) ||
	    (rc = gnbv__buf_json(d, I->o->households_path, strlen(I->o->households_path))) ||
	    (rc = gnbv__buf_str(d, ",\"members_file\":")) ||
	    (rc = gnbv__buf_json(d, I->o->members_path, strlen(I->o->members_path))))
		return rc;
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		if ((rc = gnbv__buf_str(d, ",\"")) || (rc = gnbv__buf_str(d, nums[k].k)) ||
		    (rc = gnbv__buf_str(d, "\":")) || (rc = gnbv__buf_i64(d, (int64_t)nums[k].v)))
			return rc;
	}
	return gnbv__buf_str(d, "}");
}

static size_t memory_budget(void)
{
	const char *e = getenv("GNBV_IMPORT_MEMORY_MB");
	char *end = NULL;
	long long mb = e && *e ? strtoll(e, &end, 10) : 1024;
	if (!e || !*e || *end || mb < 0) mb = 1024;
	return (size_t)mb << 20;
}

int gnbv_store_import(gnbv_store *s, const gnbv_scope *scope, const gnbv_import_opts *o,
                      gnbv_import_stats *st)
{
	imp *I = calloc(1, sizeof *I);
	gnbv__buf detail = {0};
	int rc, opened = 0;
	if (!I) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	if (o->version != GNBV_IMPORT_OPTS_VERSION) {
		rc = gnbv_error_set(GNBV_EINVALID,
		                    "gnbv_store_import: options version %u, expected %u",
		                    o->version, GNBV_IMPORT_OPTS_VERSION);
		goto done;
	}
	I->s = s;
	I->o = o;
	I->in_step = 1;
	I->budget = memory_budget();
	I->ids.max = I->all_arena.max = (size_t)UINT32_MAX;
	I->cell = malloc(EXTRA_CELL_MAX + 1);
	if (!I->cell) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	uint64_t hs = file_size(o->households_path), ms = file_size(o->members_path);
	I->total = 2 * (hs + ms);

	if ((rc = gnbv__begin(s))) goto done;
	if ((rc = gnbv__writer_open(&I->w, s, scope, &o->round))) goto done;
	opened = 1;
	if ((rc = open_input(I, &I->hc, o->households_path, 0, &I->hmap)) ||
	    (rc = open_input(I, &I->mc, o->members_path, 1, &I->mmap)))
		goto done;

	/* Pass 1: read and validate. */
	if ((rc = check_households(I))) goto done;
	rc = check_members_streaming(I);
	if (rc == 1) {
		I->in_step = 0;
		rc = load_members(I);
	}
	if (rc || (rc = check_all_have_members(I))) goto done;
	uint64_t members = 0;
	for (size_t i = 0; i < I->nh; i++)
		members += I->hh[i].nmem;

	/* Pass 2: write. */
	I->base = hs + ms;
	if ((rc = s->ops->hint(s->b, GNBV_HINT_BULK_BEGIN))) goto done;
	if ((rc = gnbv__writer_start(&I->w)) || (rc = write_all(I))) goto done;
	gnbv_import_stats out;
	memset(&out, 0, sizeof out);
	out.households = I->nh;
	out.members = members;
	out.added = I->w.added;
	out.changed = I->w.changed;
	out.unchanged = I->w.unchanged;
	out.rounds_created = I->w.rounds_created;
	memcpy(out.by_class, I->w.by_class, sizeof out.by_class);
	snprintf(out.standard, sizeof out.standard, "%s", I->w.std.name);
	out.ref_date = I->w.ref_date;
	if (I->w.added + I->w.changed == 0) {
		/* Nothing differs: leave no trace, not even an audit record. */
		out.rounds_created = 0;
		gnbv__writer_close(&I->w);
		opened = 0;
		gnbv__rollback(s);
	} else {
		char object[64];
		snprintf(object, sizeof object, "round:%s", I->w.period);
		if ((rc = gnbv__writer_finish(&I->w)) || (rc = audit_detail(I, &detail, members)) ||
		    (rc = gnbv__audit_write(s, I->w.seq, "import", object, detail.p, detail.len)))
			goto done;
		out.audit_seq = I->w.seq;
		gnbv__writer_close(&I->w);
		opened = 0;
		if ((rc = gnbv__commit(s))) goto done;
	}
	s->ops->hint(s->b, GNBV_HINT_BULK_END);
	if (o->progress) o->progress(o->progress_ctx, I->total, I->total);
	if (st) *st = out;
done:
	if (opened) gnbv__writer_close(&I->w);
	if (rc) {
		gnbv__rollback(s);
		s->ops->hint(s->b, GNBV_HINT_BULK_END);
	}
	gnbv_csv_free(I->hc);
	gnbv_csv_free(I->mc);
	gnbv__buf_free(&I->ids);
	gnbv__buf_free(&I->arena);
	gnbv__buf_free(&I->extra);
	gnbv__buf_free(&I->hextra);
	gnbv__buf_free(&I->all_arena);
	gnbv__buf_free(&detail);
	free(I->hh);
	free(I->table);
	free(I->all);
	free(I->cell);
	free(I);
	return rc;
}
