/*
 * test_wsm.c - the working-set manager's choices and local replacement,
 * exactly, on a machine with no system threads (docs/DESIGN.md, "Working
 * sets"): processes above their maximum go first, then those above their
 * minimum, the oldest list head first whatever the resident counts, each
 * batch at most down to the tier's floor; below the minimum only when
 * every process is at or below its own; a process at a hard maximum
 * replaces its own oldest pages as it faults and reads every page back.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

static struct vm *machine(uint64_t frames, uint64_t slots)
{
	static struct vm_tunables tun;
	struct vm_config c;
	char err[256];
	struct vm *vm;

	tun = VM_TUNABLES_DEFAULT;
	tun.vt_start_threads = 0;
	c = vm_config_pages(frames, 0, slots, &tun);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "wsm: %s\n", err);
		exit(2);
	}
	return vm;
}

static struct vm_process *proc(struct vm *vm, uint64_t pages, const char *name)
{
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;	/* fifo */
	struct vm_process *p;
	char err[256];

	sp.as_virtual = pages * VM_PAGE_SIZE;
	sp.as_name = name;
	if (vm_process_create(vm, &sp, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "wsm: %s\n", err);
		exit(2);
	}
	return p;
}

static uint64_t resident(struct vm_process *p)
{
	return atomic_load(&p->ps_resident);
}

/* One working-set manager batch, run; returns its process, *n its size. */
static struct vm_process *wsm_step(struct vm *vm, int *n)
{
	struct trim_batch b;

	wsm_collect(vm, &b);
	*n = b.tb_n;
	if (b.tb_n > 0)
		trim_batch_run(&b);
	return b.tb_n > 0 ? b.tb_proc : NULL;
}

static void test_tiers(void)
{
	struct vm *vm = machine(64, 256);
	struct vm_process *a = proc(vm, 64, "a"), *b = proc(vm, 64, "b"), *got;
	uint64_t mn, mx;
	unsigned fl;
	int n;

	vm_process_get_limits(a, &mn, &mx, &fl);
	CHECK("defaults: min(50, frames/16), max(345, frames/4), soft",
	    mn == 4 && mx == 345 && fl == 0);
	vmtest_write_pages(a, 0, 12);	/* a's pages are the oldest */
	vmtest_write_pages(b, 0, 30);	/* b has more */
	got = wsm_step(vm, &n);
	CHECK("above min: the oldest head (a), not the most resident, down to its min",
	    got == a && n == 8 && resident(a) == 4);
	got = wsm_step(vm, &n);
	CHECK("a at its min: b is taken, though a's pages are older",
	    got == b && n == 16 && resident(b) == 14);
	CHECK("set: a's max 2 (soft)", vm_process_set_limits(a, 1, 2, 0) == 0);
	got = wsm_step(vm, &n);
	CHECK("above max first: a, down to its max", got == a && n == 2 &&
	    resident(a) == 2);
	CHECK("set: both at their minimums", vm_process_set_limits(a, 2, 2, 0) == 0 &&
	    vm_process_set_limits(b, 14, 20, 0) == 0);
	vmtest_write_pages(b, 30, 31);	/* b above its min by one, a's head the oldest */
	got = wsm_step(vm, &n);
	CHECK("b above its min by one: one page of b, not a's older ones",
	    got == b && n == 1 && resident(a) == 2);
	got = wsm_step(vm, &n);
	CHECK("every process at its min: the oldest head (a) goes below",
	    got == a && n == 2 && resident(a) == 0);
	CHECK("every page reads back", vmtest_bad_pages(a, 0, 12) == 0 && vmtest_bad_pages(b, 0, 31) == 0);
	vm_pause(vm);
	CHECK("valid", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
}

static void test_hard_max(void)
{
	struct vm *vm = machine(64, 256);
	struct vm_process *p = proc(vm, 64, "h"), *q = proc(vm, 64, "q");
	struct vm_process_stats st;
	bool ok = true;

	CHECK("set: hard max 8", vm_process_set_limits(p, 2, 8, VM_WS_HARD_MAX) == 0);
	for (uint64_t v = 0; v < 20; v++) {
		vmtest_write_pages(p, v, v + 1);
		ok &= resident(p) == (v < 8 ? v + 1 : 8);
	}
	vm_process_get_stats(p, &st);
	CHECK("hard max: resident never above 8 after a fault (one thread)", ok);
	CHECK("hard max: 12 replaced, peak 9 (the max + the one fault in flight)",
	    st.ps_replaced == 12 && st.ps_resident_peak == 9 && st.ps_ws_hard_max == 1 && st.ps_ws_max == 8);
	vmtest_write_pages(q, 0, 20);
	CHECK("another process is not limited", resident(q) == 20);
	CHECK("hard max: every page reads back (each a fault and a replacement)",
	    vmtest_bad_pages(p, 0, 20) == 0 && resident(p) == 8);
	CHECK("soft again: grows", vm_process_set_limits(p, 2, 8, 0) == 0 &&
	    vmtest_bad_pages(p, 0, 20) == 0 && resident(p) == 20);
	CHECK("hard, lowered to 4: the next fault gives back the excess (16, at most 16 a fault)",
	    vm_process_set_limits(p, 2, 4, VM_WS_HARD_MAX) == 0 &&
	    (vmtest_write_pages(p, 20, 21), resident(p) == 5));
	vmtest_write_pages(p, 21, 22);
	CHECK("then the next brings it to 4", resident(p) == 4 && vmtest_bad_pages(p, 0, 22) == 0);
	vm_pause(vm);
	CHECK("valid", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
}

int main(void)
{
	test_tiers();
	test_hard_max();
	return check_done("wsm");
}
