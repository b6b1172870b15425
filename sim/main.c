/*
 * main.c - the vmsim command: run user threads against a vmsim instance
 * (options in options.c, the checks before any work in preflight.c), show
 * the state machine while it runs, report, and write --record.
 *
 * Exit status: 0 all accesses verified and the structures valid; 1 a
 * verification failure, an invalid structure, or output lost (a write
 * error on standard output or --record; both are reported, and 1 covers
 * either); 2 bad input or an unusable kernel, refused before the run with
 * nothing left behind.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "oracle.h"

static const char *prog = "vmsim";

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

	if (tids == NULL)
		cli_refuse("out of memory");
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, wl_thread_main, &sh->ws_threads[i]) != 0)
			cli_refuse("cannot start user thread %d", i);
	cli_keep();
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
		return ORACLE_ERROR;
	for (size_t i = 0; i < t->t_n; i++) {
		n += !seen[t->t_refs[i].tr_vpn];
		seen[t->t_refs[i].tr_vpn] = 1;
	}
	free(seen);
	return n;
}

/* Returns 0, or -1 (said on stderr) if the oracles ran out of memory. */
static int compare_run(const struct opts *o, const struct vm_stats *s, struct compare *cm)
{
	const struct trace *t = &o->o_trace;

	cm->cm_refs = t->t_n;
	cm->cm_frames = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	cm->cm_distinct = trace_distinct(t, o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE);
	cm->cm_vmsim = s->vs_faults_dz + s->vs_faults_soft_standby + s->vs_faults_soft_modified +
	    s->vs_faults_hard;
	cm->cm_lru = oracle_lru_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_fifo = oracle_fifo_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_opt = oracle_opt_faults(t->t_refs, t->t_n, cm->cm_frames);
	if (cm->cm_distinct == ORACLE_ERROR || cm->cm_lru == ORACLE_ERROR ||
	    cm->cm_fifo == ORACLE_ERROR || cm->cm_opt == ORACLE_ERROR) {
		fprintf(stderr, "%s: --compare: out of memory for the oracles: no comparison\n", prog);
		return -1;
	}
	return 0;
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
	    " frames\n", cli_q(o->o_trace_path), cm->cm_refs, cm->cm_distinct, cm->cm_frames);
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
	struct vm_lock_stats ls;

	vm_lock_stats_get(&ls);
	vm_size_str(ph, sizeof(ph), o->o_vm.vc_machine.mc_physical);
	vm_size_str(vi, sizeof(vi), o->o_vm.vc_space.as_virtual);
	vm_size_str(pg, sizeof(pg), o->o_vm.vc_machine.mc_pagefile);
	printf("vmsim: %d user thread%s, workload %s, write ratio %.2f, seed %" PRIu64 "\n",
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_workload,
	    o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
	printf("memory:      physical %s (%" PRIu64 " frames), virtual %s (%" PRIu64 " pages), "
	    "page file %s (%s)\n", ph, o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE, vi,
	    o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE, pg,
	    o->o_vm.vc_machine.mc_pagefile_path ? cli_q(o->o_vm.vc_machine.mc_pagefile_path) : "in memory");
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
	    s->vs_trimmed, opts_trim_policy_names[o->o_vm.vc_space.as_trim_policy], s->vs_trim_batches,
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
	if (o->o_vm.vc_space.as_prefetch)
		printf("prefetch:    %" PRIu64 " pages read ahead: %" PRIu64 " used, %" PRIu64
		    " wasted (trimmed untouched), %" PRIu64 " not yet decided\n", s->vs_prefetched,
		    s->vs_prefetch_used, s->vs_prefetch_wasted,
		    s->vs_prefetched - s->vs_prefetch_used - s->vs_prefetch_wasted);
	if (o->o_vm.vc_machine.mc_defrag)
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
	    PRIu64 " (%.2f ms), page file %" PRIu64 "\n", ls.ls_contended_pte,
	    ls.ls_wait_ns_pte / 1e6, ls.ls_contended_pfn, ls.ls_wait_ns_pfn / 1e6,
	    ls.ls_contended_list, ls.ls_wait_ns_list / 1e6, ls.ls_contended_pgf);
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
	struct vm_lock_stats ls;

	vm_lock_stats_get(&ls);

	printf("{\"config\":{\"physical\":%" PRIu64 ",\"virtual\":%" PRIu64 ",\"pagefile\":%" PRIu64
	    ",\"threads\":%d,\"workload\":\"%s\",\"write_ratio\":%g,\"seed\":%" PRIu64,
	    o->o_vm.vc_machine.mc_physical, o->o_vm.vc_space.as_virtual, o->o_vm.vc_machine.mc_pagefile, o->o_wl.wc_threads,
	    o->o_workload, o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
	printf(",\"trim_policy\":\"%s\",\"readonly_fraction\":%g,\"prefetch\":%d,\"defrag\":%s"
	    ",\"trim_hints\":%s",
	    opts_trim_policy_names[o->o_vm.vc_space.as_trim_policy], o->o_vm.vc_space.as_readonly_fraction,
	    o->o_vm.vc_space.as_prefetch, o->o_vm.vc_machine.mc_defrag ? "true" : "false",
	    o->o_tun.vt_trim_hints ? "true" : "false");
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
	    ",\"list\":%" PRIu64 ",\"pgf\":%" PRIu64 "},", ls.ls_contended_pte,
	    ls.ls_contended_pfn, ls.ls_contended_list, ls.ls_contended_pgf,
	    ls.ls_wait_ns_pte, ls.ls_wait_ns_pfn, ls.ls_wait_ns_list, ls.ls_wait_ns_pgf);
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

