/*
 * report.c - vmsim-bench's tables on standard output: the floor, each
 * fault kind against it, parallel soft faults, throughput and scaling,
 * trim cost, where the time goes, the optimizations on/off, and trim cost
 * against virtual size (trimscale.c prints that one).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

const char *const bench_kind_name[BK_N] = {
	"demand-zero", "dz, zeroed inline", "soft (modified)", "soft (standby)", "hard (page file)" };
const char *const bench_kind_key[BK_N] = { "demand_zero", "demand_zero_inline", "soft_modified",
	"soft_standby", "hard" };
/* issue 13: each kind within 1.10x the floor of its own access */
const double bench_kind_target[BK_N] = { 1.10, 1.10, 1.10, 1.10, 1.10 };
/* the scenario's access per kind: demand-zero pages are written first,
 * the others read (kinds.c) */
const int bench_kind_write[BK_N] = { 1, 1, 0, 0, 0 };
const char *const bench_lock_name[4] = { "PTE", "PFN", "list", "pgf" };

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

static void print_floor(FILE *f, const struct bench_all *a)
{
	const struct floor_result *r = &a->floor;

	fprintf(f, "\n== 1. The floor (measured now, in this process; median of %d rounds x %d pages)\n",
	    r->rounds, r->pages);
	if (!a->floor_ok) {
		fprintf(f, "  unavailable: %s\n", a->floor_err);
		return;
	}
	fprintf(f, "  %-58s %8.0f ns   <- the write floor (CPU %.0f)\n",
	    "write fault -> SIGBUS -> UFFDIO_COPY -> retry (MISSING)", r->sigbus_copy_ns,
	    r->sigbus_copy_cpu_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "  same, region registered MISSING|WP (as vmsim's)", r->sigbus_copy_wp_ns);
	fprintf(f, "  %-58s %8.0f ns   <- the read floor (CPU %.0f)\n",
	    "read fault -> SIGBUS -> UFFDIO_COPY -> retry (MISSING)", r->sigbus_read_ns,
	    r->sigbus_read_cpu_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "  same, region registered MISSING|WP", r->sigbus_read_wp_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "write - read (the kernel's page allocated and freed)",
	    r->sigbus_copy_ns - r->sigbus_read_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "UFFDIO_COPY alone (no fault)", r->copy_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "signal round trip (derived: floor - copy)", r->signal_rt_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "kernel minor fault (memfd page in page cache)", r->kernel_minor_ns);
	fprintf(f, "  %-58s %8.0f ns\n", "kernel anonymous zero-fill fault", r->kernel_zero_ns);
	fprintf(f, "  %-58s %8.0f ns   (CPU %.0f)\n", "MADV_DONTNEED, per page of a 64-page run",
	    r->dontneed_run_ns_per_page, r->dontneed_cpu_ns);
	fprintf(f, "  %-58s %8.0f ns   (CPU %.0f)\n", "memcpy of a 4 KiB page (buffer to buffer)",
	    r->page_copy_ns, r->page_copy_cpu_ns);
	fprintf(f, "  (CPU: the measuring thread's CPU clock per page, the cycle floor's terms)\n");
}

static void print_kinds(FILE *f, const struct bench_all *a)
{
	const struct bench_kinds *k = &a->kinds;

	fprintf(f, "\n== 2. vmsim per fault, by kind (1 thread, %d pages, median of %d rounds%s)\n"
	    "     each against the floor of its own access (demand-zero pages are written, the others\n"
	    "     read), measured beside it in every round: x floor = median of per-round ratios [min-max]\n",
	    k->bk_pages, k->bk_rounds, k->bk_errors ? ", ERRORS" : ", all checked");
	fprintf(f, "  %-17s %-6s %8s %10s %7s %7s %11s %8s %7s  %s\n", "kind", "access", "ns/fault",
	    "in-handler", "floor", "x floor", "[min-max]", "x WP-flr", "target", "");
	for (int i = 0; i < BK_N; i++) {
		double rt = k->bk_ratio[i];
		fprintf(f, "  %-17s %-6s %8.0f %10.0f %7.0f %7.2f [%4.2f-%4.2f] %8.2f %6.2fx  %s\n",
		    bench_kind_name[i], bench_kind_write[i] ? "write" : "read", k->bk_touch_ns[i],
		    k->bk_handler_ns[i], k->bk_floor_ns[i], rt, k->bk_ratio_lo[i], k->bk_ratio_hi[i],
		    k->bk_ratio_wp[i], bench_kind_target[i],
		    isnan(rt) ? "" : rt <= bench_kind_target[i] ? "met" : "MISSED");
	}
	fprintf(f, "  (touch loop with no fault: write %.1f ns/page, read %.1f ns/page, subtracted)\n",
	    k->bk_loop_w_ns, k->bk_loop_r_ns);
}

