/*
 * vm_counters.h - the one table of vmsim's counters.
 *
 * Every statistic an instance reports is one line here: its field (the
 * struct vm_stats member is vs_<name>), its key in the simulator's JSON
 * (a dot nests: "faults.hard" is {"faults":{"hard":N}}), its kind, and a
 * description for the summary and the README.  struct vm_stats, the
 * field table vm_stat_fields[] (vm_sim.h), the core's own counter storage
 * and vm_get_stats() are generated from it.
 *
 * Two lists:
 *  VM_COUNTERS_EVENT  running totals the core adds to as things happen
 *                     (vm_stat_add(vm, name, n) in the core).  Adding one
 *                     is a line here plus its increment.
 *  VM_COUNTERS_STATE  values vm_get_stats() computes when asked: list
 *                     lengths and page-file use now, sums of other counters
 *                     (computed once, there), and the counters the page file
 *                     and the mapping layer keep in their own structures.
 *                     Adding one is a line here plus its line in vm_stats.c.
 *
 * Kinds: VM_STAT_COUNT a running total of events or pages; VM_STAT_NS a
 * running total of nanoseconds (busy time: divide by the elapsed time for a
 * fraction); VM_STAT_GAUGE a level now (not a total).
 *
 * Lock statistics are process-wide, not per instance: the lock code has no
 * instance to charge (a lock is a word, and the page-file stash lock, list
 * locks and PTE locks of every instance share the accounting).  They have
 * their own table, VM_LOCK_COUNTERS, struct vm_lock_stats and
 * vm_lock_stats_get() (vm_sim.h).
 */
#pragma once

/* X(name, "json.key", kind, "description") */
#define VM_COUNTERS_EVENT(X) \
	X(faults_dz,		"faults.demand_zero",	VM_STAT_COUNT, "demand-zero faults") \
	X(faults_soft_standby,	"faults.soft_standby",	VM_STAT_COUNT, "soft faults: page rescued from standby") \
	X(faults_soft_modified,	"faults.soft_modified",	VM_STAT_COUNT, "soft faults: page rescued from modified (or mid-write)") \
	X(faults_hard,		"faults.hard",		VM_STAT_COUNT, "hard faults: page read from the page file") \
	X(faults_collided,	"faults.collided",	VM_STAT_COUNT, "faults another thread resolved, or that waited") \
	X(waits_avail,		"waits_for_pages",	VM_STAT_COUNT, "faults that waited for a free page") \
	X(bounces,		"bounces",		VM_STAT_COUNT, "hard faults through a bounce buffer (page file full)") \
	X(inpage_errors,	"inpage_errors",	VM_STAT_COUNT, "page-file reads that failed (each try)") \
	X(access_violations,	"access_violations",	VM_STAT_COUNT, "writes to read-only pages refused") \
	X(trimmed,		"pages_trimmed",	VM_STAT_COUNT, "pages trimmed") \
	X(trimmed_dirty,	"pages_trimmed_dirty",	VM_STAT_COUNT, "trimmed pages that went to modified: written since mapped, or with no page-file copy") \
	X(trim_batches,		"trim_batches",		VM_STAT_COUNT, "trim batches") \
	X(trimmed_by_hint,	"trimmed_by_hint",	VM_STAT_COUNT, "trimmed pages a faulter's trim hint picked") \
	X(window_thaws,		"window_thaws",		VM_STAT_COUNT, "writes inside a trim window that un-protected their own page") \
	X(written,		"pages_written",	VM_STAT_COUNT, "pages written to the page file") \
	X(write_batches,	"write_batches",	VM_STAT_COUNT, "page-file write batches") \
	X(write_runs,		"write_runs",		VM_STAT_COUNT, "contiguous slot runs over all write batches") \
	X(write_errors,		"write_errors",		VM_STAT_COUNT, "page-file writes that failed") \
	X(zeroed,		"pages_zeroed",		VM_STAT_COUNT, "pages zeroed by the zero-page thread") \
	X(zeroed_inline,	"pages_zeroed_inline",	VM_STAT_COUNT, "pages zeroed by a faulting thread") \
	X(repurposed,		"pages_repurposed",	VM_STAT_COUNT, "standby frames taken from their owner") \
	X(repurposed_cross,	"pages_repurposed_cross", VM_STAT_COUNT, "standby frames a fault took from another process") \
	X(proc_freed,		"pages_freed_by_exit",	VM_STAT_COUNT, "frames freed when their process was destroyed") \
	X(alloc_busy_retries,	"alloc_busy_retries",	VM_STAT_COUNT, "frame allocations that found every listed frame busy and tried again") \
	X(prefetched,		"prefetch.pages",	VM_STAT_COUNT, "pages read ahead by a hard fault") \
	X(prefetch_used,	"prefetch.used",	VM_STAT_COUNT, "read-ahead pages then touched") \
	X(prefetch_wasted,	"prefetch.wasted",	VM_STAT_COUNT, "read-ahead pages trimmed untouched") \
	X(defrag_moves,		"defrag_moves",		VM_STAT_COUNT, "page-file slots moved by the defragmenter") \
	X(lock_window_waits,	"lock_window_waits",	VM_STAT_COUNT, "vm_lock_pages calls that waited for a trim window to close") \
	X(trimmer_busy_ns,	"busy_ns.trimmer",	VM_STAT_NS,    "time the trimmer spent trimming") \
	X(writer_busy_ns,	"busy_ns.writer",	VM_STAT_NS,    "time the modified writer spent writing") \
	X(zero_busy_ns,		"busy_ns.zero",		VM_STAT_NS,    "time the zero-page thread spent zeroing")

