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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vm.h"
#include "vm_util.h"
#include "workload.h"

struct opts {
	struct vm_config o_vm;
	struct wl_config o_wl;
	int o_json, o_quiet, o_live;
	const char *o_workload;
};

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
"  --workload NAME      runs (random start, sequential run) or uniform [runs]\n"
"  --max-run N          runs: up to N sequential pages per run [32]\n"
"  --seconds S          run for S seconds                      [3]\n"
"  --accesses N         or make N accesses in all (split over the threads)\n"
"  --write-ratio R      fraction of accesses that write, 0..1  [0.5]\n"
"  --seed N             seed of every thread's stream          [1]\n"
"\n"
"policy\n"
"  --trim-batch N       pages per trim batch (1..64)           [64]\n"
"  --write-batch N      pages per page-file write batch (1..64) [64]\n"
"\n"
"output\n"
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

static void parse_opts(int argc, char **argv, struct opts *o)
{
	enum { O_PHYS = 256, O_VIRT, O_PGF, O_PGFPATH, O_THREADS, O_SECONDS, O_ACCESSES,
		O_SEED, O_WR, O_JSON, O_QUIET, O_HELP, O_WORKLOAD, O_MAXRUN, O_TBATCH, O_WBATCH };
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
		{ "json", no_argument, NULL, O_JSON },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "help", no_argument, NULL, O_HELP },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->o_vm = VM_CONFIG_DEFAULT;
	o->o_wl = (struct wl_config){ .wc_kind = WL_RUNS, .wc_threads = 2, .wc_write_ratio = 0.5,
		.wc_seed = 1, .wc_seconds = 3.0, .wc_max_run = 32 };
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
		case O_ACCESSES: o->o_wl.wc_accesses = (uint64_t)opt_int("accesses", optarg, 1, INT64_MAX); break;
		case O_SEED: o->o_wl.wc_seed = (uint64_t)opt_int("seed", optarg, 0, INT64_MAX); break;
		case O_WR: o->o_wl.wc_write_ratio = opt_double("write-ratio", optarg, 0.0, 1.0); break;
		case O_MAXRUN: o->o_wl.wc_max_run = (int)opt_int("max-run", optarg, 1, 1 << 20); break;
		case O_TBATCH: o->o_vm.vc_trim_batch = (int)opt_int("trim-batch", optarg, 1, 64); break;
		case O_WBATCH: o->o_vm.vc_write_batch = (int)opt_int("write-batch", optarg, 1, 64); break;
		case O_WORKLOAD:
			o->o_workload = optarg;
			if (strcmp(optarg, "runs") == 0)
				o->o_wl.wc_kind = WL_RUNS;
			else if (strcmp(optarg, "uniform") == 0)
				o->o_wl.wc_kind = WL_UNIFORM;
			else
				usage_error("--workload: unknown workload '%s' (runs, uniform)", optarg);
			break;
		case O_JSON: o->o_json = 1; break;
		case O_QUIET: o->o_quiet = 1; break;
		case O_HELP: usage(); exit(0);
		case ':': usage_error("%s needs a value", argv[optind - 1]);
		default: usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	o->o_vm.vc_max_faulters = o->o_wl.wc_threads;
	o->o_vm.vc_seed = o->o_wl.wc_seed;
	o->o_live = !o->o_quiet && !o->o_json && isatty(2);
}

