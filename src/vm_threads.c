/*
 * vm_threads.c - an instance's system threads: the trimmer, the modified
 * page writer, the zero-page thread and (mc_defrag) the defragmenter;
 * starting, stopping, pausing them.  Layer 3 (vm_inst.h): starts layer 2's
 * thread bodies; parking is vm_park.c's (layer 0).
 */
#include <errno.h>

#include "vm_inst.h"

/* The system threads, in start order. */
static pthread_t *vm_systhread(struct vm *vm, int i, void *(**fn)(void *))
{
	static void *(*const fns[])(void *) = { trim_thread, mpw_thread, zero_thread, defrag_thread };
	pthread_t *t[] = { &vm->vm_trimmer, &vm->vm_writer, &vm->vm_zeroer, &vm->vm_defragger };

	*fn = fns[i];
	return t[i];
}

/* Wake every system thread from its event, to see a pause or a stop. */
static void vm_threads_kick(void *arg)
{
	struct vm *vm = arg;

	ev_signal(&vm->vm_ev_trim);
	ev_signal(&vm->vm_ev_mpw);
	ev_signal(&vm->vm_ev_zero);
	ev_signal(&vm->vm_ev_slots);
	ev_signal(&vm->vm_ev_defrag);
}

/* Start the system threads.  Returns 0 or pthread_create()'s error, with
 * the park counting those that did start (vm_threads_stop() joins exactly
 * those). */
int vm_threads_start(struct vm *vm)
{
	int n = vm->vm_cfg.vc_machine.mc_defrag ? 4 : 3;

	for (int i = 0; i < n; i++) {
		void *(*fn)(void *);
		pthread_t *t = vm_systhread(vm, i, &fn);
		int rc = vm_inject_fail() ? EAGAIN : pthread_create(t, NULL, fn, vm);
		if (rc != 0)
			return rc;
		park_started(&vm->vm_park, i + 1);
	}
	return 0;
}

/* Stop and join the threads that started; idempotent. */
void vm_threads_stop(struct vm *vm)
{
	void *(*fn)(void *);

	if (vm->vm_park.pk_nthreads == 0)
		return;
	park_stop(&vm->vm_park);
	vm_threads_kick(vm);
	for (int i = 0; i < vm->vm_park.pk_nthreads; i++)
		pthread_join(*vm_systhread(vm, i, &fn), NULL);
	park_started(&vm->vm_park, 0);
}

/* Park every running system thread at its safe point (vm_pause). */
void vm_threads_pause(struct vm *vm)
{
	if (vm->vm_park.pk_nthreads > 0)
		park_pause(&vm->vm_park, vm_threads_kick, vm);
}

void vm_threads_resume(struct vm *vm)
{
	park_resume(&vm->vm_park);
}

int vm_system_threads(struct vm *vm, pthread_t *out)
{
	void *(*fn)(void *);

	for (int i = 0; i < vm->vm_park.pk_nthreads; i++)
		out[i] = *vm_systhread(vm, i, &fn);
	return vm->vm_park.pk_nthreads;
}
