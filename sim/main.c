/*
 * main.c - the vmsim command: parse options, run user threads against a
 * vmsim instance, show the state machine while it runs, and report.
 *
 * Exit status: 0 all accesses verified and the structures valid; 1 a
 * verification failure or an invalid structure; 2 bad input or an unusable
 * kernel.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "oracle.h"
#include "trace.h"
#include "vm.h"
#include "vm_util.h"
#include "workload.h"

struct opts {
	struct vm_config o_vm;
	struct wl_config o_wl;
	int o_json, o_quiet, o_live, o_compare, o_timed;
	const char *o_workload;
	const char *o_trace_path;	/* --workload trace */
	const char *o_record;		/* --record FILE */
	struct trace o_trace;
};

static const char *const trim_policy_names[] = { "aging", "fifo", "random" };

static const char *prog = "vmsim";

static _Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static void usage(void)
{
	printf(
"usage: vmsim [options]\n"
"Runs user threads against a demand-paged region managed by the Windows page\n"
"state machine, checks every access, and reports what happened.\n"
"\n"
"memory (sizes take K, M, G or T suffixes, binary; multiples of 4K)\n"
"  --physical SIZE      frames vmsim owns                      [16M]\n"
"  --virtual SIZE       the region the threads access          [64M]\n"
"  --pagefile SIZE      page-file size; virtual <= physical + pagefile  [64M]\n"
"  --pagefile-path FILE back the page file with FILE (default: memory)\n"
"\n"
"workload\n"
"  --threads N          user threads (1..%d)                   [2]\n"
"  --workload NAME      the access pattern                     [runs]\n"
"                         runs     random start page, sequential run of 1..max-run\n"
"                         uniform  one random page per access\n"
"                         zipf     Zipf(s) popularity, hot pages scattered\n"
"                         scan     sequential sweeps over the region (or --scan-size)\n"
"                         phases   uniform in a window that moves every --phase-len\n"
"                         trace    replay --trace FILE (or write --workload trace:FILE)\n"
"  --max-run N          runs: up to N sequential pages per run [32]\n"
"  --zipf-s S           zipf: the exponent, 0.01..10           [1.0]\n"
"  --scan-size SIZE     scan: sweep the first SIZE of the region [all]\n"
"  --phase-len N        phases: accesses per phase, per thread [10000]\n"
"  --phase-size SIZE    phases: the working set's size         [physical/2]\n"
"  --trace FILE         trace: lines 'R <page>' or 'W <page>' (a decimal page\n"
"                       number, or a 0x byte offset), '#' comments.  One thread\n"
"                       replays the whole trace in order; N threads split it,\n"
"                       thread t replaying references t, t+N, t+2N...  The trace\n"
"                       runs once, to its end (--seconds and --accesses do not apply)\n"
"  --seconds S          run for S seconds                      [3]\n"
"  --accesses N         or make N accesses in all (split over the threads)\n"
"  --write-ratio R      fraction of accesses that write, 0..1  [0.5]\n"
"  --readonly-fraction F  the first F of the region is read-only, 0..1 [0]:\n"
"                       known contents in the page file, clean trims, and a\n"
"                       write there is an access violation (counted)\n"
"  --seed N             seed of every thread's stream          [1]\n"
"\n"
"policy\n"
"  --trim-policy P      aging (accessed bits, aged), fifo (oldest mapping\n"
"                       first) or random                       [aging]\n"
"  --trim-batch N       pages per trim batch (1..256)         [256]\n"
"  --write-batch N      pages per page-file write batch (1..64) [64]\n"
"  --prefetch N         a hard fault continuing a sequential run also reads\n"
"                       the next N page-file pages (0..63)      [0]\n"
"  --defrag             move page-file slots in the background to keep free\n"
"                       slots in whole rows\n"
"  --trim-hints         a fault continuing a sequential run hands the page 16\n"
"                       behind it to the trimmer, trimmed first     [off]\n"
"\n"
"output\n"
"  --record FILE        write the reference string the run generated, in the\n"
"                       trace format (replay it with --workload trace)\n"
"  --compare            with --workload trace: after the run, fault counts of\n"
"                       LRU, FIFO and Belady's OPT on the same trace and frames,\n"
"                       beside vmsim's (demand-zero + soft + hard: a soft fault\n"
"                       is a miss of the policy's resident set too)\n"
"  --json               print one JSON object on stdout instead of the summary\n"
"  --quiet              no live display\n"
"  --help               this text\n", WL_MAX_THREADS);
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

static uint64_t opt_size(const char *name, const char *arg)
{
	uint64_t v;

	if (parse_size(arg, &v) != 0)
		usage_error("--%s: '%s' is not a size (e.g. 64M, 1G, 4096)", name, arg);
	if (v % VM_PAGE_SIZE)
		usage_error("--%s: %s is not a multiple of the 4K page size", name, arg);
	return v;
}

static long long opt_int(const char *name, const char *arg, long long lo, long long hi)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v < lo || v > hi)
		usage_error("--%s: '%s' is not a whole number from %lld to %lld", name, arg, lo, hi);
	return v;
}

