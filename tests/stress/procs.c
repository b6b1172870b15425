/*
 * procs.c - many processes on one machine, under load: every process's
 * user threads fault on its own region while the trimmer, writer and zero
 * thread serve them all from few frames, so frames are repurposed from one
 * process to another.  Every access is verified, with stamps that name
 * (process, page): a frame handed to the wrong process is a wrong page.
 * After each round the machine is paused and validated (every owner link,
 * every process's resident count).
 *
 * usage: procs NAME MODE NPROCS THREADS FRAMES PAGES PGF ROUNDS ACCESSES [KEY=VALUE...]
 *   MODE share  every process runs every round, ACCESSES each
 *   MODE churn  each round one process ends under load: its threads stop
 *               after ACCESSES / 4, and vm_process_destroy runs while the
 *               others' threads keep faulting; a new process takes its
 *               place and makes ACCESSES; then the others stop
 *   PAGES is each process's region; the commit limit FRAMES + PGF must
 *   hold NPROCS of them.  KEYs: policy=aging|fifo|random, workload=runs|
 *   uniform|zipf, defrag=0|1, write=R, priority=fixed|change: process
 *   slot i at memory priority 7 * i / (NPROCS - 1), so they spread over
 *   the eight standby lists; `change' also moves every process's priority
 *   up one (mod 8) while its threads run, each round.
 * Prints "NAME: N passed, N failed": one check per round (validation and
 * verification of every process; with priority=, the eight standby
 * counts add up to the total and, fixed, only the processes' priorities'
 * lists hold pages), and at the end: frames were repurposed
 * across processes (share), every destroy happened while the others ran
 * and freed frames (churn), the commit charge is the live processes'.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_sim.h"
#include "workload.h"

#define PROCS_MAX 16

struct slot {
	struct vm_process *sl_proc;
	struct wl_config sl_cfg;
	struct wl_shared sl_sh;
	pthread_t sl_tid[WL_MAX_THREADS];
	int sl_started;
	bool sl_live;
};

static struct vm *vm;
static struct slot slots[PROCS_MAX];
static struct wl_config base_cfg;
static struct vm_space_config base_space;
static uint64_t next_tag = 1;
static const char *name;
static int procs_n;		/* NPROCS */
static enum { PRIO_NONE, PRIO_FIXED, PRIO_CHANGE } prio_mode;

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", name, what);
	exit(2);
}

/* A new process in slot i, with a tag no live or earlier process had. */
static void slot_create(int i)
{
	struct slot *sl = &slots[i];
	char err[256], pname[32];

	sl->sl_cfg = base_cfg;
	sl->sl_cfg.wc_tag = next_tag++;
	sl->sl_cfg.wc_seed = base_cfg.wc_seed + sl->sl_cfg.wc_tag * 7919;
	snprintf(pname, sizeof(pname), "proc%llu", (unsigned long long)sl->sl_cfg.wc_tag);
	base_space.as_name = pname;
	if (prio_mode != PRIO_NONE)
		base_space.as_priority = 7 * i / (procs_n - 1);
	if (vm_process_create(vm, &base_space, &sl->sl_proc, err, sizeof(err)) != 0)
		die(err);
	if (wl_init_process(&sl->sl_sh, sl->sl_proc, &sl->sl_cfg) != 0)
		die("out of memory");
	sl->sl_live = true;
}

/* Start slot i's threads, each for quota accesses (UINT64_MAX: until stopped). */
static void slot_start(int i, uint64_t quota)
{
	struct slot *sl = &slots[i];

	atomic_store(&sl->sl_sh.ws_stop, 0);
	for (sl->sl_started = 0; sl->sl_started < sl->sl_cfg.wc_threads; sl->sl_started++) {
		sl->sl_sh.ws_threads[sl->sl_started].wt_quota = quota;
		if (pthread_create(&sl->sl_tid[sl->sl_started], NULL, wl_thread_main,
		    &sl->sl_sh.ws_threads[sl->sl_started]) != 0)
			die("cannot start a user thread");
	}
}

static void slot_join(int i, bool stop)
{
	struct slot *sl = &slots[i];

	if (stop)
		atomic_store(&sl->sl_sh.ws_stop, 1);
	for (int t = 0; t < sl->sl_started; t++)
		pthread_join(sl->sl_tid[t], NULL);
	sl->sl_started = 0;
}

/* The process in slot i fails verification? */
static bool slot_bad(int i, int round)
{
	struct wl_counts c;

	wl_sum(&slots[i].sl_sh, &c);
	if (wl_failures(&c) == 0)
		return false;
	fprintf(stderr, "%s: round %d: %s: %llu wrong page, %llu zeroed, %llu lost writes\n",
	    name, round, vm_process_name(slots[i].sl_proc), (unsigned long long)c.wt_wrong_page,
	    (unsigned long long)c.wt_zeroed, (unsigned long long)c.wt_lost_write);
	return true;
}

/* While paused: the eight standby lists add up to the total, and (fixed
 * priorities) only the lists of the processes' priorities hold pages. */
