/*
 * proc_opts.c - the run's processes (struct cli_proc, cli.h): each
 * --process KEY=VALUE,... over the global options as its defaults, or the
 * one process the options describe without --process; each process's
 * ranges; and the schedule's checks, made before any work: the user
 * threads in all, and the commit charge at every moment of the run.
 *
 * The rules (README, "Processes"):
 *  - an unknown key is refused with the list of keys;
 *  - ws-min and ws-max are sizes (bytes with K/M/G, whole pages), at
 *    least a page and at most the machine's frames, min <= max when both
 *    are given; one alone keeps the library's default for the other,
 *    moved to it if they would cross (ws-min 8M alone: max 8M at least);
 *    hard-max (alone, or =0/=1) makes the maximum hard; priority is 0-7;
 *  - a key that cannot affect its process's workload is refused, as its
 *    option would be (max-run with workload zipf...); a repeated key
 *    replaces the earlier value;
 *  - names are 1-31 printable bytes, no space, unique; default p1, p2, ...;
 *  - start + seconds may not end after the run (--seconds);
 *  - intervals are closed: a process ending at t and one starting at t are
 *    both charged at t, so the run never depends on a teardown's speed.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define KIND(k) (1u << (k))
#define ALL_KINDS (~0u)
#define PROC_EPS 1e-9		/* seconds: start + seconds == --seconds is allowed */

enum proc_key {
	PK_NAME, PK_VIRTUAL, PK_THREADS, PK_WORKLOAD, PK_WRITE_RATIO, PK_ZIPF_S, PK_MAX_RUN,
	PK_SCAN_SIZE, PK_PHASE_LEN, PK_PHASE_SIZE, PK_TRACE, PK_ACCESSES, PK_START, PK_SECONDS,
	PK_WS_MIN, PK_WS_MAX, PK_HARD_MAX, PK_PRIORITY, PK_N
};

/* Each key: the workloads it applies to, and why not to the others. */
static const struct {
	const char *pk_name;
	unsigned pk_kinds;
	const char *pk_why;
} proc_keys[PK_N] = {
	[PK_NAME] = { "name", ALL_KINDS, NULL },
	[PK_VIRTUAL] = { "virtual", ALL_KINDS, NULL },
	[PK_THREADS] = { "threads", ALL_KINDS, NULL },
	[PK_WORKLOAD] = { "workload", ALL_KINDS, NULL },
	[PK_WRITE_RATIO] = { "write-ratio", ~KIND(WL_TRACE), "the trace says which accesses write" },
	[PK_ZIPF_S] = { "zipf-s", KIND(WL_ZIPF), "it applies to workload zipf" },
	[PK_MAX_RUN] = { "max-run", KIND(WL_RUNS), "it applies to workload runs" },
	[PK_SCAN_SIZE] = { "scan-size", KIND(WL_SCAN), "it applies to workload scan" },
	[PK_PHASE_LEN] = { "phase-len", KIND(WL_PHASES), "it applies to workload phases" },
	[PK_PHASE_SIZE] = { "phase-size", KIND(WL_PHASES), "it applies to workload phases" },
	[PK_TRACE] = { "trace", KIND(WL_TRACE), "it applies to workload trace" },
	[PK_ACCESSES] = { "accesses", ~KIND(WL_TRACE), "it replays the trace once, to its end" },
	[PK_START] = { "start", ALL_KINDS, NULL },
	[PK_SECONDS] = { "seconds", ALL_KINDS, NULL },
	[PK_WS_MIN] = { "ws-min", ALL_KINDS, NULL },
	[PK_WS_MAX] = { "ws-max", ALL_KINDS, NULL },
	[PK_HARD_MAX] = { "hard-max", ALL_KINDS, NULL },
	[PK_PRIORITY] = { "priority", ALL_KINDS, NULL },
};

static const char proc_key_list[] = "name, virtual, threads, workload, write-ratio, zipf-s, "
	"max-run, scan-size, phase-len, phase-size, trace, accesses, start, seconds, ws-min, ws-max, "
	"hard-max, priority";

