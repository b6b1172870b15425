/*
 * vm_sim.h - what the simulator, the benchmark and the tests use besides
 * the public interface (vm.h): statistics, the access routine, working-set
 * controls, pausing and validation, tunables, and fault injection.  Not
 * for library users, and not installed.
 *
 * It also brings in vm_util.h: the page geometry, the clock, the PRNG and
 * the message helpers (vm_size_str, vm_size_approx, vm_str_escape) the
 * core shares with its tools.
 */
#pragma once
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vm.h"
#include "vm_counters.h"
#include "vm_util.h"

/* ---- tunables ---- */

/*
 * Settings for experiments and tests, one set per instance, fixed at
 * creation: point cfg.vc_machine.mc_tunables at one (vm_create copies it).
 * Start from VM_TUNABLES_DEFAULT; the defaults are what a library user
 * gets with mc_tunables NULL.
 */
struct vm_tunables {
	int vt_start_threads;		/* start the system threads (1); 0: none run,
					 * the working-set controls do their work */
	int vt_max_faulters;		/* threads that may fault at once, for the
					 * bounce buffers (64; 1-4096) */
	int vt_shared_unlink;		/* soft faults unlink from the middle of a list
					 * under its lock held shared (1); 0: exclusive */
	int vt_pgf_rows;		/* the writer claims whole free 64-slot rows (1) */
	int vt_pgf_stash;		/* ... and stashes what it reserved but did not use (1) */
	int vt_trim_goal_div;		/* trim until available reaches frames / this
					 * (8; 2-64); below 4 it can exceed what
					 * vm_lock_limit leaves the trimmer */
	int vt_trim_hints;		/* faulters hand the pages a sequential run left
					 * behind to the trimmer (0; seed 001: measured
					 * 0.68-0.76x on the default workload) */
	int vt_trim_pieces;		/* a trim window freezes the batch's pages piece
					 * by piece (1), not its whole span (0), which
					 * also freezes and thaws every valid page
					 * between them (trimwin.c) */
	/* fault injection at creation (tests/inject/create.c): the Nth step of
	 * vm_create that can fail (an allocation, a system call, a thread
	 * start) fails as if the host refused (errno ENOMEM); 0: none */
	int vt_fail_create_step;
	/* if nonzero, the host's available memory (MemAvailable + free swap)
	 * as the in-memory page file's reservation sees it */
	uint64_t vt_mem_available;
};

#define VM_TUNABLES_DEFAULT ((struct vm_tunables){ .vt_start_threads = 1, \
	.vt_max_faulters = 64, .vt_shared_unlink = 1, .vt_pgf_rows = 1, .vt_pgf_stash = 1, \
	.vt_trim_goal_div = 8, .vt_trim_pieces = 1 })

/*
 * The configuration of a small instance in pages: frames, virtual pages
 * and page-file slots (in memory), the rest VM_CONFIG_DEFAULT, with the
 * tunables t (NULL: the defaults).  The tests' and the benchmark's one
 * way to size an instance.
 */
static inline struct vm_config vm_config_pages(uint64_t frames, uint64_t pages, uint64_t slots,
    const struct vm_tunables *t)
{
	struct vm_config c = VM_CONFIG_DEFAULT;

	c.vc_machine.mc_physical = frames * VM_PAGE_SIZE;
	c.vc_machine.mc_pagefile = slots * VM_PAGE_SIZE;
	c.vc_machine.mc_tunables = t;
	c.vc_space.as_virtual = pages * VM_PAGE_SIZE;
	return c;
}

/* ---- statistics ---- */

/* What happened so far (vm_counters.h has every field's meaning). */
struct vm_stats {
#define VM_STAT_FIELD(name, key, kind, desc) uint64_t vs_##name;
	VM_COUNTERS(VM_STAT_FIELD)
#undef VM_STAT_FIELD
};

void vm_get_stats(struct vm *vm, struct vm_stats *st);

/* One process's statistics (vm_counters.h, VM_PROCESS_COUNTERS): lock-free,
 * any time while it lives. */
struct vm_process_stats {
#define VM_STAT_FIELD(name, key, kind, desc) uint64_t ps_##name;
	VM_PROCESS_COUNTERS(VM_STAT_FIELD)
#undef VM_STAT_FIELD
};

void vm_process_get_stats(struct vm_process *p, struct vm_process_stats *st);

/* The commit limit (physical + page file) and what live processes have
 * charged against it, in bytes. */
uint64_t vm_commit_limit(struct vm *vm);
uint64_t vm_committed(struct vm *vm);

/* Process-wide lock statistics: every instance's locks together. */
struct vm_lock_stats {
#define VM_STAT_FIELD(name, key, kind, desc) uint64_t ls_##name;
	VM_LOCK_COUNTERS(VM_STAT_FIELD)
#undef VM_STAT_FIELD
};

