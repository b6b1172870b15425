/*
 * vm_lock.h - the lock hierarchy, the lock, and its debug-build checks.
 *
 * Lock order (acquire downward only; a lock may be taken against the order
 * only with lk_try(), and on failure the caller drops what it holds or picks
 * another victim):
 *
 *   vm_proc_mtx            the machine's process table (a pthread mutex:
 *   |                      creation, teardown, vm_lock_pages' lookup; never
 *   |                      in the fault path, never held while faulting or
 *   |                      waiting on an event; pk_mtx, vm_pause's, is taken
 *   |                      by teardown with it NOT held)
 *   LK_RANK_WIN         5  a process's trim-window lock (ps_win_lock): held by
 *   |                      whoever opens a trim window in the process, from
 *   |                      before the freeze to after the thaw (trim_capture):
 *   |                      the trimmer, or a faulter replacing locally at a
 *   |                      hard maximum (wsm.c); taken with no lock held
 *   LK_RANK_PTE        10  PTE region lock (ps_pte_locks[vpn >> PTE_REGION_SHIFT]
 *   |                      of one process); at most one held by a thread
 *   +-LK_RANK_PFN      20  PFN lock (pf_lock); at most one, except by lk_try()
 *     +-LK_RANK_WS     25  a process's working-set lock (ps_ws_lock, wsl.c);
 *     |                    nothing is taken under it; also taken alone
 *     |                    (the trimmer's rotate and sample) or under a
 *     |                    region lock alone
 *     +-LK_RANK_LIST   30  one page-list lock (pl_lock) at a time, shared or
 *       |                  exclusive (lk_acquire_shared / lk_acquire_excl)
 *       +-(LK_RANK_PFN)    a sharer of a list lock may then lk_try() the
 *       |                  two neighbours' PFN locks of the page it unlinks
 *       +-LK_RANK_PGF  40  page-file stash lock (leaf)
 *
 * The rules the ranks do not show:
 *  - The working-set list (wsl.c).  A frame is on its owner's list exactly
 *    while ACTIVE: it is linked (wsl_insert) in fault_activate and unlinked
 *    (wsl_remove) in trim_finish and proc_free_page, each under its PFN
 *    lock and the list's WS lock, with pf_wsproc (owner + 1, else 0) set
 *    and cleared there too.  So under a process's WS lock every entry of
 *    its list is an ACTIVE frame of it whose pf_vpn and PTE (valid, naming
 *    it) hold still but for the accessed/age bits and TRIMMING; a frame
 *    whose pf_wsproc reads as the process's under that lock is on its list
 *    (wsl_sample).  The trimmer copies entries out under the WS lock and
 *    drops it before it takes a region lock: it rechecks each page's PTE
 *    under the region lock (trim_consider, trim_collect_scan) as it did.
 *    Lock waits on it are charged to the PFN class (rank / 10).
 *  - Windows and local replacement.  A process has one trim window at a
 *    time (ps_win_gen odd while open); the trimmer and the faulters of a
 *    process at a hard maximum (wsm_replace_local, in the SIGBUS handler,
 *    after their fault is resolved and every lock released) both trim it,
 *    so the window is opened only under ps_win_lock.  Its holder copies
 *    frozen pages that are valid (no fault), takes region, PFN, WS and
 *    list locks in order beneath it, and waits for nothing a faulter
 *    holds; a faulter waiting for it holds no lock.  Its waits are charged
 *    to the PTE class.  The working-set limits ps_ws_min, ps_ws_max and
 *    ps_ws_flags are atomics written by vm_process_set_limits with no
 *    lock: a reader may pair a new minimum with an old maximum once.
 *  - A transition PTE is trusted only under the PFN lock of the frame it
 *    names (seed 000).  Its frame may be repurposed by a thread that holds
 *    that PFN lock but not the PTE's region lock: such a thread rewrites the
 *    PTE transition -> page file.  So a thread holding the region lock that
 *    reads a transition PTE must take the PFN lock and read the PTE again.
 *    Across processes: the repurposer may serve another process than the
 *    frame's owner.  It reads the owner (pf_proc, pf_vpn) under the PFN
 *    lock, finds that process in vm_procs and rewrites its PTE there
 *    (pfn_repurpose_locked); the owner's region lock is never taken (it
 *    would be against the order, and another process's).  The table
 *    entry is there while any frame names the process: the teardown below
 *    frees every frame of a process, each under its PFN lock, before the
 *    process leaves the table.
 *  - Process teardown (vm_process_destroy; the caller's threads no longer
 *    touch the region).  In order:
 *     1. the region leaves the SIGBUS registry (no fault can reach it);
 *        (No local replacement is in flight either: it runs in a fault
 *        of the process's own threads, and none touches the region.)
 *     2. the system threads park at their loop tops (vm_threads_pause,
 *        counted, so it nests with a user's vm_pause).  A trim batch, a
 *        page-file write batch, a defragmenter pass and a zeroing are
 *        each finished inside one loop turn, so none is in flight: no
 *        page of the process is TRIMMING or in a trim window, none is
 *        PFN_F_WRITING (its page under the modified writer was written
 *        and went to standby, or went back to modified), and no slot of it
 *        is being moved (the defragmenter reads the table only while it
 *        runs, and the table does not shrink while it runs);
 *     3. proc_free_pages walks its PTEs under each region lock: VALID ->
 *        its frame ACTIVE -> FREE (pfn_free_owned: locks dropped, slot
 *        released); TRANSITION -> take the frame's PFN lock and read the
 *        PTE again: still naming the frame, it goes off its list to FREE
 *        (MODIFIED: pfn_free_owned; STANDBY: pfn_free_standby, which
 *        repurposes it, our PTE to page-file format); changed, a faulter
 *        of another process repurposed the frame meanwhile (rule above:
 *        it held the PFN lock, rewrote our PTE to page-file format, and
 *        the frame is its now); either way a PAGEFILE PTE's slot is then
 *        released; INPAGE (only on a failed machine) -> the bounce buffer
 *        released.  Faulters of the other processes run on meanwhile,
 *        and may repurpose its standby frames until the walk reaches them;
 *     4. under vm_proc_mtx, it leaves the table and its commit charge is
 *        released: no frame, list entry or slot names it any more;
 *     5. the system threads go on; its region is unmapped, its
 *        userfaultfd closed.
 *    Freed frames hold the old owner's bytes: FREE is zeroed before a
 *    demand-zero fault maps it, and a hard fault overwrites a frame whole,
 *    so no process sees another's bytes.
 *  - Taking a page off a list needs the PFN lock after the list lock, which
 *    is against the order: the list walker uses lk_try() on the PFN and
 *    skips a page whose lock is busy (plist_take_head()).
 *  - A page list's links are written either under its list lock held
 *    exclusive, or under the list lock held shared plus the PFN locks of
 *    every page whose links change: a page unlinked from the middle (a soft
 *    fault) and its two neighbours (seed 000's "target, Flink and Blink";
 *    seed 001's shared list locks).  The neighbours are only tried: if
 *    either is busy, or the page is the head or the tail (pl_head/pl_tail
 *    change), the unlink drops the shared lock and takes it exclusive.
 *    Inserts and head takes are always exclusive (plist.c).
 *  - Standby is eight lists, one per memory priority (vm_standby[]), each
 *    an ordinary list lock, one at a time: a take tries the lowest
 *    non-empty one (vm_standby_mask), releases it, tries the next.  A
 *    frame's pf_priority changes only in pfn_set_state(.., STANDBY) under
 *    its PFN lock while it is on no list, so it names its list for as
 *    long as it is on one.  The mask's bit p and the total (the count of
 *    vm_lists[PFN_STATE_STANDBY]) change with list p's count under its
 *    lock (shared only to unlink, when no insert runs).
 *  - No lock is held while waiting on an event, while copying a batch
 *    (trimmer, writer, zero thread), or while touching the managed region
 *    (a fault there would re-enter the fault handler).
 *  - The fault path sends no wakeup while it holds a PTE region lock
 *    (pfn_alloc_kick() runs after the release): the woken thread may
 *    preempt the waker, stalling every fault in the region meanwhile.
 *  - Locked pages (pglock.c).  A frame's lock count pf_lockcnt changes only
 *    under its page's region lock and its PFN lock, and only while the PTE
 *    is valid and not TRIMMING; a frame's first lock adds one to
 *    vm_nlocked after storing the count, its last unlock subtracts one.
 *    The trimmer never marks a locked page TRIMMING (trim_consider checks
 *    under the region lock, trim_mark again under the PFN lock), so a locked
 *    page is never captured, zapped or repurposed.  A locker that finds the
 *    page TRIMMING waits for the batch (vm_ev_trimmed) and retries; one that
 *    finds it invalid reads a byte of it from user space, holding nothing,
 *    and retries.
 *  - Locked pages and trim windows: a kernel write to a write-protected
 *    page gets EFAULT, so no freeze may cover a locked page.  The trimmer
 *    opens a window by bumping vm_win_gen (odd: open) and storing
 *    vm_win_lo/hi, and only then reads vm_nlocked and, if it is nonzero,
 *    the lock counts of the window's pages, with no lock held (a valid PTE
 *    keeps its frame until the trimmer itself zaps it); it freezes around
 *    every page it saw locked (trim_freeze).  A locker stores all its
 *    counts first and only then reads vm_win_gen and the window.  All of
 *    these accesses are sequentially consistent, so for each page one side
 *    sees the other: either the freeze saw the count and left the page out,
 *    or the locker sees the window open over its range (or already closed,
 *    and after a close no valid page of the window outside its batch is
 *    write-protected: frozen piece by piece, none was but a page mapped in
 *    a joined gap, which the close thaws; frozen whole, the close thaws them)
 *    and waits until vm_win_gen moves on (pglock_window_wait).  A window
 *    opened after that reads the count after it was stored, so the locker
 *    waits for one window at most.
 *  - Failure (vm_fail.c): vm_fail() runs with no lock held.  It moves
 *    vm_failed off VM_HEALTHY (once, by CAS) before it signals every event
 *    of the instance, and every thread about to sleep on an event checks
 *    vm_is_failed() after taking its snapshot: so a sleeper either sees
 *    the failure or is woken by it, and none sleeps on a failed instance.
 *    vm_fail_msg is written only by the thread whose CAS won, before it
 *    publishes VM_FAILED; readers wait for VM_FAILED.  System threads of a
 *    failed instance park (vm_parked_check) until vm_destroy() stops them.
 *  - The timeline recorder (vm_timeline.c) takes no lock of this tree and
 *    none while recording: each thread writes only its own track (a chunk
 *    of a pool allocated at enable time, a new chunk one atomic
 *    fetch-and-add), from its own code or its own SIGBUS handler, which
 *    cannot interrupt the recorder (the recorder touches no region
 *    memory).  So the fault path, the lock's slow path and the system
 *    threads record with any lock held.  Registering a thread and naming
 *    a process take the recorder's own mutex (ts_names_mtx), a leaf:
 *    nothing is taken under it; it is taken under vm_proc_mtx (a process
 *    named as it is built) or with nothing held, never in the handler.  Reading
 *    back and freeing come after vm_timeline_stop and after every thread
 *    that recorded is joined; a thread's track is named with the
 *    recorder's generation, so a thread of an earlier enable records
 *    nothing into a later one.
 *  - The SIGBUS handler's registry (vm_sigbus.c), of machines and of
 *    process regions, is lock-free: registered by CAS, cleared by
 *    stores, read with acquire loads.  A region entry keeps its bounds
 *    beside its process, so the handler matches an address without
 *    reading a process that another thread is tearing down.  A machine is
 *    unregistered only after its system threads are joined; a process is
 *    unregistered first thing in its teardown; vm_destroy() and
 *    vm_process_destroy() require that no user thread touches the region.
 *  - Outside the library, one word orders who writes to the terminal under
 *    vmsim --live (sim/live.c, lv_state): the main thread draws only after
 *    taking it (idle -> drawing), holding no vmsim lock and calling nothing
 *    of vmsim while it holds it (it reads the counters before); mc_on_error,
 *    which vmsim calls in the SIGBUS handler with no lock held, and the
 *    view's signal handlers take it from idle, or wait for it a bounded
 *    time (1 s; not at all when they interrupted the drawing thread), then
 *    end the view.  So a failing fault never waits on anything that waits
 *    for a fault.
 *
 * The lock itself is a futex word with a short exponential-backoff spin
 * before it sleeps: async-signal-safe (atomics and futex(2) only), so the
 * SIGBUS handler may take it, and cheap uncontended (one CAS).
 *
 * Debug builds (VM_DEBUG >= 1) keep a per-thread stack of held ranks and
 * assert that every blocking acquire ranks strictly below the deepest lock
 * held (FreeBSD WITNESS, in miniature).
 */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm_debug.h"
