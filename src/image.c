/*
 * image.c - the read-only part of the region, like a mapped image: pages
 * [0, vm_ro_end) start out in the page file with known contents (written
 * by as_image_fill), carry PTE_F_READONLY in every PTE format, hard-fault
 * in on first touch, are mapped write-protected, and, never dirty, are
 * trimmed straight to standby without a write.  A write to one is an
 * access violation (fault_valid() -> SIGSEGV/SEGV_ACCERR at the address).
 *
 * The pages hold their slots for good, as an image's pages are backed by
 * its file; the commit limit still holds: each read-only page needs a slot
 * but never a frame it cannot give up, since a clean page can always be
 * trimmed and repurposed.
 *
 * Layer 2 (vm_work.h): calls layer 1 only, at creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_work.h"

/* How many pages the fraction makes read-only; fills err if impossible. */
static int image_pages(struct vm *vm, uint64_t *n, char *err, size_t errlen)
{
	double f = vm->vm_cfg.vc_space.as_readonly_fraction;

	if (!(f >= 0.0 && f <= 1.0)) {
		snprintf(err, errlen, "read-only fraction must be from 0 to 1");
		return VM_EINVAL;
	}
	*n = (uint64_t)(f * (double)vm->vm_npages);
	if (*n > vm->vm_pgf.pg_nslots) {
		snprintf(err, errlen, "the read-only part (%llu pages) must fit in the page file "
		    "(%llu slots): its pages live there", (unsigned long long)*n,
		    (unsigned long long)vm->vm_pgf.pg_nslots);
		return VM_EINVAL;
	}
	return 0;
}

/* Write vpn's known contents to slot and point its PTE there. */
static int image_page(struct vm *vm, uint64_t vpn, uint64_t slot, char *page)
{
	lk_t *rl = vm_pte_lock(vm, vpn);

	if (vm->vm_cfg.vc_space.as_image_fill != NULL)
		vm->vm_cfg.vc_space.as_image_fill(vm->vm_cfg.vc_space.as_image_arg, vpn, page);
	else
		memset(page, 0, VM_PAGE_SIZE);
	if (vm_inject_fail() || pgf_write(&vm->vm_pgf, slot, page) != 0)
		return -1;
	lk_acquire(rl);
	pte_set_readonly(vm, vpn);
	pte_write_pagefile(vm, vpn, slot);
	pgf_slot_set_owner(&vm->vm_pgf, slot, vpn);
	lk_release(rl);
	return 0;
}

/*
 * Make the first as_readonly_fraction of the region read-only, its contents
 * in the page file.  At creation, before any thread runs.  Returns 0 or a
 * VM_E* status with err filled.
 */
int image_init(struct vm *vm, char *err, size_t errlen)
{
	uint64_t n, slots[64];
	int rc = image_pages(vm, &n, err, errlen), have = 0, used = 0;
	char *page;

	if (rc != 0 || n == 0)
		return rc;
	page = vm_inject_fail() ? NULL : malloc(VM_PAGE_SIZE);
	if (page == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	for (uint64_t vpn = 0; vpn < n; vpn++) {
		if (used == have) {
			have = pgf_slot_alloc(&vm->vm_pgf, n - vpn < 64 ? (int)(n - vpn) : 64, slots);
			used = 0;
			VM_ASSERT(have > 0);
		}
		if (image_page(vm, vpn, slots[used++], page) != 0) {
			snprintf(err, errlen, "cannot write the read-only pages to the page file");
			rc = VM_EINVAL;
			break;
		}
	}
	free(page);
	vm->vm_ro_end = n;
	return rc;
}
