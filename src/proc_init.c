/*
 * proc_init.c - building a process (an address space on a machine) and
 * freeing it, and the machine's process table and commit charge.
 *
 * A process is built whole before anyone can see it: its PTEs and PTE
 * locks, its region (2 MiB aligned, no huge pages, MADV_DONTFORK), its own
 * userfaultfd with the region registered, its read-only image in the page
 * file.  Only then is it entered in the table (proc_table_add), under the
 * table mutex, with its commit charge.  Every step can fail, and a failure
 * unwinds: proc_free() finds "nothing here" sentinels set before anything
 * can fail, and image_init gives back the slots it took.  So a failed
 * creation leaves the machine, and every other process, as it was.
 *
 * Layer 3 (vm_inst.h): calls layers 0-2 (image_init).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_inst.h"

static void *proc_calloc(size_t n, size_t size)
{
	return vm_inject_fail() ? NULL : calloc(n, size);
}

/* Reserve the region, 2 MiB aligned, without transparent huge pages. */
static int proc_region_map(struct vm_process *p, char *err, size_t errlen)
{
	size_t align = 2UL << 20;
	size_t len = p->ps_npages * VM_PAGE_SIZE;
	char *m = vm_inject_fail() ? MAP_FAILED : mmap(NULL, len + align, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (m == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %zu bytes of address space: %s", len,
		    strerror(errno));
		return VM_ENOMEM;
	}
	a = (char *)(((uintptr_t)m + align - 1) & ~(uintptr_t)(align - 1));
	if (a > m)
		munmap(m, (size_t)(a - m));
	if (a + len < m + len + align)
		munmap(a + len, (size_t)(m + len + align - (a + len)));
	madvise(a, len, MADV_NOHUGEPAGE);
	madvise(a, len, MADV_DONTFORK);
	p->ps_base = a;
	p->ps_region_len = len;
	return 0;
}

/* The process's name: sp's as_name (cut to fit), or "p<id>". */
static void proc_name(struct vm_process *p, const struct vm_space_config *sp)
{
	if (sp->as_name != NULL)
		snprintf(p->ps_name, sizeof(p->ps_name), "%s", sp->as_name);
	else
		snprintf(p->ps_name, sizeof(p->ps_name), "p%u", p->ps_id);
}

/*
 * Build process id of machine vm from sp: everything, or (region false,
 * the unit tests) all but the region and its userfaultfd.  Not entered in
 * the table.  Returns 0 and the process in *out, or a VM_E* status with
 * err filled and nothing left behind.
 */
int proc_build(struct vm *vm, const struct vm_space_config *sp, unsigned id, bool region,
    struct vm_process **out, char *err, size_t errlen)
{
	struct vm_process *p = proc_calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	p->ps_vm = vm;
	p->ps_id = (uint16_t)id;
	p->ps_slot = -1;
	p->ps_uffd = -1;
	p->ps_cfg = *sp;
	p->ps_cfg.as_name = NULL;
	proc_name(p, sp);
	p->ps_tl_name = (uint16_t)tml_name_intern(p->ps_name);
	p->ps_commit = sp->as_virtual;
	atomic_init(&p->ps_priority, (uint8_t)sp->as_priority);
	p->ps_npages = sp->as_virtual / VM_PAGE_SIZE;
	p->ps_nregions = (p->ps_npages + (1ULL << PTE_REGION_SHIFT) - 1) >> PTE_REGION_SHIFT;
	p->ps_trim_age = 1;
	wsl_init(p);
	lk_init(&p->ps_win_lock, LK_RANK_WIN);
	/* Windows' default limits, 50 and 345 pages, scaled (vm.h) */
	p->ps_ws_min = vm->vm_nframes / 16 < 50 ? vm->vm_nframes / 16 : 50;
	p->ps_ws_max = vm->vm_nframes / 4 > 345 ? vm->vm_nframes / 4 : 345;
	if (p->ps_ws_min == 0)
		p->ps_ws_min = 1;
	p->ps_trim_rng = vm_seed_mix(sp->as_seed, 0x7117);
	p->ps_ptes = proc_calloc(p->ps_npages, sizeof(*p->ps_ptes));
	p->ps_pte_locks = proc_calloc(p->ps_nregions, sizeof(*p->ps_pte_locks));
	if (p->ps_ptes == NULL || p->ps_pte_locks == NULL) {
		snprintf(err, errlen, "cannot allocate memory for %llu pages",
		    (unsigned long long)p->ps_npages);
		rc = VM_ENOMEM;
		goto out_free;
	}
	for (uint64_t r = 0; r < p->ps_nregions; r++)
		lk_init(&p->ps_pte_locks[r], LK_RANK_PTE);
	if (region && ((rc = proc_region_map(p, err, errlen)) != 0 ||
	    (rc = map_process_init(p, err, errlen)) != 0))
		goto out_free;
	if ((rc = image_init(p, err, errlen)) != 0)
		goto out_free;
	*out = p;
	return 0;
out_free:
	proc_free(p);
	return rc;
}