static bool prio_lists_ok(int round)
{
	struct vm_stats st;
	uint64_t sum = 0;
	unsigned used = 0;

	vm_get_stats(vm, &st);
	const uint64_t by[VM_PRIORITIES] = { st.vs_nstandby_p0, st.vs_nstandby_p1,
	    st.vs_nstandby_p2, st.vs_nstandby_p3, st.vs_nstandby_p4, st.vs_nstandby_p5,
	    st.vs_nstandby_p6, st.vs_nstandby_p7 };
	for (int i = 0; i < procs_n; i++)
		used |= 1u << vm_process_priority(slots[i].sl_proc);
	for (int prio = 0; prio < VM_PRIORITIES; prio++) {
		sum += by[prio];
		if (prio_mode == PRIO_FIXED && by[prio] != 0 && !(used & (1u << prio))) {
			fprintf(stderr, "%s: round %d: %llu pages on standby list %d, no process's\n",
			    name, round, (unsigned long long)by[prio], prio);
			return false;
		}
	}
	if (sum != st.vs_nstandby)
		fprintf(stderr, "%s: round %d: standby lists hold %llu, total %llu\n", name, round,
		    (unsigned long long)sum, (unsigned long long)st.vs_nstandby);
	return sum == st.vs_nstandby;
}

/* Each process's priority up one (mod 8), while its threads may run. */
static void prio_change(void)
{
	for (int i = 0; i < procs_n; i++)
		if (slots[i].sl_live &&
		    vm_process_set_priority(slots[i].sl_proc,
		    (vm_process_priority(slots[i].sl_proc) + 1) % VM_PRIORITIES) != 0)
			die("vm_process_set_priority refused 0-7");
}

/* After a round: valid, and every live process verified. */
static bool round_ok(int nprocs, int round)
{
	bool ok = true;
	long bad;

	vm_pause(vm);
	bad = vm_validate(vm, stderr, VM_DEBUG >= 2);
	if (prio_mode != PRIO_NONE && !prio_lists_ok(round))
		bad++;
	vm_resume(vm);
	if (bad != 0) {
		fprintf(stderr, "%s: round %d: %ld invalid\n", name, round, bad);
		ok = false;
	}
	for (int i = 0; i < nprocs; i++)
		ok &= !slot_bad(i, round);
	return ok;
}

static void slot_destroy(int i)
{
	wl_destroy(&slots[i].sl_sh);
	vm_process_destroy(slots[i].sl_proc);
	slots[i].sl_live = false;
}

/*
 * One churn round: victim v ends under load and is replaced.  Returns
 * whether the destroy ran while every other process's threads were still
 * running (they run until stopped, so only a failure stops them early).
 */
static bool churn_round(int nprocs, int v, uint64_t quota, bool *verified)
{
	bool under_load = true;

	for (int i = 0; i < nprocs; i++)
		if (i != v)
			slot_start(i, UINT64_MAX);
	slot_start(v, quota / 4 + 1);
	if (prio_mode == PRIO_CHANGE)
		prio_change();
	slot_join(v, false);
	*verified = !slot_bad(v, -1);
	slot_destroy(v);
	for (int i = 0; i < nprocs; i++) {
		if (i != v && atomic_load(&slots[i].sl_sh.ws_stop))
			under_load = false;
	}
	slot_create(v);
	slot_start(v, quota);
	slot_join(v, false);
	for (int i = 0; i < nprocs; i++)
		if (i != v)
			slot_join(i, true);
	return under_load;
}

static void parse_key(const char *kv, struct vm_config *mc)
{
	static const char *const pol[] = { "aging", "fifo", "random" };
	static const char *const kinds[] = { "runs", "uniform", "zipf" };

	for (int i = 0; i < 3; i++) {
		char k[32];
		snprintf(k, sizeof(k), "policy=%s", pol[i]);
		if (strcmp(kv, k) == 0) {
			base_space.as_trim_policy = (enum vm_trim_policy)i;
			return;
		}
		snprintf(k, sizeof(k), "workload=%s", kinds[i]);
		if (strcmp(kv, k) == 0) {
			base_cfg.wc_kind = (enum wl_kind)i;
			return;
		}
	}
	if (strncmp(kv, "defrag=", 7) == 0)
		mc->vc_machine.mc_defrag = atoi(kv + 7);
	else if (strncmp(kv, "write=", 6) == 0)
		base_cfg.wc_write_ratio = atof(kv + 6);
	else if (strcmp(kv, "priority=fixed") == 0)
		prio_mode = PRIO_FIXED;
	else if (strcmp(kv, "priority=change") == 0)
		prio_mode = PRIO_CHANGE;
	else
		die("unknown KEY=VALUE");
}

