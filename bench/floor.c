/*
 * floor.c - measure "the floor" a user-space fault resolver cannot beat.
 *
 * What is measured is described in floor.h.  How:
 *
 *  - One userfaultfd, opened with UFFD_USER_MODE_ONLY (as vmsim does) and
 *    UFFD_FEATURE_SIGBUS after a features=0 probe of what the kernel offers.
 *  - Regions (each pages * 4 KiB, 2 MiB aligned, MADV_NOHUGEPAGE):
 *      miss   registered MISSING       sigbus_copy, then dontneed_run
 *      wp     registered MISSING|WP    sigbus_copy_wp
 *      eager  registered MISSING       copy
 *      anon   not registered           kernel_zero
 *      memfd  MAP_SHARED, mapped fresh each round over a filled memfd
 *                                      kernel_minor
 *    Each round empties the regions again with MADV_DONTNEED, so every
 *    timed pass starts from empty PTEs.
 *  - The UFFDIO_COPY source is a ring of FLOOR_SRC_PAGES pre-written pages
 *    (256 KiB, cache-hot: this is a floor, so a cold frame read is not in
 *    it).  Page k of the ring carries the tag FLOOR_TAG ^ k; VA page i is
 *    copied from ring page i % FLOOR_SRC_PAGES.
 *  - The timed access is one 8-byte store per page (the "mark", unique per
 *    page and round).  After each pass the page contents (tag and mark),
 *    residency (mincore) and the number of faults (handler count, or
 *    ru_minflt for kernel faults) are checked.
 *  - A warm-up round is run and discarded, then `rounds` rounds; the order
 *    of the measurements rotates from round to round.  Figures are medians.
 *  - The calling thread is pinned to its current CPU, has SIGBUS unblocked
 *    and our SIGBUS handler installed for the duration; all three are
 *    restored exactly afterwards.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "floor.h"
#include "vm_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <math.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_PAGE		4096UL
#define FLOOR_ALIGN		(2UL << 20)
#define FLOOR_RUN		64	/* pages per MADV_DONTNEED call */
#define FLOOR_SRC_PAGES		64	/* source ring, 256 KiB */
#define FLOOR_TAG_OFF		0	/* word telling whose contents a page holds */
#define FLOOR_MARK_OFF		64	/* word written by the timed access */
#define FLOOR_TAG		0x666c6f6f72000000ULL	/* "floor" */
#define FLOOR_MARK		0x6d61726b00000000ULL	/* "mark" */
#define FLOOR_PAGES		4096
#define FLOOR_ROUNDS		7
#define FLOOR_QUICK_PAGES	1024
#define FLOOR_QUICK_ROUNDS	3

enum floor_fig {
	FLOOR_FIG_SIGBUS_COPY,
	FLOOR_FIG_SIGBUS_COPY_WP,
	FLOOR_FIG_COPY,
	FLOOR_FIG_MINOR,
	FLOOR_FIG_ZERO,
	FLOOR_FIG_DONTNEED,
	FLOOR_NFIG
};

struct floor_ctx {
	long pages;
	int rounds;		/* timed rounds; round 0 is the warm-up */
	size_t len;		/* pages * FLOOR_PAGE */
	int uffd;
	int memfd;
	int have_wp;		/* wp region registered MISSING|WP */
	char *src;		/* FLOOR_SRC_PAGES tagged source pages */
	char *miss;
	char *wp;
	char *eager;
	char *anon;
	double ns[FLOOR_NFIG][FLOOR_ROUNDS + 1];
	char *err;
	size_t errlen;
};

/* What the calling thread had before floor_measure() changed it. */
struct floor_saved {
	struct sigaction act;
	sigset_t mask;
	cpu_set_t cpus;
	int pinned;
};

/*
 * State shared with the SIGBUS handler.  Only the measuring thread writes
 * it; the handler may also run on other threads (stray faults), which only
 * read base/len/prev.  len == 0 means "no region is active".
 */
