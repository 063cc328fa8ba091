/*
 * gnbv/error.h - the one error convention of libgnbv.
 *
 * Every fallible function returns int: 0 on success, one of the negative codes
 * below on failure, after storing a human-readable message in a per-thread
 * slot. Fronts (the CLI, the HTTP server) turn codes into exit codes or HTTP
 * statuses; nothing inside the library does.
 */
#ifndef GNBV_ERROR_H
#define GNBV_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
	GNBV_OK = 0,
	GNBV_ENOMEM = -1,    /* an allocation failed */
	GNBV_EINVALID = -2,  /* bad input: the message says where and why */
	GNBV_ENOTFOUND = -3, /* a named thing does not exist */
	GNBV_ECONFLICT = -4, /* duplicate, or a state that forbids the change */
	GNBV_EDENIED = -5,   /* outside the caller's scope or role */
	GNBV_ETOOBIG = -6,   /* a cap on a buffer, a cell or a record was hit */
	GNBV_EIO = -7        /* the operating system refused a read or write */
};

/* Stores a printf-style message for this thread and returns `code`, so that
 * callers write `return gnbv_error_set(GNBV_EINVALID, "...", ...);`. */
int gnbv_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The last message stored on this thread ("" when none). Valid until the next
 * gnbv_error_set on the same thread. */
const char *gnbv_error_message(void);

/* Forgets the stored message. */
void gnbv_error_clear(void);

/* A short English name for a code ("invalid input", ...). */
const char *gnbv_error_name(int code);

/* The language of messages: Vietnamese (1) or English (0). The library
 * writes English unless told; the CLI sets the process's language from
 * --lang (Vietnamese by default), the web server each request thread's.
 * gnbv_error_set and the CSV reader's messages look their format up in the
 * Vietnamese catalogue (src/util/msg_vi.c) and keep the English one when it
 * has no entry. */
void gnbv_error_language(int vietnamese);
/* This thread's language, over the process's; -1 goes back to it. */
void gnbv_error_thread_language(int vietnamese);
/* `english` in this thread's language: its catalogue entry, or itself. A
 * translation has the same conversions in the same order (checked by
 * tests/unit/test_msg.c), so the result may stand for the format. */
const char *gnbv_tr(const char *english) __attribute__((format_arg(1)));

/* The catalogue, for the tests: entry i's English and Vietnamese, or NULL
 * past the last. */
const char *gnbv_msg_vi_entry(int i, const char **vietnamese);

#ifdef __cplusplus
}
#endif
#endif
