/*
 * cmd_serve.c - `gnbv --db PATH serve [--listen ADDR:PORT] [--config FILE]
 * [--routes] [--demo-accounts]`: the web application (src/web,
 * docs/web.md). --routes prints the route table and the settings as JSON,
 * for the authorization-matrix test and the docs, and exits;
 * --demo-accounts (make demo) first creates the demo's logins
 * (demo_web.c) and prints them.
 */
#include "cli.h"
#include "cmd_db.h"
#include "demo_web.h"

#include "gnbv/error.h"

#include "web/web.h"

#include <stdio.h>
#include <string.h>

int gnbv_cmd_serve(const gnbv_cli *g, int argc, char **argv)
{
	gnbv_web_config cfg;
	const char *config = NULL, *listen = NULL;
	int routes = 0, demo = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc)
			listen = argv[++i];
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--routes"))
			routes = 1;
		else if (!strcmp(argv[i], "--demo-accounts"))
			demo = 1;
		else
			return gnbv_cli_usage("serve");
	}
	if (routes) return gnbv_web_routes_json(stdout) ? EXIT_INTERNAL : EXIT_OK;
	gnbv_web_config_defaults(&cfg);
	int rc;
	if (config && (rc = gnbv_web_config_load(&cfg, config))) return gnbv_cli_fail(rc);
	if (listen) {
		if (strlen(listen) >= sizeof cfg.listen) return gnbv_cli_usage("serve");
		snprintf(cfg.listen, sizeof cfg.listen, "%s", listen);
	}
	if (demo && (rc = gnbv_demo_web_accounts(g, cfg.listen)) != EXIT_OK) return rc;
	if ((rc = gnbv_web_serve(g->db, &cfg, stderr))) return gnbv_cli_fail(rc);
	return EXIT_OK;
}