static struct {
	char *volatile base;
	volatile size_t len;
	int uffd;
	const char *src;
	volatile sig_atomic_t faults;
	volatile sig_atomic_t error;	/* errno of a failed UFFDIO_COPY */
	sigjmp_buf env;
	struct sigaction prev;		/* the handler to pass stray faults to */
} floor_sig;

static char floor_busy;

/* ---------------- small helpers ---------------- */

static int floor_fail(struct floor_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a one-line reason in the caller's buffer; returns -1. */
static int floor_fail(struct floor_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int64_t floor_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t *floor_word(const char *base, long i, size_t off)
{
	return (uint64_t *)(uintptr_t)(base + (size_t)i * FLOOR_PAGE + off);
}

static uint64_t floor_mark(int round, long i)
{
	return FLOOR_MARK ^ ((uint64_t)round << 24) ^ (uint64_t)i;
}

static const char *floor_src_page(const char *src, long i)
{
	return src + (size_t)(i % FLOOR_SRC_PAGES) * FLOOR_PAGE;
}

static long floor_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_minflt;
}

/* The timed access: first write of each page. */
static void floor_write_marks(char *base, long pages, int round)
{
	for (long i = 0; i < pages; i++)
		*(volatile uint64_t *)floor_word(base, i, FLOOR_MARK_OFF) =
			floor_mark(round, i);
}

/* ---------------- memory ---------------- */

/*
 * Map len bytes 2 MiB aligned, MADV_NOHUGEPAGE: fd < 0 gives private
 * anonymous memory, else a MAP_SHARED mapping of fd from offset 0.
 */
static char *floor_map(size_t len, int fd)
{
	size_t span = len + FLOOR_ALIGN, head, tail;
	int flags = MAP_FIXED | (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED);
	char *r, *a, *p;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)r + FLOOR_ALIGN - 1) & ~(FLOOR_ALIGN - 1));
	head = (size_t)(a - r);
	tail = span - head - len;
	if (head)
		munmap(r, head);
	if (tail)
		munmap(a + len, tail);
	p = mmap(a, len, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		munmap(a, len);
		return NULL;
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	return p;
}

static void floor_unmap(char **p, size_t len)
{
	if (*p)
		munmap(*p, len);
	*p = NULL;
}

/* The source ring: every page written in full (so it is a real page of its
 * own, not the shared zero page) and tagged. */
static int floor_src_init(struct floor_ctx *c)
{
	c->src = floor_map(FLOOR_SRC_PAGES * FLOOR_PAGE, -1);
	if (!c->src)
		return floor_fail(c, "mmap of the source pages: %s", strerror(errno));
	for (long k = 0; k < FLOOR_SRC_PAGES; k++) {
		memset(c->src + k * FLOOR_PAGE, 0xa5, FLOOR_PAGE);
		*floor_word(c->src, k, FLOOR_TAG_OFF) = FLOOR_TAG ^ (uint64_t)k;
	}
	return 0;
}

/* A memfd whose pages are all in the page cache, page i tagged FLOOR_TAG ^ i. */
static int floor_memfd_init(struct floor_ctx *c)
{
	uint64_t buf[FLOOR_PAGE / sizeof(uint64_t)];

	c->memfd = memfd_create("vmsim-floor", MFD_CLOEXEC);
	if (c->memfd < 0)
		return floor_fail(c, "memfd_create: %s", strerror(errno));
	if (ftruncate(c->memfd, (off_t)c->len))
		return floor_fail(c, "ftruncate(memfd): %s", strerror(errno));
	memset(buf, 0x5a, sizeof buf);
	for (long i = 0; i < c->pages; i++) {
		buf[FLOOR_TAG_OFF / sizeof(uint64_t)] = FLOOR_TAG ^ (uint64_t)i;
		if (pwrite(c->memfd, buf, sizeof buf, (off_t)(i * FLOOR_PAGE)) != (ssize_t)sizeof buf)
			return floor_fail(c, "pwrite(memfd): %s", strerror(errno));
	}
	return 0;
}

/* ---------------- userfaultfd ---------------- */

