/*
 * floor.h - "the floor": what a user-space fault resolver cannot beat.
 *
 * floor_measure() times, in this process and on this machine now, the
 * kernel mechanisms vmsim is built on, so that vmsim's own fault costs can
 * be given as a ratio to the floor:
 *
 *   sigbus_copy_ns     fault on an unpopulated page of an anonymous region
 *                      registered MISSING with a SIGBUS-mode userfaultfd ->
 *                      SIGBUS handler on the faulting thread -> one
 *                      UFFDIO_COPY (4 KiB, DONTWAKE) -> access retried.
 *   sigbus_copy_wp_ns  the same with the region registered MISSING|WP
 *                      (NAN if the kernel refuses WP registration).
 *                      Both are taken by a write: "the write floor".
 *   sigbus_read_ns     the same fault taken by a read: "the read floor"
 *   sigbus_read_wp_ns  ... on the MISSING|WP region.  A write fault on an
 *                      empty anonymous PTE costs more than a read: the
 *                      kernel allocates and clears a page
 *                      (do_anonymous_page) before it sees the region is
 *                      userfaultfd-registered, then frees it; a read
 *                      does not.  Each fault is compared with the floor
 *                      of its own access.
 *   copy_ns            UFFDIO_COPY of one 4 KiB page with no fault (eager).
 *   signal_rt_ns       DERIVED: sigbus_copy_ns - copy_ns, i.e. the signal
 *                      delivery + sigreturn + fault entry/retry overhead.
 *   kernel_minor_ns    the kernel's minor fault: first write to a page of a
 *                      MAP_SHARED memfd mapping already in the page cache.
 *   kernel_zero_ns     the kernel's anonymous zero-fill fault.
 *   dontneed_run_ns_per_page
 *                      MADV_DONTNEED of a run of 64 mapped anonymous pages
 *                      (mapped by UFFDIO_COPY), per page: a zap's share.
 *   page_copy_ns       memcpy of a 4 KiB page from one buffer of `pages'
 *                      pages to another: what a capture or a page-file
 *                      copy costs at least.
 *
 * All figures are ns per page, the median over the rounds.  Each round runs
 * every measurement once (the order rotates from round to round) on
 * 2 MiB aligned MADV_NOHUGEPAGE regions, and checks page contents and fault
 * counts so that a figure cannot silently measure nothing.
 *
 * floor_measure() may run inside vmsim: it installs its own SIGBUS handler
 * only for its duration and then restores the previous sigaction exactly.
 * A SIGBUS outside its own regions meanwhile is passed on to the previous
 * handler (or, if that was SIG_DFL/SIG_IGN, SIG_DFL is restored so the
 * re-fault kills).  It is not reentrant: one caller at a time per process.
 */
#ifndef VMSIM_BENCH_FLOOR_H
#define VMSIM_BENCH_FLOOR_H

#include <stddef.h>
#include <stdio.h>

struct floor_result {
	double sigbus_copy_ns, sigbus_copy_wp_ns, copy_ns, signal_rt_ns;
	double sigbus_read_ns, sigbus_read_wp_ns;
	double kernel_minor_ns, kernel_zero_ns, dontneed_run_ns_per_page;
	double page_copy_ns;
	/* the write and read floors, a zap's share and a page copy in the
	 * measuring thread's CPU time (CLOCK_THREAD_CPUTIME_ID): what the cycle
	 * floor is composed of, since it is set against CPU clocks; equal to
	 * the wall figures on a quiet machine, lower when the thread was
	 * preempted */
	double sigbus_copy_cpu_ns, sigbus_read_cpu_ns, dontneed_cpu_ns, page_copy_cpu_ns;
	int rounds, pages;
};

/*
 * Run the measurements: 4096 pages x 7 rounds, or 1024 x 3 if quick.
 * Returns 0, or -1 with a one-line reason in err (e.g. userfaultfd is
 * unavailable: which feature is missing and what to do).
 */
int floor_measure(int quick, struct floor_result *out, char *err, size_t errlen);
/* The same with pages (a multiple of 64) and 1-7 timed rounds (plus the
 * warm-up): the fault-kind section measures one round of it beside each
 * of its own, so that each ratio is taken inside a round. */
int floor_measure_sized(long pages, int rounds, struct floor_result *out, char *err,
    size_t errlen);

struct json;
/* r as one JSON object (json.h), member key (NAN figures as null). */
void floor_json(struct json *j, const char *key, const struct floor_result *r);

#endif /* VMSIM_BENCH_FLOOR_H */
