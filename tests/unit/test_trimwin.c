/*
 * test_trimwin.c - a trim window frozen piece by piece (src/trimwin.c,
 * vt_trim_pieces), on a real region with no system threads: the batch's
 * pages are write-protected and the valid pages between them are not; runs
 * join across short gaps that hold no valid page, not across a valid page
 * or a long gap; the close makes no call when nothing in a joined gap
 * became valid, and thaws a gap page that was frozen after all; too few
 * valid pages between the batch's, and the span is frozen whole; a locked
 * page stays out; a batch trimmed so keeps every byte.  Whether a
 * page is write-protected is asked of the kernel: a read(2) into it fails
 * with EFAULT when it is.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vmtest.h"

#define NPAGES 512
#define PG VM_PAGE_SIZE

static int tmpfd;		/* a scratch file of one page */

static struct vm *mkvm(int pieces)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(NPAGES, NPAGES, NPAGES, &t);
	struct vm *vm;
	char err[256];

	t.vt_start_threads = 0;
	t.vt_trim_pieces = pieces;
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

/* Is vpn write-protected?  The kernel's write into it says (EFAULT); it
 * writes 8 bytes in the middle of the page, away from the number. */
static bool frozen(struct vm *vm, uint64_t vpn)
{
	return pread(tmpfd, page(vm, vpn) + PG / 2, 8, 0) < 0 && errno == EFAULT;
}

static uint64_t freezes(struct vm *vm)
{
	return vm_read(vm->vm_map.mp_freezes);
}

static uint64_t thaws(struct vm *vm)
{
	return vm_read(vm->vm_map.mp_thaws);
}

/* Map pages [lo, hi), each holding its number. */
static void touch(struct vm *vm, uint64_t lo, uint64_t hi)
{
	for (uint64_t v = lo; v < hi; v++)
		*(volatile uint64_t *)page(vm, v) = v;
}

/* Mark pages v[0, n) for a trim batch of p (TRIMMING), as a policy does:
 * the close looks past them.  trim_batch_run(b) later trims them. */
static void mark(struct vm_process *p, const uint64_t *v, int n, struct trim_batch *b)
{
	b->tb_proc = p;
	b->tb_n = 0;
	b->tb_max = VM_TRIM_BATCH_MAX;
	for (int i = 0; i < n; i++) {
		lk_acquire(vm_pte_lock(p, v[i]));
		trim_mark(v[i], pte_read(p, v[i]), b);
		lk_release(vm_pte_lock(p, v[i]));
	}
}