/* One userfaultfd in SIGBUS mode, opened as vmsim opens its own
 * (vm_uffd_open: the same probe, the same message for what is missing). */
static int floor_uffd_open(struct floor_ctx *c)
{
	char err[256];

	c->uffd = vm_uffd_open(UFFD_FEATURE_SIGBUS, UFFD_FEATURE_SIGBUS, err, sizeof err);
	return c->uffd < 0 ? floor_fail(c, "%s", err) : 0;
}

/* Register [base, base + len); returns 0 or an errno (ENOTSUP: no COPY). */
static int floor_uffd_register(int uffd, char *base, size_t len, uint64_t mode)
{
	struct uffdio_register reg = {
		.range = { .start = (uintptr_t)base, .len = len },
		.mode = mode,
	};

	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		return errno;
	if (!(reg.ioctls & (1ULL << _UFFDIO_COPY)))
		return ENOTSUP;
	return 0;
}

/* One 4 KiB UFFDIO_COPY, DONTWAKE; returns 0 or an errno.  EAGAIN (the mm
 * is changing) is retried.  Async-signal-safe. */
static int floor_copy(int uffd, char *dst, const char *src)
{
	struct uffdio_copy uc;

	for (;;) {
		uc.dst = (uintptr_t)dst;
		uc.src = (uintptr_t)src;
		uc.len = FLOOR_PAGE;
		uc.mode = UFFDIO_COPY_MODE_DONTWAKE;
		uc.copy = 0;
		if (!ioctl(uffd, UFFDIO_COPY, &uc))
			return 0;
		if (errno != EAGAIN)
			return errno;
	}
}

/* ---------------- the SIGBUS handler ---------------- */

/* Not our fault: hand it to the previous handler, or arm SIG_DFL so the
 * re-fault kills (SIG_IGN would just loop on a fault). */
static void floor_pass_on(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *p = &floor_sig.prev;
	struct sigaction dfl;

	if ((p->sa_flags & SA_SIGINFO) && p->sa_sigaction) {
		p->sa_sigaction(sig, si, uc);
		return;
	}
	if (!(p->sa_flags & SA_SIGINFO) && p->sa_handler != SIG_DFL &&
	    p->sa_handler != SIG_IGN) {
		p->sa_handler(sig);
		return;
	}
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigaction(sig, &dfl, NULL);
}

/* Resolve a fault in the active region with one UFFDIO_COPY and return so
 * the access is retried.  A failed copy jumps back to floor_fault_pass(). */
static void floor_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved = errno;
	uintptr_t base = (uintptr_t)floor_sig.base;
	uintptr_t off = (uintptr_t)si->si_addr - base;
	long i;
	int e;

	if (off >= floor_sig.len) {
		floor_pass_on(sig, si, uc);
		errno = saved;
		return;
	}
	i = (long)(off / FLOOR_PAGE);
	e = floor_copy(floor_sig.uffd, (char *)(base + (uintptr_t)i * FLOOR_PAGE),
		       floor_src_page(floor_sig.src, i));
	if (e && e != EEXIST) {
		floor_sig.error = e;
		siglongjmp(floor_sig.env, 1);
	}
	floor_sig.faults++;
	errno = saved;
}

/* Pin to the current CPU, unblock SIGBUS, install floor_sigbus. */
static int floor_enter(struct floor_ctx *c, struct floor_saved *s)
{
	struct sigaction sa;
	sigset_t bus;
	cpu_set_t one;
	int cpu = sched_getcpu();

	s->pinned = 0;
	if (cpu >= 0 && !sched_getaffinity(0, sizeof s->cpus, &s->cpus)) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		s->pinned = !sched_setaffinity(0, sizeof one, &one);
	}
	sigemptyset(&bus);
	sigaddset(&bus, SIGBUS);
	pthread_sigmask(SIG_UNBLOCK, &bus, &s->mask);
	/* prev first, so a stray fault never sees it unset */
	sigaction(SIGBUS, NULL, &floor_sig.prev);
	floor_sig.len = 0;
	floor_sig.uffd = c->uffd;
	floor_sig.src = c->src;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = floor_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &s->act)) {
		pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
		return floor_fail(c, "sigaction(SIGBUS): %s", strerror(errno));
	}
	return 0;
}

