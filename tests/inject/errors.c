/*
 * errors.c - fault injection: page-file write and read errors (vm_inject_io),
 * a full page file (slot exhaustion), running out of free pages, and the
 * commit limit; and the working-set controls setting up one kind of fault at
 * a time, counted exactly.  Each case checks that the failure happened (the
 * counters moved, vm_get_stats) and that nothing was lost (every access
 * verified, the structure valid).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vm_sim.h"
#include "workload.h"

/* The user threads' records: one per vm, kept across phases, since the
 * pages remember what earlier phases wrote. */
static struct wl_shared sh;
static struct vm *sh_vm;

/* Run a phase of threads x accesses on vm; returns verification failures
 * so far plus structure problems now. */
static long run(struct vm *vm, int threads, uint64_t accesses, double wr)
{
	struct wl_config wc = { .wc_kind = WL_RUNS, .wc_seed = 7, .wc_threads = threads,
		.wc_write_ratio = wr, .wc_max_run = 8 };
	pthread_t tid[64];
	struct wl_counts c;
	long bad;

	if (sh_vm != vm) {
		if (sh_vm != NULL)
			wl_destroy(&sh);
		if (wl_init(&sh, vm, &wc) != 0)
			return -1;
		sh_vm = vm;
	}
	sh.ws_cfg.wc_write_ratio = wr;
	for (int i = 0; i < threads; i++) {
		sh.ws_threads[i].wt_quota = accesses / (uint64_t)threads;
		pthread_create(&tid[i], NULL, wl_thread_main, &sh.ws_threads[i]);
	}
	for (int i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	vm_pause(vm);
	bad = vm_validate(vm, stderr, 1);
	vm_resume(vm);
	wl_sum(&sh, &c);
	return bad + (long)(c.wt_wrong_page + c.wt_zeroed + c.wt_lost_write);
}

static void done(struct vm *vm)
{
	if (sh_vm == vm) {
		wl_destroy(&sh);
		sh_vm = NULL;
	}
	vm_destroy(vm);
}

static struct vm *make(uint64_t frames, uint64_t pages, uint64_t slots, int threads)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(frames, pages, slots, &t);
	struct vm *vm;
	char err[256];

	t.vt_max_faulters = threads;
	cfg.vc_space.as_trim_policy = VM_TRIM_AGING;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "errors: %s\n", err);
		exit(2);
	}
	return vm;
}

/* The instance's statistics now. */
static struct vm_stats stats(struct vm *vm)
{
	struct vm_stats st;

	vm_get_stats(vm, &st);
	return st;
}

static void test_write_errors(void)
{
	struct vm *vm = make(64, 512, 512, 2);

	int reads, writes;

	vm_inject_io(vm, 0, 40);
	CHECK("write errors: nothing lost", run(vm, 2, 60000, 0.7) == 0);
	vm_inject_io_left(vm, &reads, &writes);
	CHECK("write errors: all injected failures happened", writes == 0);
	CHECK("write errors: counted", stats(vm).vs_write_errors == 40);
	CHECK("write errors: writes still succeeded", stats(vm).vs_written > 0);
	done(vm);
}

static void test_read_errors(void)
{
	struct vm *vm = make(64, 512, 512, 2);

	CHECK("read errors: warm-up", run(vm, 2, 20000, 1.0) == 0);
	vm_inject_io(vm, 5, 0);
	CHECK("read errors: nothing lost", run(vm, 2, 40000, 0.3) == 0);
	CHECK("read errors: retried", stats(vm).vs_inpage_errors == 5);
	done(vm);
}

/* virtual == physical + page file: every page written, slots run out. */
static void test_slot_exhaustion(void)
{
	struct vm *vm = make(32, 256, 224, 4);

	CHECK("full page file: nothing lost", run(vm, 4, 80000, 1.0) == 0);
	CHECK("full page file: the last free slot was used", stats(vm).vs_pgf_free <= 32);
	CHECK("full page file: faults bounced through a buffer", stats(vm).vs_bounces > 0);
	done(vm);
}

static void test_no_free_pages(void)
{
	struct vm *vm = make(8, 128, 128, 6);

	CHECK("8 frames, 6 threads: nothing lost", run(vm, 6, 30000, 0.5) == 0);
	CHECK("8 frames, 6 threads: faulters waited for pages", stats(vm).vs_waits_avail > 0);
	done(vm);
}

static void test_commit_limit(void)
{
	struct vm_config cfg = vm_config_pages(64, 129, 64, NULL);
	struct vm *vm = NULL;
	char err[256] = "";

	cfg.vc_space.as_trim_policy = VM_TRIM_AGING;
	CHECK("over the commit limit: refused", vm_create(&cfg, &vm, err, sizeof(err)) == VM_EINVAL);
	CHECK("over the commit limit: says so", strstr(err, "commit limit") != NULL);
	CHECK("over the commit limit: gives the arithmetic", strstr(err, "256K + pagefile 256K = 512K") != NULL);
	cfg.vc_space.as_virtual = 128 * VM_PAGE_SIZE;
	CHECK("at the commit limit: accepted", vm_create(&cfg, &vm, err, sizeof(err)) == 0);
	if (vm != NULL) {
		CHECK("at the commit limit: every page written, nothing lost", run(vm, 2, 20000, 1.0) == 0);
		done(vm);
	}
}

