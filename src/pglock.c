/*
 * pglock.c - locked pages: vm_lock_pages / vm_unlock_pages, Windows'
 * MmProbeAndLockPages / MmUnlockPages (and VirtualLock) for vmsim's region.
 *
 * The kernel cannot fault a region page in (see vm.h, "Kernel access to the
 * region"), so a buffer the kernel will touch is locked first: every page
 * is made resident and its frame gets a reference (pf_lockcnt) that keeps
 * the trimmer away until the unlock.  Locking one page:
 *
 *   under its region lock, a valid PTE that is not TRIMMING: take the PFN
 *   lock and count one more reference (a frame's first also counts in
 *   vm_nlocked, against vm_lock_limit);
 *   TRIMMING: wait for the batch (vm_ev_trimmed) and start over;
 *   anything else: read one byte of the page from user space (a real
 *   fault, resolved by the SIGBUS handler like any access: never a write,
 *   so a concurrent write is never lost) and start over.
 *
 * A locked page is never a trim candidate, so it is never captured, zapped
 * or repurposed.  It must not be write-protected either: a trim window's
 * freeze leaves locked pages out (trim_freeze).  A lock taken while a
 * window is open may come too late for that, so vm_lock_pages() ends by
 * waiting for an open window over its range to close (vm_lock.h, "Locked
 * pages", has the rule and why it is enough).
 *
 * Layer 2 (vm_work.h): calls layer 1 only.
 */
#include <errno.h>
#include <string.h>

#include "vm_work.h"

/* One page's lock attempt, decided under its region lock. */
enum pglock_step { PGLOCK_DONE, PGLOCK_TOUCH, PGLOCK_WAIT, PGLOCK_LIMIT };

uint64_t vm_lock_limit(struct vm *vm)
{
	return vm->vm_lock_limit;
}

/*
 * Fault the page at va in from user space by reading a byte of it.  The
 * load is the MMU's own read, racing benignly with any write to the page,
 * so the sanitizers are not shown it (inline assembly is not instrumented).
 */
static void pglock_probe(const char *va)
{
#if defined(__x86_64__)
	char c;

	__asm__ volatile("movb (%1), %0" : "=q"(c) : "r"(va) : "memory");
	(void)c;
#else
	(void)*(const volatile char *)va;
#endif
}

/*
 * The first process of vm (lowest index) whose region overlaps [lo, hi),
 * or NULL.  Looked up under the process-table mutex, so no process being
 * torn down meanwhile is read after it is freed; the one found must be
 * kept alive by the caller (vm.h: no thread may use a process's region
 * while it is destroyed).
 */
struct vm_process *pglock_process(struct vm *vm, uintptr_t lo, uintptr_t hi)
{
	uint32_t hw = atomic_load(&vm->vm_nprocs_hw);
	struct vm_process *found = NULL;

	lk_assert_none_held();	/* vm_proc_mtx is outermost (vm_lock.h) */
	pthread_mutex_lock(&vm->vm_proc_mtx);
	for (uint32_t i = 0; i < hw && found == NULL; i++) {
		struct vm_process *p = vm_proc(vm, i);
		if (p != NULL && lo < (uintptr_t)p->ps_base + p->ps_region_len &&
		    hi > (uintptr_t)p->ps_base)
			found = p;
	}
	pthread_mutex_unlock(&vm->vm_proc_mtx);
	return found;
}

/*
 * The process and the pages [*first, *end) that [addr, addr + len)
 * touches; VM_EINVAL unless they are all in one process's region.
 */
static int pglock_span(struct vm *vm, const void *addr, size_t len, struct vm_process **pp,
    uint64_t *first, uint64_t *end)
{
	uintptr_t a = (uintptr_t)addr, base;
	struct vm_process *p;

	*first = *end = 0;
	*pp = NULL;
	if (len == 0)
		return 0;
	if ((p = pglock_process(vm, a, a + 1)) == NULL)
		return VM_EINVAL;
	base = (uintptr_t)p->ps_base;
	if (a < base || a - base >= p->ps_region_len || len > p->ps_region_len - (a - base))
		return VM_EINVAL;
	*pp = p;
	*first = (a - base) >> VM_PAGE_SHIFT;
	*end = ((a - base) + len + VM_PAGE_SIZE - 1) >> VM_PAGE_SHIFT;
	return 0;
}

/*
 * One more reference on the active frame pf.  A frame's first reference
 * is refused beyond vm_lock_limit.  The count is published before
 * vm_nlocked (the trimmer reads them in the other order).  Caller holds
 * the owner's region lock; takes the PFN lock.
 */
static bool pglock_ref(struct vm *vm, struct pfn *pf)
{
	uint32_t n;
	bool ok = true;

	lk_acquire(&pf->pf_lock);
	VM_ASSERT(pf->pf_state == PFN_STATE_ACTIVE && !pf->pf_onlist);
	n = atomic_load_explicit(&pf->pf_lockcnt, memory_order_relaxed);
	if (n == UINT32_MAX) {
		ok = false;
	} else {
		atomic_store(&pf->pf_lockcnt, n + 1);
		if (n == 0 && atomic_fetch_add(&vm->vm_nlocked, 1) >= vm->vm_lock_limit) {
			atomic_fetch_sub(&vm->vm_nlocked, 1);
			atomic_store(&pf->pf_lockcnt, 0);
			ok = false;
		}
	}
	lk_release(&pf->pf_lock);
	return ok;
}

