/*
 * test_mpw.c - the modified page writer's one batch (mpw_write_batch,
 * src/mpw.c), with no system threads: an empty modified list is nothing to
 * write, never a full page file (the writer would then sleep until a slot
 * is freed, while trims fill the modified list and every faulter waits for
 * a frame: CI saw it, with soft faults emptying the list between the
 * writer's look and its batch); modified pages are written while slots
 * last and go to standby; with the page file full the rest wait, and the
 * writer is told so.
 */
#include <stdlib.h>

#include "check.h"
#include "vmtest.h"

#define NFRAMES 16
#define NPAGES 16
#define NSLOTS 4

static struct vm *machine(void)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config c;
	struct vm *vm;
	char err[256];

	t.vt_start_threads = 0;
	c = vm_config_pages(NFRAMES, NPAGES, NSLOTS, &t);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "mpw: %s\n", err);
		exit(2);
	}
	return vm;
}

static void test_batches(void)
{
	struct vm *vm = machine();
	struct vm_process *p = vm_default_process(vm);
	struct vm_stats s;

	CHECK("nothing modified: nothing to write, not a full page file", mpw_write_batch(vm) == 0);
	vmtest_write_pages(p, 0, 8);
	CHECK("written pages trimmed", vm_process_empty_working_set(p) == 8);
	vm_get_stats(vm, &s);
	CHECK("8 modified (no page-file copy yet)", s.vs_nmodified == 8 && s.vs_nstandby == 0);
	CHECK("a batch takes the 4 slots", mpw_write_batch(vm) == NSLOTS);
	vm_get_stats(vm, &s);
	CHECK("4 written to standby, 4 left", s.vs_nmodified == 4 && s.vs_nstandby == 4 &&
	    s.vs_written == 4);
	CHECK("page file full with pages waiting: -1", mpw_write_batch(vm) == -1);
	vm_get_stats(vm, &s);
	CHECK("nothing lost meanwhile", s.vs_nmodified == 4 && s.vs_nstandby == 4);
	CHECK("every page reads back", vmtest_bad_pages(p, 0, 8) == 0);
	vm_get_stats(vm, &s);
	CHECK("the soft faults emptied the lists", s.vs_nmodified == 0 && s.vs_nstandby == 0);
	CHECK("the list emptied by faults: 0 again, not -1", mpw_write_batch(vm) == 0);
	CHECK("valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

int main(void)
{
	vmtest_watchdog("test_mpw", 60);
	test_batches();
	return check_done("mpw");
}
