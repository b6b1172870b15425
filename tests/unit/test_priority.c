/*
 * test_priority.c - memory priority and the eight standby lists (vm.h,
 * "Memory priority"; plist.c), on a machine with no system threads so
 * every count is exact: repurposing takes priority 0's standby pages
 * before priority 7's, whatever the order they were trimmed in; a page
 * takes its process's priority as it goes to standby, and keeps its list
 * when the priority changes later; the per-priority counts and the
 * process's priority in stats; bad priorities refused, changing nothing;
 * vm_validate catching a frame on the wrong standby list, a wrong total
 * and a wrong non-empty mask.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

static struct vm_tunables tun;

/* A bare machine of frames and slots (in memory), no system threads. */
static struct vm *machine(uint64_t frames, uint64_t slots)
{
	struct vm_config c;
	char err[256];
	struct vm *vm;

	tun = VM_TUNABLES_DEFAULT;
	tun.vt_start_threads = 0;
	c = vm_config_pages(frames, 0, slots, &tun);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "priority: %s\n", err);
		exit(2);
	}
	return vm;
}

/* A process of pages pages at memory priority prio (as_priority). */
static struct vm_process *proc(struct vm *vm, uint64_t pages, int prio)
{
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	struct vm_process *p;
	char err[256];

	sp.as_virtual = pages * VM_PAGE_SIZE;
	sp.as_priority = prio;
	if (vm_process_create(vm, &sp, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "priority: %s\n", err);
		exit(2);
	}
	return p;
}

/* Pages of p in [lo, hi) whose PTE has format fmt. */
static uint64_t pages_in(struct vm_process *p, uint64_t lo, uint64_t hi, enum pte_fmt fmt)
{
	uint64_t n = 0;

	for (uint64_t v = lo; v < hi; v++)
		n += pte_format(pte_read(p, v)) == fmt;
	return n;
}

/* Trim every page of p to standby (written out first). */
static void to_standby(struct vm *vm, struct vm_process *p)
{
	vm_process_empty_working_set(p);
	vm_flush_modified(vm);
}

/*
 * 16 frames, every one standby: b's (priority 7) trimmed first, a's
 * (priority 0) after, so a single FIFO standby list would give b's up
 * first.  A third process's demand takes a's, oldest first, and only then
 * b's: the PTEs that turn to page-file format say whose.
 */
static void test_lowest_first(void)
{
	struct vm *vm = machine(16, 64);
	struct vm_process *a = proc(vm, 8, 0), *b = proc(vm, 8, VM_PRIORITY_DEFAULT);
	struct vm_process *c = proc(vm, 16, VM_PRIORITY_DEFAULT);
	struct vm_stats s;
	struct vm_process_stats sa, sb;

	CHECK("set: b to 7", vm_process_set_priority(b, 7) == 0 && vm_process_priority(b) == 7 &&
	    vm_process_priority(a) == 0 && vm_process_priority(c) == VM_PRIORITY_DEFAULT);
	vmtest_write_pages(b, 0, 8);
	vmtest_write_pages(a, 0, 8);		/* every frame in use */
	to_standby(vm, b);
	to_standby(vm, a);
	vm_get_stats(vm, &s);
	CHECK("standby: a's on list 0, b's on list 7, the sum the total", s.vs_nstandby == 16 &&
	    s.vs_nstandby_p0 == 8 && s.vs_nstandby_p7 == 8 && s.vs_nstandby_p5 == 0);
	vm_process_get_stats(a, &sa);
	vm_process_get_stats(b, &sb);
	CHECK("stats: each process's priority", sa.ps_priority == 0 && sb.ps_priority == 7);
	CHECK("validate: the lists", vm_validate(vm, stderr, 1) == 0);

	vmtest_write_pages(c, 0, 4);
	CHECK("demand 4: a's first four repurposed", pages_in(a, 0, 4, PTE_FMT_PGF) == 4 &&
	    pages_in(a, 4, 8, PTE_FMT_TRANS) == 4);
	CHECK("demand 4: b's all still standby", pages_in(b, 0, 8, PTE_FMT_TRANS) == 8);
	vmtest_write_pages(c, 4, 8);
	CHECK("demand 8: all of a's gone, b's kept", pages_in(a, 0, 8, PTE_FMT_PGF) == 8 &&
	    pages_in(b, 0, 8, PTE_FMT_TRANS) == 8);
	vm_get_stats(vm, &s);
	CHECK("demand 8: list 0 empty, list 7 full", s.vs_nstandby_p0 == 0 &&
	    s.vs_nstandby_p7 == 8 && s.vs_nstandby == 8);
	vmtest_write_pages(c, 8, 10);
	CHECK("demand 10: then b's, oldest first", pages_in(b, 0, 2, PTE_FMT_PGF) == 2 &&
	    pages_in(b, 2, 8, PTE_FMT_TRANS) == 6);
	CHECK("validate: after", vm_validate(vm, stderr, 1) == 0);
	to_standby(vm, c);
	CHECK("bytes: a's own", vmtest_bad_pages(a, 0, 8) == 0);
	to_standby(vm, a);
	CHECK("bytes: b's own", vmtest_bad_pages(b, 0, 8) == 0);
	to_standby(vm, b);
	CHECK("bytes: c's own", vmtest_bad_pages(c, 0, 10) == 0);
	vm_destroy(vm);
}