static double opt_double(const char *name, const char *arg, double lo, double hi)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end != '\0' || !(v >= lo && v <= hi))
		usage_error("--%s: '%s' is not a number from %g to %g", name, arg, lo, hi);
	return v;
}

static enum vm_trim_policy opt_policy(const char *arg)
{
	for (int i = 0; i < 3; i++)
		if (strcmp(arg, trim_policy_names[i]) == 0)
			return (enum vm_trim_policy)i;
	usage_error("--trim-policy: unknown policy '%s' (aging, fifo, random)", arg);
}

static void opt_workload(struct opts *o, const char *arg)
{
	static const struct { const char *name; enum wl_kind kind; } k[] = {
		{ "runs", WL_RUNS }, { "uniform", WL_UNIFORM }, { "zipf", WL_ZIPF },
		{ "scan", WL_SCAN }, { "phases", WL_PHASES }, { "trace", WL_TRACE },
	};

	if (strncmp(arg, "trace:", 6) == 0) {
		if (arg[6] == '\0')
			usage_error("--workload trace:FILE: the file name is empty");
		o->o_trace_path = arg + 6;
		arg = "trace";
	}
	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		if (strcmp(arg, k[i].name) == 0) {
			o->o_workload = k[i].name;
			o->o_wl.wc_kind = k[i].kind;
			return;
		}
	}
	usage_error("--workload: unknown workload '%s' (runs, uniform, zipf, scan, phases, trace)", arg);
}