/* Touch every page of the region once, writing. */
static void touch_all(struct vm *vm)
{
	char *base = vm_base(vm);

	for (uint64_t i = 0; i < vm_npages(vm); i++)
		base[i * VM_PAGE_SIZE + 8] = (char)(i | 1);
}

static bool check_all(struct vm *vm)
{
	char *base = vm_base(vm);

	for (uint64_t i = 0; i < vm_npages(vm); i++)
		if (base[i * VM_PAGE_SIZE + 8] != (char)(i | 1))
			return false;
	return true;
}

/* Each fault kind, set up by the working-set controls, counted exactly. */
static void test_working_set(void)
{
	struct vm *vm = make(128, 64, 64, 1);
	uint64_t before;

	vm_pause(vm);
	touch_all(vm);
	CHECK("working set: 64 demand-zero faults", stats(vm).vs_faults_dz == 64);
	CHECK("working set: emptied", vm_empty_working_set(vm) == 64);
	CHECK("working set: all 64 modified", stats(vm).vs_nmodified == 64);
	CHECK("working set: soft faults from modified", check_all(vm) && stats(vm).vs_faults_soft_modified == 64);
	CHECK("working set: emptied again, all clean? no: dirty, no slot", vm_empty_working_set(vm) == 64);
	CHECK("working set: flushed", vm_flush_modified(vm) == 64);
	CHECK("working set: all on standby", stats(vm).vs_nstandby == 64);
	CHECK("working set: soft faults from standby", check_all(vm) && stats(vm).vs_faults_soft_standby == 64);
	before = stats(vm).vs_written;
	CHECK("working set: clean pages trimmed", vm_empty_working_set(vm) == 64);
	CHECK("working set: clean pages went straight to standby",
	    stats(vm).vs_nstandby == 64 && stats(vm).vs_trimmed_clean == 64);
	CHECK("working set: purged", vm_purge_standby(vm) == 64);
	CHECK("working set: hard faults", check_all(vm) && stats(vm).vs_faults_hard == 64);
	CHECK("working set: no write for clean pages", stats(vm).vs_written == before);
	CHECK("working set: valid", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
}

/*
 * vm_zero_free: the zero-page thread's work done now.  Frames it zeroed
 * serve demand-zero faults with nothing zeroed inline; once they are used
 * up, the faulters zero free frames inline; it zeroes no more than asked,
 * and nothing when no frame is free.
 */
static void test_zero_free(void)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(64, 64, 64, &t);
	struct vm *vm;
	char err[256], *base;
	bool zero = true;

	t.vt_start_threads = 0;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "errors: %s\n", err);
		exit(2);
	}
	base = vm_base(vm);
	CHECK("zero free: zeroes as many as asked", vm_zero_free(vm, 40) == 40);
	CHECK("zero free: on the zeroed list", stats(vm).vs_nzeroed == 40 && stats(vm).vs_nfree == 24);
	CHECK("zero free: counted as zeroed", stats(vm).vs_zeroed == 40);
	CHECK("zero free: zeroed frames valid", vm_validate(vm, stderr, 1) == 0);
	for (uint64_t i = 0; i < 40; i++)
		base[i * VM_PAGE_SIZE + 8] = (char)(i | 1);
	CHECK("zero free: 40 demand-zero faults", stats(vm).vs_faults_dz == 40);
	CHECK("zero free: served from the zeroed list", stats(vm).vs_zeroed_inline == 0 &&
	    stats(vm).vs_nzeroed == 0);
	for (uint64_t i = 0; i < VM_PAGE_SIZE; i++)
		zero &= i == 8 || base[3 * VM_PAGE_SIZE + i] == 0;
	CHECK("zero free: a page from a zeroed frame reads zero", zero);
	for (uint64_t i = 40; i < 64; i++)
		base[i * VM_PAGE_SIZE + 8] = (char)(i | 1);
	CHECK("zero free: then zeroed inline", stats(vm).vs_zeroed_inline == 24);
	CHECK("zero free: no free frame, nothing zeroed", vm_zero_free(vm, 10) == 0);
	CHECK("zero free: every page kept its byte", check_all(vm));
	CHECK("zero free: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

int main(void)
{
	test_working_set();
	test_zero_free();
	test_commit_limit();
	test_write_errors();
	test_read_errors();
	test_slot_exhaustion();
	test_no_free_pages();
	return check_done("errors");
}
