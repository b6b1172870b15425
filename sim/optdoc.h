/*
 * optdoc.h - the vmsim command's options as data (sim/options.def), and
 * their documentation rendered from it: --help, the vmsim(1) man page and
 * the README's option table.  One source, three outputs: none can drift
 * from the others or from the parser, which reads the same table.
 */
#pragma once
#include <stdio.h>

enum optarg_kind { OPTARG_NONE, OPTARG_REQUIRED, OPTARG_OPTIONAL };

/* Every option, OPT_<ID>, in the table's order. */
enum opt_id {
#define OPT_GROUP(title)
#define OPT(id, name, arg, metavar, def, brief, more) OPT_##id,
#include "options.def"
#undef OPT
#undef OPT_GROUP
	OPT_N
};

/* One entry of options.def; od_name NULL: a group heading (od_brief). */
struct optdoc {
	const char *od_name;
	enum optarg_kind od_arg;
	const char *od_metavar, *od_default, *od_brief, *od_more;
	int od_id;			/* enum opt_id */
};

/* "optdoc.c" */
extern const struct optdoc optdoc_table[];	/* ends with an all-NULL entry */

/* --help: usage, the options by group, the rules and the exit status. */
void optdoc_help(FILE *f);
/* The man page, troff (man macros). */
void optdoc_man(FILE *f);
/* The README's option table, Markdown. */
void optdoc_markdown(FILE *f);
/* One line per option: name, argument kind (none/required/optional),
 * metavar and default, tab-separated: for the tests. */
void optdoc_list(FILE *f);
