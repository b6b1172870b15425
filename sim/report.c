/*
 * report.c - the vmsim command's summary: what the run did, a line per
 * subsystem (README, "What a run shows", explains each line), then every
 * counter of the table (src/vm_counters.h) that no line named, on "other:"
 * lines: a counter added to the table appears here with no change.
 */
#include <inttypes.h>

#include "cli.h"
#include "stats.h"

/* The counters (vm_stats) the lines below print; the rest go to "other:". */
const char *const report_named[] = {
	"faults_dz", "faults_soft", "faults_soft_standby", "faults_soft_modified",
	"faults_hard", "faults_collided", "trimmed", "trimmed_clean", "trimmed_dirty",
	"trim_batches", "trim_calls", "trimmed_by_hint", "written", "write_batches",
	"write_runs", "readonly_pages", "access_violations", "prefetched", "prefetch_used",
	"prefetch_wasted", "defrag_moves", "pgf_free_rows", "zeroed", "zeroed_inline",
	"repurposed", "repurposed_cross", "waits_avail", "bounces", "nzeroed", "nfree", "nstandby", "nmodified",
	"nactive", "pgf_used", "trimmer_busy_ns", "writer_busy_ns", "zero_busy_ns",
	NULL
};

/* The lock counters (vm_lock_stats) the "locks:" line prints. */
const char *const report_lock_named[] = {
	"contended_pte", "contended_pfn", "contended_list", "contended_pgf",
	"wait_ns_pte", "wait_ns_pfn", "wait_ns_list", "wait_ns_pgf", NULL
};

static double per(uint64_t a, uint64_t b)
{
	return b ? (double)a / (double)b : 0.0;
}

/* With --process: the processes in all; each one's on its own line. */
static void report_config_procs(FILE *f, const struct opts *o)
{
	const struct vm_machine_config *m = &o->o_vm.vc_machine;
	uint64_t virt = 0;
	int threads = 0;
	char ph[32], vi[32], pg[32];

	for (int i = 0; i < o->o_nprocs; i++) {
		virt += o->o_procs[i].cp_virtual;
		threads += o->o_procs[i].cp_wl.wc_threads;
	}
	fprintf(f, "vmsim: %d processes, %d user threads in all, seed %" PRIu64 "\n", o->o_nprocs,
	    threads, o->o_wl.wc_seed);
	fprintf(f, "memory:      physical %s (%" PRIu64 " frames), virtual %s in all (%" PRIu64
	    " pages), page file %s (%s)\n", vm_size_str(ph, sizeof(ph), m->mc_physical),
	    m->mc_physical / VM_PAGE_SIZE, vm_size_str(vi, sizeof(vi), virt), virt / VM_PAGE_SIZE,
	    vm_size_str(pg, sizeof(pg), m->mc_pagefile),
	    m->mc_pagefile_path ? cli_q(m->mc_pagefile_path) : "in memory");
}

static void report_config(FILE *f, const struct opts *o)
{
	const struct vm_machine_config *m = &o->o_vm.vc_machine;
	uint64_t virt = o->o_vm.vc_space.as_virtual;
	char ph[32], vi[32], pg[32];

	if (o->o_nproc_args > 0) {	/* each process's own on its process: line */
		report_config_procs(f, o);
		return;
	}
	fprintf(f, "vmsim: %d user thread%s, workload %s, write ratio %.2f, seed %" PRIu64 "\n",
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_workload,
	    o->o_wl.wc_write_ratio, o->o_wl.wc_seed);
	fprintf(f, "memory:      physical %s (%" PRIu64 " frames), virtual %s (%" PRIu64 " pages), "
	    "page file %s (%s)\n", vm_size_str(ph, sizeof(ph), m->mc_physical),
	    m->mc_physical / VM_PAGE_SIZE, vm_size_str(vi, sizeof(vi), virt), virt / VM_PAGE_SIZE,
	    vm_size_str(pg, sizeof(pg), m->mc_pagefile),
	    m->mc_pagefile_path ? cli_q(m->mc_pagefile_path) : "in memory");
}