/* Options that only make sense together. */
static void opts_check(struct opts *o)
{
	bool trace = o->o_wl.wc_kind == WL_TRACE;

	if (trace && o->o_trace_path == NULL)
		usage_error("--workload trace needs a file: --trace FILE or --workload trace:FILE");
	if (!trace && o->o_trace_path != NULL)
		usage_error("--trace FILE needs --workload trace");
	if (trace && o->o_timed)
		usage_error("--workload trace replays the trace once: --accesses does not apply");
	if (o->o_compare && !trace)
		usage_error("--compare needs --workload trace (record a run with --record FILE first)");
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_PHYS = 256, O_VIRT, O_PGF, O_PGFPATH, O_THREADS, O_SECONDS, O_ACCESSES,
		O_SEED, O_WR, O_JSON, O_QUIET, O_HELP, O_WORKLOAD, O_MAXRUN, O_TBATCH, O_WBATCH,
		O_ZIPFS, O_SCAN, O_PHLEN, O_PHSIZE, O_TRACE, O_POLICY, O_RECORD, O_COMPARE,
		O_RO, O_PREFETCH, O_DEFRAG, O_HINTS };
	static const struct option longopts[] = {
		{ "physical", required_argument, NULL, O_PHYS },
		{ "virtual", required_argument, NULL, O_VIRT },
		{ "pagefile", required_argument, NULL, O_PGF },
		{ "pagefile-path", required_argument, NULL, O_PGFPATH },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "seconds", required_argument, NULL, O_SECONDS },
		{ "accesses", required_argument, NULL, O_ACCESSES },
		{ "seed", required_argument, NULL, O_SEED },
		{ "write-ratio", required_argument, NULL, O_WR },
		{ "workload", required_argument, NULL, O_WORKLOAD },
		{ "max-run", required_argument, NULL, O_MAXRUN },
		{ "trim-batch", required_argument, NULL, O_TBATCH },
		{ "write-batch", required_argument, NULL, O_WBATCH },
		{ "zipf-s", required_argument, NULL, O_ZIPFS },
		{ "scan-size", required_argument, NULL, O_SCAN },
		{ "phase-len", required_argument, NULL, O_PHLEN },
		{ "phase-size", required_argument, NULL, O_PHSIZE },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "trim-policy", required_argument, NULL, O_POLICY },
		{ "record", required_argument, NULL, O_RECORD },
		{ "compare", no_argument, NULL, O_COMPARE },
		{ "readonly-fraction", required_argument, NULL, O_RO },
		{ "prefetch", required_argument, NULL, O_PREFETCH },
		{ "defrag", no_argument, NULL, O_DEFRAG },
		{ "trim-hints", no_argument, NULL, O_HINTS },
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->o_vm = VM_CONFIG_DEFAULT;
	o->o_wl = (struct wl_config){ .wc_kind = WL_RUNS, .wc_threads = 2, .wc_write_ratio = 0.5,
		.wc_seed = 1, .wc_seconds = 3.0, .wc_max_run = 32, .wc_zipf_s = 1.0,
		.wc_phase_len = 10000 };
	o->o_workload = "runs";
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case O_PHYS: o->o_vm.vc_physical = opt_size("physical", optarg); break;
		case O_VIRT: o->o_vm.vc_virtual = opt_size("virtual", optarg); break;
		case O_PGF: o->o_vm.vc_pagefile = opt_size("pagefile", optarg); break;
		case O_PGFPATH: o->o_vm.vc_pagefile_path = optarg; break;
		case O_THREADS: o->o_wl.wc_threads = (int)opt_int("threads", optarg, 1, WL_MAX_THREADS); break;
		case O_SECONDS: o->o_wl.wc_seconds = opt_double("seconds", optarg, 0.001, 1e6);
			o->o_wl.wc_accesses = 0; break;
		case O_ACCESSES: o->o_wl.wc_accesses = (uint64_t)opt_int("accesses", optarg, 1, INT64_MAX);
			o->o_timed = 1; break;
		case O_ZIPFS: o->o_wl.wc_zipf_s = opt_double("zipf-s", optarg, 0.01, 10.0); break;
		case O_SCAN: o->o_wl.wc_scan_pages = opt_size("scan-size", optarg) / VM_PAGE_SIZE;
			if (o->o_wl.wc_scan_pages == 0)
				usage_error("--scan-size: must be at least one page");
			break;
		case O_PHLEN: o->o_wl.wc_phase_len = (uint64_t)opt_int("phase-len", optarg, 1, INT64_MAX); break;
		case O_PHSIZE: o->o_wl.wc_phase_pages = opt_size("phase-size", optarg) / VM_PAGE_SIZE;
			if (o->o_wl.wc_phase_pages == 0)
				usage_error("--phase-size: must be at least one page");
			break;
		case O_TRACE: o->o_trace_path = optarg; break;
		case O_POLICY: o->o_vm.vc_trim_policy = opt_policy(optarg); break;
		case O_RECORD: o->o_record = optarg; break;
		case O_COMPARE: o->o_compare = 1; break;
		case O_RO: o->o_vm.vc_readonly_fraction = opt_double("readonly-fraction", optarg, 0.0, 1.0); break;
		case O_PREFETCH: o->o_vm.vc_prefetch = (int)opt_int("prefetch", optarg, 0, 63); break;
		case O_DEFRAG: o->o_vm.vc_defrag = 1; break;
		case O_HINTS: o->o_vm.vc_trim_hints = 1; break;
		case O_SEED: o->o_wl.wc_seed = (uint64_t)opt_int("seed", optarg, 0, INT64_MAX); break;
		case O_WR: o->o_wl.wc_write_ratio = opt_double("write-ratio", optarg, 0.0, 1.0); break;
		case O_MAXRUN: o->o_wl.wc_max_run = (int)opt_int("max-run", optarg, 1, 1 << 20); break;
		case O_TBATCH: o->o_vm.vc_trim_batch = (int)opt_int("trim-batch", optarg, 1, 256); break;
		case O_WBATCH: o->o_vm.vc_write_batch = (int)opt_int("write-batch", optarg, 1, 64); break;
		case O_WORKLOAD: opt_workload(o, optarg); break;
		case O_JSON: o->o_json = 1; break;
		case O_QUIET: o->o_quiet = 1; break;
		case O_HELP: usage(); exit(0);
		case ':': usage_error("%s needs a value", argv[optind - 1]);
		default: usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	opts_check(o);
	o->o_vm.vc_max_faulters = o->o_wl.wc_threads;
	o->o_vm.vc_seed = o->o_wl.wc_seed;
	o->o_live = !o->o_quiet && !o->o_json && isatty(2);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The live display: one line, rewritten twice a second. */