void vm_lock_stats_get(struct vm_lock_stats *ls);

/*
 * The tables, for printing every counter: the field's name (without its
 * vs_ or ls_ prefix), JSON key, kind, description, and offset in its
 * struct (read it with vm_stat_value).
 */
struct vm_stat_field {
	const char *sf_name;
	const char *sf_key;
	enum vm_stat_kind sf_kind;
	const char *sf_desc;
	size_t sf_offset;
};
extern const struct vm_stat_field vm_stat_fields[];	/* struct vm_stats */
extern const int vm_stat_nfields;
extern const struct vm_stat_field vm_lock_stat_fields[];	/* struct vm_lock_stats */
extern const int vm_lock_stat_nfields;
extern const struct vm_stat_field vm_process_stat_fields[];	/* struct vm_process_stats */
extern const int vm_process_stat_nfields;

static inline uint64_t vm_stat_value(const void *stats, const struct vm_stat_field *f)
{
	return *(const uint64_t *)((const char *)stats + f->sf_offset);
}

/* The lock classes, as ts_lock_wait_ns indexes them. */
enum vm_lock_class { VM_LOCK_PTE, VM_LOCK_PFN, VM_LOCK_LIST, VM_LOCK_PGF, VM_LOCK_NCLASS };

/*
 * Per-thread accounting: attach a zeroed struct on a thread, and the fault
 * path adds to it what that thread spends.  NULL detaches.
 */
struct vm_thread_stats {
	uint64_t ts_faults;		/* faults resolved on this thread */
	uint64_t ts_fault_ns;		/* time inside the fault handler */
	uint64_t ts_wait_avail_ns;	/* ... of which waiting for a free page */
	uint64_t ts_wait_other_ns;	/* ... waiting for a trim, window or in-page */
	uint64_t ts_lock_wait_ns[VM_LOCK_NCLASS];	/* ... waiting for locks, by class */
};
void vm_thread_stats_attach(struct vm_thread_stats *ts);

/*
 * The system threads that run (in this order: trimmer, modified writer,
 * zero-page thread, defragmenter if mc_defrag), into out (room for 4), for
 * CPU-time accounting.  Returns how many.
 */
int vm_system_threads(struct vm *vm, pthread_t *out);

/* ---- the access routine ---- */

/*
 * The MMU's part of an access to addr: set its page's accessed bit, which
 * the aging trim policy reads (vm.h, VM_TRIM_AGING).  The simulator's user
 * threads call it on every access; lock-free.
 */
void vm_touch(struct vm *vm, const void *addr);	/* the default process */
void vm_process_touch(struct vm_process *p, const void *addr);	/* any process */

/* ---- pausing, validation, working-set control ---- */

/* Park the trimmer, writer and zero thread at a safe point / let them go.
 * Pauses nest (vm_process_destroy pauses too): the threads go on at the
 * last resume. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);

/*
 * Check every invariant of the PFN database, the lists, every process's
 * PTEs (each frame's owner link points back; each process's resident
 * count equals its valid PTEs; no frame or slot names a process that is
 * gone) and the page file; report the first problems to f.  Call with no thread touching
 * the region and the system threads paused.  Returns the number of problems.
 */
long vm_validate(struct vm *vm, FILE *f, int expensive);

/*
 * Working-set control, with the system threads paused (vm_pause):
 *  vm_empty_working_set  trim every mapped page now but the locked ones
 *                        (EmptyWorkingSet);
 *  vm_flush_modified     write every modified page to the page file;
 *  vm_purge_standby      repurpose every standby page to the free list;
 *  vm_zero_free          zero up to max free pages onto the zeroed list
 *                        (the zero-page thread's work, done now).
 * Each returns the pages it moved.  The benchmark uses them to set up one
 * kind of fault at a time.
 */
uint64_t vm_empty_working_set(struct vm *vm);	/* every process */
uint64_t vm_process_empty_working_set(struct vm_process *p);
uint64_t vm_flush_modified(struct vm *vm);
uint64_t vm_purge_standby(struct vm *vm);
uint64_t vm_zero_free(struct vm *vm, uint64_t max);

/* ---- memory estimates (the command's preflight) ---- */

/*
 * The host memory an instance of configuration cfg may use, in bytes,
 * saturating at UINT64_MAX (sizes whose arithmetic would wrap): vf_total,
 * and its parts if parts is not NULL.
 */
struct vm_footprint {
	uint64_t vf_frames;	/* the frames: mc_physical */
	uint64_t vf_mapped;	/* the region's mapped pages, at most one per frame (a
				 * mapped page is a copy of its frame) */
	uint64_t vf_pagefile;	/* an in-memory page file (0 with mc_pagefile_path) */
	uint64_t vf_books;	/* bookkeeping: the PFN, PTE and PTE-lock arrays, the
				 * page-file bitmap and slot owners (8 bytes a slot,
				 * file-backed too), bounce buffers */
	uint64_t vf_total;
};
uint64_t vm_footprint(const struct vm_config *cfg, struct vm_footprint *parts);