#define VM_COUNTERS_STATE(X) \
	X(faults_soft,		"faults.soft",		VM_STAT_COUNT, "soft faults (standby + modified)") \
	X(trimmed_clean,	"pages_trimmed_clean",	VM_STAT_COUNT, "trimmed pages that went straight to standby (trimmed - dirty: page-file writes saved)") \
	X(trim_calls,		"trim_calls",		VM_STAT_COUNT, "freeze + zap + thaw system calls") \
	X(nzeroed,		"lists.zeroed",		VM_STAT_GAUGE, "frames on the zeroed list") \
	X(nfree,		"lists.free",		VM_STAT_GAUGE, "frames on the free list") \
	X(nstandby,		"lists.standby",	VM_STAT_GAUGE, "frames on standby (the eight lists' sum)") \
	X(nstandby_p0,		"lists.standby_p0",	VM_STAT_GAUGE, "frames on the standby list of memory priority 0 (repurposed first)") \
	X(nstandby_p1,		"lists.standby_p1",	VM_STAT_GAUGE, "frames on the standby list of memory priority 1") \
	X(nstandby_p2,		"lists.standby_p2",	VM_STAT_GAUGE, "frames on the standby list of memory priority 2") \
	X(nstandby_p3,		"lists.standby_p3",	VM_STAT_GAUGE, "frames on the standby list of memory priority 3") \
	X(nstandby_p4,		"lists.standby_p4",	VM_STAT_GAUGE, "frames on the standby list of memory priority 4") \
	X(nstandby_p5,		"lists.standby_p5",	VM_STAT_GAUGE, "frames on the standby list of memory priority 5 (the default)") \
	X(nstandby_p6,		"lists.standby_p6",	VM_STAT_GAUGE, "frames on the standby list of memory priority 6") \
	X(nstandby_p7,		"lists.standby_p7",	VM_STAT_GAUGE, "frames on the standby list of memory priority 7 (repurposed last)") \
	X(nmodified,		"lists.modified",	VM_STAT_GAUGE, "frames on the modified list (or being written)") \
	X(nactive,		"lists.active",		VM_STAT_GAUGE, "frames mapped") \
	X(nlocked,		"locked_frames",	VM_STAT_GAUGE, "frames locked by vm_lock_pages") \
	X(pgf_used,		"pagefile_used",	VM_STAT_GAUGE, "page-file slots in use") \
	X(pgf_free,		"pagefile_free",	VM_STAT_GAUGE, "page-file slots free") \
	X(pgf_free_rows,	"pagefile_free_rows",	VM_STAT_GAUGE, "whole free 64-slot page-file rows") \
	X(pgf_row_claims,	"slot_claims.rows",	VM_STAT_COUNT, "whole 64-slot rows the writer claimed with one CAS") \
	X(pgf_bit_claims,	"slot_claims.bits",	VM_STAT_COUNT, "single slots the writer claimed") \
	X(pgf_scan_words,	"slot_claims.words_scanned", VM_STAT_COUNT, "page-file bitmap words examined to claim slots") \
	X(readonly_pages,	"readonly_pages",	VM_STAT_GAUGE, "read-only pages (the first of the region)")