/* The process the global options describe: every process's defaults. */
static void proc_defaults(const struct opts *o, int i, struct cli_proc *cp)
{
	memset(cp, 0, sizeof(*cp));
	cp->cp_index = i;
	snprintf(cp->cp_name, sizeof(cp->cp_name), "p%d", i + 1);
	cp->cp_virtual = o->o_vm.vc_space.as_virtual;
	cp->cp_wl = o->o_wl;
	cp->cp_wl.wc_tag = (uint64_t)i;	/* in every stamp: < VM_MAX_PROCESSES <= 2^16 */
	cp->cp_workload = o->o_workload;
	cp->cp_trace_path = o->o_trace_path;
	/* process 0 draws what a run without --process draws; the others
	 * from their own streams */
	if (i > 0)
		cp->cp_wl.wc_seed = vm_seed_mix(o->o_wl.wc_seed, 0x70726f63ULL + (uint64_t)i);
	cp->cp_end = INFINITY;
	cp->cp_priority = -1;
}

static void proc_name_set(struct cli_proc *cp, const char *what, const char *v)
{
	size_t n = strlen(v);
	bool ok = n >= 1 && n <= CLI_PROC_NAME_MAX;

	for (size_t k = 0; ok && k < n; k++)
		ok = isgraph((unsigned char)v[k]);
	if (!ok)
		opts_usage_error("--%s: '%s' is not 1 to %d printable bytes without spaces", what,
		    cli_q(v), CLI_PROC_NAME_MAX);
	memcpy(cp->cp_name, v, n + 1);
}

/* A working-set limit: a size of at least one page, in pages (the
 * machine's frames are checked in proc_check_one). */
static uint64_t proc_ws_pages(const char *what, const char *v)
{
	uint64_t b = opts_size(what, v);

	if (b < VM_PAGE_SIZE)
		opts_usage_error("--%s: must be at least one page (4K)", what);
	return b / VM_PAGE_SIZE;
}

/* One KEY=VALUE into cp; what is "process N: KEY" for refusals. */
static void proc_key_set(struct cli_proc *cp, enum proc_key k, const char *what, const char *v)
{
	struct wl_config *w = &cp->cp_wl;

	switch (k) {
	case PK_NAME: proc_name_set(cp, what, v); break;
	case PK_VIRTUAL: cp->cp_virtual = opts_size(what, v); break;
	case PK_THREADS: w->wc_threads = (int)opts_int(what, v, 1, WL_MAX_THREADS); break;
	case PK_WORKLOAD:
		cp->cp_trace_path = NULL;
		opts_workload(what, v, &cp->cp_workload, &w->wc_kind, &cp->cp_trace_path);
		break;
	case PK_WRITE_RATIO: w->wc_write_ratio = opts_double(what, v, 0.0, 1.0); break;
	case PK_ZIPF_S: w->wc_zipf_s = opts_double(what, v, 0.01, 10.0); break;
	case PK_MAX_RUN: w->wc_max_run = (int)opts_int(what, v, 1, 1 << 20); break;
	case PK_SCAN_SIZE:
		if ((w->wc_scan_pages = opts_size(what, v) / VM_PAGE_SIZE) == 0)
			opts_usage_error("--%s: must be at least one page", what);
		break;
	case PK_PHASE_LEN: w->wc_phase_len = (uint64_t)opts_int(what, v, 1, INT64_MAX); break;
	case PK_PHASE_SIZE:
		if ((w->wc_phase_pages = opts_size(what, v) / VM_PAGE_SIZE) == 0)
			opts_usage_error("--%s: must be at least one page", what);
		break;
	case PK_TRACE:
		if (v[0] == '\0')
			opts_usage_error("--%s: the file name is empty", what);
		cp->cp_trace_path = v;
		break;
	case PK_ACCESSES: w->wc_accesses = (uint64_t)opts_int(what, v, 1, INT64_MAX); break;
	case PK_START: cp->cp_start = opts_double(what, v, 0.0, 1e6); break;
	case PK_SECONDS: cp->cp_end = opts_double(what, v, 0.001, 1e6); break;	/* + start below */
	case PK_WS_MIN: cp->cp_ws_min = proc_ws_pages(what, v); break;
	case PK_WS_MAX: cp->cp_ws_max = proc_ws_pages(what, v); break;
	case PK_HARD_MAX: cp->cp_hard_max = opts_int(what, v, 0, 1) != 0; break;
	case PK_PRIORITY: cp->cp_priority = (int)opts_int(what, v, 0, 7); break;
	case PK_N: break;
	}
}

