/*
 * cmd_plan.h - `gnbv plan ...` (src/cli/cmd_plan.c) and the demo's plan.
 */
#ifndef GNBV_CLI_CMD_PLAN_H
#define GNBV_CLI_CMD_PLAN_H

#include "cli.h"

#include "gnbv/store.h"

int gnbv_cmd_plan(const gnbv_cli *g, int argc, char **argv);

/* Stores the seed's plan (data/demo/ha-quang-plan-2023.json, built in) and
 * writes the demo's summary line about it into report (cap bytes). */
int gnbv_cli_plan_load_demo(const gnbv_cli *g, gnbv_store *s, char *report, size_t cap);

#endif
