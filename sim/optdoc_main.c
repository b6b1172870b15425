/*
 * optdoc_main.c - vmsim-optdoc: the options' documentation from
 * sim/options.def, for the build (the man page), `make readme` (the
 * README's table) and tests/docs.sh.
 *
 *	vmsim-optdoc man|markdown|help|list
 */
#include <stdio.h>
#include <string.h>

#include "optdoc.h"

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(FILE *); } out[] = {
		{ "man", optdoc_man }, { "markdown", optdoc_markdown },
		{ "help", optdoc_help }, { "list", optdoc_list },
	};

	for (size_t i = 0; argc == 2 && i < sizeof(out) / sizeof(out[0]); i++) {
		if (strcmp(argv[1], out[i].name) != 0)
			continue;
		out[i].fn(stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			perror("vmsim-optdoc: standard output");
			return 1;
		}
		return 0;
	}
	fprintf(stderr, "usage: vmsim-optdoc man|markdown|help|list\n");
	return 2;
}
