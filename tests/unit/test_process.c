/*
 * test_process.c - processes on one machine (vm.h, "Processes"), with no
 * system threads, so every count is exact: a bare machine; processes'
 * regions, names and per-process statistics; a standby frame repurposed
 * from one process to another, each page's bytes still its own; the
 * commit limit refusing with the arithmetic and changing nothing; the
 * limit of processes; vm_process_destroy giving back every frame and slot
 * while another process keeps its pages; vm_validate catching a broken
 * owner link and a wrong resident count.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

static struct vm_tunables tun;

/* A bare machine of frames and slots (in memory), no system threads (or,
 * machine_threads, with them). */
static struct vm *machine_threads(uint64_t frames, uint64_t slots, int threads)
{
	struct vm_config c;
	char err[256];
	struct vm *vm;

	tun = VM_TUNABLES_DEFAULT;
	tun.vt_start_threads = threads;
	c = vm_config_pages(frames, 0, slots, &tun);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "process: %s\n", err);
		exit(2);
	}
	return vm;
}

static struct vm *machine(uint64_t frames, uint64_t slots)
{
	return machine_threads(frames, slots, 0);
}

static struct vm_process *proc(struct vm *vm, uint64_t pages, const char *name)
{
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	struct vm_process *p;
	char err[256];

	sp.as_virtual = pages * VM_PAGE_SIZE;
	sp.as_name = name;
	if (vm_process_create(vm, &sp, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "process: %s\n", err);
		exit(2);
	}
	return p;
}

static uint64_t available(struct vm *vm)
{
	struct vm_stats s;

	vm_get_stats(vm, &s);
	return s.vs_nzeroed + s.vs_nfree + s.vs_nstandby;
}

static void test_bare_and_stats(void)
{
	struct vm *vm = machine(64, 64);
	struct vm_process *a, *b, *c;
	struct vm_process_stats sa, sb;

	CHECK("bare: no default process", vm_default_process(vm) == NULL &&
	    vm_base(vm) == NULL && vm_npages(vm) == 0);
	CHECK("bare: commit limit physical + page file, nothing charged",
	    vm_commit_limit(vm) == 128 * VM_PAGE_SIZE && vm_committed(vm) == 0);
	a = proc(vm, 16, "alpha");
	b = proc(vm, 32, NULL);
	c = proc(vm, 8, "a-name-much-longer-than-thirty-one-bytes");
	CHECK("create: names", strcmp(vm_process_name(a), "alpha") == 0 &&
	    strcmp(vm_process_name(b), "p1") == 0 &&
	    strcmp(vm_process_name(c), "a-name-much-longer-than-thirty-") == 0);
	CHECK("create: regions apart, sizes", vm_process_npages(a) == 16 &&
	    vm_process_npages(b) == 32 && vm_process_base(a) != vm_process_base(b) &&
	    vm_process_machine(b) == vm);
	CHECK("create: charged", vm_committed(vm) == 56 * VM_PAGE_SIZE);
	vmtest_write_pages(a, 0, 10);
	vmtest_write_pages(b, 0, 20);
	CHECK("stamps: every page its own", vmtest_bad_pages(a, 0, 10) == 0 && vmtest_bad_pages(b, 0, 20) == 0);
	vm_process_get_stats(a, &sa);
	vm_process_get_stats(b, &sb);
	CHECK("stats: demand-zero faults per process", sa.ps_faults_dz == 10 && sb.ps_faults_dz == 20);
	CHECK("stats: resident and peak", sa.ps_resident == 10 && sa.ps_resident_peak == 10 &&
	    sb.ps_resident == 20);
	CHECK("stats: size and charge", sb.ps_virtual_pages == 32 &&
	    sb.ps_committed_bytes == 32 * VM_PAGE_SIZE);
	CHECK("stats: trimmed from b", vm_process_empty_working_set(b) == 20);
	vm_process_get_stats(a, &sa);
	vm_process_get_stats(b, &sb);
	CHECK("stats: b trimmed, a untouched", sb.ps_trimmed == 20 && sb.ps_resident == 0 &&
	    sb.ps_resident_peak == 20 && sa.ps_trimmed == 0 && sa.ps_resident == 10);
	CHECK("stats: a soft fault", vmtest_bad_pages(b, 0, 1) == 0);
	vm_process_get_stats(b, &sb);
	CHECK("stats: counted as soft", sb.ps_faults_soft == 1 && sb.ps_faults_soft_modified == 1);
	CHECK("validate: three processes", vm_validate(vm, stderr, 1) == 0);
	vm_process_destroy(c);
	CHECK("destroy: charge released", vm_committed(vm) == 48 * VM_PAGE_SIZE);
	vm_destroy(vm);		/* with a and b still there */
}

