/*
 * cli.h - the vmsim command's own declarations: its options, the checks
 * made before anything is created or run, the run, and its report.
 *
 * The command's order of work, and what each step may do:
 *   1. cli_fds_check        stdin/stdout/stderr open (or refuse)
 *   2. opts_parse           options, their ranges, the rules between them,
 *                           the processes (proc_opts_build: --process or
 *                           one), vm_config_check and the commit charge
 *                           over the schedule: no file touched
 *   3. preflight            inputs and outputs compared by identity, the
 *                           traces read (bounded), the memory estimate, the
 *                           page file's disk space, --record created,
 *                           gnuplot found (--plot, --mrc-plot), the
 *                           terminal checked (--live), --timeline's
 *                           temporary file created
 *   4. vm_create            the machine alone (no region); the page file
 *                           created; --timeline's recorder enabled before it
 *   5. sched_run            the processes created, run and destroyed on
 *                           their schedule; at the end the machine validated
 *                           and its statistics taken, the system threads paused
 *                           (the timeline stops there); the sampler's points
 *                           taken (--plot, --timeline), the live view drawn
 *                           (live_start before: --live) and ended
 *   6. vm_destroy, timeline_write, compare_run, report_summary or
 *      report_json, plot_write, record_write
 * A refusal in 1-4 is one line on stderr and exit status 2, and removes
 * any file steps 3-4 created (cli_refuse).  A lost output in 6 is one line
 * and exit status 1.
 *
 * Files: main.c the order above; options.c, proc_opts.c (options.def,
 * optdoc.c for --help) step 2; preflight.c steps 1 and 3; sched.c step 5
 * (run.c: the status line; sampler.c, live.c, live_draw.c: the view);
 * timeline.c --timeline (steps 2-4 and 6); report.c, report_json.c,
 * compare.c, plot.c (gnuplot.c), record.c step 6.  --mrc takes the place of steps 4-6 after preflight: mrc_cmd.c (the
 * oracles in mrc.c, one single-region instance per size and policy through
 * run.c, the picture in mrc_plot.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "optdoc.h"
#include "trace.h"
#include "vm_sim.h"
#include "workload.h"

/* The most processes --process may name (VM_MAX_PROCESSES, the library's). */
#define CLI_MAX_PROCESSES VM_MAX_PROCESSES
/* The longest process name, in bytes. */
#define CLI_PROC_NAME_MAX 31

/*
 * One process of the run (--process, or the one the options describe):
 * its region, workload and lifetime, the global options as defaults with
 * its keys over them.  Filled by options.c (proc_opts.c), its trace loaded
 * by preflight.c, constant during the run.
 */
struct cli_proc {
	int cp_index;			/* 0, 1, ...: --process order; in every stamp */
	char cp_name[CLI_PROC_NAME_MAX + 1];
	uint64_t cp_virtual;		/* bytes */
	struct wl_config cp_wl;		/* threads, pattern, parameters, quota (wc_accesses;
					 * 0: none), seed; wc_trace: cp_trace */
	const char *cp_workload;	/* its name */
	const char *cp_trace_path;	/* workload trace */
	struct trace *cp_trace;		/* loaded by preflight (shared by same-path processes) */
	double cp_start;		/* seconds into the run */
	double cp_end;			/* seconds into the run; INFINITY: the run's end */
	uint64_t cp_ws_min, cp_ws_max;	/* working-set limits, pages; 0: the library's default */
	bool cp_hard_max;		/* hard-max: the maximum is hard (VM_WS_HARD_MAX) */
	int cp_priority;		/* memory priority 0-7; -1: the library's default */
	unsigned cp_keys;		/* bit (1 << PK_x) per key given (proc_opts.c) */
	char *cp_text;			/* its --process text, split: cp_trace_path's home */
};

