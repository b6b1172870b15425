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
 * Each process has its own (as_readonly_fraction of its region).  A
 * process created while others run takes its slots from what they leave.
 *
 * Layer 2 (vm_work.h): calls layer 1 only, at creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm_work.h"

/* How many pages the fraction makes read-only; fills err if impossible. */
static int image_pages(struct vm_process *p, uint64_t *n, char *err, size_t errlen)
{
	struct vm *vm = p->ps_vm;
	double f = p->ps_cfg.as_readonly_fraction;

	if (!(f >= 0.0 && f <= 1.0)) {
		snprintf(err, errlen, "read-only fraction must be from 0 to 1");
		return VM_EINVAL;
	}
	*n = (uint64_t)(f * (double)p->ps_npages);
	if (*n > vm->vm_pgf.pg_nslots) {
		snprintf(err, errlen, "the read-only part (%llu pages) must fit in the page file "
		    "(%llu slots): its pages live there", (unsigned long long)*n,
		    (unsigned long long)vm->vm_pgf.pg_nslots);
		return VM_EINVAL;
	}
	return 0;
}

/* Write vpn's known contents to slot and point its PTE there. */
static int image_page(struct vm_process *p, uint64_t vpn, uint64_t slot, char *page)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);

	if (p->ps_cfg.as_image_fill != NULL)
		p->ps_cfg.as_image_fill(p->ps_cfg.as_image_arg, vpn, page);
	else
		memset(page, 0, VM_PAGE_SIZE);
	if (vm_inject_fail() || pgf_write(&vm->vm_pgf, slot, page) != 0)
		return -1;
	lk_acquire(rl);
	pte_set_readonly(p, vpn);
	pte_write_pagefile(p, vpn, slot);
	pgf_slot_set_owner(&vm->vm_pgf, slot, vm_owner_key(p->ps_id, vpn));
	lk_release(rl);
	return 0;
}

/* Give back the slots image_init() took for pages [0, n) and the ones it
 * holds unused, when it fails: the process was never published. */
static void image_unwind(struct vm_process *p, uint64_t n, const uint64_t *slots, int used,
    int have)
{
	struct pgf *pg = &p->ps_vm->vm_pgf;

	for (uint64_t vpn = 0; vpn < n; vpn++) {
		pte_t pte = pte_read(p, vpn);
		if (pte_format(pte) == PTE_FMT_PGF) {
			lk_acquire(vm_pte_lock(p, vpn));
			pte_write_demand_zero(p, vpn);
			lk_release(vm_pte_lock(p, vpn));
			pgf_slot_free(pg, pte_payload(pte));
		}
	}
	for (int i = used; i < have; i++)
		pgf_slot_free(pg, slots[i]);
}

/*
 * Make the first as_readonly_fraction of the region read-only, its contents
 * in the page file.  At creation, before any thread runs.  Returns 0 or a
 * VM_E* status with err filled.
 */
int image_init(struct vm_process *p, char *err, size_t errlen)
{
	struct vm *vm = p->ps_vm;
	uint64_t n, vpn, slots[64];
	int rc = image_pages(p, &n, err, errlen), have = 0, used = 0;
	char *page;

	if (rc != 0 || n == 0)
		return rc;
	page = vm_inject_fail() ? NULL : malloc(VM_PAGE_SIZE);
	if (page == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	for (vpn = 0; vpn < n; vpn++) {
		if (used == have) {
			have = pgf_slot_alloc(&vm->vm_pgf, n - vpn < 64 ? (int)(n - vpn) : 64, slots);
			used = 0;
			if (have == 0) {
				/* Other processes fill the page file now. */
				snprintf(err, errlen, "the page file has no room now for the %llu "
				    "read-only pages", (unsigned long long)n);
				rc = VM_ENOSPC;
				break;
			}
		}
		if (image_page(p, vpn, slots[used++], page) != 0) {
			snprintf(err, errlen, "cannot write the read-only pages to the page file");
			rc = VM_EINVAL;
			used--;
			break;
		}
	}
	free(page);
	if (rc != 0) {
		image_unwind(p, vpn, slots, used, have);
		return rc;
	}
	p->ps_ro_end = n;
	return 0;
}