/* The trimmer, the writer, and the realism options' lines. */
static void report_paging(FILE *f, const struct opts *o, const struct run_result *r)
{
	const struct vm_stats *s = &r->r_stats;
	const struct wl_counts *c = &r->r_counts;

	fprintf(f, "trimmer:     %" PRIu64 " pages trimmed by %s in %" PRIu64 " batches: %" PRIu64
	    " clean, straight to standby (page-file writes saved), %" PRIu64 " to modified "
	    "(written, or no page-file copy); %" PRIu64 " trim calls (%.3f per page); %" PRIu64
	    " picked by trim hints\n", s->vs_trimmed,
	    opts_trim_policy_names[o->o_vm.vc_space.as_trim_policy], s->vs_trim_batches,
	    s->vs_trimmed_clean, s->vs_trimmed_dirty, s->vs_trim_calls,
	    per(s->vs_trim_calls, s->vs_trimmed), s->vs_trimmed_by_hint);
	fprintf(f, "writer:      %" PRIu64 " pages written in %" PRIu64 " batches, %" PRIu64
	    " contiguous slot runs (%.2f pages per run, %.3f write calls per page)\n",
	    s->vs_written, s->vs_write_batches, s->vs_write_runs,
	    per(s->vs_written, s->vs_write_runs), per(s->vs_write_runs, s->vs_written));
	if (s->vs_readonly_pages)
		fprintf(f, "read-only:   %" PRIu64 " pages; %" PRIu64 " reads checked; %" PRIu64
		    " writes tried, %" PRIu64 " refused as access violations, %" PRIu64
		    " let through\n", s->vs_readonly_pages, c->wt_ro_reads, c->wt_av + c->wt_ro_written,
		    s->vs_access_violations, c->wt_ro_written);
	if (o->o_vm.vc_space.as_prefetch)
		fprintf(f, "prefetch:    %" PRIu64 " pages read ahead: %" PRIu64 " used, %" PRIu64
		    " wasted (trimmed untouched), %" PRIu64 " not yet decided\n", s->vs_prefetched,
		    s->vs_prefetch_used, s->vs_prefetch_wasted,
		    s->vs_prefetched - s->vs_prefetch_used - s->vs_prefetch_wasted);
	if (o->o_vm.vc_machine.mc_defrag)
		fprintf(f, "defrag:      %" PRIu64 " page-file slots moved; %" PRIu64
		    " whole free rows now\n", s->vs_defrag_moves, s->vs_pgf_free_rows);
}

/* One line per process: its lifetime, accesses, faults by kind, resident
 * pages at its end (0 once ended) and at most, pages trimmed from it (and
 * replaced by its own faults at a hard maximum), its working-set limits
 * and memory priority, and its verification. */
static void report_processes(FILE *f, const struct run_result *r)
{
	for (int i = 0; i < r->r_nprocs; i++) {
		const struct proc_result *p = &r->r_procs[i];
		const struct vm_process_stats *st = &p->pr_stats;
		const struct wl_counts *c = &p->pr_counts;

		fprintf(f, "process:     %s ", p->pr_cfg->cp_name);
		if (p->pr_start < 0)
			fprintf(f, "never started; ");
		else
			fprintf(f, "%.2f-%.2f s%s: ", p->pr_start, p->pr_end, p->pr_ended ? " (ended)" : "");
		fprintf(f, "%" PRIu64 " accesses; faults %" PRIu64 " dz, %" PRIu64 " soft, %" PRIu64
		    " hard; resident %" PRIu64 " (peak %" PRIu64 "), %" PRIu64 " trimmed, %" PRIu64
		    " replaced; ws %" PRIu64 "-%" PRIu64 " pages%s", c->wt_accesses, st->ps_faults_dz,
		    st->ps_faults_soft, st->ps_faults_hard, st->ps_resident, st->ps_resident_peak,
		    st->ps_trimmed, st->ps_replaced, st->ps_ws_min, st->ps_ws_max,
		    st->ps_ws_hard_max ? " (hard max)" : "");
		fprintf(f, ", priority %" PRIu64, (uint64_t)st->ps_priority);
		fprintf(f, "; verify %s\n", wl_failures(c) ? "FAILED" : "ok");
	}
}

