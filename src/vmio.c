/*
 * vmio.c - system calls on region buffers: lock, call, unlock.
 *
 * vm_pread and vm_pwrite are the pattern every kernel access to the region
 * needs (vm.h, "Kernel access to the region"): lock
 * the part of the buffer inside the region (vm_lock_pages), make the call,
 * unlock.  Each locks at most a quarter of the lock limit at once; a longer
 * buffer gets a short count, as these calls may always return.
 *
 * Layer 2 (vm_work.h): calls pglock.c (vm_lock_pages) and layer 1.
 */
#include <errno.h>
#include <unistd.h>

#include "vm_work.h"

/*
 * The part of [buf, buf + *len) inside a region of the machine (the first
 * process's whose region it overlaps), as [*lo, *lo + *lolen),
 * with *len cut so that part spans at most a quarter of the lock limit's
 * pages.  *lolen is 0 if the buffer misses the region.
 */
static void vmio_span(struct vm *vm, const void *buf, size_t *len, char **lo, size_t *lolen)
{
	uintptr_t b = (uintptr_t)buf, e = b + *len;
	uint64_t maxpages = vm->vm_lock_limit / 4 ? vm->vm_lock_limit / 4 : 1;
	struct vm_process *p;
	uintptr_t rb, re, l, h, cap;

	if (e < b)
		e = UINTPTR_MAX;	/* wraps: the kernel will say EFAULT */
	*lo = (char *)b;
	*lolen = 0;
	if ((p = pglock_process(vm, b, e)) == NULL)
		return;
	rb = (uintptr_t)p->ps_base;
	re = rb + p->ps_region_len;
	l = b > rb ? b : rb;
	h = e < re ? e : re;
	*lo = (char *)l;
	*lolen = 0;
	if (l >= h)
		return;
	cap = (l & ~(uintptr_t)(VM_PAGE_SIZE - 1)) + maxpages * VM_PAGE_SIZE;
	if (h > cap) {
		h = cap;
		*len = h - b;
	}
	*lolen = h - l;
}

/* Lock the region part of buf; false (errno set) if the lock is refused. */
static bool vmio_lock(struct vm *vm, const void *buf, size_t *len, char **lo, size_t *lolen)
{
	int rc;

	vmio_span(vm, buf, len, lo, lolen);
	if (*lolen == 0)
		return true;
	rc = vm_lock_pages(vm, *lo, *lolen);
	if (rc == 0)
		return true;
	errno = rc == VM_EBUSY ? ENOMEM : EINVAL;
	return false;
}

static void vmio_unlock(struct vm *vm, char *lo, size_t lolen)
{
	int saved = errno;

	if (lolen > 0)
		vm_unlock_pages(vm, lo, lolen);
	errno = saved;
}

ssize_t vm_pread(struct vm *vm, int fd, void *buf, size_t len, off_t off)
{
	char *lo;
	size_t lolen;
	ssize_t n;

	if (!vmio_lock(vm, buf, &len, &lo, &lolen))
		return -1;
	n = pread(fd, buf, len, off);
	vmio_unlock(vm, lo, lolen);
	return n;
}

ssize_t vm_pwrite(struct vm *vm, int fd, const void *buf, size_t len, off_t off)
{
	char *lo;
	size_t lolen;
	ssize_t n;

	if (!vmio_lock(vm, buf, &len, &lo, &lolen))
		return -1;
	n = pwrite(fd, buf, len, off);
	vmio_unlock(vm, lo, lolen);
	return n;
}
