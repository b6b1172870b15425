/*
 * pagefile.c - a page file that fails, or cannot be had, never hangs.
 *
 * Persistent errors (every read, or every write, of the page file fails,
 * injected): the instance fails in order.  Each user thread, faulting or
 * waiting, gets the error through vc_machine.mc_on_error, which siglongjmps it out of
 * the handler; all of them return (a watchdog fails the test if any
 * hangs); vm_error() gives the one-line reason; the system threads park;
 * the structure validates; and every page still holds what was last
 * written to it, wherever it lives (mapped, a frame on a list, the page
 * file, a bounce buffer).  With no vc_machine.mc_on_error, a fresh process ends with
 * exit status 1 and exactly one line on stderr, however many threads hit
 * the error.
 *
 * Reservation: a file-backed page file on a 1M tmpfs (mounted here; the
 * test is skipped if mounting is not permitted) and an in-memory one
 * larger than the host's available memory (pretended) are refused at
 * creation with VM_ENOSPC and the sizes, leaving no file behind.
 */
#include <pthread.h>
#include <setjmp.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "check.h"
#include "vmtest.h"

#define NTHREADS 4
#define TAG 0x5046000000000000ULL	/* word 0 of each page: TAG | vpn */

static struct vm *vm;
static _Atomic uint64_t *gen;		/* per page: the value word 1 last got */
static uint64_t npages;
static _Atomic int errors_seen;
static char error_msg[256];
static __thread sigjmp_buf *thread_jmp;

/* vc_machine.mc_on_error: leave the handler for the thread's recovery point. */
static void on_error(void *arg, struct vm *v, void *addr, const char *msg)
{
	(void)arg, (void)v, (void)addr;
	if (atomic_fetch_add(&errors_seen, 1) == 0)
		snprintf(error_msg, sizeof(error_msg), "%s", msg);
	if (thread_jmp != NULL)
		siglongjmp(*thread_jmp, 1);
}

static struct vm *make(uint64_t frames, uint64_t pages, bool callback)
{
	static struct vm_tunables t;
	struct vm_config cfg = vm_config_pages(frames, pages, pages, &t);
	char err[256];
	struct vm *v;

	t = VM_TUNABLES_DEFAULT;
	t.vt_max_faulters = NTHREADS + 1;
	cfg.vc_space.as_trim_policy = VM_TRIM_AGING;
	cfg.vc_machine.mc_on_error = callback ? on_error : NULL;
	if (vm_create(&cfg, &v, err, sizeof(err)) != 0) {
		fprintf(stderr, "pagefile: %s\n", err);
		exit(2);
	}
	npages = pages;
	gen = calloc(pages, sizeof(*gen));
	return v;
}

/* Thread t owns the pages vpn % NTHREADS == t: the expected contents are
 * exact.  It writes (or reads) its pages until the instance fails under it
 * (or 400000 accesses).  Returns 2 on wrong contents. */
static __attribute__((noinline)) int user_loop(uint64_t t, bool writes)
{
	uint64_t rng = t + 1;

	for (int i = 0; i < 400000; i++) {
		uint64_t vpn = (vm_rand(&rng) % (npages / NTHREADS)) * NTHREADS + t;
		volatile uint64_t *w = (volatile uint64_t *)vm_va(vm->vm_default, vpn);
		uint64_t g = atomic_load(&gen[vpn]);
		if (g != 0 && (w[0] != (TAG | vpn) || w[1] != g))
			return 2;
		if (writes || g == 0) {
			w[0] = TAG | vpn;
			w[1] = g + 1;
			atomic_store(&gen[vpn], g + 1);	/* only once the store is done */
		}
	}
	return 0;
}

/* A user thread: returns 1 if it got the error (vc_machine.mc_on_error jumped here). */
static void *user_thread(void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	sigjmp_buf jb;

	thread_jmp = &jb;
	if (sigsetjmp(jb, 1) != 0)
		return (void *)1;
	return (void *)(uintptr_t)user_loop(a % NTHREADS, a >= NTHREADS);
}

