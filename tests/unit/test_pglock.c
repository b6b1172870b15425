/*
 * test_pglock.c - locked pages (src/pglock.c, src/vmio.c), single-threaded
 * on a real region with no system threads, so every trim is one the test
 * makes: locking faults pages in and counts references, locks nest, the
 * lock limit refuses and leaves every lock as it was, vm_empty_working_set
 * and vm_purge_standby leave locked pages mapped, the validator checks the
 * counts, a trim window leaves locked pages writable by the kernel (and a
 * lock taken while one is open waits for it), an unlock without a lock
 * panics in debug builds, and the kernel gets EFAULT on unlocked pages.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vmtest.h"

#define NFRAMES 64
#define NPAGES 256
#define PG VM_PAGE_SIZE

static int tmpfd;		/* a scratch file, NPAGES pages of pattern */

static struct vm *mkvm(double ro)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(NFRAMES, NPAGES, NPAGES, &t);
	struct vm *vm;
	char err[256];

	t.vt_start_threads = 0;
	cfg.vc_space.as_readonly_fraction = ro;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "vm_create: %s\n", err);
		exit(2);
	}
	return vm;
}

static char *page(struct vm *vm, uint64_t vpn)
{
	return (char *)vm_base(vm) + vpn * PG;
}

static uint32_t lockcnt(struct vm *vm, uint64_t vpn)
{
	pte_t p = pte_read(vm->vm_default, vpn);

	return pte_format(p) == PTE_FMT_VALID ? pfn_lockcnt(&vm->vm_pfns[pte_payload(p)]) : 0;
}

static enum pte_fmt fmt(struct vm *vm, uint64_t vpn)
{
	return pte_format(pte_read(vm->vm_default, vpn));
}

/* The kernel writes one page of the file into the page at vpn: 0 if it
 * could, else errno (EFAULT for a page it may not write). */
static int kwrite(struct vm *vm, uint64_t vpn)
{
	ssize_t n = pread(tmpfd, page(vm, vpn), PG, 0);

	return n == (ssize_t)PG ? 0 : n < 0 ? errno : EIO;
}

static void touch_all(struct vm *vm, uint64_t lo, uint64_t hi)
{
	for (uint64_t v = lo; v < hi; v++)
		memset(page(vm, v), (int)(v & 0xff), PG);
}

