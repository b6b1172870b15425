/*
 * vm_sigbus.h - layer 4, the SIGBUS entry (vm_sigbus.c): the handler that
 * resolves faults on every instance's region, and the registry of
 * instances it looks them up in.  Owns the library's process-wide state
 * (vm_sigbus.c says what).  May call layers 0-2.  Only vm.c, the public
 * entry points beside it, calls it.
 */
#pragma once
#include <stdbool.h>

#include "vm_inst.h"

#define VM_MAX_INSTANCES 16		/* machines per Linux process */
#define VM_MAX_REGIONS 4096		/* process regions per Linux process: the
					 * handler's registry (>= VM_MAX_PROCESSES) */
_Static_assert(VM_MAX_REGIONS >= VM_MAX_PROCESSES, "one machine's processes fit");

/* "vm_sigbus.c" */
int vm_register(struct vm *vm);
void vm_unregister(struct vm *vm);
bool vm_registered(const struct vm *vm);
int vm_register_process(struct vm_process *p);
void vm_unregister_process(struct vm_process *p);
bool vm_process_registered(const struct vm_process *p);
bool vm_handler_ours(void);
void vm_misuse_check(struct vm *vm, const char *fn);
extern const char vm_handler_gone[];