/* Undo floor_enter() exactly. */
static void floor_leave(const struct floor_saved *s)
{
	floor_sig.len = 0;
	sigaction(SIGBUS, &s->act, NULL);
	pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
	if (s->pinned)
		sched_setaffinity(0, sizeof s->cpus, &s->cpus);
}

/* ---------------- checks ---------------- */

/* Every page of base is resident (want = 1) or not (want = 0). */
static int floor_check_resident(struct floor_ctx *c, char *base, int want, const char *what)
{
	unsigned char vec[FLOOR_RUN];

	for (long i = 0; i < c->pages; i += FLOOR_RUN) {
		if (mincore(base + i * FLOOR_PAGE, FLOOR_RUN * FLOOR_PAGE, vec))
			return floor_fail(c, "%s: mincore: %s", what, strerror(errno));
		for (long j = 0; j < FLOOR_RUN; j++)
			if ((vec[j] & 1) != want)
				return floor_fail(c, "%s: page %ld is %sresident", what,
						  i + j, want ? "not " : "");
	}
	return 0;
}

/*
 * Page i's tag word must be FLOOR_TAG ^ (i % tag_mod), or 0 if tag_mod is 0;
 * its mark word must be floor_mark(round, i), unless round < 0.
 */
static int floor_check_words(struct floor_ctx *c, const char *base, long tag_mod,
			     int round, const char *what)
{
	uint64_t tag, want;

	for (long i = 0; i < c->pages; i++) {
		tag = *floor_word(base, i, FLOOR_TAG_OFF);
		want = tag_mod ? FLOOR_TAG ^ (uint64_t)(i % tag_mod) : 0;
		if (tag != want)
			return floor_fail(c, "%s: page %ld holds tag %#llx, not %#llx", what,
					  i, (unsigned long long)tag, (unsigned long long)want);
		if (round >= 0 && *floor_word(base, i, FLOOR_MARK_OFF) != floor_mark(round, i))
			return floor_fail(c, "%s: page %ld lost the store", what, i);
	}
	return 0;
}

/* The kernel really took at least one fault per page. */
static int floor_check_minflt(struct floor_ctx *c, long before, const char *what)
{
	long n = floor_minflt() - before;

	if (before < 0 || n < c->pages)
		return floor_fail(c, "%s: %ld minor faults for %ld pages", what, n, c->pages);
	return 0;
}

/* ---------------- passes ---------------- */

/* Empty base with MADV_DONTNEED in FLOOR_RUN-page runs; ns per page. */
static int floor_dontneed_pass(struct floor_ctx *c, char *base, double *ns)
{
	int64_t t0 = floor_now();

	for (long i = 0; i < c->pages; i += FLOOR_RUN)
		if (madvise(base + i * FLOOR_PAGE, FLOOR_RUN * FLOOR_PAGE, MADV_DONTNEED))
			return floor_fail(c, "MADV_DONTNEED: %s", strerror(errno));
	*ns = (double)(floor_now() - t0) / (double)c->pages;
	return floor_check_resident(c, base, 0, "MADV_DONTNEED");
}

/* First write of every page of a registered region, each fault resolved
 * by floor_sigbus(); ns per page.  Then check the result. */
static int floor_fault_pass(struct floor_ctx *c, char *base, int round, double *ns,
			    const char *what)
{
	int64_t t0;

	floor_sig.faults = 0;
	floor_sig.error = 0;
	if (sigsetjmp(floor_sig.env, 1)) {
		floor_sig.len = 0;
		return floor_fail(c, "%s: UFFDIO_COPY in the SIGBUS handler: %s", what,
				  strerror(floor_sig.error));
	}
	floor_sig.base = base;
	floor_sig.len = c->len;
	t0 = floor_now();
	floor_write_marks(base, c->pages, round);
	*ns = (double)(floor_now() - t0) / (double)c->pages;
	floor_sig.len = 0;
	if (floor_sig.faults != c->pages)
		return floor_fail(c, "%s: %ld SIGBUS faults resolved for %ld pages", what,
				  (long)floor_sig.faults, c->pages);
	if (floor_check_resident(c, base, 1, what))
		return -1;
	return floor_check_words(c, base, FLOOR_SRC_PAGES, round, what);
}

