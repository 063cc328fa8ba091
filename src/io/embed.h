/*
 * embed.h - files compiled into the binary (see tools/embed.c).
 */
#ifndef GNBV_IO_EMBED_H
#define GNBV_IO_EMBED_H

#include <stddef.h>

typedef struct gnbv_embedded_file {
	const char *name; /* "standards/vn-2022-2026.json" */
	const unsigned char *data;
	size_t len;
} gnbv_embedded_file;

/* Terminated by an entry whose name is NULL. */
extern const gnbv_embedded_file gnbv_embedded[];

/* The embedded file with that name, or NULL. */
const gnbv_embedded_file *gnbv_embedded_find(const char *name);

#endif