/* The pieces: runs, joins, and what is frozen. */
static void test_pieces(void)
{
	struct vm *vm = mkvm(1);
	struct vm_process *p = vm->vm_default;
	/* 10-12 a run; 20 after a gap of empty pages; 30 after valid pages
	 * (21-29); 200 after more (31-99); 300 after a gap of more than 64
	 * empty pages.  78 valid pages outside the batch, more than
	 * TRIM_PIECE_PTES (12) a piece: pieces pay. */
	const uint64_t b[] = { 10, 11, 12, 20, 30, 200, 300 };
	struct trim_piece pc[8];
	struct trim_batch tb;
	uint64_t f0, t0;
	int np;

	touch(vm, 10, 13);
	touch(vm, 20, 100);
	touch(vm, 200, 201);
	touch(vm, 300, 301);
	mark(p, b, 7, &tb);
	f0 = freezes(vm);
	np = trim_window_open_pieces(p, 10, 301, 10, b, 7, pc);
	CHECK("pieces: four", np == 4);
	CHECK("pieces: a run joined across the empty gap", np >= 1 && pc[0].tpc_lo == 10 &&
	    pc[0].tpc_hi == 21 && pc[0].tpc_gaps);
	CHECK("pieces: not across valid pages", np >= 3 && pc[1].tpc_lo == 30 && pc[1].tpc_hi == 31 &&
	    !pc[1].tpc_gaps && pc[2].tpc_lo == 200);
	CHECK("pieces: not across a long gap", np >= 4 && pc[3].tpc_lo == 300 && pc[3].tpc_hi == 301);
	CHECK("pieces: one freeze each", freezes(vm) - f0 == 4);
	CHECK("pieces: the window is published whole", atomic_load(&p->ps_win_lo) == 10 &&
	    atomic_load(&p->ps_win_hi) == 301);
	CHECK("pieces: the batch's pages frozen", frozen(vm, 10) && frozen(vm, 12) && frozen(vm, 20) &&
	    frozen(vm, 30) && frozen(vm, 200) && frozen(vm, 300));
	CHECK("pieces: the valid pages between them are not", !frozen(vm, 25) && !frozen(vm, 45));
	t0 = thaws(vm);
	trim_window_close_pieces(p, pc, np, 10, 301);
	CHECK("pieces: closed with no thaw: nothing else was frozen", thaws(vm) == t0);
	CHECK("pieces: the window withdrawn", atomic_load(&p->ps_win_hi) == 0);
	trim_batch_run(&tb);
	CHECK("pieces: then trimmed, every byte kept", *(volatile uint64_t *)page(vm, 20) == 20 &&
	    *(volatile uint64_t *)page(vm, 300) == 300 && *(volatile uint64_t *)page(vm, 25) == 25);
	CHECK("pieces: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* Too few valid pages between the batch's to pay for a call per piece: the
 * span is frozen whole, and its close thaws them. */
static void test_pieces_span(void)
{
	struct vm *vm = mkvm(1);
	struct vm_process *p = vm->vm_default;
	const uint64_t b[] = { 10, 11, 12, 13, 20 };
	struct trim_piece pc[8];
	struct trim_batch tb;
	uint64_t t0;
	int np;

	touch(vm, 10, 15);
	touch(vm, 20, 21);
	mark(p, b, 5, &tb);
	np = trim_window_open_pieces(p, 10, 21, 10, b, 5, pc);
	CHECK("dense: the span whole", np == 0 && frozen(vm, 14) && frozen(vm, 10) && frozen(vm, 20));
	t0 = thaws(vm);
	trim_window_close_pieces(p, pc, np, 10, 21);
	CHECK("dense: its close thawed the page between", !frozen(vm, 14) && thaws(vm) - t0 == 1);
	trim_batch_run(&tb);
	CHECK("dense: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* A page of a joined gap that a fault made valid after the scan and that
 * the freeze caught: the close thaws it. */
static void test_gap_race(void)
{
	struct vm *vm = mkvm(1);
	struct vm_process *p = vm->vm_default;
	const uint64_t b[] = { 40, 50, 100 };
	struct trim_piece pc[3];
	struct trim_batch tb;
	uint64_t t0;
	int np;

	touch(vm, 40, 41);
	touch(vm, 50, 51);
	touch(vm, 60, 90);
	touch(vm, 100, 101);
	mark(p, b, 3, &tb);
	np = trim_window_open_pieces(p, 40, 101, 40, b, 3, pc);
	CHECK("gap race: a piece with a gap", np == 2 && pc[0].tpc_gaps);
	touch(vm, 45, 46);		/* made valid inside the open window */
	map_freeze(p, 45, 46);		/* ... before the freeze, as it might have been */
	CHECK("gap race: the gap page frozen", frozen(vm, 45));
	t0 = thaws(vm);
	trim_window_close_pieces(p, pc, np, 40, 101);
	CHECK("gap race: the close thawed it", !frozen(vm, 45) && thaws(vm) - t0 == 1);
	trim_batch_run(&tb);
	CHECK("gap race: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* The whole-span freeze, for contrast: it freezes the valid page between
 * the batch's pages too, and its close thaws it. */
static void test_span(void)
{
	struct vm *vm = mkvm(0);
	struct vm_process *p = vm->vm_default;

	touch(vm, 10, 31);
	trim_window_open(p, 10, 31, 10);
	CHECK("span: the pages between frozen too", frozen(vm, 25));
	trim_window_close(p, 10, 31);
	CHECK("span: thawed at the close", !frozen(vm, 25));
	vm_destroy(vm);
}

/* A locked page between the batch's pages stays writable by the kernel. */
static void test_locked(void)
{
	struct vm *vm = mkvm(1);
	struct vm_process *p = vm->vm_default;
	const uint64_t b[] = { 60, 61, 62, 63, 120 };
	struct trim_piece pc[5];
	struct trim_batch tb;
	int np;

	touch(vm, 60, 121);
	CHECK("locked: lock 61", vm_lock_pages(vm, page(vm, 61), PG) == 0);
	mark(p, b, 5, &tb);
	CHECK("locked: not marked", tb.tb_n == 4);
	np = trim_window_open_pieces(p, 60, 121, 60, (uint64_t[]){ 60, 62, 63, 120 }, 4, pc);
	CHECK("locked: pieces", np == 3);
	CHECK("locked: the locked page left out", !frozen(vm, 61) && frozen(vm, 60) && frozen(vm, 62));
	trim_window_close_pieces(p, pc, np, 60, 121);
	trim_batch_run(&tb);
	CHECK("locked: still mapped and writable", pte_format(pte_read(p, 61)) == PTE_FMT_VALID &&
	    !frozen(vm, 61));
	vm_unlock_pages(vm, page(vm, 61), PG);
	CHECK("locked: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

/* Every other page trimmed through the pieces (vm_process_empty_working_set
 * trims every page, so a partial trim goes through local replacement): no
 * byte lost, nothing left frozen, the structure valid. */
static void test_trim(void)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(NPAGES, NPAGES, NPAGES, &t);
	struct vm *vm;
	char err[256];
	bool ok = true, wp = false;

	t.vt_start_threads = 0;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0)
		exit(2);
	touch(vm, 0, 256);
	CHECK("trim: a hard maximum of 64", vm_process_set_limits(vm->vm_default, 16, 64,
	    VM_WS_HARD_MAX) == 0);
	touch(vm, 256, 300);		/* local replacement trims the oldest */
	for (uint64_t v = 0; v < 300; v++) {
		wp |= pte_format(pte_read(vm->vm_default, v)) == PTE_FMT_VALID && frozen(vm, v);
		ok &= *(volatile uint64_t *)page(vm, v) == v;
	}
	CHECK("trim: pages trimmed", wsl_count(vm->vm_default) <= 64 + 1);
	CHECK("trim: no valid page left frozen", !wp);
	CHECK("trim: every page kept its number", ok);
	CHECK("trim: valid", vm_validate(vm, stderr, 1) == 0);
	vm_destroy(vm);
}

int main(void)
{
	char path[] = "/tmp/vmsim-trimwin.XXXXXX";
	char buf[PG];

	vmtest_watchdog("trimwin", 120);
	tmpfd = mkstemp(path);
	if (tmpfd < 0)
		return 2;
	unlink(path);
	memset(buf, 0x5a, sizeof buf);
	if (pwrite(tmpfd, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
		return 2;
	test_pieces();
	test_pieces_span();
	test_gap_race();
	test_span();
	test_locked();
	test_trim();
	close(tmpfd);
	return check_done("trimwin");
}
