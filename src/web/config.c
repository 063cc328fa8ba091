/*
 * config.c - the server's settings: one table (name, type, default, range,
 * help) drives the defaults, the INI parser and the documentation, as
 * Redis's static_configs[] does (style.md 7). The file format is INI:
 * "key = value" lines; [sections] and comments (# or ;) are ignored, so a
 * deployment may group keys as it likes. An unknown key or a value out of
 * range is an error naming FILE:LINE: a typo must not silently fall back
 * to a default.
 */
#include "web.h"

#include "gnbv/error.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct setting {
	const char *name;
	int is_int;
	size_t off, size; /* where in gnbv_web_config; size for strings */
	long def, min, max;
	const char *sdef;
	const char *help;
} setting;

#define INT_SET(n, f, d, lo, hi, h)                                                                \
	{                                                                                          \
		n, 1, offsetof(gnbv_web_config, f), 0, d, lo, hi, NULL, h                          \
	}
#define STR_SET(n, f, d, h)                                                                        \
	{                                                                                          \
		n, 0, offsetof(gnbv_web_config, f), sizeof(((gnbv_web_config *)0)->f), 0, 0, 0, d, \
		    h                                                                              \
	}

static const setting SETTINGS[] = {
    STR_SET("listen", listen, "127.0.0.1:8080", "address and port to listen on"),
    INT_SET("threads", threads, 64, 1, 1024,
            "worker threads: connections served at once (civetweb holds one per connection)"),
    INT_SET("request_timeout_ms", request_timeout_ms, 10000, 100, 600000,
            "time allowed for one request, headers and body (slow clients are cut off)"),
    INT_SET("keep_alive_ms", keep_alive_ms, 1000, 0, 600000,
            "idle time allowed between requests on one connection"),
    INT_SET("max_header_bytes", max_header_bytes, 16384, 1024, 1048576,
            "largest request line and headers"),
    INT_SET("max_body_bytes", max_body_bytes, 65536, 1024, 16777216, "largest form post"),
    INT_SET("session_idle_minutes", session_idle_min, 30, 1, 1440,
            "a session unused this long ends"),
    INT_SET("session_absolute_hours", session_absolute_h, 12, 1, 720,
            "a session ends this long after login, used or not"),
    INT_SET("page_cache_mb", page_cache_mb, 32, 0, 4096,
            "rendered pages kept in memory per server, exact to the store's last change "
            "(0: none)"),
    INT_SET("access_log", access_log, 1, 0, 1,
            "1: a line per request on the log (method, route, status, time; never the path)"),
    INT_SET("page_size", page_size, 50, 10, 1000, "rows per list page: households, accounts"),
    STR_SET("tls_certificate", tls_certificate, "",
            "PEM file with the certificate chain and the unencrypted private key: serve "
            "HTTPS on listen (TLS 1.2 or later), with Secure cookies and HSTS"),
    INT_SET("secure_cookies", secure_cookies, 0, 0, 1,
            "1 behind a TLS-terminating reverse proxy: cookies get Secure, responses HSTS, "
            "POSTs an https Origin"),
    STR_SET("public_origin", public_origin, "",
            "the origin users reach the server at (https://host): POSTs must come from it; "
            "empty: from the Host header"),
    STR_SET("http_redirect_listen", http_redirect_listen, "",
            "with tls_certificate: a second address (0.0.0.0:80) where plain HTTP requests "
            "get a redirect to the same path on https (public_origin, or listen's host); "
            "nothing else is served there"),
};
#define NSETTINGS (sizeof SETTINGS / sizeof SETTINGS[0])

void gnbv_web_config_defaults(gnbv_web_config *c)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < NSETTINGS; i++) {
		const setting *s = &SETTINGS[i];
		char *p = (char *)c + s->off;
		if (s->is_int)
			*(int *)p = (int)s->def;
		else
			snprintf(p, s->size, "%s", s->sdef);
	}
}

static char *strip(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int gnbv_web_config_load(gnbv_web_config *c, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int lineno = 0, rc = 0;
	if (!f) return gnbv_error_set(GNBV_EIO, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			rc = gnbv_error_set(GNBV_EINVALID, "%s:%d: line too long", path, lineno);
			goto done;
		}
		char *s = strip(line);
		if (!*s || *s == '#' || *s == ';' || *s == '[') continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			rc = gnbv_error_set(GNBV_EINVALID, "%s:%d: expected key = value", path,
			                    lineno);
			goto done;
		}
		*eq = '\0';
		char *key = strip(s), *val = strip(eq + 1);
		const setting *st = NULL;
		for (size_t i = 0; i < NSETTINGS; i++)
			if (!strcmp(SETTINGS[i].name, key)) st = &SETTINGS[i];
		if (!st) {
			rc = gnbv_error_set(GNBV_EINVALID, "%s:%d: unknown setting '%s'", path,
			                    lineno, key);
			goto done;
		}
		char *p = (char *)c + st->off;
		if (st->is_int) {
			char *end;
			errno = 0;
			long v = strtol(val, &end, 10);
			if (!*val || *end || errno || v < st->min || v > st->max) {
				rc = gnbv_error_set(
				    GNBV_EINVALID,
				    "%s:%d: %s must be a whole number from %ld to %ld", path,
				    lineno, key, st->min, st->max);
				goto done;
			}
			*(int *)p = (int)v;
		} else {
			if (strlen(val) >= st->size) {
				rc = gnbv_error_set(GNBV_EINVALID, "%s:%d: %s is too long", path,
				                    lineno, key);
				goto done;
			}
			snprintf(p, st->size, "%s", val);
		}
	}
done:
	fclose(f);
	return rc;
}

json_t *gnbv_web_config_json(void)
{
	json_t *a = json_array();
	for (size_t i = 0; i < NSETTINGS; i++) {
		const setting *s = &SETTINGS[i];
		json_t *o = s->is_int ? json_pack("{s:s,s:s,s:I,s:I,s:I,s:s}", "name", s->name,
		                                  "type", "int", "default", (json_int_t)s->def,
		                                  "min", (json_int_t)s->min, "max",
		                                  (json_int_t)s->max, "help", s->help)
		                      : json_pack("{s:s,s:s,s:s,s:s}", "name", s->name, "type",
		                                  "string", "default", s->sdef, "help", s->help);
		json_array_append_new(a, o);
	}
	return a;
}
