/*
 * vm_util.h - small helpers shared by every subsystem: page geometry, the
 * clock, a per-thread PRNG, and statistics counters.
 */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define VM_PAGE_SHIFT 12
#define VM_PAGE_SIZE (1UL << VM_PAGE_SHIFT)

static inline uint64_t vm_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* futex(2) on a private word: FUTEX_WAIT / FUTEX_WAKE (op), as the lock
 * and the events use it.  Async-signal-safe. */
long vm_futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts);

/* xorshift64*: small, fast, good enough for access patterns. */
static inline uint64_t vm_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform double in [0, 1). */
static inline double vm_rand01(uint64_t *s)
{
	return (double)(vm_rand(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* splitmix64: turns (seed, stream) into a well-mixed nonzero PRNG state. */
static inline uint64_t vm_seed_mix(uint64_t seed, uint64_t stream)
{
	uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (stream + 1);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	z ^= z >> 31;
	return z ? z : 1;
}

/*
 * Creation fault injection, for tests (vt_fail_create_step, vm_sim.h):
 * vm_create() arms a countdown on the creating thread (vm_inject_arm);
 * each step of creation that can fail (an allocation, a system call, a
 * thread start) calls vm_inject_fail(), and the step that brings the
 * countdown to 0 fails as if the host had refused (errno ENOMEM).  Every
 * step runs on the creating thread, so the countdown is per thread, not
 * process-wide; disarmed (0), a step costs one thread-local load.
 * vm_inject_left() is what remains of it after the thread's last
 * vm_create: 0 if the injected step was reached (or none was asked).
 */
void vm_inject_arm(int steps);
bool vm_inject_fail(void);
int vm_inject_left(void);

/*
 * Sort n elements of `size' bytes (8 to 64) ascending by their first
 * member, a uint64_t key: an insertion sort, stable, for the short arrays
 * vmsim sorts (a trim batch by page, a write batch's slots).
 */
void vm_sort_by_key(void *base, size_t n, size_t size);

/* Name the calling thread as ps, top, perf and gdb show it ("vm trimmer"). */
void vm_thread_name(const char *name);

/* A statistics counter: relaxed atomic add, read at the end of a run. */
typedef _Atomic uint64_t vm_counter_t;
#define vm_count(c, n) atomic_fetch_add_explicit(&(c), (n), memory_order_relaxed)
#define vm_read(c) atomic_load_explicit(&(c), memory_order_relaxed)

/* Copy src[0, len) into dst (n >= 8 bytes) with every byte that is not
 * printable ASCII written as \xNN (a backslash as \\), cut with "..." when
 * it does not fit: safe to print on one line.  Returns dst. */
const char *vm_str_escape(char *dst, size_t n, const char *src, size_t len);

/* Saturating arithmetic for sizes that come from the user. */
static inline uint64_t vm_sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t vm_sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

/* A byte count in the largest binary unit that divides it exactly: "64M",
 * "1G", "12K", "4097".  Returns buf. */
const char *vm_size_str(char *buf, size_t n, uint64_t bytes);

/* A byte count, rounded, for estimates: "512 bytes", "132.5M", "40.1G";
 * UINT64_MAX (a saturated sum) is "16E or more".  Returns buf. */
const char *vm_size_approx(char *buf, size_t n, uint64_t bytes);