static int floor_run_sigbus(struct floor_ctx *c, int round)
{
	if (floor_fault_pass(c, c->miss, round, &c->ns[FLOOR_FIG_SIGBUS_COPY][round],
			     "sigbus_copy"))
		return -1;
	return floor_dontneed_pass(c, c->miss, &c->ns[FLOOR_FIG_DONTNEED][round]);
}

static int floor_run_sigbus_wp(struct floor_ctx *c, int round)
{
	double scratch;

	if (!c->have_wp) {
		c->ns[FLOOR_FIG_SIGBUS_COPY_WP][round] = NAN;
		return 0;
	}
	if (floor_fault_pass(c, c->wp, round, &c->ns[FLOOR_FIG_SIGBUS_COPY_WP][round],
			     "sigbus_copy_wp"))
		return -1;
	return floor_dontneed_pass(c, c->wp, &scratch);
}

/* Eager map: one UFFDIO_COPY per page, no fault. */
static int floor_run_copy(struct floor_ctx *c, int round)
{
	double scratch;
	int64_t t0 = floor_now();
	int e;

	for (long i = 0; i < c->pages; i++) {
		e = floor_copy(c->uffd, c->eager + i * FLOOR_PAGE, floor_src_page(c->src, i));
		if (e)
			return floor_fail(c, "copy: UFFDIO_COPY: %s", strerror(e));
	}
	c->ns[FLOOR_FIG_COPY][round] = (double)(floor_now() - t0) / (double)c->pages;
	if (floor_check_resident(c, c->eager, 1, "copy") ||
	    floor_check_words(c, c->eager, FLOOR_SRC_PAGES, -1, "copy"))
		return -1;
	return floor_dontneed_pass(c, c->eager, &scratch);
}

/* Kernel minor fault: a fresh MAP_SHARED mapping of the filled memfd. */
static int floor_run_minor(struct floor_ctx *c, int round)
{
	char *va = floor_map(c->len, c->memfd);
	long flt;
	int64_t t0;
	int ret;

	if (!va)
		return floor_fail(c, "kernel_minor: mmap(memfd): %s", strerror(errno));
	flt = floor_minflt();
	t0 = floor_now();
	floor_write_marks(va, c->pages, round);
	c->ns[FLOOR_FIG_MINOR][round] = (double)(floor_now() - t0) / (double)c->pages;
	ret = floor_check_minflt(c, flt, "kernel_minor");
	if (!ret)
		ret = floor_check_words(c, va, c->pages, round, "kernel_minor");
	munmap(va, c->len);
	return ret;
}

/* Kernel zero-fill fault on the (emptied) anonymous region. */
static int floor_run_zero(struct floor_ctx *c, int round)
{
	double scratch;
	long flt = floor_minflt();
	int64_t t0 = floor_now();

	floor_write_marks(c->anon, c->pages, round);
	c->ns[FLOOR_FIG_ZERO][round] = (double)(floor_now() - t0) / (double)c->pages;
	if (floor_check_minflt(c, flt, "kernel_zero") ||
	    floor_check_words(c, c->anon, 0, round, "kernel_zero"))
		return -1;
	return floor_dontneed_pass(c, c->anon, &scratch);
}

/* One round: every measurement once, starting at a different one each round. */
static int floor_round(struct floor_ctx *c, int round)
{
	static int (*const pass[])(struct floor_ctx *, int) = {
		floor_run_sigbus, floor_run_sigbus_wp, floor_run_copy,
		floor_run_minor, floor_run_zero,
	};
	const int n = (int)(sizeof pass / sizeof pass[0]);

	for (int k = 0; k < n; k++)
		if (pass[(round + k) % n](c, round))
			return -1;
	return 0;
}

