/*
 * vm_timeline.c - the timeline recorder (vm_timeline.h for the core's
 * side, vm_sim.h for the command's): per-thread tracks of complete spans,
 * lock-free, async-signal-safe and bounded in memory.
 *
 * Memory, all allocated by vm_timeline_enable, none later: the state (a
 * track per registered thread, the names) and a pool of ts_nchunks chunks
 * of ts_chunk_events events each (mmap'd, reserved; a page is touched
 * when first used).  A thread takes a chunk with one atomic fetch-and-add
 * when it has none or its chunk is full, and fills it alone; chunk indices
 * only grow, so a track's chunks in index order hold its events in the
 * order they ended.  When no chunk is left the thread drops its events
 * and counts them (tt_dropped): a complete span is one record, so a drop
 * never leaves half a span behind.  The bound is the pool, in events; the
 * command turns a size of file into it.
 *
 * Process-wide state (like the lock statistics: the recorder knows no
 * instance): tml_state, the recorder while it records; tml_held, the one
 * allocated (for reading back and freeing); tml_gen, bumped at each
 * enable.  Per thread: which track it has, and in which generation, so a
 * thread registered under an earlier enable never writes into a later
 * one's memory.
 *
 * Layer 0: knows no struct vm; vm_lock.c (lock waits) calls it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vm_timeline.h"

const struct vm_tl_kind_info vm_tl_kinds[VM_TL_NKINDS] = {
#define VM_TL_INFO(id, name, cat, arg, arg2) [VM_TL_##id] = { name, cat, arg, arg2 },
	VM_TIMELINE_KINDS(VM_TL_INFO)
#undef VM_TL_INFO
};

/*
 * Locking key:  (c) constant while enabled  (a) atomic ops only
 *   (o) the owning thread only, while recording; read back after stop
 *   (N) ts_names_mtx
 */
struct tml_thread {
	char tt_name[VM_TL_NAME_MAX];	/* (c once registered) */
	unsigned tt_process;		/* name index (c once registered) */
	struct tml_chunk *tt_chunk;	/* the chunk it fills, or NULL (o) */
	bool tt_full;			/* the pool was used up: drop (o) */
	_Atomic uint64_t tt_events;	/* held (a; written by the owner) */
	_Atomic uint64_t tt_dropped;	/* dropped at the bound (a; written by the owner) */
};

struct tml_chunk {
	uint32_t tc_thread;		/* its track (o) */
	uint32_t tc_n;			/* events held (o) */
	struct vm_timeline_event tc_ev[];	/* ts_chunk_events of them */
};

struct tml_state {
	uint32_t ts_gen;		/* (c) */
	struct vm_timeline_config ts_cfg;	/* (c) */
	_Atomic uint64_t ts_origin;	/* time 0, vm_now_ns (a) */
	uint32_t ts_chunk_events;	/* events a chunk holds (c) */
	uint32_t ts_nchunks;		/* (c) */
	size_t ts_chunk_bytes;		/* (c) */
	char *ts_pool;			/* ts_nchunks chunks (c) */
	size_t ts_pool_len;		/* (c) */
	_Atomic uint32_t ts_next_chunk;	/* the next free chunk (a) */
	_Atomic uint32_t ts_nthreads;	/* tracks taken (a); each filled before its
					 * owner records */
	_Atomic uint64_t ts_no_buffer;	/* faults on threads with no track (a) */
	_Atomic uint64_t ts_lost_threads;	/* registrations past VM_TL_THREADS (a) */
	_Atomic uint64_t ts_first_drop;	/* when the first event was dropped; 0 none (a) */
	pthread_mutex_t ts_names_mtx;
	_Atomic uint32_t ts_nnames;	/* names in ts_names (N; read (a)) */
	char ts_names[VM_TL_NAMES][VM_TL_NAME_MAX];	/* (N); a name once set is constant */
	struct tml_thread ts_threads[VM_TL_THREADS];
};

struct tml_state *_Atomic tml_state;
static struct tml_state *tml_held;	/* enabled and not freed (the enabling thread) */
static _Atomic uint32_t tml_gen;
static __thread uint32_t tml_my_gen __attribute__((tls_model("initial-exec")));
static __thread uint32_t tml_my_track __attribute__((tls_model("initial-exec")));

static struct tml_chunk *tml_chunk_at(struct tml_state *s, uint32_t i)
{
	return (struct tml_chunk *)(s->ts_pool + (size_t)i * s->ts_chunk_bytes);
}

