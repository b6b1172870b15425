/*
 * options.c - the vmsim command's options: parse them, check each value's
 * range, and refuse what cannot take effect (README, "Options").  Nothing
 * here touches a file: every refusal comes before any work.
 *
 * The rules:
 *  - a value out of range is refused with the range, never clamped; where
 *    the range depends on the configuration (--trim-batch, --scan-size,
 *    --phase-size, --readonly-fraction) the message says it for this one;
 *  - an option that cannot affect the chosen run is refused (--zipf-s with
 *    --workload runs, --seconds with a trace...), except the display
 *    options --json and --quiet;
 *  - a repeated option replaces the earlier value (so a script can append
 *    overrides), but --seconds and --accesses are alternatives: give one.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "trace_fmt.h"

#define GIVEN(o, id) (((o)->o_given >> (id)) & 1)
#define KIND(k) (1u << (k))

const char *const opts_trim_policy_names[] = { "aging", "fifo", "random" };

/* getopt_long's table, from options.def; val is 256 + OPT_x. */
static const struct option opts_long[] = {
#define OPT_GROUP(title)
#define OPT(id, name, arg, metavar, def, brief, more) \
	{ name, arg == OPTARG_NONE ? no_argument : arg == OPTARG_REQUIRED ? \
	    required_argument : optional_argument, NULL, 256 + OPT_##id },
#include "options.def"
#undef OPT
#undef OPT_GROUP
	{ NULL, 0, NULL, 0 },
};

/* What options.def says in words, held to the constants. */
_Static_assert(WL_MAX_THREADS == 256, "options.def: --threads (1-256)");
_Static_assert(TRACE_LINE_MAX == 4096, "options.def: --trace, lines of at most 4096 bytes");
_Static_assert(OPT_N <= 64, "o_given has a bit per option");

/* A bad option: one line ending "(see --help)", exit 2. */
_Noreturn void opts_usage_error(const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_refuse("%s (see --help)", msg);
}

static const char *opt_name(enum opt_id id)
{
	return opts_long[id].name;
}

/* Parse "64M", "1g", "4096", "16KiB" into bytes; -1 if malformed. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned shift = 0;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0' || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

uint64_t opts_size(const char *name, const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) != 0)
		opts_usage_error("--%s: '%s' is not a size of at most 16E (e.g. 64M, 1G, 4096)", name,
		    cli_q(arg));
	if (v % VM_PAGE_SIZE)
		opts_usage_error("--%s: %s is not a multiple of the 4K page size", name, cli_q(arg));
	return v;
}

long long opts_int(const char *name, const char *arg, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v < lo || v > hi)
		opts_usage_error("--%s: '%s' is not a whole number from %lld to %lld", name, cli_q(arg),
		    lo, hi);
	return v;
}

double opts_double(const char *name, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !(v >= lo && v <= hi))
		opts_usage_error("--%s: '%s' is not a number from %g to %g", name, cli_q(arg), lo, hi);
	return v;
}

static enum vm_trim_policy opt_policy(const char *arg)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, opts_trim_policy_names[i]) == 0)
			return (enum vm_trim_policy)i;
	opts_usage_error("--trim-policy: unknown policy '%s' (aging, fifo, random)", cli_q(arg));
}

void opts_workload(const char *what, const char *arg, const char **name, enum wl_kind *kind,
    const char **trace)
{
	static const struct { const char *name; enum wl_kind kind; } k[] = {
		{ "runs", WL_RUNS }, { "uniform", WL_UNIFORM }, { "zipf", WL_ZIPF },
		{ "scan", WL_SCAN }, { "phases", WL_PHASES }, { "trace", WL_TRACE },
	};

	if (strncmp(arg, "trace:", 6) == 0) {
		if (arg[6] == '\0')
			opts_usage_error("--%s trace:FILE: the file name is empty", what);
		*trace = arg + 6;
		arg = "trace";
	}
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (strcmp(arg, k[i].name) == 0) {
			*name = k[i].name;
			*kind = k[i].kind;
			return;
		}
	}
	opts_usage_error("--%s: unknown workload '%s' (runs, uniform, zipf, scan, phases, trace)",
	    what, cli_q(arg));
}

static void opt_trace_format(struct opts *o, const char *arg)
{
	struct tfmt_spec sp = { 0 };
	char err[256];

	if (tfmt_spec_parse(arg, &sp, err, sizeof(err)) != 0)
		opts_usage_error("--trace-format: '%s': %s", cli_q(arg), err);
	o->o_tload.tl_format = sp.tf_kind;
	o->o_tload.tl_hex = sp.tf_hex;
	o->o_tload.tl_pages = sp.tf_pages;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* --mrc's list: whole numbers 1..2^31-1, comma-separated; kept sorted and
 * without repeats.  NULL: preflight picks the default. */
static void opt_mrc_frames(struct opts *o, const char *arg)
{
	static uint64_t frames[MRC_FRAMES_MAX];
	size_t n = 0, k = 0;

	o->o_mrc_frames = NULL;
	o->o_mrc_nframes = 0;
	if (arg == NULL)
		return;
	for (const char *p = arg;; p++) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || end == p || *p < '0' || *p > '9' || v < 1 || v >= 1ULL << 31 ||
		    (*end != ',' && *end != '\0'))
			opts_usage_error("--mrc: '%s' is not a list of frame counts from 1 to %llu "
			    "(e.g. 8,64,512)", cli_q(arg), (1ULL << 31) - 1);
		if (n == MRC_FRAMES_MAX)
			opts_usage_error("--mrc: more than %d frame counts", MRC_FRAMES_MAX);
		frames[n++] = v;
		p = end;
		if (*p == '\0')
			break;
	}
	qsort(frames, n, sizeof(frames[0]), u64_cmp);
	for (size_t i = 0; i < n; i++)
		if (k == 0 || frames[k - 1] != frames[i])
			frames[k++] = frames[i];
	o->o_mrc_frames = frames;
	o->o_mrc_nframes = k;
}