/* The command line, parsed and checked. */
struct opts {
	struct vm_config o_vm;
	struct vm_tunables o_tun;		/* o_vm's mc_tunables */
	struct wl_config o_wl;
	uint64_t o_given;		/* bit (1 << OPT_x): given on the command line (optdoc.h) */
	int o_json, o_quiet, o_status, o_compare;
	const char *o_workload;
	const char *o_trace_path;	/* --workload trace */
	const char *o_record;		/* --record FILE */
	struct trace o_trace;
	FILE *o_record_f;		/* --record, opened by preflight, written after the run */
	bool o_pagefile_new;		/* --pagefile-path did not exist before vm_create */
	struct trace_load_opts o_tload;	/* --trace-format, --no-ifetch (tl_format, tl_hex,
					 * tl_pages, tl_no_ifetch); the limits set by preflight */
	bool o_mrc;			/* --mrc */
	uint64_t *o_mrc_frames;		/* its frame counts, ascending (preflight's default) */
	size_t o_mrc_nframes;
	unsigned o_mrc_vmsim;		/* --mrc-vmsim: bit (1 << VM_TRIM_x) per policy */
	const char *o_mrc_plot;		/* --mrc-plot FILE */
	const char *o_proc_args[CLI_MAX_PROCESSES];	/* each --process's text */
	int o_nproc_args;		/* 0: no --process */
	struct cli_proc *o_procs;	/* the run's processes: --process's, or one */
	int o_nprocs;
	double o_deadline;		/* the run ends here (seconds); INFINITY: when the
					 * last process does */
	int o_view;			/* --live: the full-screen view (live.c) */
	const char *o_plot;		/* --plot FILE (plot.c) */
	const char *o_timeline;		/* --timeline FILE (timeline.c) */
	uint64_t o_timeline_max;	/* --timeline-max, bytes */
	double o_timeline_lo, o_timeline_hi;	/* --timeline-window, seconds; hi INFINITY */
	uint64_t o_timeline_lock_us;	/* --timeline-lock-wait */
	FILE *o_timeline_f;		/* opened by preflight: the temporary file, or FILE
					 * itself if it is a FIFO or a character device */
	char *o_timeline_tmp;		/* the temporary file's name, or NULL */
};

/* The most frame counts --mrc takes. */
#define MRC_FRAMES_MAX	256

extern const char *const opts_trim_policy_names[];

/* "options.c" */
/* Parse and check argv into o; refuses (exit 2) anything wrong. */
void opts_parse(int argc, char **argv, struct opts *o);
/* The configuration's checks again, after preflight changed o_vm (a
 * foreign trace's --virtual and --pagefile defaults). */
void opts_recheck(struct opts *o);
/* Was option id (enum opt_id) on the command line? */
bool opts_given(const struct opts *o, int id);

/* "options.c": value parsers shared with proc_opts.c.  `what` names the
 * option in a refusal ("--what: ..."), e.g. "virtual" or "process 2: virtual". */
uint64_t opts_size(const char *what, const char *arg);
long long opts_int(const char *what, const char *arg, long long lo, long long hi);
double opts_double(const char *what, const char *arg, double lo, double hi);
/* A workload name (or trace:FILE) into *name, *kind and *trace. */
void opts_workload(const char *what, const char *arg, const char **name, enum wl_kind *kind,
    const char **trace);
_Noreturn void opts_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "proc_opts.c" */
/* The processes: --process's texts, or one from the options; their keys,
 * defaults, ranges and the rules between them.  Refuses (exit 2). */
void proc_opts_build(struct opts *o);
/* KIND(WL_x) of every process's workload. */
unsigned proc_opts_kinds(const struct opts *o);
/* After the traces are read (their defaults): each process's ranges, the
 * threads in all, and the commit charge over the schedule.  Refuses. */
void proc_opts_check(struct opts *o);
/* Free the processes, their texts and the traces they read. */
void proc_opts_free(struct opts *o);
/* Was cp's size given (its key, or --virtual), or may its trace set it? */
bool proc_opts_virtual_given(const struct opts *o, const struct cli_proc *cp);

/* "preflight.c" */
/* One line "vmsim: ..." on stderr, remove the files created so far, exit 2. */
_Noreturn void cli_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line "vmsim: warning: ..." on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s escaped for a one-line message (non-printable bytes as \xNN); the
 * result lives until the fourth call after. */
const char *cli_q(const char *s);
/* Remove path if the command is refused before the run starts. */
void cli_created(const char *path);
/* The run starts: nothing is removed after this. */
void cli_keep(void);
/* Make sure fds 0-2 are open; refuse if stdout is closed. */
void cli_fds_check(void);
/* Step 3 above. */
void preflight(struct opts *o);

/* --compare: the oracles on the replayed trace, beside vmsim. */
struct compare {
	uint64_t cm_refs, cm_distinct, cm_frames;
	uint64_t cm_dz, cm_soft, cm_hard;	/* vmsim's faults by kind */
	uint64_t cm_vmsim;		/* demand-zero + soft + hard */
	uint64_t cm_lru, cm_fifo, cm_opt;
};

/* What the report says of one process: taken when it ends (or at the
 * run's end, still alive), before vm_process_destroy. */
struct proc_result {
	const struct cli_proc *pr_cfg;
	double pr_start, pr_end;	/* measured, in seconds of the run; pr_start < 0:
					 * it never started */
	bool pr_ended;			/* it ended before the run did: nothing resident */
	struct vm_process_stats pr_stats;	/* at its end (ps_resident 0 once ended) */
	struct wl_counts pr_counts;	/* its threads' accesses and verification */
};

