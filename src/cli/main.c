/*
 * main.c - the gnbv binary: a thin front over libgnbv.
 */
#include "cli.h"

int main(int argc, char **argv) { return gnbv_cli_main(argc, argv); }