/* Free what proc_build() got, however far it got, and p itself.  No frame
 * or slot may name p any more (proc_free_pages), or the machine is going
 * away with it. */
void proc_free(struct vm_process *p)
{
	map_process_destroy(p);
	if (p->ps_base != NULL)
		munmap(p->ps_base, p->ps_region_len);
	free((void *)p->ps_ptes);
	free(p->ps_pte_locks);
	free(p);
}

/* ---- the table and the commit charge (under vm_proc_mtx) ---- */

/*
 * A free index in the table and room under the commit limit for `bytes'
 * more.  Returns 0 and the index, VM_EINVAL with no index left, or
 * VM_ECOMMIT with the arithmetic in err.  Caller holds vm_proc_mtx.
 */
int proc_table_reserve(struct vm *vm, uint64_t bytes, unsigned *id, char *err, size_t errlen)
{
	char lim[32], ph[32], pg[32], com[32], ask[32];

	if (vm->vm_nprocs == VM_MAX_PROCESSES) {
		snprintf(err, errlen, "at most %d processes per machine", VM_MAX_PROCESSES);
		return VM_EINVAL;
	}
	if (bytes > vm->vm_commit_limit - vm->vm_committed) {
		snprintf(err, errlen, "commit limit %s (%s physical + %s page file): %s committed "
		    "by %u process%s, %s more asked",
		    vm_size_str(lim, sizeof(lim), vm->vm_commit_limit),
		    vm_size_str(ph, sizeof(ph), vm->vm_cfg.vc_machine.mc_physical),
		    vm_size_str(pg, sizeof(pg), vm->vm_cfg.vc_machine.mc_pagefile),
		    vm_size_str(com, sizeof(com), vm->vm_committed), vm->vm_nprocs,
		    vm->vm_nprocs == 1 ? "" : "es", vm_size_str(ask, sizeof(ask), bytes));
		return VM_ECOMMIT;
	}
	for (unsigned i = 0; i < VM_MAX_PROCESSES; i++) {
		if (vm_proc(vm, i) == NULL) {
			*id = i;
			return 0;
		}
	}
	snprintf(err, errlen, "at most %d processes per machine", VM_MAX_PROCESSES);
	return VM_EINVAL;
}

/* Enter the complete process p in the table (release: a reader of the
 * entry sees it whole) and charge its commit.  Caller holds vm_proc_mtx. */
void proc_table_add(struct vm *vm, struct vm_process *p)
{
	VM_ASSERT(vm_proc(vm, p->ps_id) == NULL);
	vm->vm_nprocs++;
	vm->vm_committed += p->ps_commit;
	if (p->ps_id >= atomic_load(&vm->vm_nprocs_hw))
		atomic_store_explicit(&vm->vm_nprocs_hw, p->ps_id + 1u, memory_order_release);
	atomic_store_explicit(&vm->vm_procs[p->ps_id], p, memory_order_release);
}

/* Take p out of the table and release its charge.  Caller holds
 * vm_proc_mtx, with the system threads paused and no frame or slot
 * naming p (vm_lock.h, "Process teardown"). */
void proc_table_remove(struct vm *vm, struct vm_process *p)
{
	VM_ASSERT(vm_proc(vm, p->ps_id) == p);
	atomic_store_explicit(&vm->vm_procs[p->ps_id], NULL, memory_order_release);
	vm->vm_nprocs--;
	vm->vm_committed -= p->ps_commit;
	if (vm->vm_default == p)
		vm->vm_default = NULL;
}
