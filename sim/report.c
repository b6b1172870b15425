/*
 * report.c - the vmsim command's summary: what the run did, a line per
 * subsystem (README, "What a run shows", explains each line).
 */
#include <inttypes.h>

#include "cli.h"
#include "vm_util.h"

void report_summary(const struct opts *o, const struct run_result *r)
{
	const struct vm_stats *s = &r->r_stats;
	const struct wl_counts *c = &r->r_counts;
	double el = r->r_elapsed;
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
	    o->o_vm.vc_pagefile_path ? cli_q(o->o_vm.vc_pagefile_path) : "in memory");
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
	    s->vs_trimmed, opts_trim_policy_names[o->o_vm.vc_trim_policy], s->vs_trim_batches,
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
	printf("validate:    %s\n", r->r_bad ? "FAILED" : "ok");
}
