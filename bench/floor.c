/*
 * floor.c - measure "the floor" a user-space fault resolver cannot beat.
 *
 * What is measured is described in floor.h.  How:
 *
 *  - One userfaultfd, opened with UFFD_USER_MODE_ONLY (as vmsim does) and
 *    UFFD_FEATURE_SIGBUS after a features=0 probe of what the kernel offers.
 *  - Regions (each pages * 4 KiB, 2 MiB aligned, MADV_NOHUGEPAGE):
 *      miss   registered MISSING       sigbus_copy, then dontneed_run;
 *                                      sigbus_read
 *      wp     registered MISSING|WP    sigbus_copy_wp; sigbus_read_wp
 *      eager  registered MISSING       copy
 *      anon   not registered           kernel_zero
 *      memfd  MAP_SHARED, mapped fresh each round over a filled memfd
 *                                      kernel_minor
 *      cpy_src, cpy_dst  not registered, every page written: page_copy
 *    Each round empties the regions again with MADV_DONTNEED, so every
 *    timed pass starts from empty PTEs.
 *  - The UFFDIO_COPY source is a ring of FLOOR_SRC_PAGES pre-written pages
 *    (256 KiB, cache-hot: this is a floor, so a cold frame read is not in
 *    it).  Page k of the ring carries the tag FLOOR_TAG ^ k; VA page i is
 *    copied from ring page i % FLOOR_SRC_PAGES.
 *  - The timed access is one 8-byte store per page (the "mark", unique per
 *    page and round), or for the read floor one 8-byte load of the tag the
 *    handler's copy put there (their sum is checked).  After each pass the
 *    page contents (tag and mark),
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
#include "floor_impl.h"
#include "json.h"

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

static char floor_busy;

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
	int64_t t0 = floor_now(), c0 = floor_cpu_now();

	for (long i = 0; i < c->pages; i += FLOOR_RUN)
		if (madvise(base + i * FLOOR_PAGE, FLOOR_RUN * FLOOR_PAGE, MADV_DONTNEED))
			return floor_fail(c, "MADV_DONTNEED: %s", strerror(errno));
	*ns = (double)(floor_now() - t0) / (double)c->pages;
	c->last_cpu = (double)(floor_cpu_now() - c0) / (double)c->pages;
	return floor_check_resident(c, base, 0, "MADV_DONTNEED");
}

/* The sum of the tags floor_read_tags() must see on a region filled from
 * the source ring. */
static uint64_t floor_tag_sum(long pages)
{
	uint64_t sum = 0;

	for (long i = 0; i < pages; i++)
		sum += FLOOR_TAG ^ (uint64_t)(i % FLOOR_SRC_PAGES);
	return sum;
}

/* First access of every page of a registered region, a write (the mark) or
 * a read (the tag), each fault resolved by floor_sigbus(); ns per page.
 * Then check the result. */
static int floor_fault_pass(struct floor_ctx *c, char *base, int round, int write, double *ns,
			    const char *what)
{
	volatile uint64_t sum = 0;	/* volatile: live across the sigsetjmp */
	int64_t t0, c0;

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
	c0 = floor_cpu_now();
	if (write)
		floor_write_marks(base, c->pages, round);
	else
		sum = floor_read_tags(base, c->pages);
	*ns = (double)(floor_now() - t0) / (double)c->pages;
	c->last_cpu = (double)(floor_cpu_now() - c0) / (double)c->pages;
	floor_sig.len = 0;
	if (floor_sig.faults != c->pages)
		return floor_fail(c, "%s: %ld SIGBUS faults resolved for %ld pages", what,
				  (long)floor_sig.faults, c->pages);
	if (!write && sum != floor_tag_sum(c->pages))
		return floor_fail(c, "%s: the reads saw other contents than the copies", what);
	if (floor_check_resident(c, base, 1, what))
		return -1;
	return floor_check_words(c, base, FLOOR_SRC_PAGES, write ? round : -1, what);
}