/*
 * --record: the reference string the threads generated, in their order,
 * into the file preflight opened (a regular file is truncated now).  On a
 * write error the incomplete regular file is removed.  Returns 0 or -1,
 * said on stderr.
 */
static int record_write(const struct opts *o, const struct wl_shared *sh)
{
	FILE *f = o->o_record_f;
	char comment[512];
	struct stat st;
	size_t n;
	struct trace_ref *refs = wl_record_merge(sh, &n);
	bool reg = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	int rc = -1, saved = ENOMEM;

	snprintf(comment, sizeof(comment), "recorded by vmsim: workload %s, %d thread%s, seed %"
	    PRIu64 ", write ratio %.2f, virtual %" PRIu64 " pages", o->o_workload,
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_wl.wc_seed,
	    o->o_wl.wc_write_ratio, o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE);
	if (refs != NULL && (!reg || ftruncate(fileno(f), 0) == 0))
		rc = trace_fwrite(f, comment, refs, n);
	if (refs != NULL && rc != 0)
		saved = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		if (reg)
			unlink(o->o_record);
		fprintf(stderr, "%s: --record: cannot write %s: %s%s\n", prog, cli_q(o->o_record),
		    strerror(saved), reg ? " (the incomplete file is removed)" : "");
	}
	free(refs);
	return rc;
}

/* Everything on standard output must have reached it.  Returns 0 or -1. */
static int out_close(void)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout) && fclose(stdout) == 0)
		return 0;
	fprintf(stderr, "%s: the report was lost: cannot write standard output: %s\n", prog,
	    errno ? strerror(errno) : "write error");
	return -1;
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
	bool failed, lost = false, compared = false;
	double el;
	long bad;

	memset(&o, 0, sizeof(o));
	cli_fds_check();
	opts_parse(argc, argv, &o);
	preflight(&o);
	if (o.o_pagefile_new)
		cli_created(o.o_vm.vc_machine.mc_pagefile_path);
	o.o_vm.vc_space.as_image_fill = wl_image_fill;
	o.o_vm.vc_machine.mc_on_error = on_vm_error;
	o.o_vm.vc_machine.mc_on_error_arg = &o.o_live;
	if (vm_create(&o.o_vm, &vm, err, sizeof(err)) != 0)
		cli_refuse("%s", err);
	if (wl_init(&sh, vm, &o.o_wl) != 0)
		cli_refuse("out of memory for the workload's records");
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
	failed = bad || wl_failures(&c);
	if (o.o_compare) {
		compared = compare_run(&o, &s, &cm) == 0;
		lost |= !compared;
	}
	if (o.o_json) {
		print_json(&o, &s, &c, el, bad, compared ? &cm : NULL);
	} else {
		print_summary(&o, &s, &c, el, bad);
		if (compared)
			print_compare(&o, &s, &cm);
	}
	vm_resume(vm);
	if (atomic_load(&sh.ws_record_full))
		cli_warn("--record: the recording filled the memory it may use: the run stopped "
		    "there, after %" PRIu64 " accesses in %.2f s", c.wt_accesses, el);
	if (o.o_record != NULL)
		lost |= record_write(&o, &sh) != 0;
	wl_destroy(&sh);
	vm_destroy(vm);
	trace_free(&o.o_trace);
	lost |= out_close() != 0;
	return failed || lost ? 1 : 0;
}