static void live_line(struct vm *vm, struct wl_shared *sh, double t, uint64_t *last_acc, double *last_t)
{
	struct vm_stats s;
	uint64_t acc = wl_progress(sh);
	double rate = (double)(acc - *last_acc) / (t - *last_t);

	vm_get_stats(vm, &s);
	fprintf(stderr, "\r%5.1fs %9.0f acc/s | faults dz %-7" PRIu64 " soft %-7" PRIu64
	    " hard %-7" PRIu64 "| lists Z %-5" PRIu64 " F %-5" PRIu64 " S %-5" PRIu64
	    " M %-5" PRIu64 " A %-6" PRIu64 "\033[K", t, rate, s.vs_faults_dz,
	    s.vs_faults_soft_standby + s.vs_faults_soft_modified, s.vs_faults_hard,
	    s.vs_nzeroed, s.vs_nfree, s.vs_nstandby, s.vs_nmodified, s.vs_nactive);
	*last_acc = acc;
	*last_t = t;
}

/* The page file failed under a user thread (vm.h, "Failure"): clear the live
 * line; on return vmsim prints the reason and exits with status 1. */
static void on_vm_error(void *arg, struct vm *vm, void *addr, const char *msg)
{
	(void)vm, (void)addr, (void)msg;
	if (*(const int *)arg)
		(void)!write(2, "\r\033[K", 4);
}

/* Run the user threads to their quota or the deadline. */
static double run_threads(struct opts *o, struct vm *vm, struct wl_shared *sh)
{
	int n = o->o_wl.wc_threads;
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	uint64_t t0 = vm_now_ns(), last_acc = 0;
	double last_t = 0, el;
	int done = 0;

	if (tids == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		exit(2);
	}
	for (int i = 0; i < n; i++) {
		if (pthread_create(&tids[i], NULL, wl_thread_main, &sh->ws_threads[i]) != 0) {
			fprintf(stderr, "%s: cannot start user thread %d\n", prog, i);
			exit(2);
		}
	}
	while (!done) {
		sleep_ms(o->o_wl.wc_accesses ? 50 : 20);
		el = (double)(vm_now_ns() - t0) / 1e9;
		if (!o->o_wl.wc_accesses && el >= o->o_wl.wc_seconds)
			atomic_store(&sh->ws_stop, 1);
		if (o->o_live && el - last_t >= 0.5)
			live_line(vm, sh, el, &last_acc, &last_t);
		done = atomic_load(&sh->ws_stop) ||
		    (o->o_wl.wc_accesses && wl_progress(sh) >= o->o_wl.wc_accesses);
	}
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	el = (double)(vm_now_ns() - t0) / 1e9;
	if (o->o_live)
		fprintf(stderr, "\r\033[K");
	free(tids);
	return el;
}

/* --compare: the oracles on the replayed trace, beside vmsim. */
struct compare {
	uint64_t cm_refs, cm_distinct, cm_frames;
	uint64_t cm_vmsim;		/* demand-zero + soft + hard */
	uint64_t cm_lru, cm_fifo, cm_opt;
};

static uint64_t trace_distinct(const struct trace *t, uint64_t npages)
{
	uint8_t *seen = calloc(npages, 1);
	uint64_t n = 0;

	if (seen == NULL)
		return 0;
	for (size_t i = 0; i < t->t_n; i++) {
		n += !seen[t->t_refs[i].tr_vpn];
		seen[t->t_refs[i].tr_vpn] = 1;
	}
	free(seen);
	return n;
}

static void compare_run(const struct opts *o, const struct vm_stats *s, struct compare *cm)
{
	const struct trace *t = &o->o_trace;

	cm->cm_refs = t->t_n;
	cm->cm_frames = o->o_vm.vc_physical / VM_PAGE_SIZE;
	cm->cm_distinct = trace_distinct(t, o->o_vm.vc_virtual / VM_PAGE_SIZE);
	cm->cm_vmsim = s->vs_faults_dz + s->vs_faults_soft_standby + s->vs_faults_soft_modified +
	    s->vs_faults_hard;
	cm->cm_lru = oracle_lru_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_fifo = oracle_fifo_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_opt = oracle_opt_faults(t->t_refs, t->t_n, cm->cm_frames);
	if (cm->cm_lru == ORACLE_ERROR || cm->cm_fifo == ORACLE_ERROR || cm->cm_opt == ORACLE_ERROR) {
		fprintf(stderr, "%s: --compare: out of memory for the oracles\n", prog);
		exit(2);
	}
}

static void compare_row(const struct compare *cm, const char *name, uint64_t faults)
{
	printf("  %-22s %10" PRIu64 " %10.1f %12" PRIu64 "\n", name, faults,
	    1000.0 * (double)faults / (double)cm->cm_refs,
	    faults > cm->cm_distinct ? faults - cm->cm_distinct : 0);
}