/* What one instance may plan to use: 3/4 of the machine's memory. */
uint64_t vm_memory_limit(void);

/* ---- fault injection ---- */

/*
 * Page-file I/O failures on a live instance: the next `reads' reads and
 * the next `writes' writes fail with EIO (< 0: every one, 0: none).
 * Creation failures are a tunable (vt_fail_create_step).
 */
void vm_inject_io(struct vm *vm, int reads, int writes);

/* How many injected I/O failures are still to come (reads, writes). */
void vm_inject_io_left(struct vm *vm, int *reads, int *writes);

/* ---- the kernel ---- */

/*
 * Open a userfaultfd the way vmsim does, with the UFFD_FEATURE_* bits of
 * `enable' turned on and those of `require' offered.  Returns the
 * descriptor, or -1 with vmsim's one line about what the kernel lacks in
 * err.  (The benchmark's floor measures a bare userfaultfd opened so.)
 */
int vm_uffd_open(uint64_t require, uint64_t enable, char *err, size_t errlen);

/* ---- the timeline recorder (vmsim --timeline; docs/DESIGN.md, "The timeline") ---- */

/*
 * What the recorder records: each event a complete span (its start and
 * duration, written once, at its end) on the thread that ran it, with up
 * to two arguments; spans nest by time on a thread (a wait inside its
 * fault, a phase inside its batch).  X(ID, name, category, arg, arg2):
 * the name and category the file gives it, its arguments' names ("": none).
 * A fault is named by how it was resolved; "collided" is one another
 * thread had resolved, and each wait inside a fault is one more "collided
 * or waited" (faults_collided counts both); a wait's "signals" is how
 * often its event was signalled by the time the thread ran again (more
 * than 1: it was woken, then waited for a CPU).  The lock waits are those
 * of at least tc_lock_wait_ns.
 */
#define VM_TIMELINE_KINDS(X) \
	X(FAULT_DZ, "demand-zero", "fault", "page", "") \
	X(FAULT_SOFT_STANDBY, "soft (standby)", "fault", "page", "") \
	X(FAULT_SOFT_MODIFIED, "soft (modified)", "fault", "page", "") \
	X(FAULT_HARD, "hard", "fault", "page", "prefetched") \
	X(FAULT_COLLIDED, "collided", "fault", "page", "") \
	X(FAULT_THAW, "window thaw", "fault", "page", "") \
	X(FAULT_AV, "access violation", "fault", "page", "") \
	X(FAULT_FAILED, "failed", "fault", "page", "") \
	X(WAIT_AVAIL, "wait: free page", "wait", "page", "signals") \
	X(WAIT_TRIM, "wait: trim batch", "wait", "page", "signals") \
	X(WAIT_WINDOW, "wait: trim window", "wait", "page", "signals") \
	X(WAIT_INPAGE, "wait: in-page", "wait", "page", "signals") \
	X(WAIT_BOUNCE, "wait: frame for a bounced page", "wait", "page", "signals") \
	X(LOCK_PTE, "lock wait: PTE", "lock", "", "") \
	X(LOCK_PFN, "lock wait: PFN", "lock", "", "") \
	X(LOCK_LIST, "lock wait: list", "lock", "", "") \
	X(LOCK_PGF, "lock wait: page file", "lock", "", "") \
	X(TRIM_BATCH, "trim batch", "trimmer", "pages", "clean") \
	X(TRIM_SELECT, "select", "trimmer", "pages", "") \
	X(TRIM_FREEZE, "freeze", "trimmer", "pages", "") \
	X(TRIM_CAPTURE, "capture", "trimmer", "pages", "dirty") \
	X(TRIM_ZAP, "zap", "trimmer", "pages", "") \
	X(TRIM_THAW, "thaw", "trimmer", "pages", "") \
	X(TRIM_FINISH, "finish", "trimmer", "pages", "clean") \
	X(TRIM_WAKE, "wake", "trimmer", "", "") \
	X(REPLACE_LOCAL, "local replacement", "working set", "pages", "") \
	X(WRITE_BATCH, "write batch", "writer", "pages", "slot runs") \
	X(ZERO, "zero page", "zero", "", "") \
	X(DEFRAG, "defrag pass", "defrag", "moves", "")

enum vm_tl_kind {
#define VM_TL_ENUM(id, name, cat, arg, arg2) VM_TL_##id,
	VM_TIMELINE_KINDS(VM_TL_ENUM)
#undef VM_TL_ENUM
	VM_TL_NKINDS
};