/* What the report says: taken once, after the run. */
struct run_result {
	struct vm_stats r_stats;
	struct vm_lock_stats r_locks;	/* process-wide: this is the only instance */
	struct wl_counts r_counts;	/* every process's together */
	struct proc_result *r_procs;	/* one per process (o_procs) */
	int r_nprocs;
	double r_elapsed;		/* seconds the user threads ran */
	long r_bad;			/* vm_validate's problems */
	bool r_compared;		/* r_cmp holds --compare's figures */
	struct compare r_cmp;
	const struct tl_result *r_timeline;	/* --timeline's figures, or NULL */
};

/* "run.c" */
/* The status line: one line on stderr, rewritten twice a second: acc
 * accesses so far at t seconds, the machine's faults and lists, then tail. */
void run_status_line(struct vm *vm, uint64_t acc, double t, uint64_t *last_acc, double *last_t,
    const char *tail);
/* mc_on_error: end the live view, or clear the status line (arg:
 * &o_status); vmsim then says why.  In the SIGBUS handler. */
void run_on_error(void *arg, struct vm *vm, void *addr, const char *msg);
/* Before a line on stderr during the run: the status line cleared, the
 * live view ended.  Main thread. */
void run_say_begin(const struct opts *o);
/* Run the user threads to their quota or the deadline; returns the seconds. */
double run_threads(const struct opts *o, struct vm *vm, struct wl_shared *sh);
/* Pause the system threads, validate, take the statistics and --compare's
 * figures into r, resume. */
void run_collect(const struct opts *o, struct vm *vm, struct wl_shared *sh, double el,
    struct run_result *r);

/* "sched.c" */
/*
 * The run: create each process at its start, run its threads, end it at
 * its end, quota or trace (its report taken, then vm_process_destroy);
 * at the run's end validate the machine and take every statistic into r.
 * keep (NULL: none): process 0's workload state is kept there, not freed
 * (--record).  sm (NULL: none) gets a point at each step and one at the
 * end (sampler.h).  Returns 0, or -1 if a process could not start (said).
 */
struct sampler;
int sched_run(const struct opts *o, struct vm *vm, struct wl_shared *keep, struct sampler *sm,
    struct run_result *r);

/* "report.c", "report_json.c" */
extern const char *const report_named[];	/* counters with a summary line */
extern const char *const report_lock_named[];
void report_summary(FILE *f, const struct opts *o, const struct run_result *r);
void report_json(FILE *f, const struct opts *o, const struct run_result *r);

/* "compare.c" */
struct json;
/* Returns 0, or -1 (said on stderr) if the oracles ran out of memory. */
int compare_run(const struct opts *o, const struct vm_stats *s, struct compare *cm);
void compare_print(const struct opts *o, const struct compare *cm);
void compare_json(struct json *j, const struct compare *cm);

/* "mrc_cmd.c" */
/* --mrc: the oracles' curves, vmsim's runs at each size, the table or JSON
 * and the picture.  Returns the exit status. */
int mrc_command(struct opts *o);
/* After the trace is read: the default list, and the frames vmsim's
 * largest run takes (o_vm.vc_physical, for the memory estimate). */
void mrc_cmd_prepare(struct opts *o);
/* The oracles' memory for the trace read and the list. */
uint64_t mrc_cmd_footprint(const struct opts *o);

/* "plot.c" */
/* --plot: the sampler's points as one PNG.  0, or -1 said on stderr. */
int plot_write(const struct opts *o, const struct sampler *sm);
/* "timeline.c": --timeline (README, "Seeing a run"). */
struct tl_result {
	const char *tr_path;
	uint64_t tr_events;		/* spans written */
	uint64_t tr_dropped;		/* dropped at the bound (recording or writing) */
	double tr_first_drop;		/* seconds into the run of the first drop; < 0: none */
	uint64_t tr_no_buffer;		/* faults on threads with no track */
	int tr_tracks, tr_processes;
	uint64_t tr_bytes;		/* the file's size */
};
/* --timeline-window's START-END into o (refuses). */
void timeline_window_parse(struct opts *o, const char *arg);
/* The bound's arithmetic and the window against the run (refuses). */
void timeline_check(struct opts *o);
/* The recorder's memory, bytes (0 without --timeline). */
uint64_t timeline_footprint(const struct opts *o);
/* Preflight: the output opened, a temporary file beside it (refuses). */
void timeline_open(struct opts *o);
/* Before vm_create: the recorder enabled (refuses). */
void timeline_enable(const struct opts *o);
/* After the run, its machine destroyed: the file written and renamed into
 * place, the recorder freed; 0, or -1 said on stderr (exit status 1). */
int timeline_write(const struct opts *o, const struct sampler *sm, struct tl_result *tr);
void timeline_report(FILE *f, const struct tl_result *tr);
void timeline_json(struct json *j, const struct tl_result *tr);

/* "record.c" */
/* --record: write the recording; 0, or -1 said on stderr (an incomplete
 * regular file removed). */
int record_write(const struct opts *o, const struct wl_shared *sh);