/*
 * A page takes the priority its process has when it goes to standby: one
 * already there stays on its list; one trimmed after the change goes to
 * the new one.  The zero-page path (vm_purge_standby) empties all eight.
 */
static void test_change(void)
{
	struct vm *vm = machine(16, 64);
	struct vm_process *a = proc(vm, 8, 6);
	struct vm_stats s;

	vmtest_write_pages(a, 0, 8);
	to_standby(vm, a);
	CHECK("change: to 2", vm_process_set_priority(a, 2) == 0 && vm_process_priority(a) == 2);
	vm_get_stats(vm, &s);
	CHECK("change: standby pages keep list 6", s.vs_nstandby_p6 == 8 && s.vs_nstandby_p2 == 0);
	CHECK("change: soft faults take 3 back", vmtest_bad_pages(a, 0, 3) == 0);
	vm_get_stats(vm, &s);
	CHECK("change: unlinked from list 6", s.vs_nstandby_p6 == 5 && s.vs_nstandby == 5);
	to_standby(vm, a);
	vm_get_stats(vm, &s);
	CHECK("change: trimmed again, to list 2", s.vs_nstandby_p6 == 5 && s.vs_nstandby_p2 == 3);
	CHECK("change: valid", vm_validate(vm, stderr, 1) == 0);
	CHECK("refused: 8 and -1, priority kept", vm_process_set_priority(a, 8) == VM_EINVAL &&
	    vm_process_set_priority(a, -1) == VM_EINVAL && vm_process_priority(a) == 2);
	CHECK("purge: every list emptied", vm_purge_standby(vm) == 8);
	vm_get_stats(vm, &s);
	CHECK("purge: counts zero", s.vs_nstandby == 0 && s.vs_nstandby_p2 == 0 && s.vs_nstandby_p6 == 0);
	CHECK("purge: bytes back by hard faults", vmtest_bad_pages(a, 0, 8) == 0);
	vm_destroy(vm);
}

/* A bad as_priority is refused with one line, and nothing is created. */
static void test_config(void)
{
	struct vm *vm = machine(16, 64);
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	struct vm_config c = VM_CONFIG_DEFAULT;
	struct vm_process *p = NULL;
	char err[256] = "";

	CHECK("config: the default is 5", sp.as_priority == 5 && VM_PRIORITY_DEFAULT == 5);
	sp.as_virtual = 8 * VM_PAGE_SIZE;
	sp.as_priority = 8;
	CHECK("config: 8 refused", vm_process_create(vm, &sp, &p, err, sizeof(err)) == VM_EINVAL &&
	    p == NULL && strstr(err, "priority") != NULL && vm_committed(vm) == 0);
	c.vc_space.as_priority = -1;
	CHECK("config: vm_config_check refuses -1", vm_config_check(&c, err, sizeof(err)) == VM_EINVAL);
	vm_destroy(vm);
}

/* vm_validate: a standby frame whose priority is not its list's. */
static void test_validate(void)
{
	struct vm *vm = machine(16, 64);
	struct vm_process *a = proc(vm, 8, 3);
	struct pfn *pf;

	vmtest_write_pages(a, 0, 4);
	to_standby(vm, a);
	pf = &vm->vm_pfns[vm->vm_standby[3].pl_head];
	CHECK("validate: a's pages on list 3", plist_standby_count(vm, 3) == 4 &&
	    pf->pf_priority == 3 && vm_validate(vm, NULL, 1) == 0);
	pf->pf_priority = 4;
	CHECK("validate: wrong priority caught", vm_validate(vm, NULL, 1) != 0);
	pf->pf_priority = 3;
	atomic_fetch_add(&vm->vm_lists[PFN_STATE_STANDBY].pl_count, 1);
	CHECK("validate: total count off caught", vm_validate(vm, NULL, 1) != 0);
	atomic_fetch_sub(&vm->vm_lists[PFN_STATE_STANDBY].pl_count, 1);
	CHECK("validate: the mask names list 3 only", atomic_load(&vm->vm_standby_mask) == 1u << 3);
	atomic_fetch_or(&vm->vm_standby_mask, 1u << 1);
	CHECK("validate: a mask bit of an empty list caught", vm_validate(vm, NULL, 1) != 0);
	atomic_fetch_and(&vm->vm_standby_mask, ~(1u << 1));
	CHECK("validate: repaired", vm_validate(vm, NULL, 1) == 0);
	vm_destroy(vm);
}

int main(void)
{
	vmtest_watchdog("priority", 120);
	test_lowest_first();
	test_change();
	test_config();
	test_validate();
	return check_done("priority");
}
