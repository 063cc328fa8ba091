/*
 * gen_units.c - the units that receive the generated households.
 *
 * Three sources, one pipeline. A units.csv given with --units, or the
 * built-in data/units files restricted to the profile's subtree (Hà Quảng,
 * 045), or, for the nation profile, a synthesised tree: the 63 provinces
 * with their real codes, and under each a few districts, communes and
 * villages with made-up codes of the exchange format's shape (district 3
 * digits, commune 5, village COMMUNE-NN). Rows are sorted by code; the
 * leaves (villages, and communes without villages, valid on the profile's
 * reference date) receive households, in code order.
 *
 * Each leaf gets properties that depend on its codes only, never on the
 * seed, so that a village is as poor in every generated round: a weight
 * (its share of households), an effect on the latent deprivation (one
 * normal draw per level of its ancestry, plus the urban offset, centred so
 * that the region's weighted mean is 0 and the calibration carries over to
 * other unit files), and an ethnic mix (the region's, varied by commune).
 */
#include "gen_internal.h"

#include "gnbv/error.h"

#include "../io/csv.h"
#include "../io/embed.h"
#include "../io/exchange.h"
#include "../util/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LV_OTHER = -1, LV_PROVINCE, LV_DISTRICT, LV_COMMUNE, LV_VILLAGE };

typedef struct raw {
	char *code, *parent;
	int level, area; /* own area: 0, 1, -1 empty */
	bool valid;
	long parent_idx; /* -1 none */
	int area_res;    /* inherited */
	int nvillages;   /* valid villages under it */
} raw;

typedef struct rawset {
	raw *v;
	size_t n, cap;
} rawset;

static void rawset_free(rawset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].code);
		free(s->v[i].parent);
	}
	free(s->v);
	memset(s, 0, sizeof *s);
}

static int rawset_add(rawset *s, const char *code, size_t clen, const char *parent, size_t plen,
		      int level, int area, bool valid)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		raw *nv = realloc(s->v, nc * sizeof *nv);
		if (!nv) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
		s->v = nv;
		s->cap = nc;
	}
	raw *r = &s->v[s->n];
	memset(r, 0, sizeof *r);
	r->code = strndup(code, clen);
	r->parent = strndup(parent, plen);
	if (!r->code || !r->parent) {
		free(r->code);
		free(r->parent);
		return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	}
	r->level = level;
	r->area = area;
	r->valid = valid;
	s->n++;
	return 0;
}

static bool eqs(const gnbv_csv_field *f, const char *w)
{
	size_t n = strlen(w);
	return f->len == n && !memcmp(f->p, w, n);
}

static int parse_level(const gnbv_csv_field *f)
{
	static const char *const names[] = {"province", "district", "commune", "village"};
	for (int i = 0; i < 4; i++)
		if (eqs(f, names[i])) return i;
	return LV_OTHER;
}

