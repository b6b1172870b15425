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
 *   copy_ns            UFFDIO_COPY of one 4 KiB page with no fault (eager).
 *   signal_rt_ns       DERIVED: sigbus_copy_ns - copy_ns, i.e. the signal
 *                      delivery + sigreturn + fault entry/retry overhead.
 *   kernel_minor_ns    the kernel's minor fault: first write to a page of a
 *                      MAP_SHARED memfd mapping already in the page cache.
 *   kernel_zero_ns     the kernel's anonymous zero-fill fault.
 *   dontneed_run_ns_per_page
 *                      MADV_DONTNEED of a run of 64 mapped anonymous pages
 *                      (mapped by UFFDIO_COPY), per page.
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
	double kernel_minor_ns, kernel_zero_ns, dontneed_run_ns_per_page;
	int rounds, pages;
};

/*
 * Run the measurements: 4096 pages x 7 rounds, or 1024 x 3 if quick.
 * Returns 0, or -1 with a one-line reason in err (e.g. userfaultfd is
 * unavailable: which feature is missing and what to do).
 */
int floor_measure(int quick, struct floor_result *out, char *err, size_t errlen);

struct json;
/* r as one JSON object (json.h), member key (NAN figures as null). */
void floor_json(struct json *j, const char *key, const struct floor_result *r);

#endif /* VMSIM_BENCH_FLOOR_H */
