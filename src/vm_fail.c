/*
 * vm_fail.c - when the page file fails: the instance's failed state, the
 * wakeups that let no thread wait forever, and vm_error().  (What a
 * faulting thread that cannot be served does is the SIGBUS entry's:
 * vm_sigbus.c.)  Layer 1 (vm_ctx.h): calls layer 0 only.
 *
 * The failed state is one word, vm_failed: VM_HEALTHY, then VM_FAILING
 * while the first thread to fail the instance writes vm_fail_msg, then
 * VM_FAILED.  It never goes back.  Everything here is async-signal-safe:
 * a read error is found, and reported, inside the SIGBUS handler.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_ctx.h"

/* Every event anyone may sleep on: after a failure, each sleeper wakes,
 * finds vm_is_failed(), and does not sleep again. */
static void vm_fail_wake_all(struct vm *vm)
{
	struct vm_event *all[] = {
		&vm->vm_ev_trim, &vm->vm_ev_mpw, &vm->vm_ev_zero, &vm->vm_ev_avail,
		&vm->vm_ev_slots, &vm->vm_ev_trimmed, &vm->vm_ev_window, &vm->vm_ev_inpage,
		&vm->vm_ev_defrag,
	};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		ev_signal(all[i]);
}

/*
 * Fail the instance: op on slot failed for good with errno err.  The first
 * caller records why and wakes every sleeper; later callers (another
 * thread's error racing it) change nothing.  Called with no lock held;
 * async-signal-safe (a faulter calls it from the SIGBUS handler).
 */
void vm_fail(struct vm *vm, enum vm_io op, uint64_t slot, int err)
{
	int expect = VM_HEALTHY;
	const char *why = strerrordesc_np(err);

	lk_assert_none_held();
	if (!atomic_compare_exchange_strong(&vm->vm_failed, &expect, VM_FAILING))
		return;
	if (why == NULL)
		why = "unknown error";
	if (op == VM_IO_READ)
		snprintf(vm->vm_fail_msg, sizeof(vm->vm_fail_msg),
		    "page file read error on slot %llu: %s (%d tries)",
		    (unsigned long long)slot, why, VM_READ_RETRIES + 1);
	else
		snprintf(vm->vm_fail_msg, sizeof(vm->vm_fail_msg),
		    "page file write error on slot %llu: %s (%d writes in a row failed)",
		    (unsigned long long)slot, why, VM_WRITE_FAILS_MAX);
	atomic_store_explicit(&vm->vm_failed, VM_FAILED, memory_order_release);
	vm_fail_wake_all(vm);
}

/* The reason, once published (a racing failer may still be writing it).
 * Only after vm_is_failed(). */
const char *vm_fail_reason(struct vm *vm)
{
	while (atomic_load_explicit(&vm->vm_failed, memory_order_acquire) != VM_FAILED)
		sched_yield();
	return vm->vm_fail_msg;
}

int vm_error(struct vm *vm, char *msg, size_t len)
{
	if (!vm_is_failed(vm))
		return 0;
	if (len > 0)
		snprintf(msg, len, "%s", vm_fail_reason(vm));
	return VM_EIO;
}
