/*
 * floor_main.c - run the floor measurement alone.
 *
 *	floor_main [--quick] [--json]
 *
 * Prints the table (or one JSON object and a newline); exits 1 with the
 * reason on stderr if the floor cannot be measured here.
 */
#include "floor.h"

#include <stdio.h>
#include <string.h>

static void floor_main_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [--quick] [--json]\n", prog);
}

int main(int argc, char **argv)
{
	struct floor_result r;
	char err[256];
	int quick = 0, json = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick")) {
			quick = 1;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			floor_main_usage(stdout, argv[0]);
			return 0;
		} else {
			floor_main_usage(stderr, argv[0]);
			return 2;
		}
	}
	if (floor_measure(quick, &r, err, sizeof err)) {
		fprintf(stderr, "floor: %s\n", err);
		return 1;
	}
	if (json) {
		floor_print_json(stdout, &r);
		putchar('\n');
	} else {
		floor_print(stdout, &r);
	}
	return 0;
}
