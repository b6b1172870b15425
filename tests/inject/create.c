/*
 * create.c - failure paths harm nothing, and misuse is caught.
 *
 * Creation: with one live instance running, every step of vm_create() that
 * can fail is failed in turn (vt_fail_create_step = 1, 2, ... until creation
 * succeeds), in three configurations (in-memory page file with read-only
 * pages and the defragmenter; file-backed page file; no system threads).
 * After each failure: vm_create returned an error with a message and no
 * instance; the live instance still faults and verifies; fds 0-2 and an
 * extra fd are open and the same files; no fd or mapping leaked (mappings
 * not under ThreadSanitizer, whose runtime maps for each thread); a page
 * file it created is gone.  Then the 17th instance is refused the same way.
 *
 * Misuse (each in a fresh process, its stderr read back): vm_destroy twice;
 * a fork() child touching the region, destroying or pausing its parent's
 * instance; a SIGBUS handler installed after vm_create; SIGBUS blocked;
 * in debug builds, vm_destroy while a thread is inside a fault.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include "check.h"
#include "vmtest.h"

#define LIVE_PAGES 256

static struct vm *live;
static int extra_fd;
static struct stat fd_id[4];

/* 32 frames, LIVE_PAGES pages, 4 bounce buffers; system threads or none. */
static struct vm_config small_cfg(int threads)
{
	static struct vm_tunables t[2];

	t[threads != 0] = VM_TUNABLES_DEFAULT;
	t[threads != 0].vt_start_threads = threads != 0;
	t[threads != 0].vt_max_faulters = 4;
	return vm_config_pages(32, LIVE_PAGES, LIVE_PAGES, &t[threads != 0]);
}

/* The live instance: page i holds i + live_round.  Touching all of it
 * with 32 frames makes it trim, write and hard-fault: the handler and
 * the registry must still work for it.  Returns whether every page held
 * what the last round wrote. */
static int live_round = -1;

static bool live_touch(void)
{
	char *p = vm_base(live);
	bool ok = true;

	for (uint64_t i = 0; i < LIVE_PAGES; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(p + i * VM_PAGE_SIZE);
		if (live_round >= 0 && *w != i + (uint64_t)live_round)
			ok = false;
		*w = i + (uint64_t)live_round + 1;
	}
	live_round++;
	return ok;
}

/* Are fds 0, 1, 2 and extra_fd open, on the same files as at the start? */
static bool fds_same(void)
{
	int fds[4] = { 0, 1, 2, extra_fd };
	struct stat st;

	for (int i = 0; i < 4; i++) {
		if (fstat(fds[i], &st) != 0 || st.st_dev != fd_id[i].st_dev || st.st_ino != fd_id[i].st_ino)
			return false;
	}
	return true;
}

struct tally {
	int steps, no_error, no_msg, out_set, live_bad, fds_bad, fd_leak, map_leak, file_left;
};

static void create_steps(const char *name, struct vm_config cfg, const char *pgf_path, int min_steps)
{
	struct vm_tunables tun = *cfg.vc_machine.mc_tunables;
	struct tally t = { 0 };
	struct vm *vm;
	char err[256];
	int fds, maps;

	cfg.vc_machine.mc_tunables = &tun;
	/* Warm up: stacks of joined threads and other one-time mappings. */
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "create: %s: %s\n", name, err);
		CHECK("creation works at all", 0);
		return;
	}
	vm_destroy(vm);
	if (pgf_path != NULL)
		unlink(pgf_path);
	fds = vmtest_count_fds();
	maps = vmtest_count_maps();
	for (int n = 1; n < 200; n++) {
		vm = (struct vm *)&t;	/* must come back NULL */
		err[0] = '\0';
		tun.vt_fail_create_step = n;
		int rc = vm_create(&cfg, &vm, err, sizeof(err));
		bool injected = vm_inject_left() == 0;
		if (!injected) {	/* n is past the last step: it succeeded */
			t.steps = n - 1;
			t.no_error += rc != 0;
			if (rc == 0)
				vm_destroy(vm);
			break;
		}
		if (rc == 0) {
			fprintf(stderr, "create: %s: step %d failed but vm_create succeeded\n", name, n);
			t.no_error++;
			vm_destroy(vm);
			continue;
		}
		t.no_msg += err[0] == '\0';
		t.out_set += vm != NULL;
		t.live_bad += !vm_registered(live) || !live_touch();
		t.fds_bad += !fds_same();
		t.fd_leak += vmtest_count_fds() != fds;
		t.map_leak += !VMTEST_TSAN && vmtest_count_maps() != maps;
		t.file_left += pgf_path != NULL && access(pgf_path, F_OK) == 0;
		if (pgf_path != NULL)
			unlink(pgf_path);
		if (vmtest_count_fds() != fds || (!VMTEST_TSAN && vmtest_count_maps() != maps))
			fprintf(stderr, "create: %s: step %d (%s) leaked: fds %d -> %d, maps %d -> %d\n",
			    name, n, err, fds, vmtest_count_fds(), maps, vmtest_count_maps());
		fds = vmtest_count_fds();
		maps = vmtest_count_maps();
	}
	if (pgf_path != NULL)
		unlink(pgf_path);	/* the successful creation's */
	printf("create: %s: %d failure points\n", name, t.steps);
	CHECK("creation steps: injection reached them all", t.steps >= min_steps);
	CHECK("creation steps: each failure reported", t.no_error == 0);
	CHECK("creation steps: each with a message", t.no_msg == 0);
	CHECK("creation steps: no instance returned", t.out_set == 0);
	CHECK("creation steps: the live instance still registered, faults, verifies", t.live_bad == 0);
	CHECK("creation steps: fds 0-2 and another still open, same files", t.fds_bad == 0);
	CHECK("creation steps: no fd leaked", t.fd_leak == 0);
	CHECK("creation steps: no mapping leaked", t.map_leak == 0);
	CHECK("creation steps: a page file it created is removed", t.file_left == 0);
	CHECK("creation steps: the live instance intact at the end", live_touch());
}

