/*
 * vm_init.c - building a machine and tearing it down: struct vm and
 * everything it allocates (frames, PFN database, lists, page file, bounce
 * buffers, the process table), with its processes; and the accessors of
 * the public interface (vm_base, vm_process_base, ...).  Every step can fail and every failure unwinds: teardown of a
 * half-built instance finds "nothing here" sentinels, set before anything
 * can fail.  Layer 3 (vm_inst.h): calls layers 0-2 (image_init).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_inst.h"

#define VM_POISON 0xDB		/* the "old bytes" of a frame never zeroed */

static void *vm_map_anon(size_t len)
{
	void *p = vm_inject_fail() ? MAP_FAILED : mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_DONTFORK);
	return p;
}

static void *vm_calloc(size_t n, size_t size)
{
	return vm_inject_fail() ? NULL : calloc(n, size);
}

/*
 * The machine's structures: the PFN database with every frame free
 * (holding poison, so a frame handed out unzeroed shows), the lists, the
 * page file, the bounce buffers and the process table (empty).
 */
static int vm_machine_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	struct pgf_params pp;
	int rc;

	/* Zero, then the sentinels, before anything can fail: teardown of a
	 * half-built vm must find "nothing here", never fd 0 or slot 0. */
	memset(vm, 0, sizeof(*vm));
	vm->vm_slot = -1;
	vm->vm_map.mp_pidfd = -1;
	vm->vm_pgf.pg_fd = -1;
	vm->vm_pid = getpid();
	park_init(&vm->vm_park);
	pthread_mutex_init(&vm->vm_proc_mtx, NULL);
	if ((rc = vm_config_check(cfg, err, errlen)) != 0)
		return rc;
	vm->vm_tun = *vm_config_tunables(cfg);
	vm->vm_cfg = *cfg;
	vm->vm_cfg.vc_machine.mc_tunables = NULL;	/* the caller's: copied to vm_tun */
	vm->vm_cfg.vc_space.as_name = NULL;		/* the caller's: copied by the process */
	vm->vm_nframes = (uint32_t)(cfg->vc_machine.mc_physical / VM_PAGE_SIZE);
	vm->vm_frames_len = (size_t)vm->vm_nframes * VM_PAGE_SIZE;
	vm->vm_frames = vm_map_anon(vm->vm_frames_len);
	vm->vm_pfns = vm_calloc(vm->vm_nframes, sizeof(*vm->vm_pfns));
	vm->vm_nbounce = vm->vm_tun.vt_max_faulters;
	vm->vm_bounce = vm_map_anon((size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	vm->vm_bounce_busy = vm_calloc(((size_t)vm->vm_nbounce + 63) / 64, sizeof(uint64_t));
	if (!vm->vm_frames || !vm->vm_pfns || !vm->vm_bounce || !vm->vm_bounce_busy) {
		snprintf(err, errlen, "cannot allocate memory for %u frames", vm->vm_nframes);
		return VM_ENOMEM;
	}
	pp = (struct pgf_params){ .pp_nslots = cfg->vc_machine.mc_pagefile / VM_PAGE_SIZE,
	    .pp_path = cfg->vc_machine.mc_pagefile_path, .pp_rows = vm->vm_tun.vt_pgf_rows,
	    .pp_stash = vm->vm_tun.vt_pgf_stash, .pp_mem_available = vm->vm_tun.vt_mem_available };
	if ((rc = pgf_init(&vm->vm_pgf, &pp, err, errlen)) != 0)
		return rc;
	for (int s = 0; s < PLIST_N; s++)
		plist_init(&vm->vm_lists[s], (enum pfn_state)s);
	for (int prio = 0; prio < VM_PRIORITIES; prio++)
		plist_init_standby(vm, prio);
	memset(vm->vm_frames, VM_POISON, vm->vm_frames_len);
	for (uint32_t i = 0; i < vm->vm_nframes; i++) {
		struct pfn *pf = &vm->vm_pfns[i];
		lk_init(&pf->pf_lock, LK_RANK_PFN);
		pf->pf_vpn = PFN_VPN_NONE;
		pf->pf_slot = PGF_SLOT_NONE;
		pf->pf_state = PFN_STATE_FREE;
		lk_acquire(&pf->pf_lock);
		plist_insert_tail(vm, pf);
		lk_release(&pf->pf_lock);
	}
	vm_thresholds(vm);
	return 0;
}

/*
 * Everything but the regions and the kernel: the machine, and (with
 * vc_space.as_virtual) a default process 0 with its PTEs but no region or
 * userfaultfd, entered in the table.  The unit tests use this alone.
 */
int vm_structs_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	struct vm_process *p;
	unsigned id;
	int rc;

	if ((rc = vm_machine_init(vm, cfg, err, errlen)) != 0 || cfg->vc_space.as_virtual == 0)
		return rc;
	pthread_mutex_lock(&vm->vm_proc_mtx);
	if ((rc = proc_table_reserve(vm, cfg->vc_space.as_virtual, &id, err, errlen)) == 0 &&
	    (rc = proc_build(vm, &cfg->vc_space, id, false, &p, err, errlen)) == 0) {
		proc_table_add(vm, p);
		vm->vm_default = p;
	}
	pthread_mutex_unlock(&vm->vm_proc_mtx);
	return rc;
}