#include "vm_sim.h"

enum lk_rank {
	LK_RANK_WIN = 5,
	LK_RANK_PTE = 10,
	LK_RANK_PFN = 20,
	LK_RANK_WS = 25,
	LK_RANK_LIST = 30,
	LK_RANK_PGF = 40,
};

typedef struct lk {
	_Atomic uint32_t lk_word;	/* 0 free, 1 held, 2 held with sleepers (a) */
	uint8_t lk_rank;		/* enum lk_rank (c) */
} lk_t;

/*
 * Lock-wait accounting, per lock class (LK_CLASS_*): process-wide, the one
 * piece of mutable global state besides the SIGBUS handler's registry, the
 * timeline recorder and the per-thread accounting pointer.  A lock is a bare word that knows no
 * instance, so its waits are charged to the class, for every instance
 * together (vm_lock_stats_get, vm_sim.h).
 */
enum {
	LK_CLASS_PTE = VM_LOCK_PTE, LK_CLASS_PFN = VM_LOCK_PFN, LK_CLASS_LIST = VM_LOCK_LIST,
	LK_CLASS_PGF = VM_LOCK_PGF, LK_NCLASS = VM_LOCK_NCLASS
};

struct lk_stats {
	_Atomic uint64_t ls_contended[LK_NCLASS];	/* acquires that had to wait (a) */
	_Atomic uint64_t ls_wait_ns[LK_NCLASS];		/* time spent waiting (a) */
};
extern struct lk_stats lk_stats;