/* Reads one units.csv (exchange-format.md) into `s`. */
static int load_csv(rawset *s, gnbv_csv *c, int32_t ref_date)
{
	int rc = gnbv_csv_next(c);
	if (rc <= 0)
		return rc ? rc
			  : gnbv_error_set(GNBV_EINVALID, "%s: empty units file", gnbv_csv_name(c));
	if ((rc = gnbv_csv_take_header(c))) return rc;
	int col[6] = {-1, -1, -1, -1, -1, -1};
	static const char *const want[6] = {"code", "parent_code", "level",
					    "area", "valid_from",  "valid_to"};
	size_t ncols = gnbv_csv_nfields(c);
	for (size_t i = 0; i < ncols; i++)
		for (int k = 0; k < 6; k++)
			if (!strcmp(gnbv_csv_column(c, i), want[k])) col[k] = (int)i;
	if (col[0] < 0 || col[2] < 0)
		return gnbv_error_set(GNBV_EINVALID, "%s:1: column '%s': missing", gnbv_csv_name(c),
				      col[0] < 0 ? "code" : "level");
	while ((rc = gnbv_csv_next(c)) == 1) {
		const gnbv_csv_field *f = gnbv_csv_fields(c);
		if (gnbv_csv_nfields(c) != ncols)
			return gnbv_csv_error_line(c, GNBV_EINVALID,
						   "%zu fields, but the header has %zu",
						   gnbv_csv_nfields(c), ncols);
		const gnbv_csv_field *code = &f[col[0]];
		if (code->len == 0)
			return gnbv_csv_error(c, GNBV_EINVALID, (size_t)col[0], "empty unit code");
		if (code->len >= GEN_MAX_CODE)
			return gnbv_csv_error(c, GNBV_EINVALID, (size_t)col[0],
					      "unit code longer than %d bytes", GEN_MAX_CODE - 1);
		for (uint32_t i = 0; i < code->len; i++) {
			unsigned char ch = (unsigned char)code->p[i];
			if (ch == ',' || ch == '"' || ch <= ' ')
				return gnbv_csv_error(c, GNBV_EINVALID, (size_t)col[0],
						      "unit code '%.*s' holds a space, comma or quote",
						      (int)code->len, code->p);
		}
		int area = -1;
		if (col[3] >= 0 && f[col[3]].len) {
			if (eqs(&f[col[3]], "rural")) area = 0;
			else if (eqs(&f[col[3]], "urban")) area = 1;
			else
				return gnbv_csv_error(c, GNBV_EINVALID, (size_t)col[3],
						      "expected rural or urban");
		}
		bool valid = true;
		for (int k = 4; k < 6; k++) {
			if (col[k] < 0 || f[col[k]].len == 0) continue;
			int32_t d;
			if (gnbv_x_parse_date(f[col[k]].p, f[col[k]].len, &d))
				return gnbv_csv_error(c, GNBV_EINVALID, (size_t)col[k],
						      "expected a date YYYY-MM-DD");
			if (k == 4 && d > ref_date) valid = false;
			if (k == 5 && d < ref_date) valid = false;
		}
		const gnbv_csv_field *par = col[1] >= 0 ? &f[col[1]] : NULL;
		if ((rc = rawset_add(s, code->p, code->len, par ? par->p : "", par ? par->len : 0,
				     parse_level(&f[col[2]]), area, valid)))
			return rc;
	}
	return rc;
}

/* The nation's tree: real province codes, synthetic units below them. */
static int synthesise(rawset *s, const gen_profile *p)
{
	int rc = 0, district = 0, commune = 0;
	char dcode[16], ccode[16], vcode[32];
	for (size_t i = 0; i < gen_province_n(); i++) {
		const gen_province *pv = gen_province_at(i);
		const gen_region *rg = &p->regions[pv->region];
		size_t plen = strlen(pv->code);
		if ((rc = rawset_add(s, pv->code, plen, "", 0, LV_PROVINCE, -1, true))) return rc;
		int nd = 3 + (int)(gnbv_hash64(pv->code, plen) % 4);
		for (int d = 0; d < nd; d++) {
			snprintf(dcode, sizeof dcode, "%03d", ++district);
			rc = rawset_add(s, dcode, 3, pv->code, plen, LV_DISTRICT, -1, true);
			if (rc) return rc;
			int nc = 4 + (int)(gnbv_hash64(dcode, 3) % 6);
			for (int k = 0; k < nc; k++) {
				snprintf(ccode, sizeof ccode, "%05d", ++commune);
				uint64_t h = gnbv_hash64(ccode, 5);
				int area = (double)(h >> 11) * 0x1.0p-53 < rg->urban ? 1 : 0;
				rc = rawset_add(s, ccode, 5, dcode, 3, LV_COMMUNE, area, true);
				if (rc) return rc;
				int nv = 3 + (int)((h >> 3) % 5);
				for (int v = 1; v <= nv; v++) {
					int n = snprintf(vcode, sizeof vcode, "%s-%02d", ccode, v);
					rc = rawset_add(s, vcode, (size_t)n, ccode, 5, LV_VILLAGE, -1,
							true);
					if (rc) return rc;
				}
			}
		}
	}
	return rc;
}

static int cmp_raw(const void *a, const void *b)
{
	return strcmp(((const raw *)a)->code, ((const raw *)b)->code);
}

static long find_raw(const rawset *s, const char *code)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->v[mid].code, code);
		if (c == 0) return (long)mid;
		if (c < 0) lo = mid + 1;
		else hi = mid;
	}
	return -1;
}

/* The synthesised tree as a units.csv (exchange-format.md), so that
 * classify --units and analyses by region can use it. Names follow
 * data/units: made-up units say "(mô phỏng)". */