/* Run NTHREADS user threads; returns how many got the error. */
static int run_threads(bool writes)
{
	pthread_t tid[NTHREADS];
	int got = 0;

	for (uintptr_t t = 0; t < NTHREADS; t++)
		pthread_create(&tid[t], NULL, user_thread, (void *)(t + (writes ? NTHREADS : 0)));
	for (int t = 0; t < NTHREADS; t++) {
		void *r;
		pthread_join(tid[t], &r);
		got += r == (void *)1;
	}
	return got;
}

/* Pages whose last written contents are nowhere to be found: each is
 * looked for where its PTE says it is.  Call paused. */
static uint64_t pages_lost(void)
{
	uint64_t lost = 0;

	for (uint64_t vpn = 0; vpn < npages; vpn++) {
		pte_t p = pte_read(vm->vm_default, vpn);
		uint64_t x = pte_payload(p), g = atomic_load(&gen[vpn]);
		const uint64_t *w;

		switch (pte_format(p)) {
		case PTE_FMT_VALID: w = (const uint64_t *)vm_va(vm->vm_default, vpn); break;
		case PTE_FMT_TRANS: w = (const uint64_t *)vm_frame(vm, (uint32_t)x); break;
		case PTE_FMT_PGF: w = (const uint64_t *)(vm->vm_pgf.pg_mem + x * VM_PAGE_SIZE); break;
		case PTE_FMT_INPAGE: w = (const uint64_t *)(vm->vm_bounce + x * VM_PAGE_SIZE); break;
		default: lost += g != 0; continue;
		}
		lost += g != 0 && (w[0] != (TAG | vpn) || w[1] != g);
	}
	return lost;
}

/* After the failure: what every persistent-error test checks. */
static void check_failed(const char *name, int got, const char *want)
{
	char msg[256] = "", line[300];
	sigjmp_buf jb;

	snprintf(line, sizeof(line), "%s: every thread got the error and returned", name);
	CHECK(line, got == NTHREADS);
	snprintf(line, sizeof(line), "%s: vm_error says why", name);
	CHECK(line, vm_error(vm, msg, sizeof(msg)) == VM_EIO && strstr(msg, want) != NULL &&
	    strcmp(msg, error_msg) == 0);
	if (strstr(msg, want) == NULL)
		fprintf(stderr, "pagefile: %s: vm_error: '%s'\n", name, msg);
	vm_pause(vm);
	snprintf(line, sizeof(line), "%s: system threads parked, structure valid", name);
	CHECK(line, vm->vm_park.pk_parked == vm->vm_park.pk_nthreads && vm_validate(vm, stderr, 1) == 0);
	snprintf(line, sizeof(line), "%s: nothing lost", name);
	CHECK(line, pages_lost() == 0);
	vm_resume(vm);
	/* A later fault on a page not mapped gets the error too. */
	thread_jmp = &jb;
	int before = atomic_load(&errors_seen);
	if (sigsetjmp(jb, 1) == 0) {
		for (uint64_t vpn = 0; vpn < npages; vpn++)
			if (pte_format(pte_read(vm->vm_default, vpn)) != PTE_FMT_VALID)
				(void)*(volatile char *)vm_va(vm->vm_default, vpn);
	}
	thread_jmp = NULL;
	snprintf(line, sizeof(line), "%s: a later fault gets the error", name);
	CHECK(line, atomic_load(&errors_seen) == before + 1);
}

static void done(void)
{
	vm_destroy(vm);
	free(gen);
	atomic_store(&errors_seen, 0);
}

/* Every write fails: the writer gives up after VM_WRITE_FAILS_MAX in a row. */
static void test_write_error(void)
{
	struct vm_stats st;

	vm = make(32, 1024, true);
	vm_inject_io(vm, 0, -1);
	int got = run_threads(true);
	check_failed("persistent write error", got, "page file write error on slot ");
	vm_get_stats(vm, &st);
	CHECK("persistent write error: 64 in a row", st.vs_write_errors >= VM_WRITE_FAILS_MAX &&
	    st.vs_written == 0);
	done();
}