/* --mrc-vmsim: "none" or trim policies, comma-separated. */
static unsigned opt_mrc_vmsim(const char *arg)
{
	char buf[64], *save = NULL, *tok;
	unsigned set = 0;

	if (strcmp(arg, "none") == 0)
		return 0;
	if (strlen(arg) >= sizeof(buf) || arg[0] == ',' || strstr(arg, ",,") ||
	    arg[strlen(arg) - 1] == ',')
		goto bad;
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;

		for (i = 0; i < 3 && strcmp(tok, opts_trim_policy_names[i]) != 0; i++)
			;
		if (i == 3)
			goto bad;
		set |= 1u << i;
	}
	if (set != 0)
		return set;
bad:
	opts_usage_error("--mrc-vmsim: '%s' is not 'none' or a list of aging, fifo, random",
	    cli_q(arg));
}

/* One option's value into o. */
static void opt_set(struct opts *o, enum opt_id id, const char *arg)
{
	struct vm_config *v = &o->o_vm;
	struct wl_config *w = &o->o_wl;

	switch (id) {
	case OPT_PHYSICAL: v->vc_machine.mc_physical = opts_size("physical", arg); break;
	case OPT_VIRTUAL: v->vc_space.as_virtual = opts_size("virtual", arg); break;
	case OPT_PAGEFILE: v->vc_machine.mc_pagefile = opts_size("pagefile", arg); break;
	case OPT_PAGEFILE_PATH: v->vc_machine.mc_pagefile_path = arg; break;
	case OPT_THREADS: w->wc_threads = (int)opts_int("threads", arg, 1, WL_MAX_THREADS); break;
	case OPT_SECONDS: w->wc_seconds = opts_double("seconds", arg, 0.001, 1e6); break;
	case OPT_ACCESSES: w->wc_accesses = (uint64_t)opts_int("accesses", arg, 1, INT64_MAX); break;
	case OPT_SEED: w->wc_seed = (uint64_t)opts_int("seed", arg, 0, INT64_MAX); break;
	case OPT_WRITE_RATIO: w->wc_write_ratio = opts_double("write-ratio", arg, 0.0, 1.0); break;
	case OPT_WORKLOAD:
		opts_workload("workload", arg, &o->o_workload, &w->wc_kind, &o->o_trace_path);
		break;
	case OPT_MAX_RUN: w->wc_max_run = (int)opts_int("max-run", arg, 1, 1 << 20); break;
	case OPT_TRIM_BATCH: v->vc_machine.mc_trim_batch = (int)opts_int("trim-batch", arg, 1, 256); break;
	case OPT_WRITE_BATCH: v->vc_machine.mc_write_batch = (int)opts_int("write-batch", arg, 1, 64); break;
	case OPT_ZIPF_S: w->wc_zipf_s = opts_double("zipf-s", arg, 0.01, 10.0); break;
	case OPT_SCAN_SIZE:
		w->wc_scan_pages = opts_size("scan-size", arg) / VM_PAGE_SIZE;
		if (w->wc_scan_pages == 0)
			opts_usage_error("--scan-size: must be at least one page");
		break;
	case OPT_PHASE_LEN: w->wc_phase_len = (uint64_t)opts_int("phase-len", arg, 1, INT64_MAX); break;
	case OPT_PHASE_SIZE:
		w->wc_phase_pages = opts_size("phase-size", arg) / VM_PAGE_SIZE;
		if (w->wc_phase_pages == 0)
			opts_usage_error("--phase-size: must be at least one page");
		break;
	case OPT_TRACE: o->o_trace_path = arg; break;
	case OPT_TRIM_POLICY: v->vc_space.as_trim_policy = opt_policy(arg); break;
	case OPT_RECORD: o->o_record = arg; break;
	case OPT_COMPARE: o->o_compare = 1; break;
	case OPT_READONLY: v->vc_space.as_readonly_fraction = opts_double("readonly-fraction", arg, 0.0, 1.0); break;
	case OPT_PREFETCH: v->vc_space.as_prefetch = (int)opts_int("prefetch", arg, 0, 63); break;
	case OPT_DEFRAG: v->vc_machine.mc_defrag = 1; break;
	case OPT_TRIM_HINTS: o->o_tun.vt_trim_hints = 1; break;
	case OPT_TRACE_FORMAT: opt_trace_format(o, arg); break;
	case OPT_NO_IFETCH: o->o_tload.tl_no_ifetch = true; break;
	case OPT_MRC: o->o_mrc = true; opt_mrc_frames(o, arg); break;
	case OPT_MRC_VMSIM: o->o_mrc_vmsim = opt_mrc_vmsim(arg); break;
	case OPT_MRC_PLOT: o->o_mrc_plot = arg; break;
	case OPT_PROCESS:
		if (o->o_nproc_args == CLI_MAX_PROCESSES)
			opts_usage_error("--process: more than %d processes", CLI_MAX_PROCESSES);
		o->o_proc_args[o->o_nproc_args++] = arg;
		break;
	case OPT_TIMELINE: o->o_timeline = arg; break;
	case OPT_TIMELINE_MAX: o->o_timeline_max = opts_size("timeline-max", arg); break;
	case OPT_TIMELINE_WINDOW: timeline_window_parse(o, arg); break;
	case OPT_TIMELINE_LOCK_WAIT:
		o->o_timeline_lock_us = (uint64_t)opts_int("timeline-lock-wait", arg, 0, 1000000);
		break;
	case OPT_JSON: o->o_json = 1; break;
	case OPT_QUIET: o->o_quiet = 1; break;
	case OPT_LIVE: o->o_view = 1; break;
	case OPT_PLOT: o->o_plot = arg; break;
	case OPT_HELP:
		optdoc_help(stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "vmsim: cannot write the help to standard output: %s\n",
			    strerror(errno));
			exit(1);
		}
		exit(0);
	case OPT_N: break;
	}
}