static int floor_run_sigbus(struct floor_ctx *c, int round)
{
	int ret;

	if (floor_fault_pass(c, c->miss, round, 1, &c->ns[FLOOR_FIG_SIGBUS_COPY][round],
			     "sigbus_copy"))
		return -1;
	c->cpu[FLOOR_FIG_SIGBUS_COPY][round] = c->last_cpu;
	ret = floor_dontneed_pass(c, c->miss, &c->ns[FLOOR_FIG_DONTNEED][round]);
	c->cpu[FLOOR_FIG_DONTNEED][round] = c->last_cpu;
	return ret;
}

static int floor_run_sigbus_wp(struct floor_ctx *c, int round)
{
	double scratch;

	if (!c->have_wp) {
		c->ns[FLOOR_FIG_SIGBUS_COPY_WP][round] = NAN;
		return 0;
	}
	if (floor_fault_pass(c, c->wp, round, 1, &c->ns[FLOOR_FIG_SIGBUS_COPY_WP][round],
			     "sigbus_copy_wp"))
		return -1;
	return floor_dontneed_pass(c, c->wp, &scratch);
}

/* The read floor: the same fault taken by a read, on the MISSING region
 * and (if the kernel has it) the MISSING|WP one. */
static int floor_run_sigbus_read(struct floor_ctx *c, int round)
{
	double scratch;

	if (floor_fault_pass(c, c->miss, round, 0, &c->ns[FLOOR_FIG_SIGBUS_READ][round],
			     "sigbus_copy_read"))
		return -1;
	c->cpu[FLOOR_FIG_SIGBUS_READ][round] = c->last_cpu;
	if (floor_dontneed_pass(c, c->miss, &scratch))
		return -1;
	if (!c->have_wp) {
		c->ns[FLOOR_FIG_SIGBUS_READ_WP][round] = NAN;
		return 0;
	}
	if (floor_fault_pass(c, c->wp, round, 0, &c->ns[FLOOR_FIG_SIGBUS_READ_WP][round],
			     "sigbus_copy_read_wp"))
		return -1;
	return floor_dontneed_pass(c, c->wp, &scratch);
}

/* memcpy of one 4 KiB page, each page of one buffer into the same page of
 * another (the trimmer's capture and the page file's copies are such). */
static int floor_run_page_copy(struct floor_ctx *c, int round)
{
	int64_t t0 = floor_now(), c0 = floor_cpu_now();

	for (long i = 0; i < c->pages; i++)
		memcpy(c->cpy_dst + i * FLOOR_PAGE, c->cpy_src + i * FLOOR_PAGE, FLOOR_PAGE);
	c->ns[FLOOR_FIG_PAGE_COPY][round] = (double)(floor_now() - t0) / (double)c->pages;
	c->cpu[FLOOR_FIG_PAGE_COPY][round] = (double)(floor_cpu_now() - c0) / (double)c->pages;
	for (long i = 0; i < c->pages; i++)
		if (*floor_word(c->cpy_dst, i, FLOOR_MARK_OFF) != floor_mark(0, i))
			return floor_fail(c, "page_copy: page %ld was not copied", i);
	return 0;
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
		floor_run_sigbus, floor_run_sigbus_wp, floor_run_sigbus_read, floor_run_copy,
		floor_run_minor, floor_run_zero, floor_run_page_copy,
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
	c->cpy_src = floor_map(c->len, -1);
	c->cpy_dst = floor_map(c->len, -1);
	if (!c->miss || !c->wp || !c->eager || !c->anon || !c->cpy_src || !c->cpy_dst)
		return floor_fail(c, "mmap of %zu-byte regions: %s", c->len, strerror(errno));
	/* every page of both written, so the copies move real pages */
	memset(c->cpy_dst, 0, c->len);
	for (long i = 0; i < c->pages; i++) {
		memset(c->cpy_src + i * FLOOR_PAGE, 0x3c, FLOOR_PAGE);
		*floor_word(c->cpy_src, i, FLOOR_MARK_OFF) = floor_mark(0, i);
	}
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
	floor_unmap(&c->cpy_src, c->len);
	floor_unmap(&c->cpy_dst, c->len);
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
	out->sigbus_read_ns = m[FLOOR_FIG_SIGBUS_READ];
	out->sigbus_read_wp_ns = m[FLOOR_FIG_SIGBUS_READ_WP];
	out->page_copy_ns = m[FLOOR_FIG_PAGE_COPY];
	out->sigbus_copy_cpu_ns = floor_median(&c->cpu[FLOOR_FIG_SIGBUS_COPY][1], c->rounds);
	out->sigbus_read_cpu_ns = floor_median(&c->cpu[FLOOR_FIG_SIGBUS_READ][1], c->rounds);
	out->dontneed_cpu_ns = floor_median(&c->cpu[FLOOR_FIG_DONTNEED][1], c->rounds);
	out->page_copy_cpu_ns = floor_median(&c->cpu[FLOOR_FIG_PAGE_COPY][1], c->rounds);
	out->copy_ns = m[FLOOR_FIG_COPY];
	out->signal_rt_ns = out->sigbus_copy_ns - out->copy_ns;	/* derived */
	out->kernel_minor_ns = m[FLOOR_FIG_MINOR];
	out->kernel_zero_ns = m[FLOOR_FIG_ZERO];
	out->dontneed_run_ns_per_page = m[FLOOR_FIG_DONTNEED];
	out->rounds = c->rounds;
	out->pages = (int)c->pages;
}