#define VM_COUNTERS(X) VM_COUNTERS_EVENT(X) VM_COUNTERS_STATE(X)

/*
 * Per process (struct vm_process_stats, vm_process_get_stats; vm_sim.h):
 * the same two lists.  The fault counters count the faults on that
 * process's region (the machine's count them all); `trimmed' the pages
 * the trimmer took from it.  The gauges: its valid PTEs now (its working
 * set) and their peak, its size in pages, its commit charge.
 */
#define VM_PROCESS_COUNTERS_EVENT(X) \
	X(faults_dz,		"faults.demand_zero",	VM_STAT_COUNT, "demand-zero faults") \
	X(faults_soft_standby,	"faults.soft_standby",	VM_STAT_COUNT, "soft faults: page rescued from standby") \
	X(faults_soft_modified,	"faults.soft_modified",	VM_STAT_COUNT, "soft faults: page rescued from modified (or mid-write)") \
	X(faults_hard,		"faults.hard",		VM_STAT_COUNT, "hard faults: page read from the page file") \
	X(faults_collided,	"faults.collided",	VM_STAT_COUNT, "faults another thread resolved, or that waited") \
	X(trimmed,		"pages_trimmed",	VM_STAT_COUNT, "pages trimmed from this process") \
	X(replaced,		"pages_replaced",	VM_STAT_COUNT, "pages its own faults trimmed at a hard maximum (local replacement)")

#define VM_PROCESS_COUNTERS_STATE(X) \
	X(faults_soft,		"faults.soft",		VM_STAT_COUNT, "soft faults (standby + modified)") \
	X(resident,		"working_set_pages",	VM_STAT_GAUGE, "resident pages now (valid PTEs)") \
	X(resident_peak,	"working_set_peak_pages", VM_STAT_GAUGE, "the most resident pages at once") \
	X(priority,		"memory_priority",	VM_STAT_GAUGE, "memory priority now, 0-7: its pages' standby list") \
	X(virtual_pages,	"virtual_pages",	VM_STAT_GAUGE, "pages of region") \
	X(committed_bytes,	"committed_bytes",	VM_STAT_GAUGE, "bytes charged against the commit limit") \
	X(readonly_pages,	"readonly_pages",	VM_STAT_GAUGE, "read-only pages (the first of its region)") \
	X(ws_min,		"ws_min_pages",		VM_STAT_GAUGE, "working-set minimum, pages") \
	X(ws_max,		"ws_max_pages",		VM_STAT_GAUGE, "working-set maximum, pages") \
	X(ws_hard_max,		"ws_hard_max",		VM_STAT_GAUGE, "1 if the maximum is hard")

#define VM_PROCESS_COUNTERS(X) VM_PROCESS_COUNTERS_EVENT(X) VM_PROCESS_COUNTERS_STATE(X)

/* Process-wide lock statistics, per lock class (vm_lock.h). */
#define VM_LOCK_COUNTERS(X) \
	X(contended_pte,	"lock_contended.pte",	VM_STAT_COUNT, "PTE region lock acquires that waited") \
	X(contended_pfn,	"lock_contended.pfn",	VM_STAT_COUNT, "PFN lock acquires that waited") \
	X(contended_list,	"lock_contended.list",	VM_STAT_COUNT, "page-list lock acquires that waited") \
	X(contended_pgf,	"lock_contended.pgf",	VM_STAT_COUNT, "page-file stash lock acquires that waited") \
	X(wait_ns_pte,		"lock_wait_ns.pte",	VM_STAT_NS,    "time spent waiting for PTE region locks") \
	X(wait_ns_pfn,		"lock_wait_ns.pfn",	VM_STAT_NS,    "time spent waiting for PFN locks") \
	X(wait_ns_list,		"lock_wait_ns.list",	VM_STAT_NS,    "time spent waiting for page-list locks") \
	X(wait_ns_pgf,		"lock_wait_ns.pgf",	VM_STAT_NS,    "time spent waiting for the page-file stash lock")

enum vm_stat_kind { VM_STAT_COUNT, VM_STAT_NS, VM_STAT_GAUGE };