int vm_timeline_enable(const struct vm_timeline_config *c)
{
	struct tml_state *s;
	uint64_t ce, n;

	if (tml_held != NULL)
		return VM_EBUSY;
	if (c->tc_max_events < 16)
		return VM_EINVAL;
	/* a chunk: 1/256 of the pool, 16 to 4096 events */
	ce = c->tc_max_events / 256;
	ce = ce < 16 ? 16 : ce > 4096 ? 4096 : ce;
	n = c->tc_max_events / ce;
	if (n > UINT32_MAX)
		return VM_EINVAL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return VM_ENOMEM;
	s->ts_cfg = *c;
	s->ts_chunk_events = (uint32_t)ce;
	s->ts_nchunks = (uint32_t)n;
	s->ts_chunk_bytes = sizeof(struct tml_chunk) + ce * sizeof(struct vm_timeline_event);
	s->ts_pool_len = s->ts_chunk_bytes * n;
	s->ts_pool = mmap(NULL, s->ts_pool_len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (s->ts_pool == MAP_FAILED) {
		free(s);
		return VM_ENOMEM;
	}
	pthread_mutex_init(&s->ts_names_mtx, NULL);
	strcpy(s->ts_names[0], "machine");
	atomic_init(&s->ts_nnames, 1);
	atomic_init(&s->ts_origin, vm_now_ns());
	s->ts_gen = atomic_fetch_add(&tml_gen, 1) + 1;
	tml_held = s;
	atomic_store_explicit(&tml_state, s, memory_order_release);
	return 0;
}

void vm_timeline_start(void)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);

	if (s != NULL)
		atomic_store_explicit(&s->ts_origin, vm_now_ns(), memory_order_relaxed);
}

void vm_timeline_stop(void)
{
	atomic_store_explicit(&tml_state, NULL, memory_order_release);
}

void vm_timeline_free(void)
{
	struct tml_state *s = tml_held;

	vm_timeline_stop();
	if (s == NULL)
		return;
	tml_held = NULL;
	munmap(s->ts_pool, s->ts_pool_len);
	pthread_mutex_destroy(&s->ts_names_mtx);
	free(s);
}

/* The index of name in s's table, added if new; 0 if the table is full. */
static unsigned tml_intern(struct tml_state *s, const char *name)
{
	unsigned i, n;

	pthread_mutex_lock(&s->ts_names_mtx);
	n = atomic_load_explicit(&s->ts_nnames, memory_order_relaxed);
	for (i = 1; i < n; i++)
		if (strncmp(s->ts_names[i], name, VM_TL_NAME_MAX - 1) == 0)
			break;
	if (i == n && n < VM_TL_NAMES) {
		snprintf(s->ts_names[n], VM_TL_NAME_MAX, "%s", name);
		atomic_store_explicit(&s->ts_nnames, n + 1, memory_order_release);
	} else if (i == n) {
		i = 0;
	}
	pthread_mutex_unlock(&s->ts_names_mtx);
	return i;
}

unsigned tml_name_intern(const char *name)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);

	return s != NULL && name != NULL ? tml_intern(s, name) : 0;
}

void vm_timeline_thread(const char *name, const char *process)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);
	struct tml_thread *t;
	uint32_t i;

	if (s == NULL)
		return;
	i = atomic_fetch_add_explicit(&s->ts_nthreads, 1, memory_order_relaxed);
	if (i >= VM_TL_THREADS) {
		atomic_fetch_add_explicit(&s->ts_lost_threads, 1, memory_order_relaxed);
		tml_my_gen = 0;
		return;
	}
	t = &s->ts_threads[i];
	snprintf(t->tt_name, sizeof(t->tt_name), "%s", name);
	t->tt_process = process != NULL ? tml_intern(s, process) : 0;
	tml_my_track = i;
	tml_my_gen = s->ts_gen;
}

/* The calling thread's track in s, or NULL. */
static struct tml_thread *tml_self(struct tml_state *s)
{
	return tml_my_gen == s->ts_gen ? &s->ts_threads[tml_my_track] : NULL;
}

/* Is t0 inside s's window? */
static bool tml_in_window(struct tml_state *s, uint64_t t0)
{
	uint64_t o = atomic_load_explicit(&s->ts_origin, memory_order_relaxed);

	if (t0 < o + s->ts_cfg.tc_window_lo_ns)
		return false;
	return s->ts_cfg.tc_window_hi_ns == 0 || t0 - o <= s->ts_cfg.tc_window_hi_ns;
}

/* Drop an event of track t: count it, and when the first drop happened. */
static void tml_drop(struct tml_state *s, struct tml_thread *t, uint64_t now)
{
	uint64_t zero = 0;

	atomic_store_explicit(&t->tt_dropped,
	    atomic_load_explicit(&t->tt_dropped, memory_order_relaxed) + 1, memory_order_relaxed);
	if (atomic_load_explicit(&s->ts_first_drop, memory_order_relaxed) == 0)
		atomic_compare_exchange_strong_explicit(&s->ts_first_drop, &zero, now,
		    memory_order_relaxed, memory_order_relaxed);
}

/* Append e to t's chunk, taking a new chunk if it has none or it is full. */
static void tml_put(struct tml_state *s, struct tml_thread *t, const struct vm_timeline_event *e)
{
	struct tml_chunk *c = t->tt_chunk;

	if (c == NULL || c->tc_n == s->ts_chunk_events) {
		uint32_t i;

		if (t->tt_full || atomic_load_explicit(&s->ts_next_chunk, memory_order_relaxed) >=
		    s->ts_nchunks || (i = atomic_fetch_add_explicit(&s->ts_next_chunk, 1,
		    memory_order_relaxed)) >= s->ts_nchunks) {
			t->tt_full = true;
			tml_drop(s, t, e->te_start + e->te_dur);
			return;
		}
		c = tml_chunk_at(s, i);
		c->tc_thread = (uint32_t)(t - s->ts_threads);
		c->tc_n = 0;
		t->tt_chunk = c;
	}
	c->tc_ev[c->tc_n++] = *e;
	atomic_store_explicit(&t->tt_events,
	    atomic_load_explicit(&t->tt_events, memory_order_relaxed) + 1, memory_order_relaxed);
}