static int units_text(gen_units *t, const rawset *s)
{
	size_t cap = 128 + s->n * 96, len = 0;
	char *buf = malloc(cap);
	if (!buf) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	static const char head[] =
		"code,name,level,parent_code,area,valid_from,valid_to,successor_code,flags\n";
	memcpy(buf, head, sizeof head - 1);
	len = sizeof head - 1;
	for (size_t i = 0; i < s->n; i++) {
		const raw *r = &s->v[i];
		char name[96];
		const char *level = "province";
		const char *area = r->area == 1 ? "urban" : r->area == 0 ? "rural" : "";
		switch (r->level) {
		case LV_PROVINCE: {
			const char *pn = "?";
			bool city = false;
			for (size_t k = 0; k < gen_province_n(); k++)
				if (!strcmp(gen_province_at(k)->code, r->code)) {
					pn = gen_province_at(k)->name;
					city = !strcmp(r->code, "01") || !strcmp(r->code, "31") ||
					       !strcmp(r->code, "48") || !strcmp(r->code, "79") ||
					       !strcmp(r->code, "92");
				}
			snprintf(name, sizeof name, "%s %s", city ? "Thành phố" : "Tỉnh", pn);
			break;
		}
		case LV_DISTRICT:
			level = "district";
			snprintf(name, sizeof name, "Huyện %s (mô phỏng)", r->code);
			break;
		case LV_COMMUNE:
			level = "commune";
			snprintf(name, sizeof name, "%s %s (mô phỏng)", r->area == 1 ? "Phường" : "Xã",
				 r->code);
			break;
		default: {
			level = "village";
			const char *dash = strrchr(r->code, '-');
			bool town = r->parent_idx >= 0 && s->v[r->parent_idx].area == 1;
			snprintf(name, sizeof name, "%s %s (mô phỏng)",
				 town ? "Tổ dân phố" : "Thôn", dash ? dash + 1 : r->code);
			break;
		}
		}
		char line[256];
		int n = snprintf(line, sizeof line, "%s,%s,%s,%s,%s,,,,\n", r->code, name, level,
				 r->parent, area);
		if (n < 0 || (size_t)n >= sizeof line) continue; /* codes are short: never */
		if (len + (size_t)n > cap) {
			cap = cap * 2 + (size_t)n;
			char *nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				return gnbv_error_set(GNBV_ENOMEM, "out of memory");
			}
			buf = nb;
		}
		memcpy(buf + len, line, (size_t)n);
		len += (size_t)n;
	}
	t->units_csv = buf;
	t->units_csv_len = len;
	return 0;
}

/* Sorts, links parents, inherits areas, counts villages. */
static int link(rawset *s)
{
	qsort(s->v, s->n, sizeof *s->v, cmp_raw);
	for (size_t i = 0; i + 1 < s->n; i++)
		if (!strcmp(s->v[i].code, s->v[i + 1].code))
			return gnbv_error_set(GNBV_EINVALID, "units: code '%s' appears twice",
					      s->v[i].code);
	for (size_t i = 0; i < s->n; i++)
		s->v[i].parent_idx = s->v[i].parent[0] ? find_raw(s, s->v[i].parent) : -1;
	for (size_t i = 0; i < s->n; i++) {
		raw *r = &s->v[i];
		long j = (long)i;
		int depth = 0;
		while (j >= 0 && s->v[j].area < 0) {
			if (++depth > 32)
				return gnbv_error_set(GNBV_EINVALID,
						      "units: a cycle of parent codes at '%s'", r->code);
			j = s->v[j].parent_idx;
		}
		r->area_res = j >= 0 ? s->v[j].area : -1;
		if (r->level == LV_VILLAGE && r->valid && r->parent_idx >= 0)
			s->v[r->parent_idx].nvillages++;
	}
	return 0;
}

static bool under(const rawset *s, size_t i, const char *root)
{
	for (long j = (long)i, d = 0; j >= 0 && d < 33; j = s->v[j].parent_idx, d++)
		if (!strcmp(s->v[j].code, root)) return true;
	return false;
}

static double level_sd(const gen_profile *p, int level)
{
	switch (level) {
	case LV_PROVINCE: return p->sd_province;
	case LV_DISTRICT: return p->sd_district;
	case LV_COMMUNE: return p->sd_commune;
	case LV_VILLAGE: return p->sd_village;
	default: return 0;
	}
}

/* Salts of the per-unit draws. */
enum { SALT_WEIGHT = 0x5751, SALT_EFFECT = 0xEFF0, SALT_ETH = 0xE700 };

