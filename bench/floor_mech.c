/*
 * floor_mech.c - the mechanisms the floor measures, set up and driven for
 * floor.c: 2 MiB aligned regions and the tagged source ring, the memfd in
 * the page cache, one userfaultfd (UFFD_USER_MODE_ONLY, SIGBUS mode), and
 * the SIGBUS handler that resolves a fault with one UFFDIO_COPY.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
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

#include "floor_impl.h"
#include "vm_sim.h"

struct floor_sig_state floor_sig;

/* ---------------- small helpers ---------------- */

/* Record a one-line reason in the caller's buffer; returns -1. */
int floor_fail(struct floor_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err && c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err, c->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}



long floor_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return -1;
	return ru.ru_minflt;
}

/* The timed access: first write of each page. */
void floor_write_marks(char *base, long pages, int round)
{
	for (long i = 0; i < pages; i++)
		*(volatile uint64_t *)floor_word(base, i, FLOOR_MARK_OFF) =
			floor_mark(round, i);
}

/* The timed access of the read floor: first read of each page (its tag
 * word, which the handler's copy put there); returns their sum. */
uint64_t floor_read_tags(const char *base, long pages)
{
	uint64_t sum = 0;

	for (long i = 0; i < pages; i++)
		sum += *(const volatile uint64_t *)floor_word(base, i, FLOOR_TAG_OFF);
	return sum;
}

/* ---------------- memory ---------------- */

/*
 * Map len bytes 2 MiB aligned, MADV_NOHUGEPAGE: fd < 0 gives private
 * anonymous memory, else a MAP_SHARED mapping of fd from offset 0.
 */
char *floor_map(size_t len, int fd)
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

void floor_unmap(char **p, size_t len)
{
	if (*p)
		munmap(*p, len);
	*p = NULL;
}

/* The source ring: every page written in full (so it is a real page of its
 * own, not the shared zero page) and tagged. */
int floor_src_init(struct floor_ctx *c)
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
int floor_memfd_init(struct floor_ctx *c)
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
int floor_uffd_open(struct floor_ctx *c)
{
	char err[256];

	c->uffd = vm_uffd_open(UFFD_FEATURE_SIGBUS, UFFD_FEATURE_SIGBUS, err, sizeof err);
	return c->uffd < 0 ? floor_fail(c, "%s", err) : 0;
}

/* Register [base, base + len); returns 0 or an errno (ENOTSUP: no COPY). */
int floor_uffd_register(int uffd, char *base, size_t len, uint64_t mode)
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
int floor_copy(int uffd, char *dst, const char *src)
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
int floor_enter(struct floor_ctx *c, struct floor_saved *s)
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
void floor_leave(const struct floor_saved *s)
{
	floor_sig.len = 0;
	sigaction(SIGBUS, &s->act, NULL);
	pthread_sigmask(SIG_SETMASK, &s->mask, NULL);
	if (s->pinned)
		sched_setaffinity(0, sizeof s->cpus, &s->cpus);
}