static void print_parsoft(FILE *f, const struct bench_all *a)
{
	fprintf(f, "\n== 2b. Parallel soft faults: standby pages unlinked from the list's middle\n");
	fprintf(f, "  %-12s %7s %10s %12s %16s\n", "list locks", "threads", "ns/fault", "faults/s",
	    "list wait/fault");
	for (int i = 0; i < a->nparsoft; i++) {
		const struct bench_parsoft *p = &a->parsoft[i];
		fprintf(f, "  %-12s %7d %10.0f %12.0f %13.1f ns%s\n", p->ps_shared ? "shared" : "exclusive",
		    p->ps_threads, p->ps_ns_per_fault, p->ps_faults_per_s, p->ps_list_wait_ns,
		    p->ps_errors ? "  ERRORS" : "");
	}
}

static void print_scaling(FILE *f, const struct bench_all *a)
{
	static const char *wl[] = { "default", "heavy" };

	fprintf(f, "\n== 3. Throughput and scaling (%d round(s) of a %.1f s window after warm-up, the\n"
	    "     configurations interleaved; median round; x1 = median of per-round ratios [min-max];\n"
	    "     every access verified; cpu = CPUs the run's threads got, of %ld)\n",
	    a->rounds, a->runs[0].br_seconds, sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "  default = 16M physical, 64M virtual, runs of 1..32 pages; heavy = 4M physical, "
	    "64M virtual, uniform\n");
	fprintf(f, "  %-9s %3s %11s %11s %6s %13s %6s %7s %5s %7s\n", "workload", "T", "accesses/s",
	    "faults/s", "acc x1", "[min-max]", "flt x1", "faults%", "cpu", "verify");
	for (int w = 0; w < 2; w++) {
		const struct bench_run *one = bench_find(a, wl[w], "", 1);
		for (int nt = 1; nt <= 4; nt *= 2) {
			const struct bench_run *r = bench_find(a, wl[w], "", nt);
			if (r == NULL || one == NULL)
				continue;
			double lo = 0, hi = 0, ra = bench_ratio(r, one, 1, &lo, &hi);
			fprintf(f, "  %-9s %3d %11.0f %11.0f %6.2f  [%4.2f-%4.2f] %6.2f %6.1f%% %5.2f %7s\n",
			    wl[w], nt, r->br_acc_s, r->br_faults_s, ra, lo, hi,
			    bench_ratio(r, one, 0, NULL, NULL), 100 * ratio(r->br_faults_s, r->br_acc_s),
			    r->br_cpu_user + r->br_cpu_sys[0] + r->br_cpu_sys[1] + r->br_cpu_sys[2],
			    r->br_errors ? "FAILED" : "ok");
		}
	}
}

static void print_trim(FILE *f, const struct bench_all *a)
{
	static const struct { const char *name, *label; } wl[] = {
		{ "sequential", "sequential" }, { "heavy", "random" }, { "default", "default" } };

	fprintf(f, "\n== 4. Trim cost (trim calls = write-protect + process_madvise + un-protect; "
	    "TLB = /proc/interrupts\n     shootdowns over the window, all CPUs; idle background %.1f/s)\n",
	    a->tlb_idle_per_s);
	fprintf(f, "     trimCPU/pg = the trimmer thread's CPU time (its thread clock) per trimmed page\n");
	fprintf(f, "  %-11s %3s %9s %8s %11s %10s %10s %10s %11s\n", "workload", "T", "trimmed",
	    "batch", "calls/page", "pages/call", "TLB/page", "pages/TLB", "trimCPU/pg");
	for (int w = 0; w < 3; w++) {
		for (int nt = 1; nt <= 4; nt *= 2) {
			const struct bench_run *r = bench_find(a, wl[w].name, "", nt);
			if (r == NULL || r->br_trimmed == 0)
				continue;
			fprintf(f, "  %-11s %3d %9.0f %8.1f %11.4f %10.1f %10.4f %10.1f %8.2f us\n",
			    wl[w].label, nt, r->br_trimmed, r->br_trimmed / r->br_trim_batches,
			    r->br_trim_calls / r->br_trimmed, r->br_trimmed / r->br_trim_calls,
			    r->br_tlb / r->br_trimmed, r->br_tlb > 0 ? r->br_trimmed / r->br_tlb : INFINITY,
			    1e6 * r->br_cpu_sys[0] * r->br_seconds / r->br_trimmed);
		}
	}
}

static void print_breakdown_row(FILE *f, const struct bench_run *r, const char *label)
{
	fprintf(f, "  %-22s %2d %6.1f %6.0f %6.1f %6.1f", label, r->br_threads,
	    100 * r->br_fault_frac, r->br_handler_ns, 100 * r->br_wait_avail_frac,
	    100 * r->br_wait_other_frac);
	for (int c = 0; c < 4; c++)
		fprintf(f, " %5.2f", 100 * r->br_lock_frac[c]);
	fprintf(f, " %6.1f %6.1f %5.1f  %5.2f %5.2f %5.2f\n", 100 * r->br_trimmer_busy,
	    100 * r->br_writer_busy, 100 * r->br_zero_busy, r->br_cpu_user, r->br_cpu_sys[0],
	    r->br_cpu_sys[1] + r->br_cpu_sys[2]);
}

