/*
 * trim.c - the working-set trimmer thread, and vm_empty_working_set().
 * Layer 2 (vm_work.h): calls layer 1, trim_policy.c (which pages) and
 * trim_capture.c (how).
 *
 * Woken when available pages (zeroed + free + standby) run low, it trims
 * batches until they are back at the goal: each batch from one process,
 * chosen by the working-set manager (wsm_collect: above max, above min,
 * oldest first) and marked by that process's policy, then captured and
 * finished (trim_batch_run).
 * Aging asks for pages untouched for ps_trim_age sweeps (per process); when a sweep finds
 * candidates but none old enough it falls back to plain CLOCK (age 0), and
 * each batch trimmed raises the age again, up to vm_trim_age_max.
 */
#include "vm_work.h"

/*
 * Trim while available pages, plus the modified pages the writer can turn
 * into standby ones, are below the goal.  A modified page the writer has
 * no free slot for does not count: with the page file full, only a trim of
 * a clean page (or a hard fault that frees its slot) makes progress.
 */
static bool trim_needed(struct vm *vm)
{
	uint64_t mod = plist_count(vm_list(vm, PFN_STATE_MODIFIED));
	uint64_t slots = pgf_writable_count(&vm->vm_pgf);

	return vm_available(vm) + (mod < slots ? mod : slots) < vm->vm_trim_goal;
}

void *trim_thread(void *arg)
{
	struct vm *vm = arg;
	struct trim_batch b;

	vm_thread_name("vm trimmer");
	vm_timeline_thread("trimmer", NULL);
	for (;;) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_trim);
		uint64_t t0, valid;

		if (!vm_parked_check(vm))
			break;
		if (!trim_needed(vm)) {
			ev_wait(&vm->vm_ev_trim, snap, -1);
			continue;
		}
		t0 = vm_now_ns();
		valid = wsm_collect(vm, &b);
		if (tml_on())
			tml_span(VM_TL_TRIM_SELECT, t0, vm_now_ns(), (uint64_t)b.tb_n, 0,
			    b.tb_proc != NULL ? b.tb_proc->ps_tl_name : 0);
		if (b.tb_n > 0) {
			trim_batch_run(&b);
			if (b.tb_proc->ps_trim_age < vm->vm_trim_age_max)
				b.tb_proc->ps_trim_age++;
		} else if (valid > 0 && b.tb_proc->ps_trim_age > 0) {
			/* Pages to trim, none old enough: fall back to plain CLOCK. */
			b.tb_proc->ps_trim_age = 0;
		}
		if (b.tb_n > 0 && tml_on())
			tml_span(VM_TL_TRIM_BATCH, t0, vm_now_ns(), (uint64_t)b.tb_n,
			    (uint32_t)b.tb_clean, b.tb_proc->ps_tl_name);
		vm_stat_add(vm, trimmer_busy_ns, vm_now_ns() - t0);
		/* Nothing mapped (or every page in flight): sleep until asked. */
		if (b.tb_n == 0 && valid == 0)
			ev_wait(&vm->vm_ev_trim, snap, -1);
	}
	return NULL;
}

/* Trim every mapped page of p but the locked ones. */
static uint64_t trim_everything(struct vm_process *p)
{
	struct trim_batch b;
	uint64_t n = 0;

	for (;;) {
		uint64_t valid = trim_collect_from(p, &b, p->ps_vm->vm_trim_batch);
		if (b.tb_n > 0) {
			trim_batch_run(&b);
			n += (uint64_t)b.tb_n;
		} else if (valid == 0) {
			break;
		}
	}
	return n;
}

/*
 * Trim every mapped page of every process but the locked ones now, on the
 * caller's thread (EmptyWorkingSet).  The system threads must be paused:
 * the caller is the trimmer.
 */
uint64_t vm_empty_working_set(struct vm *vm)
{
	uint32_t hw = atomic_load(&vm->vm_nprocs_hw);
	uint64_t n = 0;

	VM_ASSERT(park_quiet(&vm->vm_park));
	vm->vm_trim_everything = true;
	for (uint32_t i = 0; i < hw; i++) {
		struct vm_process *p = vm_proc(vm, i);
		if (p != NULL)
			n += trim_everything(p);
	}
	vm->vm_trim_everything = false;
	return n;
}

/* The same for one process (the system threads paused). */
uint64_t vm_process_empty_working_set(struct vm_process *p)
{
	uint64_t n;

	VM_ASSERT(park_quiet(&p->ps_vm->vm_park));
	p->ps_vm->vm_trim_everything = true;
	n = trim_everything(p);
	p->ps_vm->vm_trim_everything = false;
	return n;
}
