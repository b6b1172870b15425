/*
 * main.c - the vmsim command: run processes of user threads on a vmsim
 * machine, in the order of work cli.h lists: options (options.c,
 * proc_opts.c), the checks before any work (preflight.c), the run
 * (sched.c; the sampler's points for --live, live.c, --plot and
 * --timeline), --timeline (timeline.c), the report (report.c, or
 * report_json.c; compare.c), --plot (plot.c) and --record (record.c).
 *
 * Exit status: 0 all accesses verified and the structures valid; 1 a
 * verification failure, an invalid structure, or output lost (a write
 * error on standard output, --record or --timeline; both are reported,
 * and 1 covers either); 2 bad input or an unusable kernel, refused before
 * the run with nothing left behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "live.h"
#include "sampler.h"

/* Everything on standard output must have reached it.  Returns 0 or -1. */
static int out_close(void)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return 0;
	fprintf(stderr, "vmsim: the report was lost: cannot write standard output: %s\n",
	    errno ? strerror(errno) : "write error");
	return -1;
}

int main(int argc, char **argv)
{
	static struct run_result r;
	static struct sampler sm;	/* the run's points (--live, --plot, --timeline) */
	struct tl_result tlr;
	struct opts o;
	struct vm_config machine;
	struct vm *vm;
	struct wl_shared sh;
	struct sampler *smp = NULL;
	char err[512];
	bool failed, lost = false;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&sh, 0, sizeof(sh));
	cli_fds_check();
	opts_parse(argc, argv, &o);
	preflight(&o);
	if (o.o_mrc) {			/* curves instead of one run */
		rc = mrc_command(&o);
		proc_opts_free(&o);
		return out_close() != 0 ? 1 : rc;
	}
	if (o.o_pagefile_new)
		cli_created(o.o_vm.vc_machine.mc_pagefile_path);
	/* the machine alone, its processes to come and go in sched_run; or,
	 * without --process, the machine and its one (default) process, p1 */
	machine = o.o_vm;
	machine.vc_space.as_virtual = o.o_nproc_args ? 0 : o.o_procs[0].cp_virtual;
	machine.vc_space.as_name = o.o_procs[0].cp_name;
	machine.vc_space.as_image_fill = wl_image_fill;
	machine.vc_space.as_image_arg = &o.o_procs[0].cp_wl;
	machine.vc_machine.mc_on_error = run_on_error;
	machine.vc_machine.mc_on_error_arg = &o.o_status;
	timeline_enable(&o);	/* before the machine: its threads and processes get names */
	if (vm_create(&machine, &vm, err, sizeof(err)) != 0)
		cli_refuse("%s", err);
	if (o.o_view || o.o_plot != NULL || o.o_timeline != NULL) {	/* the run's points over time */
		if (smp_init(&sm, o.o_nprocs) != 0)
			cli_refuse("out of memory");
		if (o.o_timeline != NULL)
			sm.sm_period = 0.02;	/* the counter tracks: a point each pass of the scheduler */
		smp = &sm;
	}
	if (o.o_view)
		live_start(&o, &sm);
	vm_timeline_start();	/* time 0 of the timeline: the run's start */
	rc = sched_run(&o, vm, o.o_record != NULL ? &sh : NULL, smp, &r);
	if (vm_error(vm, err, sizeof(err)) != 0) {
		/* The page file failed, and no user thread faulted since. */
		fprintf(stderr, "vmsim: %s\n", err);
		vm_destroy(vm);
		if (o.o_timeline != NULL)
			timeline_write(&o, &sm, &tlr);
		if (smp != NULL)
			smp_free(smp);
		proc_opts_free(&o);
		free(r.r_procs);
		return 1;
	}
	vm_destroy(vm);		/* its system threads joined: the timeline is complete */
	if (o.o_timeline != NULL) {
		if (timeline_write(&o, &sm, &tlr) == 0)
			r.r_timeline = &tlr;
		else
			lost = true;
	}
	r.r_compared = o.o_compare && compare_run(&o, &r.r_stats, &r.r_cmp) == 0;
	failed = rc != 0 || r.r_bad || wl_failures(&r.r_counts);
	lost |= o.o_compare && !r.r_compared;
	if (o.o_json) {
		report_json(stdout, &o, &r);
	} else {
		report_summary(stdout, &o, &r);
		if (r.r_compared)
			compare_print(&o, &r.r_cmp);
	}
	if (o.o_plot != NULL)
		lost |= plot_write(&o, &sm) != 0;
	if (smp != NULL)
		smp_free(smp);
	if (atomic_load(&sh.ws_record_full))
		cli_warn("--record: the recording filled the memory it may use: the run stopped "
		    "there, after %" PRIu64 " accesses in %.2f s", r.r_counts.wt_accesses,
		    r.r_elapsed);
	if (o.o_record != NULL)
		lost |= record_write(&o, &sh) != 0;
	wl_destroy(&sh);
	trace_free(&o.o_trace);
	proc_opts_free(&o);
	free(r.r_procs);
	lost |= out_close() != 0;
	return failed || lost ? 1 : 0;
}
