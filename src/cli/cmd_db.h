/*
 * cmd_db.h - the commands over the store: `gnbv init`, `gnbv units
 * import|list`, `gnbv import` and `gnbv export` (src/cli/cmd_db.c).
 *
 * Each takes the global options (g->db is the database path from --db,
 * $GNBV_DB or "gnbv.db") and its own argv, argv[0] being the command name,
 * and returns an exit code of cli.h.
 */
#ifndef GNBV_CLI_CMD_DB_H
#define GNBV_CLI_CMD_DB_H

#include "cli.h"

#include "gnbv/store.h"

/* Opens the store at g->db as the local administrator, recording the OS
 * user as the actor; `create` makes a missing database. */
int gnbv_cli_open_store(const gnbv_cli *g, int create, gnbv_store **out);

int gnbv_cmd_init(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_units(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_import(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_export(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_audit(const gnbv_cli *g, int argc, char **argv);
int gnbv_cmd_user(const gnbv_cli *g, int argc, char **argv);  /* cmd_user.c */
int gnbv_cmd_serve(const gnbv_cli *g, int argc, char **argv); /* cmd_serve.c */

#endif
