/*
 * main.c - vmsim-bench: what a fault costs against the floor, how it
 * scales, what a trim costs, where the time goes, and each of the seeds'
 * optimizations on and off.  One process, one machine, floor first.
 *
 *	vmsim-bench [--quick] [--json FILE] [--plot FILE.png] [--out DIR]
 *	            [--only floor,kinds,parsoft,runs,cycle,opts,trimscale,timeline,trace]
 *
 * The sections (docs/PERFORMANCE.md explains each): the floor (floor.c),
 * per fault kind and parallel soft faults (kinds.c), workload runs for
 * throughput and scaling, and optimizations on/off (runs.c, scenarios.c),
 * the whole cycle's CPU per fault against a cycle floor (cycle.c),
 * trim cost against virtual size (trimscale.c: its runs, table, JSON and
 * figure), the timeline recorder off and on (timeline.c); then the tables
 * (report.c), the JSON (report_json.c) and the plot (plot.c).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"

struct bench_opts {
	int bo_quick;
	const char *bo_json, *bo_plot, *bo_out;
	const char *bo_only;		/* comma-separated sections, NULL: all */
};

static const struct bench_opts *bench_o;

/* Is section name selected by --only? */
static bool want(const char *name)
{
	const char *p = bench_o->bo_only;
	size_t n = strlen(name);

	if (p == NULL)
		return true;
	for (; (p = strstr(p, name)) != NULL; p += n)
		if ((p == bench_o->bo_only || p[-1] == ',') && (p[n] == 0 || p[n] == ','))
			return true;
	return false;
}

/* ---------------- main ---------------- */

static void usage(FILE *f)
{
	fprintf(f, "usage: vmsim-bench [--quick] [--json FILE] [--plot FILE.png] [--out DIR]\n"
	    "  --quick       smaller scenarios, shorter windows (under a minute)\n"
	    "  --out DIR     where bench.json, the plot and its data go [build/bench/out]\n"
	    "  --json FILE   the figures as JSON [DIR/bench.json]\n"
	    "  --plot FILE   the scaling curve and floor ratios as PNG [DIR/vmsim.png]\n"
	    "  --only LIST   run only these sections: floor,kinds,parsoft,runs,cycle,opts,\n"
	    "                trimscale,timeline,trace\n");
}

static const char bench_sections[] = "floor,kinds,parsoft,runs,cycle,opts,trimscale,timeline,trace";

/* Refuse an --only list naming a section that does not exist (exit 2). */
static void check_only(const char *list)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof buf, "%s", list);
	for (char *w = strtok_r(buf, ",", &save); w != NULL; w = strtok_r(NULL, ",", &save)) {
		const char *p = bench_sections;
		size_t n = strlen(w);
		bool found = false;
		for (; !found && (p = strstr(p, w)) != NULL; p += n)
			found = (p == bench_sections || p[-1] == ',') && (p[n] == 0 || p[n] == ',');
		if (!found) {
			fprintf(stderr, "vmsim-bench: --only: unknown section '%s' (%s)\n", w,
			    bench_sections);
			exit(2);
		}
	}
}

static void parse(int argc, char **argv, struct bench_opts *o)
{
	memset(o, 0, sizeof *o);
	o->bo_out = "build/bench/out";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--quick")) {
			o->bo_quick = 1;
		} else if (i + 1 < argc && !strcmp(a, "--json")) {
			o->bo_json = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--plot")) {
			o->bo_plot = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--out")) {
			o->bo_out = argv[++i];
		} else if (i + 1 < argc && !strcmp(a, "--only")) {
			o->bo_only = argv[++i];
			check_only(o->bo_only);
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else {
			usage(stderr);
			exit(2);
		}
	}
}

static void mkdirs(const char *path)
{
	char buf[1024];

	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p == '/') {
			*p = 0;
			mkdir(buf, 0777);
			*p = '/';
		}
	}
	mkdir(buf, 0777);
}

int main(int argc, char **argv)
{
	static struct bench_all a;
	struct bench_opts o;
	char json[1100], png[1100];
	double t0 = bench_now_s(), t;
	FILE *f;

	parse(argc, argv, &o);
	bench_o = &o;
	mkdirs(o.bo_out);
	snprintf(json, sizeof json, "%s", o.bo_json ? o.bo_json : "");
	if (!o.bo_json)
		snprintf(json, sizeof json, "%s/bench.json", o.bo_out);
	snprintf(png, sizeof png, "%s", o.bo_plot ? o.bo_plot : "");
	if (!o.bo_plot)
		snprintf(png, sizeof png, "%s/vmsim.png", o.bo_out);
	a.quick = o.bo_quick;
	a.warm_s = a.quick ? 0.15 : 0.3;
	a.window_s = a.quick ? 0.35 : 1.0;
	a.rounds = a.quick ? 1 : 3;

	fprintf(stderr, "vmsim-bench%s: 1/7 the floor\n", a.quick ? " --quick" : "");
	snprintf(a.floor_err, sizeof a.floor_err, "not run (--only)");
	/* the cycle section composes its floor from this one's figures */
	a.floor_ok = (want("floor") || want("cycle")) &&
	    floor_measure(a.quick, &a.floor, a.floor_err, sizeof a.floor_err) == 0;
	if (!a.floor_ok)
		fprintf(stderr, "vmsim-bench: floor: %s (ratios omitted)\n", a.floor_err);
	fprintf(stderr, "vmsim-bench: 2/7 per fault kind\n");
	if (want("kinds"))
		bench_kinds(a.quick, &a.kinds);
	fprintf(stderr, "vmsim-bench: 3/7 parallel soft faults\n");
	if (want("parsoft"))
		bench_parsoft(&a, a.kinds.bk_loop_r_ns);
	t = bench_now_s();
	{
		uint64_t x = bench_tlb_count();
		usleep(200000);
		a.tlb_idle_per_s = (double)(bench_tlb_count() - x) / (bench_now_s() - t);
	}
	fprintf(stderr, "vmsim-bench: 4/7 throughput, scaling, trim cost\n");
	if (want("runs"))
		bench_scaling(&a, a.rounds);
	if (want("cycle")) {
		fprintf(stderr, "vmsim-bench: 4b/7 the whole cycle: CPU per fault\n");
		bench_cycle(&a);
	}
	fprintf(stderr, "vmsim-bench: 5/7 optimizations on/off\n");
	if (want("opts"))
		bench_opts(&a, a.rounds);
	fprintf(stderr, "vmsim-bench: 6/7 trim cost against virtual size\n");
	if (want("trimscale"))
		bench_trimscale(&a, o.bo_out);
	fprintf(stderr, "vmsim-bench: 7/7 the timeline recorder off and on\n");
	if (want("timeline"))
		bench_timeline(&a, a.rounds);

	bench_print(stdout, &a);
	if (want("trace")) {		/* trace.c: load, oracles and replay of 10^7 references */
		fprintf(stderr, "vmsim-bench: trace formats, oracles, replay\n");
		bench_trace(a.quick, o.bo_out, stdout);
	}
	if ((f = fopen(json, "w")) == NULL) {
		fprintf(stderr, "vmsim-bench: %s: %s\n", json, strerror(errno));
	} else {
		bench_json(f, &a);
		fclose(f);
		printf("JSON: %s\n", json);
	}
	bench_plot(&a, o.bo_out, png);
	bench_trimscale_plot(&a, o.bo_out);
	printf("total %.1f s\n", bench_now_s() - t0);
	return 0;
}