/* The options that apply to some workloads only. */
static const struct {
	enum opt_id oa_id;
	unsigned oa_kinds;		/* KIND(WL_x) it applies to */
	const char *oa_why;
} opts_apply[] = {
	{ OPT_MAX_RUN, KIND(WL_RUNS), "it applies to --workload runs" },
	{ OPT_ZIPF_S, KIND(WL_ZIPF), "it applies to --workload zipf" },
	{ OPT_SCAN_SIZE, KIND(WL_SCAN), "it applies to --workload scan" },
	{ OPT_PHASE_LEN, KIND(WL_PHASES), "it applies to --workload phases" },
	{ OPT_PHASE_SIZE, KIND(WL_PHASES), "it applies to --workload phases" },
	{ OPT_SECONDS, ~KIND(WL_TRACE), "it replays the trace once, to its end" },
	{ OPT_ACCESSES, ~KIND(WL_TRACE), "it replays the trace once, to its end" },
	{ OPT_WRITE_RATIO, ~KIND(WL_TRACE), "the trace says which accesses write" },
};

/* What takes one process, refused beside --process. */
static const struct {
	enum opt_id on_id;
	const char *on_why;
} opts_not_procs[] = {
	{ OPT_RECORD, "it records one process's reference string" },
	{ OPT_COMPARE, "it compares one process's trace with the oracles" },
	{ OPT_MRC, "it runs one trace at many sizes" },
	{ OPT_READONLY, "the read-only image belongs to one process" },
};

