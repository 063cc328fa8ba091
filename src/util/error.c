/*
 * error.c - the per-thread error message slot behind gnbv/error.h.
 *
 * Messages are formatted once, at the failure site, where the file, line and
 * column are known; callers above only add context or pass the code up.
 */
#include "gnbv/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char g_msg[2048];

int gnbv_error_set(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(g_msg, sizeof g_msg, fmt, ap);
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
