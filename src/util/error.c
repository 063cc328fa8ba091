/*
 * error.c - the per-thread error message slot behind gnbv/error.h.
 *
 * Messages are formatted once, at the failure site, where the file, line and
 * column are known; callers above only add context or pass the code up.
 * The format is first looked up in the Vietnamese catalogue when the
 * thread's language is Vietnamese (gnbv_tr).
 */
#include "gnbv/error.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

static _Thread_local char g_msg[2048];
static atomic_int g_vietnamese;        /* the process's language */
static _Thread_local int t_vietnamese = -1; /* this thread's, -1: the process's */

void gnbv_error_language(int vietnamese) { atomic_store(&g_vietnamese, vietnamese ? 1 : 0); }

void gnbv_error_thread_language(int vietnamese) { t_vietnamese = vietnamese < 0 ? -1 : vietnamese ? 1 : 0; }

const char *gnbv_msg_vi(const char *english); /* msg_vi.c */

const char *gnbv_tr(const char *english)
{
	int vi = t_vietnamese >= 0 ? t_vietnamese : atomic_load(&g_vietnamese);
	if (!vi || !english) return english;
	const char *t = gnbv_msg_vi(english);
	return t ? t : english;
}

int gnbv_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_msg, sizeof g_msg, gnbv_tr(fmt), ap);
	va_end(ap);
	return code;
}

const char *gnbv_error_message(void) { return g_msg; }

void gnbv_error_clear(void) { g_msg[0] = '\0'; }

const char *gnbv_error_name(int code)
{
	switch (code) {
	case GNBV_OK: return "ok";
	case GNBV_ENOMEM: return "out of memory";
	case GNBV_EINVALID: return "invalid input";
	case GNBV_ENOTFOUND: return "not found";
	case GNBV_ECONFLICT: return "conflict";
	case GNBV_EDENIED: return "denied";
	case GNBV_ETOOBIG: return "too big";
	case GNBV_EIO: return "input/output error";
	default: return "unknown error";
	}
}
