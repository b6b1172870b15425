/*
 * floor_impl.h - the floor measurement's own pieces, shared by floor.c (the
 * passes, checks and results) and floor_mech.c (the mechanisms measured:
 * memory, userfaultfd, the SIGBUS handler).  Not for anything else: the
 * rest of the benchmark uses floor.h.
 */
#pragma once
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "floor.h"

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
	FLOOR_FIG_SIGBUS_READ,
	FLOOR_FIG_SIGBUS_READ_WP,
	FLOOR_FIG_COPY,
	FLOOR_FIG_MINOR,
	FLOOR_FIG_ZERO,
	FLOOR_FIG_DONTNEED,
	FLOOR_FIG_PAGE_COPY,
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
	char *cpy_src, *cpy_dst;	/* the page-copy pass's two buffers, len each */
	double ns[FLOOR_NFIG][FLOOR_ROUNDS + 1];
	/* the same in the thread's CPU time (for the cycle floor, set against
	 * CPU clocks), where a pass records it; the pass's last, per page */
	double cpu[FLOOR_NFIG][FLOOR_ROUNDS + 1];
	double last_cpu;
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
struct floor_sig_state {
	char *volatile base;
	volatile size_t len;
	int uffd;
	const char *src;
	volatile sig_atomic_t faults;
	volatile sig_atomic_t error;	/* errno of a failed UFFDIO_COPY */
	sigjmp_buf env;
	struct sigaction prev;		/* the handler to pass stray faults to */
};
extern struct floor_sig_state floor_sig;

static inline int64_t floor_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline int64_t floor_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline uint64_t *floor_word(const char *base, long i, size_t off)
{
	return (uint64_t *)(uintptr_t)(base + (size_t)i * FLOOR_PAGE + off);
}

static inline uint64_t floor_mark(int round, long i)
{
	return FLOOR_MARK ^ ((uint64_t)round << 24) ^ (uint64_t)i;
}

static inline const char *floor_src_page(const char *src, long i)
{
	return src + (size_t)(i % FLOOR_SRC_PAGES) * FLOOR_PAGE;
}

/* "floor_mech.c" */
int floor_fail(struct floor_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
long floor_minflt(void);
void floor_write_marks(char *base, long pages, int round);
uint64_t floor_read_tags(const char *base, long pages);
char *floor_map(size_t len, int fd);
void floor_unmap(char **p, size_t len);
int floor_src_init(struct floor_ctx *c);
int floor_memfd_init(struct floor_ctx *c);
int floor_uffd_open(struct floor_ctx *c);
int floor_uffd_register(int uffd, char *base, size_t len, uint64_t mode);
int floor_copy(int uffd, char *dst, const char *src);
int floor_enter(struct floor_ctx *c, struct floor_saved *s);
void floor_leave(const struct floor_saved *s);
