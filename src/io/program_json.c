/*
 * program_json.c - loads a program structure (gnbv-program/1,
 * data/programs/README.md): the projects and sub-projects of a national
 * target program with their Vietnamese names and the capital types each
 * may use. The structure is data so that the 2026-2035 merged program is a
 * new file, not new code. Built-in programs are the embedded files under
 * programs/.
 */
#include "gnbv/error.h"
#include "gnbv/plan.h"

#include "embed.h"
#include "jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRAM_MAX_BYTES      (4u << 20)
#define PROGRAM_MAX_COMPONENTS 512

static int load_capitals(gnbv_jctx *c, json_t *obj, unsigned *mask)
{
	json_t *arr;
	int rc = gnbv_jarr(c, obj, "capital_types", 0, &arr);
	if (rc) return rc;
	*mask = 0;
	if (!arr) return 0;
	gnbv_jpath_key(&c->path, "capital_types");
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		gnbv_jpath_index(&c->path, i);
		int cap = json_is_string(v) ? gnbv_capital_parse(json_string_value(v)) : -1;
		if (cap <= GNBV_CAP_NONE) return gnbv_jerr(c, "expected \"DTPT\" or \"SN\"");
		*mask |= 1u << cap;
		gnbv_jpath_pop(&c->path);
	}
	gnbv_jpath_pop(&c->path);
	return 0;
}

static int load_component(gnbv_jctx *c, json_t *obj, gnbv_program *p, const char *parent)
{
	if (!json_is_object(obj)) return gnbv_jerr(c, "must be an object");
	if (p->n_components == PROGRAM_MAX_COMPONENTS)
		return gnbv_jerr(c, "more than %d components", PROGRAM_MAX_COMPONENTS);
	gnbv_component *k = &p->components[p->n_components];
	int rc;
	json_t *name, *lead, *kind, *subs;
	if ((rc = gnbv_jstr(c, obj, "code", 1, &k->code))) return rc;
	if (gnbv_program_component(p, k->code)) {
		gnbv_jpath_key(&c->path, "code");
		return gnbv_jerr(c, "component %s appears twice", k->code);
	}
	if ((rc = gnbv_jobj(c, obj, "name", 1, &name))) return rc;
	gnbv_jpath_key(&c->path, "name");
	if ((rc = gnbv_jstr(c, name, "vi", 0, &k->name_vi)) ||
	    (rc = gnbv_jstr(c, name, "en", 0, &k->name_en)))
		return rc;
	gnbv_jpath_pop(&c->path);
	/* An official name not read is null in the file: documents then say
	 * what the code says ("Tiểu dự án 1 - Dự án 1"), never a guessed name. */
	k->name_known = k->name_vi != NULL;
	if (!k->name_vi) {
		const char *dot = strchr(k->code, '.');
		k->name_vi = dot && parent
		                 ? gnbv_arena_printf(c->a, "Tiểu dự án %s - Dự án %.*s", dot + 1,
		                                     (int)(dot - k->code - 2), k->code + 2)
		                 : gnbv_arena_printf(c->a, "%s", k->code);
		if (!k->name_vi) return GNBV_ENOMEM;
	}
	if ((rc = load_capitals(c, obj, &k->capital_mask))) return rc;
	/* A sub-project without its own list uses its project's. */
	if (!k->capital_mask && parent) {
		const gnbv_component *pp = gnbv_program_component(p, parent);
		k->capital_mask = pp ? pp->capital_mask : 0;
	}
	if (!k->capital_mask) return gnbv_jerr(c, "component %s has no capital_types", k->code);
	if ((rc = gnbv_jobj(c, obj, "usual_lead_agency", 0, &lead))) return rc;
	if (lead && (kind = json_object_get(lead, "kind")) && json_is_object(kind)) {
		gnbv_jpath_key(&c->path, "usual_lead_agency");
		gnbv_jpath_key(&c->path, "kind");
		rc = gnbv_jstr(c, kind, "code", 0, &k->lead_kind);
		gnbv_jpath_pop(&c->path);
		gnbv_jpath_pop(&c->path);
		if (rc) return rc;
	}
	k->parent = parent;
	k->order = (int)p->n_components;
	p->n_components++;
	if ((rc = gnbv_jarr(c, obj, "sub_projects", 0, &subs))) return rc;
	if (!subs) return 0;
	if (parent) return gnbv_jerr(c, "a sub-project cannot have sub-projects");
	gnbv_jpath_key(&c->path, "sub_projects");
	size_t i;
	json_t *v;
	json_array_foreach(subs, i, v)
	{
		gnbv_jpath_index(&c->path, i);
		if ((rc = load_component(c, v, p, k->code))) return rc;
		gnbv_jpath_pop(&c->path);
	}
	gnbv_jpath_pop(&c->path);
	return 0;
}