/* What --mrc replaces, and what vmsim's runs use (no effect without them). */
static const enum opt_id opts_not_mrc[] = { OPT_PHYSICAL, OPT_TRIM_POLICY, OPT_COMPARE,
	OPT_RECORD, OPT_LIVE, OPT_PLOT, OPT_TIMELINE };
static const enum opt_id opts_vmsim_run[] = { OPT_THREADS, OPT_TRIM_BATCH, OPT_WRITE_BATCH,
	OPT_PREFETCH, OPT_DEFRAG, OPT_TRIM_HINTS, OPT_READONLY, OPT_PAGEFILE_PATH, OPT_SEED };

/* --trace-format, --no-ifetch and the --mrc options. */
static void opts_check_traces(struct opts *o)
{
	bool trace = o->o_wl.wc_kind == WL_TRACE;

	if (!trace && (GIVEN(o, OPT_TRACE_FORMAT) || GIVEN(o, OPT_NO_IFETCH) || o->o_mrc))
		opts_usage_error("--%s needs a trace: --workload trace:FILE", GIVEN(o, OPT_TRACE_FORMAT) ?
		    "trace-format" : GIVEN(o, OPT_NO_IFETCH) ? "no-ifetch" : "mrc");
	if (GIVEN(o, OPT_NO_IFETCH) && GIVEN(o, OPT_TRACE_FORMAT) &&
	    o->o_tload.tl_format != TFMT_LACKEY)
		opts_usage_error("--no-ifetch applies to lackey logs, not --trace-format %s",
		    tfmt_names[o->o_tload.tl_format]);
	if (!o->o_mrc && (GIVEN(o, OPT_MRC_VMSIM) || GIVEN(o, OPT_MRC_PLOT)))
		opts_usage_error("--%s needs --mrc", GIVEN(o, OPT_MRC_VMSIM) ? "mrc-vmsim" : "mrc-plot");
	if (!o->o_mrc)
		return;
	for (size_t i = 0; i < sizeof(opts_not_mrc) / sizeof(opts_not_mrc[0]); i++)
		if (GIVEN(o, opts_not_mrc[i]))
			opts_usage_error("--%s has no effect with --mrc: %s", opt_name(opts_not_mrc[i]),
			    opts_not_mrc[i] == OPT_PHYSICAL ? "the frame counts are its list" :
			    opts_not_mrc[i] == OPT_TRIM_POLICY ? "--mrc-vmsim names the policies" :
			    opts_not_mrc[i] == OPT_PLOT ? "it makes many runs; --mrc-plot draws its curves" :
			    "it makes its own runs");
	for (size_t i = 0; o->o_mrc_vmsim == 0 && i < sizeof(opts_vmsim_run) /
	    sizeof(opts_vmsim_run[0]); i++)
		if (GIVEN(o, opts_vmsim_run[i]))
			opts_usage_error("--%s has no effect with --mrc-vmsim none: vmsim does not run",
			    opt_name(opts_vmsim_run[i]));
}