/* Sixteen instances; the seventeenth is refused and harms none. */
static void test_registry_full(void)
{
	struct vm_config cfg = small_cfg(0);
	struct vm *vms[16], *vm = (struct vm *)&cfg;
	char err[256] = "";
	int n = 0, fds;

	while (n < 16 && vm_create(&cfg, &vms[n], err, sizeof(err)) == 0)
		n++;
	CHECK("registry: sixteen instances in all", n == 15);
	fds = vmtest_count_fds();
	CHECK("registry: the 17th is refused", vm_create(&cfg, &vm, err, sizeof(err)) == VM_EINVAL &&
	    vm == NULL && strstr(err, "more than 16") != NULL);
	CHECK("registry: the first instance still faults", live_touch());
	CHECK("registry: fds intact", fds_same() && vmtest_count_fds() == fds);
	for (int i = 0; i < n; i++) {
		volatile char *p = vm_base(vms[i]);
		p[0] = 1;
		vm_destroy(vms[i]);
	}
}

/* ---- misuse, each in a fresh process (create SCENARIO) ---- */

static struct vm *scenario_vm(int threads)
{
	struct vm_config cfg = small_cfg(threads);
	struct vm *vm;
	char err[256];

	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "create: %s\n", err);
		_exit(3);
	}
	return vm;
}

/* Fork a child that does what; in the parent, check that the instance's
 * pages still hold what they did, then end as the child ended (its stderr
 * is ours). */
static void in_fork_child(struct vm *vm, int what)
{
	volatile char *p = vm_base(vm);
	int status;

	for (int i = 0; i < LIVE_PAGES; i++)
		p[i * VM_PAGE_SIZE] = (char)i;
	if (fork() == 0) {
		if (what == 0)
			p[VM_PAGE_SIZE] = 1;	/* touch */
		else if (what == 1)
			vm_destroy(vm);
		else
			vm_pause(vm);
		_exit(0);
	}
	wait(&status);
	for (int i = 0; i < LIVE_PAGES; i++)
		if (p[i * VM_PAGE_SIZE] != (char)i)
			_exit(20);
	vm_destroy(vm);
	if (WIFSIGNALED(status))
		raise(WTERMSIG(status));
	_exit(WEXITSTATUS(status));
}

static void quiet_handler(int sig)
{
	(void)sig;
}

static void foreign_handler(void)
{
	struct vm_config cfg = small_cfg(1);
	struct vm *vm = scenario_vm(0), *vm2;
	struct vm_stats st;
	char err[256];

	signal(SIGBUS, quiet_handler);
	if (vm_create(&cfg, &vm2, err, sizeof(err)) != VM_EINVAL || vm2 != NULL ||
	    strstr(err, "another SIGBUS handler") == NULL)
		_exit(10);
	if (vm_validate(vm, NULL, 0) != 1)
		_exit(11);
	vm_get_stats(vm, &st);		/* misuse: aborts */
}

static void sigbus_blocked(void)
{
	struct vm_config cfg = small_cfg(1);
	struct vm *vm;
	sigset_t s;
	char err[256];

	sigemptyset(&s);
	sigaddset(&s, SIGBUS);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	if (vm_create(&cfg, &vm, err, sizeof(err)) != VM_EINVAL || strstr(err, "SIGBUS is blocked") == NULL)
		_exit(10);
	/* Touching with SIGBUS blocked: the kernel kills the process. */
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	vm = scenario_vm(1);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	((volatile char *)vm_base(vm))[0] = 1;
	_exit(0);
}

static void *touch_page(void *p)
{
	((volatile char *)p)[0] = 1;
	return NULL;
}