static int program_parse(const char *origin, const char *text, size_t len, gnbv_program **out)
{
	json_t *root;
	gnbv_jctx c;
	int rc = gnbv_jopen(&c, origin, text, len, 16u << 20, &root);
	if (rc) return rc;
	gnbv__arena *a = c.a;
	gnbv_program *p = gnbv_arena_alloc(a, sizeof *p);
	if (!p) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	p->arena = a;
	const char *fmt;
	json_t *name, *period, *projects;
	int64_t y;
	if (!json_is_object(root)) {
		rc = gnbv_jerr(&c, "must be an object");
		goto done;
	}
	if ((rc = gnbv_jstr(&c, root, "format", 1, &fmt))) goto done;
	if (strcmp(fmt, "gnbv-program/1")) {
		gnbv_jpath_key(&c.path, "format");
		rc = gnbv_jerr(&c, "expected \"gnbv-program/1\"");
		goto done;
	}
	if ((rc = gnbv_jstr(&c, root, "code", 1, &p->code)) ||
	    (rc = gnbv_jobj(&c, root, "name", 1, &name)))
		goto done;
	gnbv_jpath_key(&c.path, "name");
	if ((rc = gnbv_jstr(&c, name, "vi", 1, &p->name_vi)) ||
	    (rc = gnbv_jstr(&c, name, "en", 0, &p->name_en)))
		goto done;
	gnbv_jpath_pop(&c.path);
	if ((rc = gnbv_jobj(&c, root, "period", 1, &period))) goto done;
	gnbv_jpath_key(&c.path, "period");
	if ((rc = gnbv_jint(&c, period, "from", 1, 1990, 2200, 0, &y))) goto done;
	p->year_from = (int)y;
	if ((rc = gnbv_jint(&c, period, "to", 1, 1990, 2200, 0, &y))) goto done;
	p->year_to = (int)y;
	gnbv_jpath_pop(&c.path);
	if ((rc = gnbv_jarr(&c, root, "projects", 1, &projects))) goto done;
	if (!(p->components = gnbv_arena_array(a, PROGRAM_MAX_COMPONENTS, sizeof *p->components))) {
		rc = GNBV_ENOMEM;
		goto done;
	}
	gnbv_jpath_key(&c.path, "projects");
	size_t i;
	json_t *v;
	json_array_foreach(projects, i, v)
	{
		gnbv_jpath_index(&c.path, i);
		if ((rc = load_component(&c, v, p, NULL))) goto done;
		gnbv_jpath_pop(&c.path);
	}
	*out = p;
	p = NULL;
	a = NULL;
done:
	json_decref(root);
	gnbv_arena_free(a);
	return rc;
}

int gnbv_program_load(const char *name, gnbv_program **out)
{
	char key[256];
	snprintf(key, sizeof key, "programs/%s.json", name);
	const gnbv_embedded_file *f = strchr(name, '/') ? NULL : gnbv_embedded_find(key);
	if (f) return program_parse(key, (const char *)f->data, f->len, out);
	if (!strchr(name, '/') && !strstr(name, ".json"))
		return gnbv_error_set(GNBV_ENOTFOUND,
		                      "no built-in program '%s' (built in: gnbv-2021-2025)", name);
	char *text;
	size_t len;
	int rc = gnbv_read_file(name, PROGRAM_MAX_BYTES, &text, &len);
	if (rc) return rc;
	rc = program_parse(name, text, len, out);
	free(text);
	return rc;
}
