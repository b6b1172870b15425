/*
 * vm_inst.h - layer 3, the instance: a configuration checked and turned
 * into thresholds (vm_config.c), a process built and freed, the process
 * table (proc_init.c), a machine built and torn down (vm_init.c), its system threads (vm_threads.c), its statistics
 * (vm_stats.c).
 *
 * May call: layers 0-2 (the system threads' bodies, image_init).  Within
 * the layer, down this list only: vm_config, proc_init, vm_init,
 * vm_threads, vm_stats.
 * What joins an instance to the process (the SIGBUS handler's registry)
 * is layer 4's: vm_sigbus.c, and vm.c's public entry points.
 */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "vm_work.h"

/* "vm_config.c" */
const struct vm_tunables *vm_config_tunables(const struct vm_config *cfg);
int vm_space_check(const struct vm_space_config *sp, char *err, size_t errlen);
void vm_thresholds(struct vm *vm);

/* "proc_init.c": a process built and freed; the table and the commit
 * charge (under vm_proc_mtx). */
int proc_build(struct vm *vm, const struct vm_space_config *sp, unsigned id, bool region,
    struct vm_process **out, char *err, size_t errlen);
void proc_free(struct vm_process *p);
int proc_table_reserve(struct vm *vm, uint64_t bytes, unsigned *id, char *err, size_t errlen);
void proc_table_add(struct vm *vm, struct vm_process *p);
void proc_table_remove(struct vm *vm, struct vm_process *p);

/* "vm_init.c": vm_structs_init builds everything but the regions and the
 * kernel's part (the unit tests use it alone); vm_instance_build the
 * machine. */
int vm_structs_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen);
void vm_structs_destroy(struct vm *vm);
int vm_instance_build(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen);
void vm_instance_free(struct vm *vm, bool created);

/* "vm_threads.c" */
int vm_threads_start(struct vm *vm);
void vm_threads_stop(struct vm *vm);
void vm_threads_pause(struct vm *vm);
void vm_threads_resume(struct vm *vm);

/* "vm_stats.c" */
void vm_stats_read(struct vm *vm, struct vm_stats *st);
