/*
 * cmd_review.h - `gnbv review ...` (src/cli/cmd_review.c) and the demo's
 * review rounds.
 */
#ifndef GNBV_CLI_CMD_REVIEW_H
#define GNBV_CLI_CMD_REVIEW_H

#include "cli.h"

#include "gnbv/store.h"

#include <stddef.h>

int gnbv_cmd_review(const gnbv_cli *g, int argc, char **argv);

/* The demo district's 2021 and 2022 rounds run through the workflow to
 * recognition (the villages' meetings, the posting, the submission by the
 * commune's officer and the recognition by its chair), and the list of
 * households expected to escape poverty in 2023 with their deficits,
 * helpers and a first support each. Writes a short report (a few lines,
 * Vietnamese unless `english`) into report. */
int gnbv_cli_review_demo(gnbv_store *s, int english, char *report, size_t cap);

#endif