static void fmt_size(char *buf, size_t n, uint64_t b)
{
	static const char suf[] = "KMGT";
	int i = -1;

	while (b >= 1024 && b % 1024 == 0 && i < 3) {
		b /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%" PRIu64, b);
	else
		snprintf(buf, n, "%" PRIu64 "%c", b, suf[i]);
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

static void print_summary(const struct opts *o, const struct vm_stats *s, const struct wl_counts *c,
    double el, long bad)
{
	char ph[32], vi[32], pg[32];
	uint64_t soft = s->vs_faults_soft_standby + s->vs_faults_soft_modified;
	uint64_t vfail = c->wt_wrong_page + c->wt_zeroed + c->wt_lost_write;

	fmt_size(ph, sizeof(ph), o->o_vm.vc_physical);
	fmt_size(vi, sizeof(vi), o->o_vm.vc_virtual);
	fmt_size(pg, sizeof(pg), o->o_vm.vc_pagefile);
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
	printf("trimmer:     %" PRIu64 " pages trimmed (%" PRIu64 " clean, straight to standby) in %"
	    PRIu64 " batches; %" PRIu64 " trim calls (%.3f per page)\n", s->vs_trimmed,
	    s->vs_trimmed_clean, s->vs_trim_batches, s->vs_trim_calls,
	    s->vs_trimmed ? (double)s->vs_trim_calls / (double)s->vs_trimmed : 0.0);
	printf("writer:      %" PRIu64 " pages written in %" PRIu64 " batches\n",
	    s->vs_written, s->vs_write_batches);
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
	printf("verify:      %" PRIu64 " wrong page, %" PRIu64 " zeroed, %" PRIu64 " lost writes: %s\n",
	    c->wt_wrong_page, c->wt_zeroed, c->wt_lost_write, vfail ? "FAILED" : "ok");
	printf("validate:    %s\n", bad ? "FAILED" : "ok");
}

static void print_json(const struct opts *o, const struct vm_stats *s, const struct wl_counts *c,
    double el, long bad)
{
	uint64_t vfail = c->wt_wrong_page + c->wt_zeroed + c->wt_lost_write;

	printf("{\"config\":{\"physical\":%" PRIu64 ",\"virtual\":%" PRIu64 ",\"pagefile\":%" PRIu64
	    ",\"threads\":%d,\"workload\":\"%s\",\"write_ratio\":%g,\"seed\":%" PRIu64,
	    o->o_vm.vc_physical, o->o_vm.vc_virtual, o->o_vm.vc_pagefile, o->o_wl.wc_threads,
	    o->o_workload, o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
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
	    PRIu64 ",\"trim_calls\":%" PRIu64 ",\"pages_written\":%" PRIu64 ",\"write_batches\":%" PRIu64
	    ",\"pages_zeroed\":%" PRIu64 ",\"pages_zeroed_inline\":%" PRIu64 ",\"pages_repurposed\":%"
	    PRIu64 ",\"waits_for_pages\":%" PRIu64 ",\"bounces\":%" PRIu64 ",",
	    s->vs_trimmed, s->vs_trimmed_clean, s->vs_trim_batches, s->vs_trim_calls, s->vs_written,
	    s->vs_write_batches, s->vs_zeroed, s->vs_zeroed_inline, s->vs_repurposed,
	    s->vs_waits_avail, s->vs_bounces);
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
	    PRIu64 ",\"lost_write\":%" PRIu64 "},\"validate_problems\":%ld}\n", vfail,
	    c->wt_wrong_page, c->wt_zeroed, c->wt_lost_write, bad);
}

int main(int argc, char **argv)
{
	struct opts o;
	struct vm *vm;
	struct wl_shared sh;
	struct wl_counts c;
	struct vm_stats s;
	char err[512];
	double el;
	long bad;
	int rc;

	memset(&o, 0, sizeof(o));
	parse_opts(argc, argv, &o);
	if ((rc = vm_create(&o.o_vm, &vm, err, sizeof(err))) != 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		return 2;
	}
	if (wl_init(&sh, vm, &o.o_wl) != 0) {
		fprintf(stderr, "%s: out of memory for the workload's records\n", prog);
		return 2;
	}
	el = run_threads(&o, vm, &sh);
	vm_pause(vm);
	bad = vm_validate(vm, stderr, 0);
	vm_get_stats(vm, &s);
	wl_sum(&sh, &c);
	if (o.o_json)
		print_json(&o, &s, &c, el, bad);
	else
		print_summary(&o, &s, &c, el, bad);
	vm_resume(vm);
	wl_destroy(&sh);
	vm_destroy(vm);
	return (bad || c.wt_wrong_page + c.wt_zeroed + c.wt_lost_write) ? 1 : 0;
}
