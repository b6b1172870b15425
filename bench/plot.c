/*
 * plot.c - vmsim-bench's plot: the scaling curve and the floor ratios as
 * data files, drawn by gnuplot (bench/plot.gp); skipped with a note if
 * gnuplot is missing.
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"

/* Write the plot's data and run gnuplot; a missing gnuplot is a note, not an error. */
int bench_plot(const struct bench_all *a, const char *outdir, const char *png)
{
	static const char *wl[] = { "default", "heavy" };
	char path[1200], cmd[4096];
	const char *script = getenv("VMSIM_PLOT_GP") ? getenv("VMSIM_PLOT_GP") : "bench/plot.gp";
	FILE *f;

	if ((bench_find(a, wl[0], "", 1) == NULL && bench_find(a, wl[1], "", 1) == NULL) ||
	    a->kinds.bk_rounds == 0) {
		printf("plot: %s skipped (no scaling runs or fault kinds: --only without runs or kinds)\n",
		    png);
		return 0;
	}
	snprintf(path, sizeof path, "%s/scaling.dat", outdir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# threads workload_index accesses_per_s faults_per_s\n");
	for (int w = 0; w < 2; w++)
		for (int nt = 1; nt <= 4; nt *= 2) {
			const struct bench_run *r = bench_find(a, wl[w], "", nt);
			if (r != NULL)
				fprintf(f, "%d %d %.0f %.0f\n", nt, w, r->br_acc_s, r->br_faults_s);
		}
	fclose(f);
	snprintf(path, sizeof path, "%s/ratios.dat", outdir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "# fault_kind ratio_to_floor_of_its_access target\n");
	for (int i = 0; i < BK_N && a->kinds.bk_rounds > 0; i++)
		fprintf(f, "\"%s\" %.3f %.2f\n", bench_kind_name[i], a->kinds.bk_ratio[i],
		    bench_kind_target[i]);
	fclose(f);
	if (system("command -v gnuplot >/dev/null 2>&1") != 0) {
		printf("plot: skipped (gnuplot not installed; apt-get install gnuplot-nox); data in %s\n",
		    outdir);
		return 0;
	}
	snprintf(cmd, sizeof cmd, "gnuplot -e \"datadir='%s'; out='%s'; "
	    "workloads='default fault-heavy'; target=1.1\" %s 2>&1", outdir, png, script);
	if (system(cmd) != 0) {
		printf("plot: gnuplot failed (%s); data in %s\n", script, outdir);
		return -1;
	}
	printf("plot: %s\n", png);
	return 0;
}