static void print_compare(const struct opts *o, const struct vm_stats *s, const struct compare *cm)
{
	printf("compare:     %s: %" PRIu64 " references, %" PRIu64 " distinct pages, %" PRIu64
	    " frames\n", o->o_trace_path, cm->cm_refs, cm->cm_distinct, cm->cm_frames);
	printf("  %-22s %10s %10s %12s\n", "", "faults", "per 1000", "beyond cold");
	compare_row(cm, "vmsim dz+soft+hard", cm->cm_vmsim);
	compare_row(cm, "vmsim hard", s->vs_faults_hard);
	compare_row(cm, "LRU", cm->cm_lru);
	compare_row(cm, "FIFO", cm->cm_fifo);
	compare_row(cm, "OPT (Belady)", cm->cm_opt);
	printf("  (a policy's faults include the %" PRIu64 " cold misses; vmsim's are its "
	    "demand-zero faults)\n", cm->cm_distinct);
}

static void print_summary(const struct opts *o, const struct vm_stats *s, const struct wl_counts *c,
    double el, long bad)
{
	char ph[32], vi[32], pg[32];
	uint64_t soft = s->vs_faults_soft_standby + s->vs_faults_soft_modified;
	uint64_t vfail = wl_failures(c);

	vm_size_str(ph, sizeof(ph), o->o_vm.vc_physical);
	vm_size_str(vi, sizeof(vi), o->o_vm.vc_virtual);
	vm_size_str(pg, sizeof(pg), o->o_vm.vc_pagefile);
	printf("vmsim: %d user thread%s, workload %s, write ratio %.2f, seed %" PRIu64 "\n",
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_workload,
	    o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
	printf("memory:      physical %s (%" PRIu64 " frames), virtual %s (%" PRIu64 " pages), "
	    "page file %s (%s)\n", ph, o->o_vm.vc_physical / VM_PAGE_SIZE, vi,
	    o->o_vm.vc_virtual / VM_PAGE_SIZE, pg,
	    o->o_vm.vc_pagefile_path ? o->o_vm.vc_pagefile_path : "in memory");
	printf("ran:         %.2f s, %" PRIu64 " accesses (%" PRIu64 " writes), %.0f accesses/s\n",
	    el, c->wt_accesses, c->wt_writes, (double)c->wt_accesses / el);
	printf("faults:      %" PRIu64 " demand-zero, %" PRIu64 " soft (%" PRIu64 " from standby, %"
	    PRIu64 " from modified), %" PRIu64 " hard; %" PRIu64 " collided or waited\n",
	    s->vs_faults_dz, soft, s->vs_faults_soft_standby, s->vs_faults_soft_modified,
	    s->vs_faults_hard, s->vs_faults_collided);
	printf("trimmer:     %" PRIu64 " pages trimmed by %s in %" PRIu64 " batches: %" PRIu64
	    " clean, %" PRIu64 " copied back (written, or no page-file copy); %" PRIu64 " clean with a page-file copy went straight to "
	    "standby (page-file writes saved); %" PRIu64 " trim calls (%.3f per page); %" PRIu64
	    " picked by trim hints\n",
	    s->vs_trimmed, trim_policy_names[o->o_vm.vc_trim_policy], s->vs_trim_batches,
	    s->vs_trimmed - s->vs_trimmed_dirty, s->vs_trimmed_dirty, s->vs_trimmed_clean,
	    s->vs_trim_calls, s->vs_trimmed ? (double)s->vs_trim_calls / (double)s->vs_trimmed : 0.0,
	    s->vs_trimmed_by_hint);
	printf("writer:      %" PRIu64 " pages written in %" PRIu64 " batches, %" PRIu64
	    " contiguous slot runs (%.2f pages per run, %.3f write calls per page)\n",
	    s->vs_written, s->vs_write_batches, s->vs_write_runs,
	    s->vs_write_runs ? (double)s->vs_written / (double)s->vs_write_runs : 0.0,
	    s->vs_written ? (double)s->vs_write_runs / (double)s->vs_written : 0.0);
	if (s->vs_readonly_pages)
		printf("read-only:   %" PRIu64 " pages; %" PRIu64 " reads checked; %" PRIu64
		    " writes tried, %" PRIu64 " refused as access violations, %" PRIu64
		    " let through\n", s->vs_readonly_pages, c->wt_ro_reads, c->wt_av + c->wt_ro_written,
		    c->wt_av, c->wt_ro_written);
	if (o->o_vm.vc_prefetch)
		printf("prefetch:    %" PRIu64 " pages read ahead: %" PRIu64 " used, %" PRIu64
		    " wasted (trimmed untouched), %" PRIu64 " not yet decided\n", s->vs_prefetched,
		    s->vs_prefetch_used, s->vs_prefetch_wasted,
		    s->vs_prefetched - s->vs_prefetch_used - s->vs_prefetch_wasted);
	if (o->o_vm.vc_defrag)
		printf("defrag:      %" PRIu64 " page-file slots moved; %" PRIu64 " whole free rows now\n",
		    s->vs_defrag_moves, s->vs_pgf_free_rows);
	printf("zeroing:     %" PRIu64 " by the zero-page thread, %" PRIu64 " inline by faulters; %"
	    PRIu64 " standby pages repurposed\n", s->vs_zeroed, s->vs_zeroed_inline, s->vs_repurposed);
	printf("waits:       %" PRIu64 " faults waited for a free page, %" PRIu64 " bounced "
	    "(page file full)\n", s->vs_waits_avail, s->vs_bounces);
	printf("lists:       zeroed %" PRIu64 ", free %" PRIu64 ", standby %" PRIu64 ", modified %"
	    PRIu64 ", active %" PRIu64 "; page file %" PRIu64 " of %" PRIu64 " slots in use\n",
	    s->vs_nzeroed, s->vs_nfree, s->vs_nstandby, s->vs_nmodified, s->vs_nactive,
	    s->vs_pgf_used, s->vs_pgf_used + s->vs_pgf_free);
	printf("locks:       contended PTE %" PRIu64 " (%.2f ms), PFN %" PRIu64 " (%.2f ms), list %"
	    PRIu64 " (%.2f ms), page file %" PRIu64 "\n", s->vs_lock_contended[0],
	    s->vs_lock_wait_ns[0] / 1e6, s->vs_lock_contended[1], s->vs_lock_wait_ns[1] / 1e6,
	    s->vs_lock_contended[2], s->vs_lock_wait_ns[2] / 1e6, s->vs_lock_contended[3]);
	printf("busy:        trimmer %.1f%%, writer %.1f%%, zero thread %.1f%%\n",
	    100.0 * (double)s->vs_trimmer_busy_ns / (el * 1e9),
	    100.0 * (double)s->vs_writer_busy_ns / (el * 1e9),
	    100.0 * (double)s->vs_zero_busy_ns / (el * 1e9));
	printf("verify:      %" PRIu64 " wrong page, %" PRIu64 " zeroed, %" PRIu64 " lost writes, %"
	    PRIu64 " read-only writes let through: %s\n", c->wt_wrong_page, c->wt_zeroed,
	    c->wt_lost_write, c->wt_ro_written, vfail ? "FAILED" : "ok");
	printf("validate:    %s\n", bad ? "FAILED" : "ok");
}

static void print_json(const struct opts *o, const struct vm_stats *s, const struct wl_counts *c,
    double el, long bad, const struct compare *cmp)
{
	uint64_t vfail = wl_failures(c);

	printf("{\"config\":{\"physical\":%" PRIu64 ",\"virtual\":%" PRIu64 ",\"pagefile\":%" PRIu64
	    ",\"threads\":%d,\"workload\":\"%s\",\"write_ratio\":%g,\"seed\":%" PRIu64,
	    o->o_vm.vc_physical, o->o_vm.vc_virtual, o->o_vm.vc_pagefile, o->o_wl.wc_threads,
	    o->o_workload, o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
	printf(",\"trim_policy\":\"%s\",\"readonly_fraction\":%g,\"prefetch\":%d,\"defrag\":%s"
	    ",\"trim_hints\":%s",
	    trim_policy_names[o->o_vm.vc_trim_policy], o->o_vm.vc_readonly_fraction,
	    o->o_vm.vc_prefetch, o->o_vm.vc_defrag ? "true" : "false",
	    o->o_vm.vc_trim_hints ? "true" : "false");
	if (o->o_wl.wc_accesses)
		printf(",\"accesses\":%" PRIu64, o->o_wl.wc_accesses);
	else
		printf(",\"seconds\":%g", o->o_wl.wc_seconds);
	printf("},\"accesses\":%" PRIu64 ",\"writes\":%" PRIu64 ",\"elapsed_s\":%.6f,"
	    "\"accesses_per_s\":%.1f,", c->wt_accesses, c->wt_writes, el, (double)c->wt_accesses / el);
	printf("\"faults\":{\"demand_zero\":%" PRIu64 ",\"soft\":%" PRIu64 ",\"soft_standby\":%" PRIu64
	    ",\"soft_modified\":%" PRIu64 ",\"hard\":%" PRIu64 ",\"collided\":%" PRIu64 "},",
	    s->vs_faults_dz, s->vs_faults_soft_standby + s->vs_faults_soft_modified,
	    s->vs_faults_soft_standby, s->vs_faults_soft_modified, s->vs_faults_hard,
	    s->vs_faults_collided);
	printf("\"pages_trimmed\":%" PRIu64 ",\"pages_trimmed_clean\":%" PRIu64 ",\"trim_batches\":%"
	    PRIu64 ",\"trim_calls\":%" PRIu64 ",\"trimmed_by_hint\":%" PRIu64 ",\"pages_written\":%" PRIu64 ",\"write_batches\":%" PRIu64
	    ",\"pages_zeroed\":%" PRIu64 ",\"pages_zeroed_inline\":%" PRIu64 ",\"pages_repurposed\":%"
	    PRIu64 ",\"waits_for_pages\":%" PRIu64 ",\"bounces\":%" PRIu64 ",",
	    s->vs_trimmed, s->vs_trimmed_clean, s->vs_trim_batches, s->vs_trim_calls,
	    s->vs_trimmed_by_hint, s->vs_written, s->vs_write_batches, s->vs_zeroed, s->vs_zeroed_inline, s->vs_repurposed,
	    s->vs_waits_avail, s->vs_bounces);
	printf("\"pages_trimmed_dirty\":%" PRIu64 ",\"pagefile_writes_saved\":%" PRIu64
	    ",\"write_runs\":%" PRIu64 ",\"readonly_pages\":%" PRIu64 ",\"readonly_reads\":%" PRIu64
	    ",\"access_violations\":%" PRIu64 ",\"prefetch\":{\"pages\":%" PRIu64 ",\"used\":%"
	    PRIu64 ",\"wasted\":%" PRIu64 "},\"defrag_moves\":%" PRIu64 ",\"pagefile_free_rows\":%"
	    PRIu64 ",", s->vs_trimmed_dirty, s->vs_trimmed_clean, s->vs_write_runs,
	    s->vs_readonly_pages, c->wt_ro_reads, c->wt_av, s->vs_prefetched, s->vs_prefetch_used,
	    s->vs_prefetch_wasted, s->vs_defrag_moves, s->vs_pgf_free_rows);
	printf("\"lists\":{\"zeroed\":%" PRIu64 ",\"free\":%" PRIu64 ",\"standby\":%" PRIu64
	    ",\"modified\":%" PRIu64 ",\"active\":%" PRIu64 "},\"pagefile_used\":%" PRIu64 ",",
	    s->vs_nzeroed, s->vs_nfree, s->vs_nstandby, s->vs_nmodified, s->vs_nactive, s->vs_pgf_used);
	printf("\"lock_contended\":{\"pte\":%" PRIu64 ",\"pfn\":%" PRIu64 ",\"list\":%" PRIu64
	    ",\"pgf\":%" PRIu64 "},\"lock_wait_ns\":{\"pte\":%" PRIu64 ",\"pfn\":%" PRIu64
	    ",\"list\":%" PRIu64 ",\"pgf\":%" PRIu64 "},", s->vs_lock_contended[0],
	    s->vs_lock_contended[1], s->vs_lock_contended[2], s->vs_lock_contended[3],
	    s->vs_lock_wait_ns[0], s->vs_lock_wait_ns[1], s->vs_lock_wait_ns[2], s->vs_lock_wait_ns[3]);
	printf("\"busy_fraction\":{\"trimmer\":%.4f,\"writer\":%.4f,\"zero\":%.4f},",
	    (double)s->vs_trimmer_busy_ns / (el * 1e9), (double)s->vs_writer_busy_ns / (el * 1e9),
	    (double)s->vs_zero_busy_ns / (el * 1e9));
	printf("\"verify_failures\":%" PRIu64 ",\"verify\":{\"wrong_page\":%" PRIu64 ",\"zeroed\":%"
	    PRIu64 ",\"lost_write\":%" PRIu64 ",\"readonly_written\":%" PRIu64
	    "},\"validate_problems\":%ld", vfail, c->wt_wrong_page, c->wt_zeroed, c->wt_lost_write,
	    c->wt_ro_written, bad);
	if (cmp != NULL)
		printf(",\"compare\":{\"references\":%" PRIu64 ",\"distinct_pages\":%" PRIu64
		    ",\"frames\":%" PRIu64 ",\"vmsim_faults\":%" PRIu64 ",\"vmsim_hard\":%" PRIu64
		    ",\"vmsim_soft\":%" PRIu64 ",\"vmsim_demand_zero\":%" PRIu64 ",\"lru\":%" PRIu64
		    ",\"fifo\":%" PRIu64 ",\"opt\":%" PRIu64 "}", cmp->cm_refs, cmp->cm_distinct,
		    cmp->cm_frames, cmp->cm_vmsim, s->vs_faults_hard,
		    s->vs_faults_soft_standby + s->vs_faults_soft_modified, s->vs_faults_dz,
		    cmp->cm_lru, cmp->cm_fifo, cmp->cm_opt);
	printf("}\n");
}

/* --workload trace: load it; every page must lie in the region. */
static void trace_open(struct opts *o)
{
	uint64_t npages = o->o_vm.vc_virtual / VM_PAGE_SIZE;
	char err[512];

	if (trace_load(o->o_trace_path, VM_PAGE_SIZE, &o->o_trace, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(2);
	}
	if (o->o_trace.t_max_vpn < npages)
		return;
	for (size_t i = 0; i < o->o_trace.t_n; i++) {
		if (o->o_trace.t_refs[i].tr_vpn >= npages) {
			fprintf(stderr, "%s: %s:%zu: page %" PRIu64 " is beyond the %" PRIu64
			    "-page region (raise --virtual)\n", prog, o->o_trace_path,
			    trace_lineno(o->o_trace_path, i), o->o_trace.t_refs[i].tr_vpn, npages);
			exit(2);
		}
	}
}

/* --record: the reference string the threads generated, in their order. */
static int record_write(const struct opts *o, const struct wl_shared *sh)
{
	char comment[512];
	size_t n;
	struct trace_ref *refs = wl_record_merge(sh, &n);
	int rc;

	if (refs == NULL) {
		fprintf(stderr, "%s: --record: out of memory\n", prog);
		return 2;
	}
	snprintf(comment, sizeof(comment), "recorded by vmsim: workload %s, %d thread%s, seed %"
	    PRIu64 ", write ratio %.2f, virtual %" PRIu64 " pages", o->o_workload,
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_wl.wc_seed,
	    o->o_wl.wc_write_ratio, o->o_vm.vc_virtual / VM_PAGE_SIZE);
	rc = trace_write(o->o_record, comment, refs, n);
	if (rc != 0)
		fprintf(stderr, "%s: --record: cannot write %s: %s\n", prog, o->o_record, strerror(errno));
	free(refs);
	return rc != 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct vm *vm;
	struct wl_shared sh;
	struct wl_counts c;
	struct vm_stats s;
	struct compare cm;
	char err[512];
	double el;
	long bad;
	int rc;

	memset(&o, 0, sizeof(o));
	parse_opts(argc, argv, &o);
	if (o.o_wl.wc_kind == WL_TRACE) {
		trace_open(&o);
		o.o_wl.wc_trace = &o.o_trace;
	}
	if (o.o_wl.wc_phase_pages == 0)
		o.o_wl.wc_phase_pages = o.o_vm.vc_physical / VM_PAGE_SIZE / 2;
	o.o_wl.wc_record = o.o_record != NULL;
	o.o_vm.vc_image_fill = wl_image_fill;
	o.o_vm.vc_on_error = on_vm_error;
	o.o_vm.vc_on_error_arg = &o.o_live;
	if ((rc = vm_create(&o.o_vm, &vm, err, sizeof(err))) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (wl_init(&sh, vm, &o.o_wl) != 0) {
		fprintf(stderr, "%s: out of memory for the workload's records\n", prog);
		return 2;
	}
	if (o.o_wl.wc_kind == WL_TRACE)
		o.o_wl.wc_accesses = o.o_trace.t_n;
	el = run_threads(&o, vm, &sh);
	if (vm_error(vm, err, sizeof(err)) != 0) {
		/* The page file failed, and no user thread faulted since. */
		fprintf(stderr, "%s: %s\n", prog, err);
		return 1;
	}
	vm_pause(vm);
	bad = vm_validate(vm, stderr, 0);
	vm_get_stats(vm, &s);
	wl_sum(&sh, &c);
	if (o.o_compare)
		compare_run(&o, &s, &cm);
	if (o.o_json) {
		print_json(&o, &s, &c, el, bad, o.o_compare ? &cm : NULL);
	} else {
		print_summary(&o, &s, &c, el, bad);
		if (o.o_compare)
			print_compare(&o, &s, &cm);
	}
	vm_resume(vm);
	rc = o.o_record != NULL ? record_write(&o, &sh) : 0;
	wl_destroy(&sh);
	vm_destroy(vm);
	trace_free(&o.o_trace);
	if (rc != 0)
		return rc;
	return (bad || wl_failures(&c)) ? 1 : 0;
}
