/*
 * mrc_cmd.h - what vmsim --mrc measures (mrc_cmd.c) and how it is shown:
 * the table and JSON (mrc_report.c), the picture (mrc_plot.c).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "mrc.h"

/* One real vmsim run of the trace. */
struct mrc_vpoint {
	uint64_t mv_frames;
	uint64_t mv_faults;		/* demand-zero + soft + hard */
	uint64_t mv_hard;
	uint64_t mv_writebacks;		/* pages the modified page writer wrote */
	uint64_t mv_failures;		/* verification failures + validation problems */
	double   mv_seconds;
};

struct mrc_result {
	size_t mr_n;					/* frame counts (o_mrc_nframes) */
	struct mrc_point mr_pts[MRC_NPOL][MRC_FRAMES_MAX];
	struct mrc_point *mr_or[MRC_NPOL];		/* mr_pts[p], for mrc_compute */
	int mr_vpol[3];					/* vmsim's trim policies run */
	size_t mr_nvpol;
	struct mrc_vpoint mr_vm[3][MRC_FRAMES_MAX];	/* per policy, per size from 8 up */
	size_t mr_nv;
	double mr_oracle_s, mr_vmsim_s;			/* seconds the oracles, the runs took */
};

/* "mrc_report.c" */
void mrc_print(const struct opts *o, const struct mrc_result *r);
void mrc_print_json(const struct opts *o, const struct mrc_result *r);

/* "mrc_plot.c" */
/* Every curve in one PNG (o_mrc_plot) with gnuplot.  0, or -1 said on stderr. */
int mrc_plot(const struct opts *o, const struct mrc_result *r);