static void print_breakdown(FILE *f, const struct bench_all *a)
{
	static const char *wl[] = { "default", "heavy", "sequential" };

	fprintf(f, "\n== 5. Where the time goes (per user thread, %% of its wall time, mean over threads;"
	    "\n     system threads: busy %% of wall time)\n");
	fprintf(f, "  %-22s %2s %6s %6s %6s %6s %5s %5s %5s %5s %6s %6s %5s  %5s %5s %5s\n",
	    "workload", "T", "fault%", "ns/flt", "wAvl%", "wOth%", bench_lock_name[0], bench_lock_name[1],
	    bench_lock_name[2], bench_lock_name[3], "trim%", "mpw%", "zero%", "cpuU", "cpuT", "cpuWZ");
	for (int w = 0; w < 3; w++) {
		for (int nt = 1; nt <= 4; nt *= 2) {
			const struct bench_run *r = bench_find(a, wl[w], "", nt);
			if (r != NULL)
				print_breakdown_row(f, r, wl[w]);
		}
	}
	fprintf(f, "  (fault%% = time in the SIGBUS handler, of which wAvl = waiting for a free page,"
	    "\n   wOth = waiting for a trim batch/window/in-page, PTE..pgf = waiting for that lock class;"
	    "\n   trim%%/mpw%%/zero%% = busy wall time; cpuU/cpuT/cpuWZ = CPUs used by the user threads,"
	    "\n   the trimmer, writer+zero thread: thread CPU clocks; %ld CPUs online)\n",
	    sysconf(_SC_NPROCESSORS_ONLN));
}

static void print_opts(FILE *f, const struct bench_all *a)
{
	fprintf(f, "\n== 6. Optimizations on/off: fault-heavy workload (and sequential for trim batches);\n"
	    "     x base = median over rounds of variant/baseline faults/s, both run in the same round\n");
	fprintf(f, "  %-10s %-19s %2s %9s %6s %11s %6s %7s %7s %7s %6s %6s %5s\n", "workload", "variant",
	    "T", "faults/s", "x base", "[min-max]", "lock%", "ns/flt", "trim/pg", "TLB/pg", "trimCPU",
	    "mpwCPU", "cpu");
	for (int i = 0; i < a->nruns; i++) {
		const struct bench_run *r = &a->runs[i];
		const struct bench_run *b = bench_find(a, r->br_name, "base", r->br_threads);
		double lk = 0, lo = 0, hi = 0, x;
		if (b == NULL || r->br_variant[0] == 0)
			continue;
		x = bench_ratio(r, b, 0, &lo, &hi);
		for (int c = 0; c < 4; c++)
			lk += r->br_lock_frac[c];
		fprintf(f, "  %-10s %-19s %2d %9.0f %6.3f [%4.2f-%4.2f] %6.2f %7.0f %7.4f %7.4f %7.0f %6.0f %5.2f\n",
		    r->br_name, r->br_variant, r->br_threads, r->br_faults_s, x, lo, hi, 100 * lk,
		    r->br_handler_ns, r->br_trim_calls / r->br_trimmed, r->br_tlb / r->br_trimmed,
		    r->br_trimmed > 0 ? r->br_cpu_sys[0] * r->br_seconds * 1e9 / r->br_trimmed : 0,
		    r->br_written > 0 ? r->br_cpu_sys[1] * r->br_seconds * 1e9 / r->br_written : 0,
		    r->br_cpu_user + r->br_cpu_sys[0] + r->br_cpu_sys[1] + r->br_cpu_sys[2]);
	}
	fprintf(f, "  (trimCPU/mpwCPU = trimmer/writer CPU ns per page trimmed/written; lock%% = user"
	    "\n   threads' lock wait, all classes; ns/flt = in-handler time per fault)\n");
	fprintf(f, "  page-file bitmap, heavy 2T:  %-20s %10s %10s %10s\n", "variant", "words/pg",
	    "rows", "bits");
	for (int i = 0; i < a->nruns; i++) {
		const struct bench_run *r = &a->runs[i];
		if (strcmp(r->br_name, "heavy") || r->br_threads != 2 || (strcmp(r->br_variant, "base") &&
		    !strstr(r->br_variant, "rows") && !strstr(r->br_variant, "stash")))
			continue;
		fprintf(f, "  %28s %-20s %10.2f %10.0f %10.0f\n", "",
		    r->br_variant, r->br_scan_words / r->br_written,
		    r->br_row_claims, r->br_bit_claims);
	}
}

void bench_print(FILE *f, const struct bench_all *a)
{
	fprintf(f, "vmsim-bench%s\n", a->quick ? " --quick" : "");
	print_floor(f, a);
	print_kinds(f, a);
	print_parsoft(f, a);
	print_scaling(f, a);
	print_trim(f, a);
	print_breakdown(f, a);
	bench_cycle_print(f, a);
	print_opts(f, a);
	bench_trimscale_print(f, a);
	bench_timeline_print(f, a);
}
