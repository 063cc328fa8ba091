/*
 * i18n.c - the message catalogues: web/i18n/vi.json (the default) and
 * en.json, embedded in the binary, flat objects of key -> text. Every word
 * the screens show comes from them (issue 6: "a message catalogue, not
 * strings in code"); a key missing from English falls back to Vietnamese,
 * and a key missing from both shows as itself so the gap is visible.
 */
#include "web.h"

#include "gnbv/error.h"

#include "io/embed.h"

static int load(const char *name, json_t **out)
{
	const gnbv_embedded_file *f = gnbv_embedded_find(name);
	json_error_t e;
	if (!f) return gnbv_error_set(GNBV_ENOTFOUND, "no catalogue %s", name);
	*out = json_loadb((const char *)f->data, f->len, JSON_REJECT_DUPLICATES, &e);
	if (!*out || !json_is_object(*out))
		return gnbv_error_set(GNBV_EINVALID, "%s:%d: %s", name, e.line, e.text);
	return 0;
}

int gnbv_web_i18n_load(json_t **vi, json_t **en)
{
	int rc = load("i18n/vi.json", vi);
	if (!rc) rc = load("i18n/en.json", en);
	if (rc) return rc;
	/* English falls back to Vietnamese key by key. */
	const char *k;
	json_t *v;
	json_object_foreach(*vi, k, v) if (!json_object_get(*en, k)) json_object_set(*en, k, v);
	return 0;
}
