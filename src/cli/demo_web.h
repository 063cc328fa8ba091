/*
 * demo_web.h - the demo's web accounts (src/cli/demo_web.c).
 */
#ifndef GNBV_CLI_DEMO_WEB_H
#define GNBV_CLI_DEMO_WEB_H

#include "cli.h"

/* Creates or resets the demo's accounts in g->db with a new random
 * password and prints the address (`listen`) and the logins. Returns an
 * exit code of cli.h. */
int gnbv_demo_web_accounts(const gnbv_cli *g, const char *listen);

#endif
