/*
 * vm_inst.h - layer 3, the instance: a configuration checked and turned
 * into thresholds (vm_config.c), an instance built and torn down
 * (vm_init.c), its system threads (vm_threads.c), its statistics
 * (vm_stats.c).
 *
 * May call: layers 0-2 (the system threads' bodies, image_init).  Within
 * the layer, down this list only: vm_config, vm_init, vm_threads, vm_stats.
 * What joins an instance to the process (the SIGBUS handler's registry)
 * is layer 4's: vm_sigbus.c, and vm.c's public entry points.
 */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "vm_work.h"

/* "vm_config.c" */
const struct vm_tunables *vm_config_tunables(const struct vm_config *cfg);
void vm_thresholds(struct vm *vm);

/* "vm_init.c": vm_structs_init builds everything but the region and the
 * kernel's part (the unit tests use it alone); vm_instance_build all of
 * it. */
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