struct vm_tl_kind_info {
	const char *tk_name, *tk_cat, *tk_arg, *tk_arg2;
};
extern const struct vm_tl_kind_info vm_tl_kinds[VM_TL_NKINDS];

/* One event, as recorded. */
struct vm_timeline_event {
	uint64_t te_start;		/* vm_now_ns() at its start */
	uint64_t te_dur;		/* ns */
	uint64_t te_arg;		/* its kind's first argument */
	uint32_t te_arg2;		/* ... and second */
	uint16_t te_kind;		/* enum vm_tl_kind */
	uint16_t te_proc;		/* the process it concerns: a name (vm_timeline_name),
					 * 0 if none */
};

#define VM_TL_THREADS 4096		/* tracks, at most */
#define VM_TL_NAMES 1280		/* names (processes), at most */
#define VM_TL_NAME_MAX 32		/* a name, with its NUL */

struct vm_timeline_config {
	uint64_t tc_max_events;		/* the bound: events held in all (at least 16) */
	uint64_t tc_window_lo_ns;	/* record only spans that start in [lo, hi] ns */
	uint64_t tc_window_hi_ns;	/* after time 0 (vm_timeline_start); hi 0: no end */
	uint64_t tc_lock_wait_ns;	/* a lock wait this long or longer is a span */
};

/*
 * The recorder is process-wide, for every machine (like the lock
 * statistics).  vm_timeline_enable allocates its whole memory (about 32
 * bytes an event, reserved, touched as used) and starts it: from then on
 * each registered thread records, and a machine or process created
 * records its name; time 0 is now.  VM_EBUSY if it is enabled (or not
 * freed), VM_EINVAL for a bound under 16, VM_ENOMEM.
 * vm_timeline_start: time 0 is now, the window counts from here.
 * vm_timeline_thread: the calling thread gets a track, named `name' under
 * `process' (NULL: the machine's threads); its events go there.  Call it
 * before the thread's first access: a fault on a thread with none is only
 * counted (ti_no_buffer).  A no-op while the recorder is off.  The system
 * threads register themselves.
 * vm_timeline_stop: nothing more is recorded.
 * Reading back (info, tracks, events), and vm_timeline_free, only after
 * stop and once every thread that recorded is joined or quiet.
 */
int vm_timeline_enable(const struct vm_timeline_config *c);
void vm_timeline_start(void);
void vm_timeline_thread(const char *name, const char *process);
void vm_timeline_stop(void);
void vm_timeline_free(void);

struct vm_timeline_info {
	uint64_t ti_origin_ns;		/* time 0, vm_now_ns() */
	uint64_t ti_capacity;		/* the events it can hold (<= tc_max_events) */
	uint64_t ti_events;		/* events held */
	uint64_t ti_dropped;		/* events dropped: the bound was reached */
	uint64_t ti_first_drop_ns;	/* when the first was dropped, vm_now_ns(); 0: none */
	uint64_t ti_no_buffer;		/* faults on threads with no track: counted only */
	uint64_t ti_lost_threads;	/* registrations past VM_TL_THREADS (no track) */
	int ti_ntracks;
};
void vm_timeline_get_info(struct vm_timeline_info *ti);

struct vm_timeline_track {
	const char *tt_name;		/* the thread's */
	unsigned tt_process;		/* its process's name index; 0: the machine */
	uint64_t tt_events;		/* events held */
	uint64_t tt_dropped;		/* ... and dropped at the bound */
};
/* Track i (0 .. ti_ntracks-1); -1 if there is none. */
int vm_timeline_track(int i, struct vm_timeline_track *t);
/* Copy track i's events (tt_events of them) into out, in the order they
 * ended.  Returns how many. */
uint64_t vm_timeline_read(int i, struct vm_timeline_event *out);
/* Name i: 0 is "machine"; NULL past the last. */
const char *vm_timeline_name(unsigned i);

/* ---- lock algorithm variants (the benchmark's build only) ---- */

#if VM_LOCK_VARIANTS
/*
 * Which contended path the lock takes (docs/PERFORMANCE.md):
 *  FUTEX  backoff spin, then sleep (the library's only one)
 *  SPIN   backoff spin, then sched_yield(); never sleeps (seed 000)
 *  MUTEX  sleep at once, no spin: glibc's PTHREAD_MUTEX_NORMAL algorithm on
 *         the same word (a real pthread_mutex_t is not async-signal-safe)
 * Compiled only into the benchmark (its own build of vm_lock.c, with
 * VM_LOCK_VARIANTS=1); the library has no such switch.  Set it only while
 * no lock is held or waited for.
 */
enum lk_impl { LK_IMPL_FUTEX, LK_IMPL_SPIN, LK_IMPL_MUTEX };
void vm_lock_impl_set(enum lk_impl impl);
#endif