/* ---------------- setup, results ---------------- */

static int floor_map_regions(struct floor_ctx *c)
{
	c->miss = floor_map(c->len, -1);
	c->wp = floor_map(c->len, -1);
	c->eager = floor_map(c->len, -1);
	c->anon = floor_map(c->len, -1);
	if (!c->miss || !c->wp || !c->eager || !c->anon)
		return floor_fail(c, "mmap of %zu-byte regions: %s", c->len, strerror(errno));
	return 0;
}

static int floor_register_regions(struct floor_ctx *c)
{
	const uint64_t miss = UFFDIO_REGISTER_MODE_MISSING;
	int e;

	e = floor_uffd_register(c->uffd, c->miss, c->len, miss);
	if (!e)
		e = floor_uffd_register(c->uffd, c->eager, c->len, miss);
	if (e)
		return floor_fail(c, "UFFDIO_REGISTER MISSING on anonymous memory: %s",
				  strerror(e));
	e = floor_uffd_register(c->uffd, c->wp, c->len, miss | UFFDIO_REGISTER_MODE_WP);
	if (e && e != EINVAL)
		return floor_fail(c, "UFFDIO_REGISTER MISSING|WP: %s", strerror(e));
	c->have_wp = !e;	/* EINVAL: no WP on anon here; report NAN */
	return 0;
}

static int floor_setup(struct floor_ctx *c)
{
	if (floor_uffd_open(c) || floor_src_init(c) || floor_memfd_init(c) ||
	    floor_map_regions(c) || floor_register_regions(c))
		return -1;
	return 0;
}

/* Unmapping a region also unregisters it. */
static void floor_teardown(struct floor_ctx *c)
{
	floor_unmap(&c->miss, c->len);
	floor_unmap(&c->wp, c->len);
	floor_unmap(&c->eager, c->len);
	floor_unmap(&c->anon, c->len);
	floor_unmap(&c->src, FLOOR_SRC_PAGES * FLOOR_PAGE);
	if (c->uffd >= 0)
		close(c->uffd);
	if (c->memfd >= 0)
		close(c->memfd);
}