static int make_leaf(gen_units *t, gnbv_strmap *communes, const gen_profile *p, const rawset *s,
		     size_t i, double commune_weight, bool area_known)
{
	const raw *r = &s->v[i];
	gen_unit *u = &t->u[t->n];
	memset(u, 0, sizeof *u);
	u->code_len = (uint32_t)strlen(r->code);
	if (u->code_len >= GEN_MAX_CODE)
		return gnbv_error_set(GNBV_EINVALID, "units: code '%s' is longer than %d bytes",
				      r->code, GEN_MAX_CODE - 1);
	memcpy(u->code, r->code, u->code_len);

	/* The commune (for ids): itself, or the nearest commune above. */
	long cj = (long)i;
	if (r->level != LV_COMMUNE) {
		long j = r->parent_idx;
		while (j >= 0 && s->v[j].level != LV_COMMUNE) j = s->v[j].parent_idx;
		cj = j >= 0 ? j : (r->parent_idx >= 0 ? r->parent_idx : (long)i);
	}
	const char *cc = s->v[cj].code;
	size_t clen = strlen(cc);
	if (clen >= GEN_MAX_CODE)
		return gnbv_error_set(GNBV_EINVALID, "units: code '%s' is too long", cc);
	int added = 0;
	long ci = gnbv_strmap_get(communes, cc, clen, 1, &added);
	if (ci < 0) return gnbv_error_set(GNBV_ENOMEM, "out of memory");
	u->commune = (uint32_t)ci;

	/* Region: by the province at the top, for profiles with regions. */
	long top = (long)i;
	for (int d = 0; s->v[top].parent_idx >= 0 && d < 33; d++) top = s->v[top].parent_idx;
	if (p->n_regions == 1) {
		u->region = 0;
	} else {
		u->region = gen_province_region(s->v[top].code, strlen(s->v[top].code));
		if (u->region < 0) u->region = p->fallback_region;
	}
	const gen_region *rg = &p->regions[u->region];

	u->area = (signed char)(r->area_res == 1 ? 1 : 0);
	u->area_known = area_known && r->area_res >= 0;

	/* Effect: one draw per level of the ancestry. */
	double e = u->area ? p->urban_offset : 0;
	for (long j = (long)i, d = 0; j >= 0 && d < 33; j = s->v[j].parent_idx, d++) {
		double sd = level_sd(p, s->v[j].level);
		if (sd > 0)
			e += sd * gen_hash_normal(s->v[j].code, strlen(s->v[j].code),
						  SALT_EFFECT + (uint64_t)s->v[j].level);
	}
	u->effect = e;
	u->weight = exp(0.3 * gen_hash_normal(r->code, u->code_len, SALT_WEIGHT)) *
		    (r->level == LV_COMMUNE ? commune_weight : 1.0);

	/* Ethnic mix: the region's, Kinh commoner in towns, minorities varying
	 * from commune to commune. */
	double w[ETH_COUNT], sum = 0;
	for (int k = 0; k < ETH_COUNT; k++) {
		w[k] = rg->eth[k];
		if (k == ETH_KINH && u->area) w[k] *= p->urban_kinh;
		if (k != ETH_KINH && w[k] > 0)
			w[k] *= exp(p->eth_sd * gen_hash_normal(cc, clen, SALT_ETH + (uint64_t)k));
		sum += w[k];
	}
	if (sum <= 0) {
		w[ETH_KINH] = 1;
		sum = 1;
	}
	double acc = 0;
	for (int k = 0; k < ETH_COUNT; k++) {
		acc += w[k] / sum;
		u->eth_cum[k] = acc;
	}
	u->eth_cum[ETH_COUNT - 1] = 1.0;
	t->n++;
	return 0;
}

/* Weights to shares (each region keeps its share of households) and
 * effects centred within each region. */
static void normalise(gen_units *t, const gen_profile *p)
{
	double rw[16] = {0}, re[16] = {0}, share_sum = 0;
	bool present[16] = {false};
	for (size_t i = 0; i < t->n; i++) {
		rw[t->u[i].region] += t->u[i].weight;
		re[t->u[i].region] += t->u[i].weight * t->u[i].effect;
	}
	for (int r = 0; r < p->n_regions && r < 16; r++) {
		present[r] = rw[r] > 0;
		if (present[r]) share_sum += p->regions[r].share > 0 ? p->regions[r].share : 1.0;
	}
	for (size_t i = 0; i < t->n; i++) {
		gen_unit *u = &t->u[i];
		int r = u->region;
		double share = p->regions[r].share > 0 ? p->regions[r].share : 1.0;
		u->effect -= re[r] / rw[r];
		u->weight = share / share_sum * u->weight / rw[r];
	}
}

