/*
 * vm.c - the public entry points that join a machine to the Linux process:
 * vm_create and vm_destroy (build, register with the SIGBUS handler, start
 * the system threads, create the default process; and back), and those that check the process's side
 * first (vm.h, "Misuse"): vm_pause, vm_get_stats, vm_validate.
 * Layer 4, the top (vm_sigbus.h): calls every layer below and
 * vm_sigbus.c; nothing calls it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_sigbus.h"

/* What must hold before vm_create() does anything (vm.h, "Misuse"). */
static int vm_create_check(char *err, size_t errlen)
{
	sigset_t blocked;

	if (pthread_sigmask(SIG_BLOCK, NULL, &blocked) == 0 && sigismember(&blocked, SIGBUS) == 1) {
		snprintf(err, errlen, "SIGBUS is blocked in the calling thread: vmsim resolves "
		    "faults in a SIGBUS handler, and the kernel kills a process whose thread "
		    "faults with SIGBUS blocked; unblock it in every thread that touches the region");
		return VM_EINVAL;
	}
	if (!vm_handler_ours()) {
		snprintf(err, errlen, "%s", vm_handler_gone);
		return VM_EINVAL;
	}
	return 0;
}
/*
 * Undo vm_create(), however far it got: each step finds its own "nothing
 * here" (no threads started, not registered; vm_instance_free's
 * sentinels), so this is both the unwinding of a failed creation and
 * vm_destroy()'s work.
 */
static void vm_teardown(struct vm *vm, bool created)
{
	vm_threads_stop(vm);
	for (unsigned i = 0; i < VM_MAX_PROCESSES; i++) {
		struct vm_process *p = vm_proc(vm, i);
		if (p != NULL)
			vm_unregister_process(p);
	}
	vm_unregister(vm);
	vm_instance_free(vm, created);	/* and its processes */
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen)
{
	struct vm *vm;
	int rc;

	*out = NULL;
	if ((rc = vm_create_check(err, errlen)) != 0)
		return rc;
	vm_inject_arm(vm_config_tunables(cfg)->vt_fail_create_step);
	if ((rc = vm_instance_build(cfg, &vm, err, errlen)) != 0)
		return rc;
	if (vm_register(vm) != 0) {
		snprintf(err, errlen, "more than %d vmsim instances in one process", VM_MAX_INSTANCES);
		rc = VM_EINVAL;
		goto out_teardown;
	}
	/* The default process: today's one region, as_virtual 0 for none;
	 * before the threads start, whose start is the last step as before. */
	if (cfg->vc_space.as_virtual != 0 &&
	    (rc = vm_process_create(vm, &cfg->vc_space, &vm->vm_default, err, errlen)) != 0)
		goto out_teardown;
	if (vm->vm_tun.vt_start_threads && (rc = vm_threads_start(vm)) != 0) {
		snprintf(err, errlen, "cannot start the system threads: %s", strerror(rc));
		rc = VM_ENOMEM;
		goto out_teardown;
	}
	*out = vm;
	return 0;
out_teardown:
	vm_teardown(vm, false);
	return rc;
}

void vm_destroy(struct vm *vm)
{
	int n;

	if (vm == NULL)
		return;
	/* Compares the pointer only: a destroyed vm is never dereferenced. */
	if (!vm_registered(vm))
		vm_misuse("vm_destroy(%p): not a live instance (destroyed already?)", (void *)vm);
	if (vm->vm_pid != getpid())
		return;		/* a fork() child: its parent's threads and memory are not here */
	for (unsigned i = 0; VM_DEBUG && i < VM_MAX_PROCESSES; i++) {
		struct vm_process *p = vm_proc(vm, i);
		if (p != NULL && (n = atomic_load(&p->ps_dbg_faulting)) != 0)
			vm_misuse("vm_destroy(%p) while %d thread(s) are inside a fault on its "
			    "region (process %s)", (void *)vm, n, p->ps_name);
	}
	vm_teardown(vm, true);
}

void vm_pause(struct vm *vm)
{
	vm_misuse_check(vm, "vm_pause");
	vm_threads_pause(vm);
}

void vm_resume(struct vm *vm)
{
	vm_threads_resume(vm);
}

void vm_get_stats(struct vm *vm, struct vm_stats *st)
{
	if (!vm_handler_ours())
		vm_misuse("vm_get_stats: %s", vm_handler_gone);
	vm_stats_read(vm, st);
}

long vm_validate(struct vm *vm, FILE *f, int expensive)
{
	long bad = validate_all(vm, f, expensive);

	if (!vm_handler_ours()) {
		if (f != NULL)
			fprintf(f, "validate: %s\n", vm_handler_gone);
		bad++;
	}
	return bad;
}