/* The calling thread's accounting (vm_thread_stats_attach), or NULL. */
struct vm_thread_stats;
extern __thread struct vm_thread_stats *vm_tstats __attribute__((tls_model("initial-exec")));

static inline void lk_init(lk_t *l, enum lk_rank rank)
{
	atomic_init(&l->lk_word, 0);
	l->lk_rank = (uint8_t)rank;
}

void lk_acquire_slow(lk_t *l);

#if VM_DEBUG >= 1
void lk_debug_push(lk_t *l, bool blocking);
void lk_debug_pop(lk_t *l);
bool lk_debug_held(const lk_t *l);
int lk_debug_depth(void);
#else
static inline void lk_debug_push(lk_t *l, bool b) { (void)l; (void)b; }
static inline void lk_debug_pop(lk_t *l) { (void)l; }
#endif

static inline void lk_acquire(lk_t *l)
{
	uint32_t z = 0;

	lk_debug_push(l, true);
	if (!atomic_compare_exchange_strong_explicit(&l->lk_word, &z, 1,
	    memory_order_acquire, memory_order_relaxed))
		lk_acquire_slow(l);
}

/* Takes l if it is free; never blocks, so it may break the order. */
static inline bool lk_try(lk_t *l)
{
	uint32_t z = 0;

	if (!atomic_compare_exchange_strong_explicit(&l->lk_word, &z, 1,
	    memory_order_acquire, memory_order_relaxed))
		return false;
	lk_debug_push(l, false);
	return true;
}