static void floor_ctx_init(struct floor_ctx *c, long pages, int rounds, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	c->pages = pages;
	c->rounds = rounds;
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
	return floor_measure_sized(quick ? FLOOR_QUICK_PAGES : FLOOR_PAGES,
	    quick ? FLOOR_QUICK_ROUNDS : FLOOR_ROUNDS, out, err, errlen);
}

int floor_measure_sized(long pages, int rounds, struct floor_result *out, char *err, size_t errlen)
{
	struct floor_ctx c;
	int ret;

	floor_ctx_init(&c, pages, rounds, err, errlen);
	if (pages < FLOOR_RUN || pages % FLOOR_RUN != 0 || rounds < 1 || rounds > FLOOR_ROUNDS)
		return floor_fail(&c, "floor_measure_sized: %ld pages, %d rounds", pages, rounds);
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

void floor_json(struct json *j, const char *key, const struct floor_result *r)
{
	json_object(j, key);
	json_double(j, "sigbus_copy_ns", "%.1f", r->sigbus_copy_ns);
	json_double(j, "sigbus_copy_wp_ns", "%.1f", r->sigbus_copy_wp_ns);
	json_double(j, "sigbus_read_ns", "%.1f", r->sigbus_read_ns);
	json_double(j, "sigbus_read_wp_ns", "%.1f", r->sigbus_read_wp_ns);
	json_double(j, "copy_ns", "%.1f", r->copy_ns);
	json_double(j, "signal_rt_ns", "%.1f", r->signal_rt_ns);
	json_double(j, "kernel_minor_ns", "%.1f", r->kernel_minor_ns);
	json_double(j, "kernel_zero_ns", "%.1f", r->kernel_zero_ns);
	json_double(j, "dontneed_run_ns_per_page", "%.1f", r->dontneed_run_ns_per_page);
	json_double(j, "page_copy_ns", "%.1f", r->page_copy_ns);
	json_object(j, "cpu_ns");	/* the same in the thread's CPU time */
	json_double(j, "sigbus_copy", "%.1f", r->sigbus_copy_cpu_ns);
	json_double(j, "sigbus_read", "%.1f", r->sigbus_read_cpu_ns);
	json_double(j, "dontneed_run_per_page", "%.1f", r->dontneed_cpu_ns);
	json_double(j, "page_copy", "%.1f", r->page_copy_cpu_ns);
	json_end(j);
	json_i64(j, "rounds", r->rounds);
	json_i64(j, "pages", r->pages);
	json_end(j);
}