/* Options that only make sense together, and those that cannot take effect. */
static void opts_check(struct opts *o)
{
	bool trace = o->o_wl.wc_kind == WL_TRACE, procs = o->o_nproc_args > 0;
	unsigned kinds = proc_opts_kinds(o);	/* every process's workload */

	for (size_t i = 0; procs && i < sizeof(opts_not_procs) / sizeof(opts_not_procs[0]); i++)
		if (GIVEN(o, opts_not_procs[i].on_id))
			opts_usage_error("--%s cannot combine with --process: %s",
			    opt_name(opts_not_procs[i].on_id), opts_not_procs[i].on_why);

	if (trace && o->o_trace_path == NULL)
		opts_usage_error("--workload trace needs a file: --trace FILE or --workload trace:FILE");
	if (!trace && o->o_trace_path != NULL)
		opts_usage_error("--trace FILE needs --workload trace");
	if (o->o_compare && !trace)
		opts_usage_error("--compare needs --workload trace (record a run with --record FILE first)");
	for (size_t i = 0; i < sizeof(opts_apply) / sizeof(opts_apply[0]); i++) {
		if (!GIVEN(o, opts_apply[i].oa_id) || (opts_apply[i].oa_kinds & kinds) ||
		    (procs && opts_apply[i].oa_id == OPT_SECONDS))
			continue;	/* with --process, --seconds is the machine's run */
		if (procs)
			opts_usage_error("--%s has no effect on any process's workload: %s",
			    opt_name(opts_apply[i].oa_id), opts_apply[i].oa_why);
		opts_usage_error("--%s has no effect on --workload %s: %s",
		    opt_name(opts_apply[i].oa_id), o->o_workload, opts_apply[i].oa_why);
	}
	if (o->o_view && o->o_quiet)
		opts_usage_error("--live and --quiet ask for opposite things: --quiet turns the live "
		    "display off");
	if (GIVEN(o, OPT_SECONDS) && GIVEN(o, OPT_ACCESSES))
		opts_usage_error("--seconds and --accesses both set the run's length: give one");
	if (GIVEN(o, OPT_SEED) && !(kinds & ~KIND(WL_TRACE)) &&
	    o->o_vm.vc_space.as_trim_policy != VM_TRIM_RANDOM &&
	    !(o->o_mrc && (o->o_mrc_vmsim & (1u << VM_TRIM_RANDOM))))
		opts_usage_error("--seed has no effect on --workload trace unless --trim-policy random");
	opts_check_traces(o);
	timeline_check(o);
	if (o->o_vm.vc_machine.mc_pagefile == 0) {
		if (GIVEN(o, OPT_PAGEFILE_PATH) || o->o_vm.vc_space.as_prefetch || o->o_vm.vc_machine.mc_defrag)
			opts_usage_error("--%s has no effect with --pagefile 0: there is no page file",
			    GIVEN(o, OPT_PAGEFILE_PATH) ? "pagefile-path" :
			    o->o_vm.vc_space.as_prefetch ? "prefetch" : "defrag");
	}
}

/*
 * Ranges that depend on the configuration, said for this one.  The limits
 * are the ones the library and the workload would otherwise clamp to.
 */
static void opts_check_ranges(struct opts *o)
{
	uint64_t nframes = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	uint64_t npages = o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE;
	uint64_t tb_max = nframes / 4 ? (nframes / 4 < 256 ? nframes / 4 : 256) : 1;
	double ro = o->o_vm.vc_space.as_readonly_fraction;
	uint64_t ro_pages = (uint64_t)(ro * (double)npages);
	char a[32], b[32];

	if (GIVEN(o, OPT_TRIM_BATCH) && (uint64_t)o->o_vm.vc_machine.mc_trim_batch > tb_max)
		opts_usage_error("--trim-batch: %d is more than a quarter of the %llu frames: at most %llu "
		    "with --physical %s", o->o_vm.vc_machine.mc_trim_batch, (unsigned long long)nframes,
		    (unsigned long long)tb_max, vm_size_str(a, sizeof(a), o->o_vm.vc_machine.mc_physical));
	if (o->o_nproc_args > 0)
		return;		/* the rest is each process's (proc_opts_check) */
	if (GIVEN(o, OPT_SCAN_SIZE) && o->o_wl.wc_scan_pages > npages)
		opts_usage_error("--scan-size: %s is larger than the region: at most --virtual %s",
		    vm_size_str(a, sizeof(a), o->o_wl.wc_scan_pages * VM_PAGE_SIZE),
		    vm_size_str(b, sizeof(b), o->o_vm.vc_space.as_virtual));
	if (GIVEN(o, OPT_PHASE_SIZE) && o->o_wl.wc_phase_pages > npages)
		opts_usage_error("--phase-size: %s is larger than the region: at most --virtual %s",
		    vm_size_str(a, sizeof(a), o->o_wl.wc_phase_pages * VM_PAGE_SIZE),
		    vm_size_str(b, sizeof(b), o->o_vm.vc_space.as_virtual));
	if (ro > 0 && ro_pages == 0)
		opts_usage_error("--readonly-fraction: %g of the %llu-page region is no page: at least %.3g",
		    ro, (unsigned long long)npages, 1.0 / (double)npages);
	if (ro_pages > o->o_vm.vc_machine.mc_pagefile / VM_PAGE_SIZE)
		opts_usage_error("--readonly-fraction: the read-only part (%llu pages) must fit in the "
		    "page file (%llu slots): its pages live there", (unsigned long long)ro_pages,
		    (unsigned long long)(o->o_vm.vc_machine.mc_pagefile / VM_PAGE_SIZE));
}

