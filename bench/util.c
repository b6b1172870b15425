/*
 * util.c - vmsim-bench's small tools: the clocks, TLB shootdowns from
 * /proc/interrupts, pinning, medians, an instance of a given size, and the
 * touch loops the fault scenarios time.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

double bench_now_s(void)
{
	return (double)vm_now_ns() * 1e-9;
}

/* Thread t's CPU time so far, in seconds (its thread CPU clock); 0 if unknown. */
double bench_thread_cpu_s(pthread_t t)
{
	clockid_t cid;
	struct timespec ts;

	if (pthread_getcpuclockid(t, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The "TLB shootdowns" line of /proc/interrupts, summed over CPUs. */
uint64_t bench_tlb_count(void)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[4096];
	uint64_t n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof line, f)) {
		char *p = line, *end;
		while (*p == ' ')
			p++;
		if (strncmp(p, "TLB:", 4) != 0)
			continue;
		for (p += 4;; p = end) {
			unsigned long long v = strtoull(p, &end, 10);
			if (end == p)
				break;
			n += v;
		}
	}
	fclose(f);
	return n;
}

int bench_pin_here(cpu_set_t *saved)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	if (cpu < 0 || sched_getaffinity(0, sizeof *saved, saved))
		return 0;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return !sched_setaffinity(0, sizeof one, &one);
}

int bench_dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double bench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, bench_dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct vm *bench_vm(uint64_t frames, uint64_t pages, uint64_t slots, int threads,
    const struct vm_config *base)
{
	struct vm_tunables t = base && base->vc_machine.mc_tunables ?
	    *base->vc_machine.mc_tunables : VM_TUNABLES_DEFAULT;
	struct vm_config c = vm_config_pages(frames, pages, slots, &t);
	struct vm *vm;
	char err[256];

	if (base != NULL) {		/* its settings, our sizes */
		c.vc_machine.mc_trim_batch = base->vc_machine.mc_trim_batch;
		c.vc_machine.mc_write_batch = base->vc_machine.mc_write_batch;
	}
	/* the benchmark's figures are the simulator's: aging, as vmsim runs */
	c.vc_space.as_trim_policy = VM_TRIM_AGING;
	t.vt_start_threads = threads;
	if (vm_create(&c, &vm, err, sizeof err) != 0) {
		fprintf(stderr, "vmsim-bench: %s\n", err);
		exit(2);
	}
	return vm;
}

#define BENCH_MARK_OFF 64

void bench_touch_write(char *base, uint64_t lo, uint64_t hi, uint64_t mark)
{
	for (uint64_t i = lo; i < hi; i++)
		*(volatile uint64_t *)(base + (i << VM_PAGE_SHIFT) + BENCH_MARK_OFF) = mark + i;
}

uint64_t bench_touch_read(char *base, const uint64_t *order, uint64_t n)
{
	uint64_t sum = 0;

	for (uint64_t i = 0; i < n; i++)
		sum += *(volatile uint64_t *)(base + (order[i] << VM_PAGE_SHIFT) + BENCH_MARK_OFF);
	return sum;
}

/* Shuffle, so that most unlinks are from the middle of the list. */
void bench_shuffle(uint64_t *v, uint64_t n, uint64_t *rng)
{
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = vm_rand(rng) % (i + 1), x = v[i];
		v[i] = v[j];
		v[j] = x;
	}
}