int gen_units_build(gen_units *t, const gen_profile *p, const char *path)
{
	rawset s = {0};
	gnbv_csv *c = NULL;
	gnbv_strmap communes = {0};
	int rc = 0;
	memset(t, 0, sizeof *t);

	bool synthetic = !path && !p->units_root;
	if (path) {
		if ((rc = gnbv_csv_open(&c, path)) || (rc = load_csv(&s, c, p->ref_date)))
			goto done;
	} else if (p->units_root) {
		for (const gnbv_embedded_file *f = gnbv_embedded; f->name; f++) {
			size_t nl = strlen(f->name);
			bool csv = nl > 4 && !strcmp(f->name + nl - 4, ".csv");
			if (strncmp(f->name, "units/", 6) || !csv) continue;
			if ((rc = gnbv_csv_open_mem(&c, f->name, (const char *)f->data, f->len)) ||
			    (rc = load_csv(&s, c, p->ref_date)))
				goto done;
			gnbv_csv_free(c);
			c = NULL;
		}
	} else if ((rc = synthesise(&s, p))) {
		goto done;
	}
	if ((rc = link(&s))) goto done;

	/* A commune without villages stands for as many households as an
	 * average commune's villages together. */
	double vsum = 0, vn = 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.v[i].level == LV_COMMUNE && s.v[i].valid && s.v[i].nvillages) {
			vsum += s.v[i].nvillages;
			vn++;
		}
	double commune_weight = vn > 0 ? vsum / vn : 1.0;

	t->u = malloc((s.n ? s.n : 1) * sizeof *t->u);
	if (!t->u) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < s.n; i++) {
		const raw *r = &s.v[i];
		bool leaf = r->valid && (r->level == LV_VILLAGE ||
					 (r->level == LV_COMMUNE && r->nvillages == 0));
		if (!leaf) continue;
		if (!path && p->units_root && !under(&s, i, p->units_root)) continue;
		if ((rc = make_leaf(t, &communes, p, &s, i, commune_weight, !synthetic))) goto done;
	}
	if (t->n == 0) {
		bool root = !path && p->units_root;
		rc = gnbv_error_set(GNBV_ENOTFOUND,
				    "%s: no village or commune valid on %04d-%02d-%02d%s%s "
				    "to put households in",
				    path ? path : "built-in units", p->ref_date / 10000,
				    p->ref_date / 100 % 100, p->ref_date % 100,
				    root ? " under unit " : "", root ? p->units_root : "");
		goto done;
	}
	t->ncommunes = communes.n;
	t->communes = malloc((communes.n ? communes.n : 1) * sizeof *t->communes);
	if (!t->communes) {
		rc = gnbv_error_set(GNBV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < communes.n; i++) {
		memcpy(t->communes[i], communes.keys[i], communes.lens[i]);
		t->communes[i][communes.lens[i]] = '\0';
	}
	normalise(t, p);
	if (synthetic) rc = units_text(t, &s);
done:
	gnbv_csv_free(c);
	gnbv_strmap_free(&communes);
	rawset_free(&s);
	if (rc) gen_units_free(t);
	return rc;
}

typedef struct rem {
	double frac;
	size_t i;
} rem;

static int cmp_rem(const void *a, const void *b)
{
	const rem *x = a, *y = b;
	if (x->frac != y->frac) return x->frac > y->frac ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

void gen_units_allocate(gen_units *t, uint64_t households)
{
	double total = 0;
	for (size_t i = 0; i < t->n; i++) total += t->u[i].weight;
	rem *r = malloc(t->n * sizeof *r);
	uint64_t given = 0;
	for (size_t i = 0; i < t->n; i++) {
		double q = (double)households * t->u[i].weight / total;
		uint64_t base = (uint64_t)q;
		t->u[i].households = base;
		given += base;
		if (r) r[i] = (rem){q - (double)base, i};
	}
	if (r) qsort(r, t->n, sizeof *r, cmp_rem);
	/* Float error can leave the floors short by more than n: go round. */
	for (size_t k = 0; given < households; k = (k + 1) % t->n, given++)
		t->u[r ? r[k].i : k].households++;
	while (given > households) { /* cannot happen with floors; kept for safety */
		for (size_t i = t->n; i-- > 0 && given > households;)
			if (t->u[i].households) t->u[i].households--, given--;
	}
	free(r);
}

void gen_units_free(gen_units *t)
{
	if (!t) return;
	free(t->u);
	free(t->communes);
	free(t->units_csv);
	memset(t, 0, sizeof *t);
}
