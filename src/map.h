/*
 * map.h - the mapping layer: how a frame's bytes reach a virtual page and
 * come back, on Linux userfaultfd.  Everything above this interface talks
 * in virtual page numbers and frames; only map.c knows the ioctls.
 *
 * Each process's region is private anonymous memory registered MISSING|WP
 * with its own userfaultfd in SIGBUS mode.  Mapping fills an empty PTE (UFFDIO_COPY from
 * the frame: no TLB shootdown).  A trim batch is frozen and captured with a
 * constant number of shootdowns, whatever its scatter (floor's T3w): one
 * write-protect over the batch's window, a copy of the frozen pages, one
 * process_madvise(MADV_DONTNEED) of the batch, one un-protect of the window.
 * See docs/DESIGN.md, "Mapping".  Layer 1 (vm_ctx.h): calls layer 0 only.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "vm_util.h"

#define MAP_ZAP_MAX 256			/* pages map_zap() takes at once */

struct vm;
struct vm_process;

/* The machine's part; each process has its own userfaultfd (ps_uffd). */
struct map {
	int mp_pidfd;			/* process_madvise target, -1: madvise per run (c) */
	vm_counter_t mp_fills;		/* UFFDIO_COPY calls */
	vm_counter_t mp_freezes;	/* write-protect calls */
	vm_counter_t mp_thaws;		/* un-protect calls */
	vm_counter_t mp_zaps;		/* zap system calls */
	vm_counter_t mp_zapped;		/* pages zapped */
};

/* "map.c" (and vm_uffd_open, vm_sim.h) */
void map_init(struct vm *vm);
void map_destroy(struct vm *vm);
int map_process_init(struct vm_process *p, char *err, size_t errlen);
void map_process_destroy(struct vm_process *p);
void map_fill(struct vm_process *p, uint64_t vpn, const void *frame, bool readonly);
void map_freeze(struct vm_process *p, uint64_t lo, uint64_t hi);
void map_thaw(struct vm_process *p, uint64_t lo, uint64_t hi);
void map_zap(struct vm_process *p, const uint64_t *vpns, int n);
/* Shootdown-class calls so far (freeze + zap + thaw): the trim cost. */
uint64_t map_trim_calls(struct vm *vm);