/* Release what vm_structs_init() got, however far it got, and every
 * process still in the table; idempotent. */
void vm_structs_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < VM_MAX_PROCESSES; i++) {
		struct vm_process *p = vm_proc(vm, i);
		if (p != NULL) {
			atomic_store(&vm->vm_procs[i], NULL);
			proc_free(p);
		}
	}
	vm->vm_default = NULL;
	pgf_destroy(&vm->vm_pgf);
	if (vm->vm_frames != NULL)
		munmap(vm->vm_frames, vm->vm_frames_len);
	if (vm->vm_bounce != NULL)
		munmap(vm->vm_bounce, (size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	free(vm->vm_bounce_busy);
	free(vm->vm_pfns);
	vm->vm_frames = vm->vm_bounce = NULL;
	vm->vm_bounce_busy = NULL;
	vm->vm_pfns = NULL;
	park_destroy(&vm->vm_park);
	pthread_mutex_destroy(&vm->vm_proc_mtx);
}

/*
 * Build a machine of configuration cfg, without processes (vm_create adds
 * the default one; the system threads are vm_threads.c's; the registry is
 * the SIGBUS entry's).  Returns 0 and the machine in *out, or a VM_E*
 * status with err filled and nothing left behind.
 */
int vm_instance_build(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen)
{
	struct vm *vm;
	int rc;

	*out = NULL;
	if ((vm = vm_calloc(1, sizeof(*vm))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	if ((rc = vm_machine_init(vm, cfg, err, errlen)) != 0) {
		vm_instance_free(vm, false);
		return rc;
	}
	map_init(vm);
	*out = vm;
	return 0;
}

/*
 * Free what vm_instance_build() got, however far it got, its processes,
 * and vm itself; the system threads must be stopped and the machine and
 * its processes unregistered.  A page file this creation made is removed
 * unless the creation succeeded (created).
 */
void vm_instance_free(struct vm *vm, bool created)
{
	map_destroy(vm);
	if (!created)
		pgf_unlink_created(&vm->vm_pgf);
	vm_structs_destroy(vm);
	free(vm);
}

/* The default process's region (vm.h); NULL and 0 without one. */
void *vm_base(struct vm *vm)
{
	struct vm_process *p = vm->vm_default;

	return p != NULL ? p->ps_base : NULL;
}

uint64_t vm_npages(struct vm *vm)
{
	struct vm_process *p = vm->vm_default;

	return p != NULL ? p->ps_npages : 0;
}

void *vm_process_base(struct vm_process *p)
{
	return p->ps_base;
}

uint64_t vm_process_npages(struct vm_process *p)
{
	return p->ps_npages;
}

const char *vm_process_name(struct vm_process *p)
{
	return p->ps_name;
}

struct vm *vm_process_machine(struct vm_process *p)
{
	return p->ps_vm;
}

struct vm_process *vm_default_process(struct vm *vm)
{
	return vm->vm_default;
}

/* The access routine: the MMU's accessed bit (vm_sim.h). */
void vm_process_touch(struct vm_process *p, const void *addr)
{
	pte_mark_accessed(p, (uint64_t)((const char *)addr - p->ps_base) >> VM_PAGE_SHIFT);
}

void vm_touch(struct vm *vm, const void *addr)
{
	vm_process_touch(vm->vm_default, addr);
}