void lk_wake(lk_t *l);

static inline void lk_release(lk_t *l)
{
	lk_debug_pop(l);
	if (atomic_exchange_explicit(&l->lk_word, 0, memory_order_release) == 2)
		lk_wake(l);
}

/*
 * Shared/exclusive use of a lock (the page lists).  The same lk_t, its word
 * read as: LK_RW_WRITER held exclusive; LK_RW_WANT a thread waits to take
 * it exclusive, so new sharers hold off (no writer starvation);
 * LK_RW_SLEEP a thread sleeps on the word; the bits above count sharers in
 * units of LK_RW_READER.  A lock is used either with lk_acquire/lk_release
 * or with these, never both.  Async-signal-safe like lk_acquire().
 */
#define LK_RW_WRITER 1u
#define LK_RW_WANT 2u
#define LK_RW_SLEEP 4u
#define LK_RW_READER 8u

void lk_acquire_rw_slow(lk_t *l, bool excl);
void lk_wake_all(lk_t *l);

static inline void lk_acquire_excl(lk_t *l)
{
	uint32_t z = 0;

	lk_debug_push(l, true);
	if (!atomic_compare_exchange_strong_explicit(&l->lk_word, &z, LK_RW_WRITER,
	    memory_order_acquire, memory_order_relaxed))
		lk_acquire_rw_slow(l, true);
}

static inline void lk_release_excl(lk_t *l)
{
	lk_debug_pop(l);
	if (atomic_fetch_and_explicit(&l->lk_word, ~(LK_RW_WRITER | LK_RW_SLEEP),
	    memory_order_release) & LK_RW_SLEEP)
		lk_wake_all(l);
}

static inline void lk_acquire_shared(lk_t *l)
{
	uint32_t w = atomic_load_explicit(&l->lk_word, memory_order_relaxed);

	lk_debug_push(l, true);
	if ((w & (LK_RW_WRITER | LK_RW_WANT)) ||
	    !atomic_compare_exchange_weak_explicit(&l->lk_word, &w, w + LK_RW_READER,
	    memory_order_acquire, memory_order_relaxed))
		lk_acquire_rw_slow(l, false);
}

static inline void lk_release_shared(lk_t *l)
{
	uint32_t w;

	lk_debug_pop(l);
	w = atomic_fetch_sub_explicit(&l->lk_word, LK_RW_READER, memory_order_release) -
	    LK_RW_READER;
	/* The last sharer out wakes a waiting writer. */
	if (w < LK_RW_READER && (w & LK_RW_SLEEP) &&
	    (atomic_fetch_and_explicit(&l->lk_word, ~LK_RW_SLEEP, memory_order_relaxed) & LK_RW_SLEEP))
		lk_wake_all(l);
}

#if VM_DEBUG >= 1
#define lk_assert_held(l) VM_ASSERT(lk_debug_held(l))
#define lk_assert_none_held() VM_ASSERT(lk_debug_depth() == 0)
#else
#define lk_assert_held(l) ((void)(l))
#define lk_assert_none_held() ((void)0)
#endif