/* --process number n (1-based), text s, into cp.  s is the argv string:
 * the values kept (names of files) point into a copy that lives on. */
static void proc_parse(const struct opts *o, int n, const char *s, struct cli_proc *cp)
{
	char *buf = strdup(s), *save = NULL, what[64];
	double seconds;

	if (buf == NULL)
		cli_refuse("out of memory");
	proc_defaults(o, n - 1, cp);
	cp->cp_text = buf;
	if (s[0] != '\0' && (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,")))
		opts_usage_error("--process %d: an empty KEY=VALUE in '%s'", n, cli_q(s));
	for (char *it = strtok_r(buf, ",", &save); it != NULL; it = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(it, '=');
		const char *val = "1";	/* hard-max alone: the flag */
		int k;

		if (eq == NULL && strcmp(it, proc_keys[PK_HARD_MAX].pk_name) != 0)
			opts_usage_error("--process %d: '%s' is not KEY=VALUE", n, cli_q(it));
		if (eq != NULL) {
			*eq = '\0';
			val = eq + 1;
		}
		for (k = 0; k < PK_N && strcmp(it, proc_keys[k].pk_name) != 0; k++)
			;
		if (k == PK_N)
			opts_usage_error("--process %d: unknown key '%s' (keys: %s)", n, cli_q(it),
			    proc_key_list);
		snprintf(what, sizeof(what), "process %d: %s", n, proc_keys[k].pk_name);
		proc_key_set(cp, (enum proc_key)k, what, val);
		cp->cp_keys |= 1u << k;
	}
	for (int k = 0; k < PK_N; k++)
		if ((cp->cp_keys >> k & 1) && !(proc_keys[k].pk_kinds & KIND(cp->cp_wl.wc_kind)))
			opts_usage_error("--process %d: %s has no effect on workload %s: %s", n,
			    proc_keys[k].pk_name, cp->cp_workload, proc_keys[k].pk_why);
	if (cp->cp_wl.wc_kind != WL_TRACE)
		cp->cp_trace_path = NULL;
	else if (cp->cp_trace_path == NULL)
		opts_usage_error("--process %d: workload trace needs a file: trace=FILE or "
		    "workload=trace:FILE", n);
	else
		cp->cp_wl.wc_accesses = 0;	/* the trace's length, once it is read */
	if ((cp->cp_keys >> PK_WS_MIN & 1) && (cp->cp_keys >> PK_WS_MAX & 1) &&
	    cp->cp_ws_min > cp->cp_ws_max) {
		char a[32], b[32];

		opts_usage_error("--process %d: ws-min %s is more than ws-max %s", n,
		    vm_size_str(a, sizeof(a), cp->cp_ws_min * VM_PAGE_SIZE),
		    vm_size_str(b, sizeof(b), cp->cp_ws_max * VM_PAGE_SIZE));
	}
	seconds = cp->cp_end;
	if (cp->cp_keys >> PK_SECONDS & 1)
		cp->cp_end = cp->cp_start + seconds;
}

/* The run's end: --seconds, or none when every process has a quota or a
 * trace and --seconds was not given (the last one to end ends the run). */
static double proc_deadline(const struct opts *o)
{
	bool all_quota = true;

	for (int i = 0; i < o->o_nprocs; i++)
		all_quota &= o->o_procs[i].cp_wl.wc_accesses > 0 ||
		    o->o_procs[i].cp_wl.wc_kind == WL_TRACE;
	if (o->o_nproc_args == 0 || !opts_given(o, OPT_SECONDS))
		return all_quota ? INFINITY : o->o_wl.wc_seconds;
	return o->o_wl.wc_seconds;
}

/* Item k of a list into buf (n > 0 bytes): the first 8 after sep, then
 * "..." once.  Returns the length written, at most n - 1. */
static size_t proc_list_item(char *buf, size_t n, int k, const char *sep, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static size_t proc_list_item(char *buf, size_t n, int k, const char *sep, const char *fmt, ...)
{
	size_t w = 0;
	va_list ap;

	if (k > 8)
		return 0;
	if (k > 0)
		w = (size_t)snprintf(buf, n, "%s", sep);
	if (w < n && k == 8)
		w += (size_t)snprintf(buf + w, n - w, "...");
	else if (w < n) {
		va_start(ap, fmt);
		w += (size_t)vsnprintf(buf + w, n - w, fmt, ap);
		va_end(ap);
	}
	return w < n ? w : n - 1;
}

/* Names unique, threads in all, lifetimes inside the run. */
static void proc_check_set(struct opts *o)
{
	int threads = 0;

	for (int i = 0; i < o->o_nprocs; i++) {
		const struct cli_proc *cp = &o->o_procs[i];

		for (int j = 0; j < i; j++)
			if (strcmp(o->o_procs[j].cp_name, cp->cp_name) == 0)
				opts_usage_error("--process %d: the name '%s' is process %d's already",
				    i + 1, cp->cp_name, j + 1);
		threads += cp->cp_wl.wc_threads;
		if (!isfinite(o->o_deadline))
			continue;
		if (cp->cp_start >= o->o_deadline)
			opts_usage_error("--process %d: start %g is not before the run's end at %g s "
			    "(--seconds)", i + 1, cp->cp_start, o->o_deadline);
		if (isfinite(cp->cp_end) && cp->cp_end > o->o_deadline + PROC_EPS)
			opts_usage_error("--process %d: start %g + seconds %g ends at %g s, after the "
			    "run's end at %g s (--seconds)", i + 1, cp->cp_start,
			    cp->cp_end - cp->cp_start, cp->cp_end, o->o_deadline);
	}
	if (threads > WL_MAX_THREADS) {
		char list[512] = "";
		size_t len = 0;

		for (int i = 0; i < o->o_nprocs && len + 1 < sizeof(list); i++)
			len += proc_list_item(list + len, sizeof(list) - len, i, ", ", "%s %d",
			    o->o_procs[i].cp_name, o->o_procs[i].cp_wl.wc_threads);
		opts_usage_error("--process: %d user threads in all (%s): at most %d", threads, list,
		    WL_MAX_THREADS);
	}
}

void proc_opts_build(struct opts *o)
{
	int n = o->o_nproc_args ? o->o_nproc_args : 1;

	o->o_procs = calloc((size_t)n, sizeof(*o->o_procs));
	if (o->o_procs == NULL)
		cli_refuse("out of memory");
	o->o_nprocs = n;
	if (o->o_nproc_args == 0)
		proc_defaults(o, 0, &o->o_procs[0]);
	for (int i = 0; i < o->o_nproc_args; i++)
		proc_parse(o, i + 1, o->o_proc_args[i], &o->o_procs[i]);
	o->o_deadline = proc_deadline(o);
	proc_check_set(o);
}

unsigned proc_opts_kinds(const struct opts *o)
{
	unsigned k = 0;

	for (int i = 0; i < o->o_nprocs; i++)
		k |= KIND(o->o_procs[i].cp_wl.wc_kind);
	return k;
}

/* A process's region on this machine, alone: the library's checks. */
static void proc_check_one(const struct opts *o, const struct cli_proc *cp)
{
	struct vm_config c = o->o_vm;
	uint64_t npages = cp->cp_virtual / VM_PAGE_SIZE;
	uint64_t frames = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	char err[512], a[32], b[32];
	int n = cp->cp_index + 1;

	c.vc_space.as_virtual = cp->cp_virtual;
	if (vm_config_check(&c, err, sizeof(err)) != 0)
		cli_refuse("--process %d (%s): %s", n, cp->cp_name, err);
	for (int k = PK_WS_MIN; k <= PK_WS_MAX; k++) {
		uint64_t v = k == PK_WS_MIN ? cp->cp_ws_min : cp->cp_ws_max;

		if (v > frames)
			opts_usage_error("--process %d: %s %s is more than the machine's frames: at "
			    "most --physical %s", n, proc_keys[k].pk_name,
			    vm_size_str(a, sizeof(a), v * VM_PAGE_SIZE),
			    vm_size_str(b, sizeof(b), frames * VM_PAGE_SIZE));
	}
	if (cp->cp_wl.wc_kind == WL_SCAN && cp->cp_wl.wc_scan_pages > npages)
		opts_usage_error("--process %d: scan-size %s is larger than its region: at most "
		    "virtual %s", n, vm_size_str(a, sizeof(a), cp->cp_wl.wc_scan_pages * VM_PAGE_SIZE),
		    vm_size_str(b, sizeof(b), cp->cp_virtual));
	if (cp->cp_wl.wc_kind == WL_PHASES && (cp->cp_keys >> PK_PHASE_SIZE & 1 ||
	    opts_given(o, OPT_PHASE_SIZE)) && cp->cp_wl.wc_phase_pages > npages)
		opts_usage_error("--process %d: phase-size %s is larger than its region: at most "
		    "virtual %s", n, vm_size_str(a, sizeof(a), cp->cp_wl.wc_phase_pages * VM_PAGE_SIZE),
		    vm_size_str(b, sizeof(b), cp->cp_virtual));
}

/* When process i ends: its end, or the run's (INFINITY: never, here). */
static double proc_end(const struct opts *o, int i)
{
	double e = o->o_procs[i].cp_end;

	return isfinite(e) ? e : o->o_deadline;
}

/* The bytes charged at time t by the processes live then (closed intervals). */
static uint64_t proc_live_bytes(const struct opts *o, double t)
{
	uint64_t sum = 0;

	for (int j = 0; j < o->o_nprocs; j++)
		if (o->o_procs[j].cp_start <= t && t <= proc_end(o, j))
			sum += o->o_procs[j].cp_virtual;	/* each <= 1T: no overflow */
	return sum;
}

/*
 * The commit charge over the schedule: the charge only rises when a
 * process starts, so the moments to check are the starts.  Refuses at the
 * earliest moment the live processes' virtual sizes exceed the limit,
 * with the arithmetic.
 */
static void proc_check_commit(const struct opts *o)
{
	const struct vm_machine_config *m = &o->o_vm.vc_machine;
	uint64_t limit = m->mc_physical + m->mc_pagefile;	/* checked: fits in 64 bits */
	double worst = INFINITY;
	char list[640] = "", a[32], b[32], c[32], d[32];
	size_t len = 0;
	int k = 0;

	for (int i = 0; i < o->o_nprocs; i++)
		if (o->o_procs[i].cp_start < worst && proc_live_bytes(o, o->o_procs[i].cp_start) > limit)
			worst = o->o_procs[i].cp_start;
	if (!isfinite(worst))
		return;
	for (int j = 0; j < o->o_nprocs && len + 1 < sizeof(list); j++) {
		const struct cli_proc *cp = &o->o_procs[j];

		if (cp->cp_start <= worst && worst <= proc_end(o, j))
			len += proc_list_item(list + len, sizeof(list) - len, k++, " + ", "%s %s",
			    cp->cp_name, vm_size_str(a, sizeof(a), cp->cp_virtual));
	}
	cli_refuse("--process: the commit limit would be exceeded at %g s: %s = %s live, more than "
	    "%s (physical %s + page file %s)", worst, list,
	    vm_size_str(b, sizeof(b), proc_live_bytes(o, worst)), vm_size_str(c, sizeof(c), limit),
	    vm_size_str(d, sizeof(d), m->mc_physical), vm_size_str(a, sizeof(a), m->mc_pagefile));
}

void proc_opts_check(struct opts *o)
{
	for (int i = 0; i < o->o_nprocs; i++)
		if (o->o_procs[i].cp_wl.wc_kind == WL_TRACE && o->o_procs[i].cp_trace == NULL)
			return;		/* again once preflight has read the traces */
	for (int i = 0; i < o->o_nprocs; i++)
		proc_check_one(o, &o->o_procs[i]);
	proc_check_commit(o);
}

bool proc_opts_virtual_given(const struct opts *o, const struct cli_proc *cp)
{
	return (cp->cp_keys >> PK_VIRTUAL & 1) || opts_given(o, OPT_VIRTUAL);
}

void proc_opts_free(struct opts *o)
{
	for (int i = 0; i < o->o_nprocs; i++) {
		struct cli_proc *cp = &o->o_procs[i];
		bool shared = cp->cp_trace == NULL || cp->cp_trace == &o->o_trace;

		for (int j = i + 1; j < o->o_nprocs && !shared; j++)
			shared = o->o_procs[j].cp_trace == cp->cp_trace;	/* the last frees it */
		if (!shared) {
			trace_free(cp->cp_trace);
			free(cp->cp_trace);
		}
		free(cp->cp_text);
	}
	free(o->o_procs);
	o->o_procs = NULL;
	o->o_nprocs = 0;
}