static void tml_record(struct tml_state *s, struct tml_thread *t, enum vm_tl_kind k,
    uint64_t t0, uint64_t t1, uint64_t arg, uint32_t arg2, unsigned proc)
{
	struct vm_timeline_event e = { .te_start = t0, .te_dur = t1 > t0 ? t1 - t0 : 0,
		.te_arg = arg, .te_arg2 = arg2, .te_kind = (uint16_t)k, .te_proc = (uint16_t)proc };

	if (tml_in_window(s, t0))
		tml_put(s, t, &e);
}

void tml_span(enum vm_tl_kind k, uint64_t t0, uint64_t t1, uint64_t arg, uint32_t arg2,
    unsigned proc)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);
	struct tml_thread *t;

	if (s != NULL && (t = tml_self(s)) != NULL)
		tml_record(s, t, k, t0, t1, arg, arg2, proc);
}

void tml_fault(enum vm_tl_kind k, uint64_t t0, uint64_t arg, uint32_t arg2, unsigned proc)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);
	struct tml_thread *t;

	if (s == NULL)
		return;
	if ((t = tml_self(s)) == NULL)
		atomic_fetch_add_explicit(&s->ts_no_buffer, 1, memory_order_relaxed);
	else
		tml_record(s, t, k, t0, vm_now_ns(), arg, arg2, proc);
}

void tml_lock_wait(int c, uint64_t t0, uint64_t t1)
{
	struct tml_state *s = atomic_load_explicit(&tml_state, memory_order_acquire);
	struct tml_thread *t;

	if (s != NULL && t1 - t0 >= s->ts_cfg.tc_lock_wait_ns && (t = tml_self(s)) != NULL)
		tml_record(s, t, (enum vm_tl_kind)(VM_TL_LOCK_PTE + c), t0, t1, 0, 0, 0);
}

/* ---- reading back (after vm_timeline_stop, the recording threads quiet) ---- */

/* Tracks taken (a registration past the last counted none). */
static uint32_t tml_ntracks(struct tml_state *s)
{
	uint32_t n = atomic_load(&s->ts_nthreads);

	return n < VM_TL_THREADS ? n : VM_TL_THREADS;
}

void vm_timeline_get_info(struct vm_timeline_info *ti)
{
	struct tml_state *s = tml_held;

	memset(ti, 0, sizeof(*ti));
	if (s == NULL)
		return;
	ti->ti_origin_ns = atomic_load(&s->ts_origin);
	ti->ti_capacity = (uint64_t)s->ts_nchunks * s->ts_chunk_events;
	ti->ti_no_buffer = atomic_load(&s->ts_no_buffer);
	ti->ti_lost_threads = atomic_load(&s->ts_lost_threads);
	ti->ti_first_drop_ns = atomic_load(&s->ts_first_drop);
	ti->ti_ntracks = (int)tml_ntracks(s);
	for (int i = 0; i < ti->ti_ntracks; i++) {
		ti->ti_events += atomic_load(&s->ts_threads[i].tt_events);
		ti->ti_dropped += atomic_load(&s->ts_threads[i].tt_dropped);
	}
}

int vm_timeline_track(int i, struct vm_timeline_track *t)
{
	struct tml_state *s = tml_held;
	struct tml_thread *th;

	if (s == NULL || i < 0 || (uint32_t)i >= tml_ntracks(s))
		return -1;
	th = &s->ts_threads[i];
	t->tt_name = th->tt_name;
	t->tt_process = th->tt_process;
	t->tt_events = atomic_load(&th->tt_events);
	t->tt_dropped = atomic_load(&th->tt_dropped);
	return 0;
}

uint64_t vm_timeline_read(int i, struct vm_timeline_event *out)
{
	struct tml_state *s = tml_held;
	uint32_t used;
	uint64_t n = 0;

	if (s == NULL || i < 0 || (uint32_t)i >= tml_ntracks(s))
		return 0;
	used = atomic_load(&s->ts_next_chunk);
	if (used > s->ts_nchunks)
		used = s->ts_nchunks;
	for (uint32_t k = 0; k < used; k++) {
		struct tml_chunk *c = tml_chunk_at(s, k);

		if (c->tc_thread != (uint32_t)i)
			continue;
		memcpy(out + n, c->tc_ev, c->tc_n * sizeof(*out));
		n += c->tc_n;
	}
	return n;
}

const char *vm_timeline_name(unsigned i)
{
	struct tml_state *s = tml_held;

	return s != NULL && i < atomic_load(&s->ts_nnames) ? s->ts_names[i] : NULL;
}