void report_summary(FILE *f, const struct opts *o, const struct run_result *r)
{
	const struct vm_stats *s = &r->r_stats;
	const struct vm_lock_stats *ls = &r->r_locks;
	const struct wl_counts *c = &r->r_counts;
	double el = r->r_elapsed, ns = el * 1e9;

	report_config(f, o);
	fprintf(f, "ran:         %.2f s, %" PRIu64 " accesses (%" PRIu64 " writes), %.0f accesses/s\n",
	    el, c->wt_accesses, c->wt_writes, (double)c->wt_accesses / el);
	fprintf(f, "faults:      %" PRIu64 " demand-zero, %" PRIu64 " soft (%" PRIu64 " from standby, %"
	    PRIu64 " from modified), %" PRIu64 " hard; %" PRIu64 " collided or waited\n",
	    s->vs_faults_dz, s->vs_faults_soft, s->vs_faults_soft_standby,
	    s->vs_faults_soft_modified, s->vs_faults_hard, s->vs_faults_collided);
	report_paging(f, o, r);
	fprintf(f, "zeroing:     %" PRIu64 " by the zero-page thread, %" PRIu64 " inline by faulters; %"
	    PRIu64 " standby pages repurposed (%" PRIu64 " from another process)\n", s->vs_zeroed,
	    s->vs_zeroed_inline, s->vs_repurposed, s->vs_repurposed_cross);
	fprintf(f, "waits:       %" PRIu64 " faults waited for a free page, %" PRIu64 " bounced "
	    "(page file full)\n", s->vs_waits_avail, s->vs_bounces);
	fprintf(f, "lists:       zeroed %" PRIu64 ", free %" PRIu64 ", standby %" PRIu64 ", modified %"
	    PRIu64 ", active %" PRIu64 "; page file %" PRIu64 " of %" PRIu64 " slots in use\n",
	    s->vs_nzeroed, s->vs_nfree, s->vs_nstandby, s->vs_nmodified, s->vs_nactive,
	    s->vs_pgf_used, s->vs_pgf_used + s->vs_pgf_free);
	fprintf(f, "locks:       contended PTE %" PRIu64 " (%.2f ms), PFN %" PRIu64 " (%.2f ms), list %"
	    PRIu64 " (%.2f ms), page file %" PRIu64 " (%.2f ms)\n", ls->ls_contended_pte,
	    (double)ls->ls_wait_ns_pte / 1e6, ls->ls_contended_pfn, (double)ls->ls_wait_ns_pfn / 1e6,
	    ls->ls_contended_list, (double)ls->ls_wait_ns_list / 1e6, ls->ls_contended_pgf,
	    (double)ls->ls_wait_ns_pgf / 1e6);
	fprintf(f, "busy:        trimmer %.1f%%, writer %.1f%%, zero thread %.1f%%\n",
	    100.0 * (double)s->vs_trimmer_busy_ns / ns, 100.0 * (double)s->vs_writer_busy_ns / ns,
	    100.0 * (double)s->vs_zero_busy_ns / ns);
	stats_print_rest(f, "other:", 13, vm_stat_fields, vm_stat_nfields, s, report_named);
	stats_print_rest(f, "other:", 13, vm_lock_stat_fields, vm_lock_stat_nfields, ls,
	    report_lock_named);
	report_processes(f, r);
	fprintf(f, "verify:      %" PRIu64 " wrong page, %" PRIu64 " zeroed, %" PRIu64 " lost writes, %"
	    PRIu64 " read-only writes let through: %s\n", c->wt_wrong_page, c->wt_zeroed,
	    c->wt_lost_write, c->wt_ro_written, wl_failures(c) ? "FAILED" : "ok");
	fprintf(f, "validate:    %s\n", r->r_bad ? "FAILED" : "ok");
	if (r->r_timeline != NULL)
		timeline_report(f, r->r_timeline);
}