/*
 * Frames of a trimmed, written-out page of a are repurposed for b: a's PTE
 * goes to page-file format, b's page is zero, and a reads its own bytes
 * back by a hard fault.
 */
static void test_cross_repurpose(void)
{
	struct vm *vm = machine(16, 64);
	struct vm_process *a = proc(vm, 16, "a"), *b = proc(vm, 16, "b");
	struct vm_stats s0, s1;
	struct vm_process_stats sa;

	vmtest_write_pages(a, 0, 16);		/* every frame a's */
	vm_process_empty_working_set(a);
	vm_flush_modified(vm);		/* all 16 standby, with slots */
	vm_get_stats(vm, &s0);
	CHECK("repurpose: a's frames all standby", s0.vs_nstandby == 16);
	vmtest_write_pages(b, 0, 4);
	vm_get_stats(vm, &s1);
	CHECK("repurpose: b's faults took a's frames", s1.vs_repurposed_cross - s0.vs_repurposed_cross == 4 &&
	    s1.vs_repurposed - s0.vs_repurposed == 4);
	CHECK("repurpose: b reads its own", vmtest_bad_pages(b, 0, 4) == 0);
	CHECK("repurpose: valid meanwhile", vm_validate(vm, stderr, 1) == 0);
	vm_process_empty_working_set(b);	/* b's 4 frames to standby too */
	vm_flush_modified(vm);
	CHECK("repurpose: a reads its own", vmtest_bad_pages(a, 0, 16) == 0);
	vm_process_get_stats(a, &sa);
	CHECK("repurpose: a's lost frames came back hard", sa.ps_faults_hard >= 4 &&
	    sa.ps_faults_hard + sa.ps_faults_soft_standby >= 16);
	vm_process_empty_working_set(a);
	vm_flush_modified(vm);
	CHECK("repurpose: b reads its own again", vmtest_bad_pages(b, 0, 4) == 0);
	CHECK("repurpose: valid after", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

static void test_commit(void)
{
	struct vm *vm = machine(32, 32);	/* limit 256K */
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	struct vm_process *a = proc(vm, 16, "a"), *b = proc(vm, 16, "b"), *c = NULL;
	struct vm_stats s0, s1;
	char err[256];
	int rc;

	vmtest_write_pages(a, 0, 8);
	vm_get_stats(vm, &s0);
	sp.as_virtual = 48 * VM_PAGE_SIZE;
	rc = vm_process_create(vm, &sp, &c, err, sizeof(err));
	CHECK("commit: refused", rc == VM_ECOMMIT && c == NULL);
	CHECK("commit: the arithmetic", strcmp(err, "commit limit 256K (128K physical + 128K page "
	    "file): 128K committed by 2 processes, 192K more asked") == 0);
	if (rc != VM_ECOMMIT)
		fprintf(stderr, "commit: %d %s\n", rc, err);
	vm_get_stats(vm, &s1);
	CHECK("commit: nothing changed", vm_committed(vm) == 128 * 1024 &&
	    memcmp(&s0, &s1, sizeof(s0)) == 0 && vmtest_bad_pages(a, 0, 8) == 0);
	CHECK("commit: valid", vm_validate(vm, stderr, 1) == 0);
	sp.as_virtual = 32 * VM_PAGE_SIZE;	/* exactly what is left */
	CHECK("commit: exactly the limit fits", vm_process_create(vm, &sp, &c, err, sizeof(err)) == 0);
	CHECK("commit: at the limit", vm_committed(vm) == vm_commit_limit(vm));
	sp.as_virtual = VM_PAGE_SIZE;
	CHECK("commit: one page more refused", vm_process_create(vm, &sp, &c, err, sizeof(err)) ==
	    VM_ECOMMIT && strstr(err, "256K committed by 3 processes, 4K more asked") != NULL);
	vm_process_destroy(b);
	sp.as_virtual = 16 * VM_PAGE_SIZE;
	CHECK("commit: b's charge back for a new one", vm_process_create(vm, &sp, &c, err,
	    sizeof(err)) == 0 && vm_committed(vm) == vm_commit_limit(vm));
	vm_destroy(vm);
}

static void test_limit(void)
{
	struct vm *vm = machine(VM_MAX_PROCESSES, VM_MAX_PROCESSES);
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	static struct vm_process *ps[VM_MAX_PROCESSES];
	struct vm_process *extra = NULL;
	char err[256];
	int made = 0, rc;

	sp.as_virtual = VM_PAGE_SIZE;
	for (int i = 0; i < VM_MAX_PROCESSES; i++)
		made += vm_process_create(vm, &sp, &ps[i], err, sizeof(err)) == 0;
	CHECK("limit: VM_MAX_PROCESSES created", made == VM_MAX_PROCESSES);
	if (made != VM_MAX_PROCESSES)
		fprintf(stderr, "limit: %s\n", err);
	rc = vm_process_create(vm, &sp, &extra, err, sizeof(err));
	CHECK("limit: one more refused", rc == VM_EINVAL && extra == NULL &&
	    strstr(err, "at most 1024 processes per machine") != NULL);
	vmtest_write_pages(ps[VM_MAX_PROCESSES - 1], 0, 1);
	CHECK("limit: the last one works", vmtest_bad_pages(ps[VM_MAX_PROCESSES - 1], 0, 1) == 0);
	vm_process_destroy(ps[7]);
	CHECK("limit: a slot freed is used again", vm_process_create(vm, &sp, &extra, err,
	    sizeof(err)) == 0 && extra->ps_id == 7);
	CHECK("limit: valid", vm_validate(vm, stderr, 0) == 0);
	vm_destroy(vm);
}

/* Destroy gives back every frame and slot: available frames and slots in
 * use are back where they were before the process, the other untouched. */
static void test_destroy_releases(void)
{
	struct vm *vm = machine(64, 128);
	struct vm_process *a = proc(vm, 32, "a"), *b;
	struct vm_stats s0, s1, s2;
	uint64_t avail0;

	vmtest_write_pages(a, 0, 8);
	vm_get_stats(vm, &s0);
	avail0 = available(vm);
	b = proc(vm, 64, "b");
	vmtest_write_pages(b, 0, 48);
	vm_process_empty_working_set(b);
	vm_flush_modified(vm);
	vm_purge_standby(vm);			/* b's pages only in the page file */
	CHECK("destroy: b's back hard", vmtest_bad_pages(b, 0, 8) == 0);	/* active, with slots */
	vm_process_empty_working_set(b);	/* 0-7 standby */
	CHECK("destroy: b's back soft", vmtest_bad_pages(b, 0, 4) == 0);	/* 0-3 active */
	for (uint64_t v = 4; v < 6; v++)	/* 4-5 active, written (word 1 changes) */
		((volatile uint64_t *)vm_process_base(b))[v * VM_PAGE_SIZE / 8 + 1] = v;
	vm_process_empty_working_set(b);	/* 4-5 modified, the rest standby */
	CHECK("destroy: again", vmtest_bad_pages(b, 0, 2) == 0);	/* 0-1 active */
	vm_get_stats(vm, &s1);
	CHECK("destroy: b holds frames of every kind and slots", s1.vs_nmodified == 2 &&
	    s1.vs_nstandby == 4 && s1.vs_pgf_used > s0.vs_pgf_used + 40);
	CHECK("destroy: valid before", vm_validate(vm, stderr, 1) == 0);
	vm_process_destroy(b);
	vm_get_stats(vm, &s2);
	CHECK("destroy: free + zeroed + standby back", available(vm) == avail0);
	CHECK("destroy: page-file slots back", s2.vs_pgf_used == s0.vs_pgf_used);
	CHECK("destroy: counted", s2.vs_proc_freed == 8);	/* 0-1, 4-5 active; 2-3, 6-7 lists */
	CHECK("destroy: a untouched", vmtest_bad_pages(a, 0, 8) == 0 && s2.vs_nactive == 8);
	CHECK("destroy: charge back", vm_committed(vm) == 32 * VM_PAGE_SIZE);
	CHECK("destroy: valid after", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* vm_validate checks every owner link and every resident count. */
static void test_validate_owner(void)
{
	struct vm *vm = machine(32, 32);
	struct vm_process *a = proc(vm, 16, "a"), *b = proc(vm, 16, "b");
	char rep[4096];
	FILE *f;
	struct pfn *pf;
	uint64_t slot;
	uint16_t id;
	long n;

	vmtest_write_pages(a, 0, 4);
	vmtest_write_pages(b, 0, 4);
	CHECK("owner: valid", vm_validate(vm, stderr, 1) == 0);
	pf = &vm->vm_pfns[pte_payload(pte_read(a, 2))];
	id = pf->pf_proc;
	pf->pf_proc = 77;		/* no such process */
	f = fmemopen(rep, sizeof(rep), "w");
	n = vm_validate(vm, f, 1);
	fclose(f);
	CHECK("owner: a process that is gone", n > 0 &&
	    strstr(rep, "owned by process 77, which does not exist") != NULL);
	pf->pf_proc = b->ps_id;		/* b's page 2 is another frame */
	f = fmemopen(rep, sizeof(rep), "w");
	n = vm_validate(vm, f, 1);
	fclose(f);
	CHECK("owner: another process's page", n > 0 && strstr(rep, "does not name it back") != NULL);
	pf->pf_proc = id;
	CHECK("owner: restored", vm_validate(vm, stderr, 1) == 0);
	atomic_fetch_add(&b->ps_resident, 1);
	f = fmemopen(rep, sizeof(rep), "w");
	n = vm_validate(vm, f, 1);
	fclose(f);
	CHECK("owner: resident count", n == 2 && strstr(rep, "resident count 5, 4 valid PTEs") != NULL &&
	    strstr(rep, "working-set list of 4 entries") != NULL);
	atomic_fetch_sub(&b->ps_resident, 1);
	vm_process_empty_working_set(a);
	vm_flush_modified(vm);
	vm_purge_standby(vm);		/* a's pages only in the page file */
	slot = pte_payload(pte_read(a, 1));
	CHECK("owner: a page-file PTE", pte_format(pte_read(a, 1)) == PTE_FMT_PGF &&
	    vm_validate(vm, stderr, 1) == 0);
	atomic_store(&vm->vm_pgf.pg_owner[slot], vm_owner_key(77, 1));
	f = fmemopen(rep, sizeof(rep), "w");
	n = vm_validate(vm, f, 1);
	fclose(f);
	CHECK("owner: a slot of a process that is gone", n > 0 &&
	    strstr(rep, "owned by process 77, which does not exist") != NULL);
	atomic_store(&vm->vm_pgf.pg_owner[slot], vm_owner_key(a->ps_id, 1));
	CHECK("owner: slot restored", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/*
 * The trimmer takes from the process with the most resident pages; when it
 * has nothing to take (every page locked) it must go on to the next, even
 * one with as many resident pages.  Every frame is held: a's 8 locked, b's 8
 * not; b's next page needs one of b's frames trimmed.  (The first version
 * skipped a process tied with the one that had nothing, and hung here.)
 */
static void test_trim_tie(void)
{
	struct vm *vm = machine_threads(16, 64, 1);
	struct vm_process *a = proc(vm, 16, "a"), *b = proc(vm, 16, "b");
	int rc;

	vmtest_write_pages(a, 0, 8);
	rc = vm_lock_pages(vm, vm_process_base(a), 8 * VM_PAGE_SIZE);
	CHECK("tie: a's 8 pages locked (the limit)", rc == 0 && vm_lock_limit(vm) == 8);
	vmtest_write_pages(b, 0, 12);		/* more than the 8 frames left */
	CHECK("tie: b got its pages from its own trimmed frames", vmtest_bad_pages(b, 0, 12) == 0 &&
	    vmtest_bad_pages(a, 0, 8) == 0);
	vm_unlock_pages(vm, vm_process_base(a), 8 * VM_PAGE_SIZE);
	vm_destroy(vm);
}

int main(void)
{
	vmtest_watchdog("process", 120);
	test_bare_and_stats();
	test_cross_repurpose();
	test_commit();
	test_limit();
	test_destroy_releases();
	test_validate_owner();
	test_trim_tie();
	return check_done("process");
}
