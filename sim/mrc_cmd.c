/*
 * mrc_cmd.c - vmsim --mrc: miss-ratio curves of a trace.  The oracles
 * (mrc.c: LRU, FIFO, CLOCK, OPT) at every listed frame count, vmsim itself
 * at the listed counts from MRC_VMSIM_MIN up (one real run per size and
 * trim policy, through run.c, every access verified), then a table or
 * JSON, and the picture (mrc_plot.c).
 *
 * vmsim's faults are counted as --compare counts them: all faults
 * (demand-zero + soft + hard: a soft fault is a miss of its resident set)
 * and hard faults alone; its write-backs are the pages its modified page
 * writer wrote.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "mrc.h"
#include "mrc_cmd.h"
#include "trace_fmt.h"
#include "vm_sim.h"

/* The fewest frames vmsim runs with (vm_config_check refuses fewer). */
#define MRC_VMSIM_MIN	8

static uint64_t mrc_default[MRC_FRAMES_MAX];

/* Is frame count f one vmsim runs at? */
static bool mrc_vmsim_size(uint64_t f)
{
	return f >= MRC_VMSIM_MIN;
}

void mrc_cmd_prepare(struct opts *o)
{
	uint64_t d = o->o_trace.t_distinct, largest = 0, smallest = 0;
	char err[512];

	if (o->o_mrc_frames == NULL) {		/* 1, 2, 4, ... below d, then d */
		size_t n = 0;

		for (uint64_t f = 1; f < d && n + 1 < MRC_FRAMES_MAX; f *= 2)
			mrc_default[n++] = f;
		mrc_default[n++] = d;
		o->o_mrc_frames = mrc_default;
		o->o_mrc_nframes = n;
	}
	for (size_t i = 0; i < o->o_mrc_nframes; i++) {
		uint64_t f = o->o_mrc_frames[i];
		struct vm_config c = o->o_vm;

		if (!o->o_mrc_vmsim || !mrc_vmsim_size(f))
			continue;
		smallest = smallest ? smallest : f;
		largest = f;
		c.vc_machine.mc_physical = f * VM_PAGE_SIZE;
		if (vm_config_check(&c, err, sizeof(err)) != 0)
			cli_refuse("--mrc: vmsim at %" PRIu64 " frames: %s", f, err);
	}
	if (smallest && o->o_vm.vc_machine.mc_trim_batch > 0 &&
	    (uint64_t)o->o_vm.vc_machine.mc_trim_batch > (smallest / 4 ? smallest / 4 : 1))
		cli_refuse("--trim-batch: %d is more than a quarter of %" PRIu64 " frames, the "
		    "smallest size vmsim runs at", o->o_vm.vc_machine.mc_trim_batch, smallest);
	/* the memory estimate counts vmsim at its largest size */
	o->o_vm.vc_machine.mc_physical = (largest ? largest : MRC_VMSIM_MIN) * VM_PAGE_SIZE;
}

uint64_t mrc_cmd_footprint(const struct opts *o)
{
	uint64_t maxf = o->o_mrc_nframes ? o->o_mrc_frames[o->o_mrc_nframes - 1] : 0;
	uint64_t d = o->o_trace.t_distinct;

	return mrc_footprint(o->o_trace.t_n, d, maxf < d ? maxf : d);
}

/* One real run of the trace at frames with trim policy pol. 0, or -1 said
 * on stderr (vmsim could not be created, or its page file failed). */