/* Reads fail once every page has been written out at least once. */
static void test_read_error(void)
{
	struct vm_stats st;

	vm = make(32, 1024, true);
	for (uint64_t vpn = 0; vpn < npages; vpn++) {
		uint64_t *w = (uint64_t *)vm_va(vm->vm_default, vpn);
		w[0] = TAG | vpn;
		w[1] = 1;
		atomic_store(&gen[vpn], 1);
	}
	vm_inject_io(vm, -1, 0);
	int got = run_threads(false);
	check_failed("persistent read error", got, "page file read error on slot ");
	vm_get_stats(vm, &st);
	CHECK("persistent read error: retried first", st.vs_inpage_errors >= VM_READ_RETRIES + 1);
	done();
}

/* With no vc_machine.mc_on_error: in a fresh process, exit 1 and one line. */
static int scenario(const char *name)
{
	bool reads = strcmp(name, "read-exit") == 0;

	vm = make(32, 1024, false);
	if (reads) {
		for (uint64_t vpn = 0; vpn < npages; vpn++)
			*(volatile char *)vm_va(vm->vm_default, vpn) = 1;
		vm_inject_io(vm, -1, 0);
	} else {
		vm_inject_io(vm, 0, -1);
	}
	run_threads(!reads);
	return 0;	/* not reached: the failure ends the process */
}

static void test_default_exit(const char *name, const char *want)
{
	char out[2048], line[128];
	int st = vmtest_exec_capture(name, out, sizeof(out));

	snprintf(line, sizeof(line), "%s: exit status 1, one line", name);
	CHECK(line, st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1 && vmtest_lines(out) == 1 &&
	    strncmp(out, want, strlen(want)) == 0);
	if (!(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 1 && vmtest_lines(out) == 1))
		fprintf(stderr, "pagefile: %s: status %#x: %s\n", name, st, out);
}

static int create_status(uint64_t pgf_bytes, const char *path, uint64_t mem_available,
    char *err, size_t errlen)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(32, 64, 0, &t);
	struct vm *v = NULL;
	int rc;

	t.vt_mem_available = mem_available;
	cfg.vc_machine.mc_pagefile = pgf_bytes;
	cfg.vc_machine.mc_pagefile_path = path;
	if ((rc = vm_create(&cfg, &v, err, errlen)) == 0)
		vm_destroy(v);
	return rc;
}

static void test_reserve(void)
{
	char dir[] = "/tmp/vmsim-pgf-XXXXXX", path[64], err[256] = "";
	uint64_t t0;
	int rc;

	CHECK("in-memory page file beyond the host's memory: refused with the sizes",
	    create_status(64 << 20, NULL, 1 << 20, err, sizeof(err)) == VM_ENOSPC &&
	    strstr(err, "cannot reserve 64M for the in-memory page file: this machine has 1M available"));
	CHECK("host memory: read from /proc/meminfo", pgf_host_available() != UINT64_MAX &&
	    pgf_host_available() > (1 << 20));
	if (mkdtemp(dir) == NULL || mount("vmsim-test", dir, "tmpfs", 0, "size=1M") != 0) {
		printf("pagefile: cannot mount a tmpfs (not root?): small-filesystem test skipped\n");
		rmdir(dir);
		return;
	}
	snprintf(path, sizeof(path), "%s/pf", dir);
	t0 = vm_now_ns();
	rc = create_status(64 << 20, path, 0, err, sizeof(err));
	CHECK("page file on a 1M filesystem: refused at once", rc == VM_ENOSPC &&
	    vm_now_ns() - t0 < 5000000000ULL);
	CHECK("page file on a 1M filesystem: says the sizes",
	    strstr(err, "cannot reserve 64M for page file ") && strstr(err, "its filesystem has 1M free"));
	CHECK("page file on a 1M filesystem: no file left", access(path, F_OK) != 0);
	CHECK("page file filling the filesystem exactly: accepted",
	    create_status(1 << 20, path, 0, err, sizeof(err)) == 0);
	unlink(path);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return scenario(argv[1]);
	vmtest_watchdog("pagefile", 300);
	test_write_error();
	test_read_error();
	test_default_exit("write-exit", "vmsim: page file write error on slot ");
	test_default_exit("read-exit", "vmsim: page file read error on slot ");
	test_reserve();
	return check_done("pagefile");
}