static void test_basics(void)
{
	struct vm *vm = mkvm(0);
	char *b = vm_base(vm);
	struct vm_stats st;
	bool zero = true;

	CHECK("limit: half the frames", vm_lock_limit(vm) == NFRAMES / 2);
	CHECK("empty range", vm_lock_pages(vm, b, 0) == 0);
	CHECK("range before the region", vm_lock_pages(vm, b - PG, PG) == VM_EINVAL);
	CHECK("range after the region", vm_lock_pages(vm, b + NPAGES * PG, 1) == VM_EINVAL);
	CHECK("range past the end", vm_lock_pages(vm, b + (NPAGES - 1) * PG, 2 * PG) == VM_EINVAL);
	CHECK("lock 4 untouched pages (unaligned range)", vm_lock_pages(vm, b + 100, 4 * PG - 200) == 0);
	CHECK("they are mapped and counted", fmt(vm, 0) == PTE_FMT_VALID && fmt(vm, 3) == PTE_FMT_VALID &&
	    lockcnt(vm, 0) == 1 && lockcnt(vm, 3) == 1 && fmt(vm, 4) == PTE_FMT_DZ);
	for (int i = 0; i < 4 * (int)PG; i++)
		zero &= b[i] == 0;
	CHECK("they read as zero", zero);
	vm_get_stats(vm, &st);
	CHECK("by read faults, in the stats", st.vs_faults_dz == 4 && st.vs_nlocked == 4);
	CHECK("nest: lock two again", vm_lock_pages(vm, b, 2 * PG) == 0);
	CHECK("nest: counts 2, frames still 4", lockcnt(vm, 0) == 2 && lockcnt(vm, 1) == 2 &&
	    lockcnt(vm, 2) == 1 && atomic_load(&vm->vm_nlocked) == 4);
	CHECK("nested: validates", vm_validate(vm, stderr, 1) == 0);
	vm_unlock_pages(vm, b, 2 * PG);
	CHECK("nest: one unlock leaves one", lockcnt(vm, 0) == 1 && atomic_load(&vm->vm_nlocked) == 4);
	vm_unlock_pages(vm, b + 100, 4 * PG - 200);
	CHECK("all unlocked", lockcnt(vm, 0) == 0 && lockcnt(vm, 3) == 0 &&
	    atomic_load(&vm->vm_nlocked) == 0);
	CHECK("unlocked: validates", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* vm_empty_working_set and vm_purge_standby leave locked pages; the
 * kernel may write locked pages, and gets EFAULT on the others. */
static void test_working_set(void)
{
	struct vm *vm = mkvm(0);
	uint64_t n;
	bool kept = true;

	touch_all(vm, 0, 16);
	CHECK("unlocked page: the kernel may write it while mapped", kwrite(vm, 9) == 0);
	CHECK("lock 4..7", vm_lock_pages(vm, page(vm, 4), 4 * PG) == 0);
	n = vm_empty_working_set(vm);
	CHECK("empty working set: trims the 12 others", n == 12);
	CHECK("locked pages stay mapped", fmt(vm, 4) == PTE_FMT_VALID && fmt(vm, 7) == PTE_FMT_VALID &&
	    fmt(vm, 3) == PTE_FMT_TRANS && fmt(vm, 8) == PTE_FMT_TRANS);
	CHECK("a second empty finds nothing", vm_empty_working_set(vm) == 0);
	vm_flush_modified(vm);
	vm_purge_standby(vm);
	CHECK("purge: locked pages still mapped, others in the page file",
	    fmt(vm, 5) == PTE_FMT_VALID && fmt(vm, 9) == PTE_FMT_PGF);
	CHECK("validates with locked pages", vm_validate(vm, stderr, 1) == 0);
	CHECK("locked page: the kernel writes it", kwrite(vm, 5) == 0);
	CHECK("unlocked, trimmed page: the kernel gets EFAULT", kwrite(vm, 9) == EFAULT);
	CHECK("untouched page: the kernel gets EFAULT", kwrite(vm, 200) == EFAULT);
	for (uint64_t v = 0; v < 16; v++)
		kept &= v == 5 || v == 9 || page(vm, v)[PG - 1] == (char)v;
	CHECK("every other page kept its bytes", kept);
	vm_unlock_pages(vm, page(vm, 4), 4 * PG);
	vm_empty_working_set(vm);
	CHECK("after the unlock they can be trimmed", fmt(vm, 4) == PTE_FMT_TRANS &&
	    fmt(vm, 7) == PTE_FMT_TRANS && atomic_load(&vm->vm_nlocked) == 0);
	vm_destroy(vm);
}

/* Beyond the limit: refused with VM_EBUSY, every lock as it was. */
static void test_limit(void)
{
	struct vm *vm = mkvm(0);
	uint64_t lim = vm_lock_limit(vm);

	CHECK("lock exactly the limit", vm_lock_pages(vm, page(vm, 0), lim * PG) == 0);
	CHECK("one frame more: refused", vm_lock_pages(vm, page(vm, lim), PG) == VM_EBUSY);
	CHECK("nesting is no new frame", vm_lock_pages(vm, page(vm, 0), PG) == 0);
	vm_unlock_pages(vm, page(vm, 0), PG);
	CHECK("a range running past it: refused",
	    vm_lock_pages(vm, page(vm, lim - 2), 4 * PG) == VM_EBUSY);
	CHECK("... and its first pages unwound", lockcnt(vm, lim - 2) == 1 && lockcnt(vm, lim - 1) == 1 &&
	    lockcnt(vm, lim) == 0 && atomic_load(&vm->vm_nlocked) == lim);
	CHECK("a range longer than the limit: refused at once",
	    vm_lock_pages(vm, page(vm, 100), (lim + 1) * PG) == VM_EBUSY && fmt(vm, 100) == PTE_FMT_DZ);
	CHECK("the message says the bound", strstr(vm_strerror(VM_EBUSY), "half the frames") != NULL);
	CHECK("at the limit: validates", vm_validate(vm, stderr, 1) == 0);
	vm_unlock_pages(vm, page(vm, 0), lim * PG);
	CHECK("after the unlock: room again", vm_lock_pages(vm, page(vm, lim), PG) == 0);
	vm_unlock_pages(vm, page(vm, lim), PG);
	vm_destroy(vm);
}

/* vm_validate checks the counts. */
static void test_validate(void)
{
	struct vm *vm = mkvm(0);
	struct pfn *freepf;

	CHECK("lock one page", vm_lock_pages(vm, page(vm, 0), PG) == 0);
	freepf = &vm->vm_pfns[vm->vm_lists[PFN_STATE_FREE].pl_head];
	CHECK("validates", vm_validate(vm, NULL, 1) == 0);
	atomic_store(&freepf->pf_lockcnt, 1);
	CHECK("a locked free frame is reported", vm_validate(vm, NULL, 1) >= 1);
	atomic_store(&freepf->pf_lockcnt, 0);
	atomic_store(&vm->vm_nlocked, 2);
	CHECK("a wrong locked-frame count is reported", vm_validate(vm, NULL, 1) == 1);
	atomic_store(&vm->vm_nlocked, 1);
	CHECK("restored: validates", vm_validate(vm, NULL, 1) == 0);
	vm_unlock_pages(vm, page(vm, 0), PG);
	vm_destroy(vm);
}

/* A trim window's freeze leaves locked pages out: before this, one
 * freeze covered the whole window and the kernel got EFAULT on them. */
static void test_freeze(void)
{
	struct vm *vm = mkvm(0);
	uint64_t f0;

	touch_all(vm, 0, 16);
	f0 = vm_read(vm->vm_map.mp_freezes);
	trim_window_open(vm->vm_default, 0, 16, 0);
	CHECK("nothing locked: one freeze", vm_read(vm->vm_map.mp_freezes) - f0 == 1);
	CHECK("nothing locked: every page frozen", kwrite(vm, 0) == EFAULT && kwrite(vm, 5) == EFAULT);
	trim_window_close(vm->vm_default, 0, 16);
	CHECK("closed: thawed", kwrite(vm, 5) == 0 && kwrite(vm, 15) == 0);

	CHECK("lock page 5", vm_lock_pages(vm, page(vm, 5), PG) == 0);
	f0 = vm_read(vm->vm_map.mp_freezes);
	trim_window_open(vm->vm_default, 0, 16, 0);
	CHECK("page 5 locked: two freezes, around it", vm_read(vm->vm_map.mp_freezes) - f0 == 2);
	CHECK("the locked page stays writable by the kernel", kwrite(vm, 5) == 0);
	CHECK("its neighbours are frozen", kwrite(vm, 4) == EFAULT && kwrite(vm, 6) == EFAULT);
	trim_window_close(vm->vm_default, 0, 16);
	CHECK("closed: neighbours thawed", kwrite(vm, 4) == 0 && kwrite(vm, 6) == 0);
	vm_unlock_pages(vm, page(vm, 5), PG);

	CHECK("lock page 0, the window's edge", vm_lock_pages(vm, page(vm, 0), PG) == 0);
	f0 = vm_read(vm->vm_map.mp_freezes);
	trim_window_open(vm->vm_default, 0, 16, 0);
	CHECK("edge locked: still one freeze", vm_read(vm->vm_map.mp_freezes) - f0 == 1);
	CHECK("edge locked: writable", kwrite(vm, 0) == 0 && kwrite(vm, 1) == EFAULT);
	trim_window_close(vm->vm_default, 0, 16);
	vm_unlock_pages(vm, page(vm, 0), PG);
	vm_destroy(vm);
}

struct locker {
	struct vm *vm;
	void *addr;
	size_t len;
	_Atomic int done;
	int rc;
};

static void *locker_main(void *arg)
{
	struct locker *l = arg;

	l->rc = vm_lock_pages(l->vm, l->addr, l->len);
	atomic_store(&l->done, 1);
	return NULL;
}

/* A lock taken while a window is open over its page: the freeze already
 * froze it, so the lock returns only once the window has closed. */
static void test_lock_in_window(void)
{
	struct vm *vm = mkvm(0);
	struct locker l = { vm, NULL, PG, 0, -1 };
	struct vm_stats st;
	pthread_t t;

	touch_all(vm, 0, 32);
	trim_window_open(vm->vm_default, 0, 16, 0);
	l.addr = page(vm, 20);
	locker_main(&l);
	CHECK("outside the open window: no wait", l.done && l.rc == 0 && kwrite(vm, 20) == 0);
	vm_unlock_pages(vm, page(vm, 20), PG);
	l.addr = page(vm, 5);
	l.done = 0;
	pthread_create(&t, NULL, locker_main, &l);
	usleep(100 * 1000);
	CHECK("inside it: the locker waits", !atomic_load(&l.done));
	CHECK("... while its page is frozen", kwrite(vm, 5) == EFAULT);
	CHECK("... counted already", lockcnt(vm, 5) == 1);
	trim_window_close(vm->vm_default, 0, 16);
	pthread_join(t, NULL);
	CHECK("the close lets it return", l.done && l.rc == 0);
	CHECK("and its page is writable by the kernel", kwrite(vm, 5) == 0);
	vm_get_stats(vm, &st);
	CHECK("one window wait counted", st.vs_lock_window_waits == 1);
	vm_unlock_pages(vm, page(vm, 5), PG);
	vm_destroy(vm);
}

/* Read-only pages lock too: the kernel may read them, not write them. */
static void test_readonly(void)
{
	struct vm *vm = mkvm(0.25);

	CHECK("lock a read-only page", vm_lock_pages(vm, page(vm, 0), PG) == 0);
	CHECK("the kernel reads it", pwrite(tmpfd, page(vm, 0), PG, (NPAGES + 1) * PG) == (ssize_t)PG);
	CHECK("the kernel may not write it", kwrite(vm, 0) == EFAULT);
	vm_unlock_pages(vm, page(vm, 0), PG);
	CHECK("validates", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* vm_pread / vm_pwrite: lock, call, unlock; short counts past the cap. */
static void test_io(void)
{
	struct vm *vm = mkvm(0);
	uint64_t cap = vm_lock_limit(vm) / 4;
	char *heap = malloc(4 * PG);
	bool same = true;

	for (uint64_t v = 20; v < 28; v++)
		for (size_t i = 0; i < PG; i++)
			page(vm, v)[i] = (char)(v * 7 + i);
	vm_empty_working_set(vm);
	CHECK("vm_pwrite from trimmed pages", vm_pwrite(vm, tmpfd, page(vm, 20), 8 * PG, 0) == 8 * (ssize_t)PG);
	CHECK("vm_pread into untouched pages", vm_pread(vm, tmpfd, page(vm, 40), 8 * PG, 0) == 8 * (ssize_t)PG);
	CHECK("... same bytes", memcmp(page(vm, 40), page(vm, 20), 8 * PG) == 0);
	CHECK("nothing stays locked", atomic_load(&vm->vm_nlocked) == 0);
	CHECK("a buffer outside the region", vm_pread(vm, tmpfd, heap, 4 * PG, PG) == 4 * (ssize_t)PG);
	CHECK("... read", memcmp(heap, page(vm, 21), 4 * PG) == 0);
	CHECK("a buffer longer than the cap: a short count",
	    vm_pread(vm, tmpfd, page(vm, 100), (cap + 4) * PG, 0) == (ssize_t)(cap * PG));
	for (uint64_t i = 0; i < cap * PG; i++)
		same &= page(vm, 100)[i] == page(vm, 20)[i % (8 * PG)] || i >= 8 * PG;
	CHECK("... of the right bytes", same);
	CHECK("errors pass through", vm_pread(vm, -1, page(vm, 40), PG, 0) == -1 && errno == EBADF);
	CHECK("and validates", vm_validate(vm, stderr, 1) == 0);
	free(heap);
	vm_destroy(vm);
}

static void child_unlock_twice(void *arg)
{
	struct vm *vm = mkvm(0);

	(void)arg;
	vm_lock_pages(vm, page(vm, 0), PG);
	vm_unlock_pages(vm, page(vm, 0), PG);
	vm_unlock_pages(vm, page(vm, 0), PG);
	vm_destroy(vm);
}

static void child_unlock_untouched(void *arg)
{
	struct vm *vm = mkvm(0);

	(void)arg;
	vm_unlock_pages(vm, page(vm, 7), PG);
	vm_destroy(vm);
}

/* Destroying an instance with pages still locked frees everything. */
static void child_destroy_locked(void *arg)
{
	struct vm *vm = mkvm(0);

	(void)arg;
	vm_lock_pages(vm, page(vm, 0), 8 * PG);
	vm_lock_pages(vm, page(vm, 0), PG);
	vm_destroy(vm);
}

static void test_misuse(void)
{
	int expect = VM_DEBUG >= 1 ? SIGABRT : 0;

	CHECK("unlock twice: debug panics, release ignores", vmtest_child(child_unlock_twice, NULL) == expect);
	CHECK("unlock a page never locked: same", vmtest_child(child_unlock_untouched, NULL) == expect);
	CHECK("destroy with pages locked: clean", vmtest_child(child_destroy_locked, NULL) == 0);
}

int main(void)
{
	char path[] = "/tmp/vmsim-pglock.XXXXXX";
	char *buf = malloc(NPAGES * PG);

	vmtest_watchdog("pglock", 120);
	tmpfd = mkstemp(path);
	if (tmpfd < 0 || buf == NULL)
		return 2;
	unlink(path);
	for (size_t i = 0; i < NPAGES * PG; i++)
		buf[i] = (char)(i * 13 + 1);
	if (pwrite(tmpfd, buf, NPAGES * PG, 0) != (ssize_t)(NPAGES * PG))
		return 2;
	free(buf);
	test_basics();
	test_working_set();
	test_limit();
	test_validate();
	test_freeze();
	test_lock_in_window();
	test_readonly();
	test_io();
	test_misuse();
	close(tmpfd);
	return check_done("pglock");
}