static int mrc_vmsim_run(struct opts *o, uint64_t frames, int pol, struct mrc_vpoint *out)
{
	static struct run_result r;
	struct opts ro = *o;
	struct wl_shared sh;
	struct vm *vm;
	char err[512];
	double el;

	ro.o_vm.vc_machine.mc_physical = frames * VM_PAGE_SIZE;
	ro.o_vm.vc_space.as_trim_policy = (enum vm_trim_policy)pol;
	ro.o_compare = 0;
	ro.o_status = 0;
	if (vm_create(&ro.o_vm, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsim: --mrc: vmsim at %" PRIu64 " frames: %s\n", frames, err);
		return -1;
	}
	if (wl_init(&sh, vm, &ro.o_wl) != 0) {
		fprintf(stderr, "vmsim: --mrc: out of memory for the workload\n");
		vm_destroy(vm);
		return -1;
	}
	el = run_threads(&ro, vm, &sh);
	if (vm_error(vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "vmsim: --mrc: vmsim at %" PRIu64 " frames: %s\n", frames, err);
		exit(1);	/* the page file failed: the instance cannot be taken down */
	}
	run_collect(&ro, vm, &sh, el, &r);
	out->mv_frames = frames;
	out->mv_faults = r.r_stats.vs_faults_dz + r.r_stats.vs_faults_soft_standby +
	    r.r_stats.vs_faults_soft_modified + r.r_stats.vs_faults_hard;
	out->mv_hard = r.r_stats.vs_faults_hard;
	out->mv_writebacks = r.r_stats.vs_written;
	out->mv_failures = wl_failures(&r.r_counts) + (uint64_t)r.r_bad;
	out->mv_seconds = el;
	wl_destroy(&sh);
	vm_destroy(vm);
	return 0;
}

/* Every vmsim run the options ask for, into res.  0 or -1. */
static int mrc_vmsim_all(struct opts *o, struct mrc_result *res)
{
	size_t total = 0, done = 0, k = 0;

	for (int p = 0; p < 3; p++)
		for (size_t i = 0; (o->o_mrc_vmsim >> p & 1) && i < o->o_mrc_nframes; i++)
			total += mrc_vmsim_size(o->o_mrc_frames[i]);
	for (int p = 0; p < 3; p++) {
		if (!(o->o_mrc_vmsim >> p & 1))
			continue;
		res->mr_vpol[res->mr_nvpol] = p;
		k = 0;
		for (size_t i = 0; i < o->o_mrc_nframes; i++) {
			uint64_t f = o->o_mrc_frames[i];

			if (!mrc_vmsim_size(f))
				continue;
			if (o->o_status)
				fprintf(stderr, "\rmrc: vmsim %s at %" PRIu64 " frames (%zu of %zu)\033[K",
				    opts_trim_policy_names[p], f, ++done, total);
			if (mrc_vmsim_run(o, f, p, &res->mr_vm[res->mr_nvpol][k++]) != 0)
				return -1;
		}
		res->mr_nvpol++;
	}
	if (o->o_status)
		fprintf(stderr, "\r\033[K");
	res->mr_nv = k;
	return 0;
}

/* The oracles at every listed size.  0 or -1 (said on stderr). */
static int mrc_oracles(const struct opts *o, struct mrc_result *res)
{
	struct mrc_refs refs;
	uint64_t t0 = vm_now_ns();
	int rc;

	if (mrc_refs_make(&o->o_trace, &refs) != 0) {
		fprintf(stderr, "vmsim: --mrc: out of memory for the oracles\n");
		return -1;
	}
	for (int p = 0; p < MRC_NPOL; p++)
		res->mr_or[p] = res->mr_pts[p];
	rc = mrc_compute(&refs, o->o_mrc_frames, o->o_mrc_nframes, res->mr_or);
	mrc_refs_free(&refs);
	res->mr_oracle_s = (double)(vm_now_ns() - t0) / 1e9;
	if (rc != 0)
		fprintf(stderr, "vmsim: --mrc: out of memory for the oracles\n");
	return rc;
}

int mrc_command(struct opts *o)
{
	static struct mrc_result res;
	bool failed = false, lost = false;
	uint64_t t0;

	res.mr_n = o->o_mrc_nframes;
	if (mrc_oracles(o, &res) != 0)
		return 1;
	t0 = vm_now_ns();
	cli_keep();
	if (o->o_mrc_vmsim && mrc_vmsim_all(o, &res) != 0)
		return 1;
	res.mr_vmsim_s = (double)(vm_now_ns() - t0) / 1e9;
	for (size_t p = 0; p < res.mr_nvpol; p++)
		for (size_t i = 0; i < res.mr_nv; i++)
			failed |= res.mr_vm[p][i].mv_failures != 0;
	if (o->o_json)
		mrc_print_json(o, &res);
	else
		mrc_print(o, &res);
	if (o->o_mrc_plot != NULL)
		lost |= mrc_plot(o, &res) != 0;
	if (failed)
		fprintf(stderr, "vmsim: --mrc: a vmsim run failed verification or validation\n");
	trace_free(&o->o_trace);
	return failed || lost ? 1 : 0;
}
