/*
 * vm_init.c - building an instance and tearing it down: struct vm and
 * everything it allocates (frames, PFN database, PTEs, lists, page file,
 * bounce buffers), the region and its userfaultfd; and the region's
 * accessors.  Every step can fail and every failure unwinds: teardown of a
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
 * Everything but the region and the kernel: the PFN database with every
 * frame free (holding poison, so a frame handed out unzeroed shows), the
 * PTEs, the lists and the page file.  The unit tests use this alone.
 */
int vm_structs_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	struct pgf_params pp;
	int rc;

	/* Zero, then the sentinels, before anything can fail: teardown of a
	 * half-built vm must find "nothing here", never fd 0 or slot 0. */
	memset(vm, 0, sizeof(*vm));
	vm->vm_slot = -1;
	vm->vm_map.mp_uffd = vm->vm_map.mp_pidfd = -1;
	vm->vm_pgf.pg_fd = -1;
	vm->vm_pid = getpid();
	park_init(&vm->vm_park);
	if ((rc = vm_config_check(cfg, err, errlen)) != 0)
		return rc;
	vm->vm_tun = *vm_config_tunables(cfg);
	vm->vm_cfg = *cfg;
	vm->vm_cfg.vc_machine.mc_tunables = NULL;	/* the caller's: copied to vm_tun */
	vm->vm_nframes = (uint32_t)(cfg->vc_machine.mc_physical / VM_PAGE_SIZE);
	vm->vm_npages = cfg->vc_space.as_virtual / VM_PAGE_SIZE;
	vm->vm_nregions = (vm->vm_npages + (1ULL << PTE_REGION_SHIFT) - 1) >> PTE_REGION_SHIFT;
	vm->vm_frames_len = (size_t)vm->vm_nframes * VM_PAGE_SIZE;
	vm->vm_frames = vm_map_anon(vm->vm_frames_len);
	vm->vm_pfns = vm_calloc(vm->vm_nframes, sizeof(*vm->vm_pfns));
	vm->vm_ptes = vm_calloc(vm->vm_npages, sizeof(*vm->vm_ptes));
	vm->vm_pte_locks = vm_calloc(vm->vm_nregions, sizeof(*vm->vm_pte_locks));
	vm->vm_nbounce = vm->vm_tun.vt_max_faulters;
	vm->vm_bounce = vm_map_anon((size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	vm->vm_bounce_busy = vm_calloc(((size_t)vm->vm_nbounce + 63) / 64, sizeof(uint64_t));
	if (!vm->vm_frames || !vm->vm_pfns || !vm->vm_ptes || !vm->vm_pte_locks ||
	    !vm->vm_bounce || !vm->vm_bounce_busy) {
		snprintf(err, errlen, "cannot allocate memory for %u frames and %llu pages",
		    vm->vm_nframes, (unsigned long long)vm->vm_npages);
		return VM_ENOMEM;
	}
	pp = (struct pgf_params){ .pp_nslots = cfg->vc_machine.mc_pagefile / VM_PAGE_SIZE,
	    .pp_path = cfg->vc_machine.mc_pagefile_path, .pp_rows = vm->vm_tun.vt_pgf_rows,
	    .pp_stash = vm->vm_tun.vt_pgf_stash, .pp_mem_available = vm->vm_tun.vt_mem_available };
	if ((rc = pgf_init(&vm->vm_pgf, &pp, err, errlen)) != 0)
		return rc;
	for (uint64_t r = 0; r < vm->vm_nregions; r++)
		lk_init(&vm->vm_pte_locks[r], LK_RANK_PTE);
	for (int s = 0; s < PLIST_N; s++)
		plist_init(&vm->vm_lists[s], (enum pfn_state)s);
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
	return image_init(vm, err, errlen);
}

/* Release what vm_structs_init() got, however far it got; idempotent. */
void vm_structs_destroy(struct vm *vm)
{
	pgf_destroy(&vm->vm_pgf);
	if (vm->vm_frames != NULL)
		munmap(vm->vm_frames, vm->vm_frames_len);
	if (vm->vm_bounce != NULL)
		munmap(vm->vm_bounce, (size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	free(vm->vm_bounce_busy);
	free(vm->vm_pfns);
	free((void *)vm->vm_ptes);
	free(vm->vm_pte_locks);
	vm->vm_frames = vm->vm_bounce = NULL;
	vm->vm_bounce_busy = NULL;
	vm->vm_pfns = NULL;
	vm->vm_ptes = NULL;
	vm->vm_pte_locks = NULL;
	park_destroy(&vm->vm_park);
}

/* Reserve the region, 2 MiB aligned, without transparent huge pages. */
static int vm_region_map(struct vm *vm, char *err, size_t errlen)
{
	size_t align = 2UL << 20;
	size_t len = vm->vm_npages * VM_PAGE_SIZE;
	char *p = vm_inject_fail() ? MAP_FAILED : mmap(NULL, len + align, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %zu bytes of address space: %s", len, strerror(errno));
		return VM_ENOMEM;
	}
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + align)
		munmap(a + len, (size_t)(p + len + align - (a + len)));
	madvise(a, len, MADV_NOHUGEPAGE);
	madvise(a, len, MADV_DONTFORK);
	vm->vm_base = a;
	vm->vm_region_len = len;
	return 0;
}

/*
 * Build an instance of configuration cfg, up to its registered region (the
 * system threads are vm_threads.c's; the registry is the SIGBUS entry's).
 * Returns 0 and the instance in *out, or a VM_E* status with err filled
 * and nothing left behind.
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
	if ((rc = vm_structs_init(vm, cfg, err, errlen)) != 0 ||
	    (rc = vm_region_map(vm, err, errlen)) != 0 ||
	    (rc = map_init(vm, err, errlen)) != 0) {
		vm_instance_free(vm, false);
		return rc;
	}
	*out = vm;
	return 0;
}

/*
 * Free what vm_instance_build() got, however far it got, and vm itself;
 * the system threads must be stopped and the instance unregistered.  A
 * page file this creation made is removed unless the creation succeeded
 * (created).
 */
void vm_instance_free(struct vm *vm, bool created)
{
	map_destroy(vm);
	if (vm->vm_base != NULL)
		munmap(vm->vm_base, vm->vm_region_len);
	vm->vm_base = NULL;
	if (!created)
		pgf_unlink_created(&vm->vm_pgf);
	vm_structs_destroy(vm);
	free(vm);
}

void *vm_base(struct vm *vm)
{
	return vm->vm_base;
}

uint64_t vm_npages(struct vm *vm)
{
	return vm->vm_npages;
}

/* The access routine: the MMU's accessed bit (vm_sim.h). */
void vm_touch(struct vm *vm, const void *addr)
{
	pte_mark_accessed(vm, (uint64_t)((const char *)addr - vm->vm_base) >> VM_PAGE_SHIFT);
}