int main(int argc, char **argv)
{
	static struct vm_tunables tun;
	struct vm_config mc;
	struct vm_stats st;
	int nprocs, rounds, pass = 0, fail = 0, under_load = 0;
	uint64_t quota, pages;
	bool churn;
	char err[256];

	if (argc < 10) {
		fprintf(stderr, "usage: procs NAME MODE NPROCS THREADS FRAMES PAGES PGF ROUNDS "
		    "ACCESSES [KEY=VALUE...]\n");
		return 2;
	}
	name = argv[1];
	churn = strcmp(argv[2], "churn") == 0;
	nprocs = procs_n = atoi(argv[3]);
	pages = strtoull(argv[6], NULL, 10);
	rounds = atoi(argv[8]);
	quota = strtoull(argv[9], NULL, 10);
	if ((!churn && strcmp(argv[2], "share") != 0) || nprocs < 2 || nprocs > PROCS_MAX)
		die("MODE is share or churn, NPROCS 2-16");
	base_cfg = (struct wl_config){ .wc_kind = WL_RUNS, .wc_threads = atoi(argv[4]),
	    .wc_write_ratio = 0.5, .wc_seed = 42, .wc_max_run = 16, .wc_zipf_s = 1.0,
	    .wc_phase_len = 2000 };
	if (base_cfg.wc_threads < 1 || base_cfg.wc_threads > WL_MAX_THREADS)
		die("bad THREADS");
	tun = VM_TUNABLES_DEFAULT;
	tun.vt_max_faulters = nprocs * base_cfg.wc_threads;
	mc = vm_config_pages(strtoull(argv[5], NULL, 10), 0, strtoull(argv[7], NULL, 10), &tun);
	base_space = VM_CONFIG_DEFAULT.vc_space;
	base_space.as_virtual = pages * VM_PAGE_SIZE;
	base_space.as_trim_policy = VM_TRIM_AGING;	/* the workload calls vm_process_touch */
	for (int i = 10; i < argc; i++)
		parse_key(argv[i], &mc);
	if (vm_create(&mc, &vm, err, sizeof(err)) != 0)
		die(err);
	for (int i = 0; i < nprocs; i++)
		slot_create(i);
	for (int r = 0; r < rounds; r++) {
		bool verified = true, ok;

		if (churn) {
			under_load += churn_round(nprocs, r % nprocs, quota, &verified);
		} else {
			for (int i = 0; i < nprocs; i++)
				slot_start(i, quota / (uint64_t)base_cfg.wc_threads + 1);
			if (prio_mode == PRIO_CHANGE)
				prio_change();
			for (int i = 0; i < nprocs; i++)
				slot_join(i, false);
		}
		ok = verified && round_ok(nprocs, r);
		pass += ok;
		fail += !ok;
	}
	vm_get_stats(vm, &st);
	fprintf(stderr, "%s: repurposed %llu (%llu across processes), freed by exit %llu, "
	    "trimmed %llu, hard %llu\n", name, (unsigned long long)st.vs_repurposed,
	    (unsigned long long)st.vs_repurposed_cross, (unsigned long long)st.vs_proc_freed,
	    (unsigned long long)st.vs_trimmed, (unsigned long long)st.vs_faults_hard);
	for (int i = 0; i < nprocs && prio_mode != PRIO_NONE; i++) {
		struct vm_process_stats ps;

		vm_process_get_stats(slots[i].sl_proc, &ps);
		fprintf(stderr, "%s: %s: priority %llu, hard %llu, soft from standby %llu\n", name,
		    vm_process_name(slots[i].sl_proc), (unsigned long long)ps.ps_priority,
		    (unsigned long long)ps.ps_faults_hard, (unsigned long long)ps.ps_faults_soft_standby);
	}
	if (churn) {
		bool ok = under_load == rounds && st.vs_proc_freed > 0;
		pass += ok;
		fail += !ok;
		if (!ok)
			fprintf(stderr, "%s: %d of %d destroys under load, %llu frames freed\n", name,
			    under_load, rounds, (unsigned long long)st.vs_proc_freed);
	} else {
		pass += st.vs_repurposed_cross > 0;
		fail += st.vs_repurposed_cross == 0;
	}
	if (vm_committed(vm) == (uint64_t)nprocs * pages * VM_PAGE_SIZE) {
		pass++;
	} else {
		fprintf(stderr, "%s: committed %llu\n", name, (unsigned long long)vm_committed(vm));
		fail++;
	}
	for (int i = 0; i < nprocs; i++)
		slot_destroy(i);
	vm_pause(vm);
	vm_get_stats(vm, &st);
	if (vm_committed(vm) == 0 && st.vs_nactive == 0 && st.vs_nmodified == 0 &&
	    st.vs_nstandby == 0 && vm_validate(vm, stderr, 1) == 0) {
		pass++;
	} else {
		fprintf(stderr, "%s: after every destroy: committed %llu, active %llu, modified %llu,"
		    " standby %llu\n", name, (unsigned long long)vm_committed(vm),
		    (unsigned long long)st.vs_nactive, (unsigned long long)st.vs_nmodified,
		    (unsigned long long)st.vs_nstandby);
		fail++;
	}
	vm_resume(vm);
	vm_destroy(vm);
	printf("%s: %d passed, %d failed\n", name, pass, fail);
	return fail != 0;
}