/* Median of v[0..n); NAN if the figure was not measured. */
static double floor_median(const double *v, int n)
{
	double s[FLOOR_ROUNDS], x;
	int i, j;

	for (i = 0; i < n; i++) {
		if (isnan(v[i]))
			return NAN;
		x = v[i];
		for (j = i; j > 0 && s[j - 1] > x; j--)
			s[j] = s[j - 1];
		s[j] = x;
	}
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Medians over the timed rounds 1..rounds (round 0 was the warm-up). */
static void floor_collect(const struct floor_ctx *c, struct floor_result *out)
{
	double m[FLOOR_NFIG];

	for (int f = 0; f < FLOOR_NFIG; f++)
		m[f] = floor_median(&c->ns[f][1], c->rounds);
	out->sigbus_copy_ns = m[FLOOR_FIG_SIGBUS_COPY];
	out->sigbus_copy_wp_ns = m[FLOOR_FIG_SIGBUS_COPY_WP];
	out->copy_ns = m[FLOOR_FIG_COPY];
	out->signal_rt_ns = out->sigbus_copy_ns - out->copy_ns;	/* derived */
	out->kernel_minor_ns = m[FLOOR_FIG_MINOR];
	out->kernel_zero_ns = m[FLOOR_FIG_ZERO];
	out->dontneed_run_ns_per_page = m[FLOOR_FIG_DONTNEED];
	out->rounds = c->rounds;
	out->pages = (int)c->pages;
}

static void floor_ctx_init(struct floor_ctx *c, int quick, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->pages = quick ? FLOOR_QUICK_PAGES : FLOOR_PAGES;
	c->rounds = quick ? FLOOR_QUICK_ROUNDS : FLOOR_ROUNDS;
	c->len = (size_t)c->pages * FLOOR_PAGE;
	c->uffd = -1;
	c->memfd = -1;
	c->err = err;
	c->errlen = errlen;
	if (err && errlen)
		err[0] = '\0';
}

static int floor_run_all(struct floor_ctx *c)
{
	struct floor_saved s;
	int ret = 0;

	if (floor_enter(c, &s))
		return -1;
	for (int r = 0; r <= c->rounds && !ret; r++)
		ret = floor_round(c, r);
	floor_leave(&s);
	return ret;
}

int floor_measure(int quick, struct floor_result *out, char *err, size_t errlen)
{
	struct floor_ctx c;
	int ret;

	floor_ctx_init(&c, quick, err, errlen);
	if (__atomic_test_and_set(&floor_busy, __ATOMIC_ACQUIRE))
		return floor_fail(&c, "floor_measure is already running in this process");
	ret = floor_setup(&c);
	if (!ret)
		ret = floor_run_all(&c);
	if (!ret)
		floor_collect(&c, out);
	floor_teardown(&c);
	__atomic_clear(&floor_busy, __ATOMIC_RELEASE);
	return ret;
}

/* ---------------- output ---------------- */

static void floor_row(FILE *f, const char *name, double v, const char *what)
{
	if (isnan(v))
		fprintf(f, "  %-26s %10s  %s\n", name, "n/a", what);
	else
		fprintf(f, "  %-26s %10.1f  %s\n", name, v, what);
}

void floor_print(FILE *f, const struct floor_result *r)
{
	fprintf(f, "floor: ns per page, median of %d rounds x %d pages\n",
		r->rounds, r->pages);
	floor_row(f, "sigbus_copy_ns", r->sigbus_copy_ns,
		  "fault -> SIGBUS -> UFFDIO_COPY 4 KiB -> retry (MISSING)");
	floor_row(f, "sigbus_copy_wp_ns", r->sigbus_copy_wp_ns,
		  "same, region registered MISSING|WP");
	floor_row(f, "copy_ns", r->copy_ns, "UFFDIO_COPY 4 KiB, no fault (eager map)");
	floor_row(f, "signal_rt_ns (derived)", r->signal_rt_ns,
		  "= sigbus_copy_ns - copy_ns");
	floor_row(f, "kernel_minor_ns", r->kernel_minor_ns,
		  "kernel minor fault (MAP_SHARED memfd, page cached)");
	floor_row(f, "kernel_zero_ns", r->kernel_zero_ns,
		  "kernel anonymous zero-fill fault");
	floor_row(f, "dontneed_run_ns_per_page", r->dontneed_run_ns_per_page,
		  "MADV_DONTNEED of 64-page runs, per page");
	floor_row(f, "sigbus_copy / kernel_minor", r->sigbus_copy_ns / r->kernel_minor_ns,
		  "ratio");
}

static void floor_json_num(FILE *f, const char *key, double v, int last)
{
	if (isnan(v))
		fprintf(f, "\"%s\":null", key);
	else
		fprintf(f, "\"%s\":%.1f", key, v);
	fputs(last ? "" : ",", f);
}

void floor_print_json(FILE *f, const struct floor_result *r)
{
	fputc('{', f);
	floor_json_num(f, "sigbus_copy_ns", r->sigbus_copy_ns, 0);
	floor_json_num(f, "sigbus_copy_wp_ns", r->sigbus_copy_wp_ns, 0);
	floor_json_num(f, "copy_ns", r->copy_ns, 0);
	floor_json_num(f, "signal_rt_ns", r->signal_rt_ns, 0);
	floor_json_num(f, "kernel_minor_ns", r->kernel_minor_ns, 0);
	floor_json_num(f, "kernel_zero_ns", r->kernel_zero_ns, 0);
	floor_json_num(f, "dontneed_run_ns_per_page", r->dontneed_run_ns_per_page, 0);
	fprintf(f, "\"rounds\":%d,\"pages\":%d}", r->rounds, r->pages);
}