void opts_recheck(struct opts *o)
{
	char err[512];

	if (o->o_nproc_args == 0 && vm_config_check(&o->o_vm, err, sizeof(err)) != 0)
		cli_refuse("%s", err);
	opts_check_ranges(o);
	if (o->o_nproc_args > 0)
		proc_opts_check(o);	/* each process's region, and the schedule */
}

bool opts_given(const struct opts *o, int id)
{
	return GIVEN(o, id);
}

void opts_parse(int argc, char **argv, struct opts *o)
{
	int c;

	o->o_vm = VM_CONFIG_DEFAULT;
	o->o_tun = VM_TUNABLES_DEFAULT;
	o->o_vm.vc_machine.mc_tunables = &o->o_tun;
	/* The simulator calls the access routine (vm_touch), so aging has
	 * reference bits to age by: its default, unlike the library's. */
	o->o_vm.vc_space.as_trim_policy = VM_TRIM_AGING;
	o->o_wl = (struct wl_config){ .wc_kind = WL_RUNS, .wc_threads = 2, .wc_write_ratio = 0.5,
		.wc_seed = 1, .wc_seconds = 3.0, .wc_max_run = 32, .wc_zipf_s = 1.0,
		.wc_phase_len = 10000 };
	o->o_workload = "runs";
	o->o_tload.tl_format = TFMT_AUTO;
	o->o_mrc_vmsim = 1u << VM_TRIM_AGING;
	o->o_timeline_max = 128ULL << 20;
	o->o_timeline_hi = INFINITY;
	o->o_timeline_lock_us = 10;
	opterr = 0;
	/* '+': no permutation, so --mrc may take the next argument as its list */
	while ((c = getopt_long(argc, argv, "+:", opts_long, NULL)) != -1) {
		if (c == ':')
			opts_usage_error("%s needs a value", cli_q(argv[optind - 1]));
		if (c < 256 || c >= 256 + OPT_N)
			opts_usage_error("unknown option '%s'", cli_q(argv[optind - 1]));
		o->o_given |= 1ULL << (c - 256);
		if (c == 256 + OPT_MRC && optarg == NULL && optind < argc &&
		    strspn(argv[optind], "0123456789,") == strlen(argv[optind]) && argv[optind][0])
			optarg = argv[optind++];	/* --mrc 8,64 as well as --mrc=8,64 */
		opt_set(o, (enum opt_id)(c - 256), optarg);
	}
	if (optind < argc)
		opts_usage_error("unexpected argument '%s'", cli_q(argv[optind]));
	if (!GIVEN(o, OPT_ACCESSES))
		o->o_wl.wc_accesses = 0;
	if (o->o_mrc && !GIVEN(o, OPT_THREADS))
		o->o_wl.wc_threads = 1;		/* --mrc replays with one thread by default */
	if (o->o_wl.wc_phase_pages == 0)
		o->o_wl.wc_phase_pages = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE / 2;
	o->o_wl.wc_record = o->o_record != NULL;
	proc_opts_build(o);
	opts_check(o);
	o->o_tun.vt_max_faulters = 0;
	for (int i = 0; i < o->o_nprocs; i++)
		o->o_tun.vt_max_faulters += o->o_procs[i].cp_wl.wc_threads;
	o->o_vm.vc_space.as_seed = o->o_wl.wc_seed;
	opts_recheck(o);
	o->o_status = !o->o_quiet && !o->o_json && !o->o_view && isatty(2);
}