/* Try to lock vpn once.  On PGLOCK_WAIT, *snap is the trimmed event's
 * snapshot, taken under the region lock.  Takes and drops the region lock. */
static enum pglock_step pglock_try(struct vm_process *p, uint64_t vpn, uint32_t *snap)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);
	enum pglock_step s;
	pte_t pte;

	lk_acquire(rl);
	pte = pte_read(p, vpn);
	if (pte_format(pte) != PTE_FMT_VALID) {
		s = PGLOCK_TOUCH;
	} else if (pte_is_trimming(pte)) {
		*snap = ev_snapshot(&vm->vm_ev_trimmed);
		s = PGLOCK_WAIT;
	} else {
		s = pglock_ref(vm, &vm->vm_pfns[pte_payload(pte)]) ? PGLOCK_DONE : PGLOCK_LIMIT;
	}
	lk_release(rl);
	return s;
}

/* Make vpn resident and lock it.  Called with no lock held. */
static int pglock_one(struct vm_process *p, uint64_t vpn)
{
	struct vm *vm = p->ps_vm;
	uint32_t snap = 0;

	lk_assert_none_held();
	for (;;) {
		switch (pglock_try(p, vpn, &snap)) {
		case PGLOCK_DONE:
			return 0;
		case PGLOCK_LIMIT:
			return VM_EBUSY;
		case PGLOCK_WAIT:
			ev_wait(&vm->vm_ev_trimmed, snap, -1);
			break;
		case PGLOCK_TOUCH:
			/* A failed instance resolves no fault (vm_error). */
			if (vm_is_failed(vm))
				return VM_EIO;
			pglock_probe(vm_va(p, vpn));
			break;
		}
	}
}

/* Drop one reference on vpn's frame.  Unlocking a page that is not locked
 * panics in debug builds and is ignored otherwise. */
static void pglock_unref(struct vm_process *p, uint64_t vpn)
{
	struct vm *vm = p->ps_vm;
	lk_t *rl = vm_pte_lock(p, vpn);
	struct pfn *pf;
	uint32_t n;
	pte_t pte;

	lk_acquire(rl);
	pte = pte_read(p, vpn);
	if (!pte_is_settled(pte)) {
		if (VM_DEBUG >= 1)
			vm_panic("vm_unlock_pages: page %llu is not locked (%s PTE)",
			    (unsigned long long)vpn, pte_format_name(pte_format(pte)));
		goto out_unlock_region;
	}
	pf = &vm->vm_pfns[pte_payload(pte)];
	lk_acquire(&pf->pf_lock);
	n = atomic_load_explicit(&pf->pf_lockcnt, memory_order_relaxed);
	if (n == 0) {
		if (VM_DEBUG >= 1) {
			pfn_dump(vm, pf, "unlock without a lock");
			vm_panic("vm_unlock_pages: page %llu is not locked", (unsigned long long)vpn);
		}
		goto out_unlock_pfn;
	}
	atomic_store(&pf->pf_lockcnt, n - 1);
	if (n == 1)
		atomic_fetch_sub(&vm->vm_nlocked, 1);
out_unlock_pfn:
	lk_release(&pf->pf_lock);
out_unlock_region:
	lk_release(rl);
}

/*
 * The locks are counted; now make sure no trim window leaves a page of
 * [first, end) write-protected.  A window that opened after the counts
 * were published leaves them out of its freeze; one already open may have
 * frozen them before it saw the counts, so wait until it has closed (its
 * thaw covers every valid page not in its batch).  A later window is not
 * waited for.  Called with no lock held.
 */
static void pglock_window_wait(struct vm_process *p, uint64_t first, uint64_t end)
{
	struct vm *vm = p->ps_vm;
	uint64_t gen = atomic_load(&p->ps_win_gen);

	if (!(gen & 1) || end <= atomic_load(&p->ps_win_lo) ||
	    first >= atomic_load(&p->ps_win_hi))
		return;
	vm_stat_add(vm, lock_window_waits, 1);
	while (atomic_load(&p->ps_win_gen) == gen) {
		uint32_t snap = ev_snapshot(&vm->vm_ev_window);
		if (atomic_load(&p->ps_win_gen) != gen)
			break;
		ev_wait(&vm->vm_ev_window, snap, -1);
	}
}

int vm_lock_pages(struct vm *vm, void *addr, size_t len)
{
	struct vm_process *p;
	uint64_t first, end, vpn;
	int rc = pglock_span(vm, addr, len, &p, &first, &end);

	if (rc != 0 || first == end)
		return rc;
	if (end - first > vm->vm_lock_limit)
		return VM_EBUSY;
	for (vpn = first; vpn < end; vpn++) {
		rc = pglock_one(p, vpn);
		if (rc != 0)
			goto out_unlock;
	}
	pglock_window_wait(p, first, end);
	return 0;
out_unlock:
	while (vpn-- > first)
		pglock_unref(p, vpn);
	return rc;
}

void vm_unlock_pages(struct vm *vm, void *addr, size_t len)
{
	struct vm_process *p;
	uint64_t first, end;

	if (pglock_span(vm, addr, len, &p, &first, &end) != 0) {
		if (VM_DEBUG >= 1)
			vm_panic("vm_unlock_pages: %p + %zu is not inside a region", addr, len);
		return;
	}
	for (uint64_t vpn = first; vpn < end; vpn++)
		pglock_unref(p, vpn);
}