/* 8 frames, no system threads: a ninth page's fault waits forever. */
static void destroy_while_faulting(void)
{
	struct vm_config cfg = small_cfg(0);
	struct vm *vm;
	pthread_t t;
	char err[256], *p;

	cfg.vc_machine.mc_physical = 8 * VM_PAGE_SIZE;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0)
		_exit(3);
	p = vm_base(vm);
	for (int i = 0; i < 8; i++)
		p[i * VM_PAGE_SIZE] = 1;
	pthread_create(&t, NULL, touch_page, p + 8 * VM_PAGE_SIZE);
	while (atomic_load(&vm->vm_default->ps_dbg_faulting) == 0)
		usleep(1000);
	vm_destroy(vm);
}

static int scenario(const char *name)
{
	struct vm *vm;

	if (strcmp(name, "destroy-twice") == 0) {
		vm = scenario_vm(1);
		vm_destroy(vm);
		vm_destroy(vm);
	} else if (strcmp(name, "fork-touch") == 0) {
		in_fork_child(scenario_vm(1), 0);
	} else if (strcmp(name, "fork-destroy") == 0) {
		in_fork_child(scenario_vm(1), 1);
	} else if (strcmp(name, "fork-pause") == 0) {
		in_fork_child(scenario_vm(1), 2);
	} else if (strcmp(name, "foreign-handler") == 0) {
		foreign_handler();
	} else if (strcmp(name, "sigbus-blocked") == 0) {
		sigbus_blocked();
	} else if (strcmp(name, "destroy-while-faulting") == 0) {
		destroy_while_faulting();
	}
	return 0;
}

/* Did the scenario die of sig (0: exit 0), having said what in one line? */
static bool ended_saying(const char *name, int sig, const char *what)
{
	char out[2048];
	int st = vmtest_exec_capture(name, out, sizeof(out));
	bool ok = sig ? st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig :
	    st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;

	if (ok && what != NULL)
		ok = strstr(out, what) != NULL && vmtest_lines(out) == 1;
	else if (ok && sig == 0)
		ok = out[0] == '\0';
	if (!ok)
		fprintf(stderr, "create: %s: status %#x, want %s %d; it said: %s\n", name, st,
		    sig ? "signal" : "exit", sig, out);
	return ok;
}

static void test_misuse(void)
{
	CHECK("misuse: vm_destroy twice", ended_saying("destroy-twice", SIGABRT,
	    "not a live instance (destroyed already?)"));
	CHECK("misuse: a fork() child touches the region; the parent's is intact",
	    ended_saying("fork-touch", SIGABRT, "vmsim: misuse: a fork() child touched vmsim's region"));
	CHECK("misuse: vm_destroy in a fork() child does nothing; the parent's is intact",
	    ended_saying("fork-destroy", 0, NULL));
	CHECK("misuse: vm_pause in a fork() child", ended_saying("fork-pause", SIGABRT,
	    "vmsim: misuse: vm_pause in a fork() child"));
	CHECK("misuse: a SIGBUS handler installed after vm_create", ended_saying("foreign-handler",
	    SIGABRT, "vmsim: misuse: vm_get_stats: another SIGBUS handler was installed after vmsim's"));
	CHECK("misuse: SIGBUS blocked: creation refused, a touch kills",
	    ended_saying("sigbus-blocked", SIGBUS, NULL));
	if (VM_DEBUG)
		CHECK("misuse: vm_destroy while a thread faults (debug builds)",
		    ended_saying("destroy-while-faulting", SIGABRT, "inside a fault on its region"));
}

int main(int argc, char **argv)
{
	struct vm_config cfg = small_cfg(1);
	char err[256], path[64];
	int fds[4] = { 0, 1, 2, 0 };

	if (argc > 1)
		return scenario(argv[1]);
	vmtest_watchdog("create", 300);
	extra_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[3] = extra_fd;
	for (int i = 0; i < 4; i++)
		fstat(fds[i], &fd_id[i]);
	if (vm_create(&cfg, &live, err, sizeof(err)) != 0) {
		fprintf(stderr, "create: %s\n", err);
		return 2;
	}
	live_touch();

	cfg.vc_space.as_readonly_fraction = 0.05;
	cfg.vc_machine.mc_defrag = 1;
	create_steps("in-memory page file, read-only pages, defrag", cfg, NULL, 30);
	snprintf(path, sizeof(path), "/tmp/vmsim-create-%d.pgf", (int)getpid());
	cfg = small_cfg(1);
	cfg.vc_machine.mc_pagefile_path = path;
	create_steps("file-backed page file", cfg, path, 20);
	cfg = small_cfg(0);
	create_steps("no system threads", cfg, NULL, 15);
	test_registry_full();
	test_misuse();
	vm_destroy(live);
	close(extra_fd);
	return check_done("create");
}
