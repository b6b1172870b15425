/*
 * vm_proc.c - the public entry points of processes: vm_process_create,
 * vm_process_destroy and the memory priority (vm.h).  A process is an address space on a machine:
 * built whole (proc_init.c), its region entered in the SIGBUS handler's
 * registry, then in the machine's table with its commit charge; and taken
 * apart while the other processes keep running, by the teardown protocol
 * of vm_lock.h ("Process teardown").
 *
 * Layer 4 (vm_sigbus.h): calls layers 0-3 and vm_sigbus.c; vm.c calls it
 * for the default process.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "vm_sigbus.h"

/*
 * Create a process on vm from sp (vm.h).  The whole creation runs under
 * the table mutex, so the index and the commit charge it checked are still
 * there when it is entered.  A failure at any step leaves the machine and
 * its other processes as they were (proc_build unwinds).
 */
int vm_process_create(struct vm *vm, const struct vm_space_config *sp, struct vm_process **out,
    char *err, size_t errlen)
{
	struct vm_process *p = NULL;
	sigset_t blocked;
	unsigned id;
	int rc;

	*out = NULL;
	if (vm->vm_pid != getpid())
		vm_misuse("vm_process_create in a fork() child on a machine of its parent");
	if ((rc = vm_space_check(sp, err, errlen)) != 0)
		return rc;
	if (pthread_sigmask(SIG_BLOCK, NULL, &blocked) == 0 && sigismember(&blocked, SIGBUS) == 1) {
		snprintf(err, errlen, "SIGBUS is blocked in the calling thread: vmsim resolves "
		    "faults in a SIGBUS handler; unblock it in every thread that touches a region");
		return VM_EINVAL;
	}
	if (!vm_handler_ours()) {
		snprintf(err, errlen, "%s", vm_handler_gone);
		return VM_EINVAL;
	}
	lk_assert_none_held();	/* vm_proc_mtx is outermost (vm_lock.h) */
	pthread_mutex_lock(&vm->vm_proc_mtx);
	if ((rc = proc_table_reserve(vm, sp->as_virtual, &id, err, errlen)) != 0)
		goto out_unlock;
	if ((rc = proc_build(vm, sp, id, true, &p, err, errlen)) != 0)
		goto out_unlock;
	if (vm_register_process(p) != 0) {
		snprintf(err, errlen, "more than %d process regions in one Linux process",
		    VM_MAX_REGIONS);
		proc_free_pages(p);	/* its read-only pages' slots */
		proc_free(p);
		rc = VM_EINVAL;
		goto out_unlock;
	}
	proc_table_add(vm, p);
	*out = p;
out_unlock:
	pthread_mutex_unlock(&vm->vm_proc_mtx);
	return rc;
}

/*
 * Destroy process p while the rest of its machine runs (vm_lock.h,
 * "Process teardown", is the protocol and why each step is safe):
 * unregister its region; park the system threads (nesting with a user's
 * vm_pause); give every frame and slot it holds back (proc_free_pages);
 * take it out of the table and release its commit charge; let the system
 * threads go; free it.  No thread may be touching its region.
 */
void vm_process_destroy(struct vm_process *p)
{
	struct vm *vm;
	int n;

	if (p == NULL)
		return;
	/* Compares the pointer only: a destroyed process is never dereferenced. */
	if (!vm_process_registered(p))
		vm_misuse("vm_process_destroy(%p): not a live process (destroyed already?)",
		    (void *)p);
	vm = p->ps_vm;
	if (vm->vm_pid != getpid())
		return;		/* a fork() child: its parent's memory is not here */
	if (VM_DEBUG && (n = atomic_load(&p->ps_dbg_faulting)) != 0)
		vm_misuse("vm_process_destroy(%s) while %d thread(s) are inside a fault on its "
		    "region", p->ps_name, n);
	vm_unregister_process(p);
	vm_threads_pause(vm);
	vm_stat_add(vm, proc_freed, proc_free_pages(p));
	lk_assert_none_held();	/* vm_proc_mtx is outermost (vm_lock.h) */
	pthread_mutex_lock(&vm->vm_proc_mtx);
	proc_table_remove(vm, p);
	pthread_mutex_unlock(&vm->vm_proc_mtx);
	vm_threads_resume(vm);
	proc_free(p);
}

/*
 * Memory priority (vm.h): a relaxed store the standby transition reads
 * under the frame's PFN lock (pfn_set_state); no page moves.
 */
int vm_process_set_priority(struct vm_process *p, int prio)
{
	if (prio < 0 || prio >= VM_PRIORITIES)
		return VM_EINVAL;
	atomic_store_explicit(&p->ps_priority, (uint8_t)prio, memory_order_relaxed);
	return 0;
}

int vm_process_priority(struct vm_process *p)
{
	return atomic_load_explicit(&p->ps_priority, memory_order_relaxed);
}

uint64_t vm_commit_limit(struct vm *vm)
{
	return vm->vm_commit_limit;
}

uint64_t vm_committed(struct vm *vm)
{
	uint64_t c;

	lk_assert_none_held();	/* vm_proc_mtx is outermost (vm_lock.h) */
	pthread_mutex_lock(&vm->vm_proc_mtx);
	c = vm->vm_committed;
	pthread_mutex_unlock(&vm->vm_proc_mtx);
	return c;
}

/*
 * Working-set limits (vm.h).  Stored one by one with no lock: a reader may
 * see the new minimum with the old maximum for a moment, which only shifts
 * one trim decision.  A hard maximum lowered below the resident count is
 * met by the process's next faults (each replaces the excess it sees) and
 * by the working-set manager, which trims processes above their maximum
 * first.
 */
int vm_process_set_limits(struct vm_process *p, uint64_t min, uint64_t max, unsigned flags)
{
	if (min < 1 || min > max || (flags & ~VM_WS_HARD_MAX) != 0)
		return VM_EINVAL;
	atomic_store(&p->ps_ws_min, min);
	atomic_store(&p->ps_ws_max, max);
	atomic_store(&p->ps_ws_flags, flags);
	ev_signal(&p->ps_vm->vm_ev_trim);	/* a new maximum may call for a trim */
	return 0;
}

void vm_process_get_limits(struct vm_process *p, uint64_t *min, uint64_t *max, unsigned *flags)
{
	*min = atomic_load(&p->ps_ws_min);
	*max = atomic_load(&p->ps_ws_max);
	*flags = atomic_load(&p->ps_ws_flags);
}
