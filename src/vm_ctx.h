/*
 * vm_ctx.h - layer 1, the state: struct vm, the one object that holds an
 * instance's state, and the small accessors every layer above uses.
 *
 * The layers, ground up (docs/DESIGN.md, "Layers"; tests/layers.sh keeps
 * every #include and every call going down or sideways, never up):
 *   0 base       vm_util, vm_debug, vm_timeline, vm_lock, vm_event,
 *                vm_park; the interface headers vm.h, vm_sim.h, vm_counters.h
 *   1 state      this header; pte, pfn + plist + pfnalloc, pgf, map, vm_fail
 *   2 workers    vm_work.h: fault, the trimmer, the writer, the zero-page
 *                thread, defrag, locked pages, image, validate
 *   3 instance   vm_inst.h: configuration, creation, system threads, stats
 *   4 entry      vm_sigbus.h: the SIGBUS handler and the registry; vm.c
 * struct vm is the machine (frames, lists, page file, system threads, the
 * process table, commit charge); struct vm_process one address space on it.
 * Layer 1 owns the PTEs (pte.c), the PFN database and its lists (pfn.c,
 * plist.c), frame allocation (pfnalloc.c), the page file (pgf.c), the
 * mapping at the hardware (map.c) and the failed state (vm_fail.c).  It
 * may call layer 0 only.  struct vm holds the state of the layers above
 * too, as plain data in groups that name their owner: only the owner
 * writes a group (the locking key says under what); others may read.
 *
 * Locking key:  (c) constant after init   (a) atomic ops only
 *   (T) the PTE region lock   (P) PFN lock   (L) list lock
 *   (trimmer) only the trimmer thread touches it (or vm_empty_working_set
 *       while paused)
 *   (writer) only the modified writer, or vm_flush_modified() while paused
 *   (M) vm_proc_mtx, the machine's process-table mutex (vm_lock.h)
 *   (W) the process's working-set lock ps_ws_lock (wsl.c, vm_lock.h)
 *   (f) written once, by the thread that fails the instance, before it
 *       publishes vm_failed = VM_FAILED (release); read only after an
 *       acquire load of VM_FAILED
 */
#pragma once
#include <pthread.h>
#include <sys/types.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "map.h"
#include "pfn.h"
#include "pgf.h"
#include "pte.h"
#include "vm_event.h"
#include "vm_lock.h"
#include "vm_park.h"
#include "vm_sim.h"
#include "vm_timeline.h"
#include "vm_util.h"

#define VM_TRIM_BATCH_MAX 256		/* pages per trim batch */
_Static_assert(VM_TRIM_BATCH_MAX <= MAP_ZAP_MAX, "map_zap() takes a whole trim batch");
#define VM_WRITE_BATCH_MAX 64		/* pages per page-file write batch */
#define VM_HINT_RING 1024		/* trim-hint slots (a power of two) */
#define VM_READ_RETRIES 8		/* a page-file read is tried 1 + this many times */
#define VM_WRITE_FAILS_MAX 64		/* failed writes in a row that fail the instance */
#define VM_PROCESS_NAME_MAX 32		/* a process's name, with its NUL */

/* The event counters (vm_counters.h), one relaxed atomic each. */
struct vm_counters {
#define VM_STAT_FIELD(name, key, kind, desc) vm_counter_t st_##name;
	VM_COUNTERS_EVENT(VM_STAT_FIELD)
#undef VM_STAT_FIELD
};

/* Count n more of counter `name' (a VM_COUNTERS_EVENT name). */
#define vm_stat_add(vm, name, n) vm_count((vm)->vm_st.st_##name, (n))

/* vm_failed: the instance's health (vm_fail.c) */
enum { VM_HEALTHY, VM_FAILING, VM_FAILED };

/* The per-process event counters (vm_counters.h), one relaxed atomic each. */
struct vm_process_counters {
#define VM_STAT_FIELD(name, key, kind, desc) vm_counter_t pc_##name;
	VM_PROCESS_COUNTERS_EVENT(VM_STAT_FIELD)
#undef VM_STAT_FIELD
};

/* Count n more of per-process counter `name' (a VM_PROCESS_COUNTERS_EVENT name). */
#define vm_pstat_add(p, name, n) vm_count((p)->ps_st.pc_##name, (n))

/*
 * A process: one address space on the machine (docs/DESIGN.md,
 * "Processes").  Its region, PTEs and PTE locks, read-only image, trim
 * window, the trimmer's policy state for it, its commit charge and its
 * counters.  Frames, lists, the page file and the system threads are the
 * machine's (struct vm).  Built by proc_init.c, published in
 * vm->vm_procs[ps_id] once complete, torn down by vm_process_destroy
 * (vm_proc.c; the protocol is in vm_lock.h).
 */
struct vm_process {
	struct vm *ps_vm;		/* the machine (c) */
	uint16_t ps_id;			/* index in vm->vm_procs, and pf_proc (c) */
	int ps_slot;			/* index in the SIGBUS registry, or -1 (c) */
	char ps_name[VM_PROCESS_NAME_MAX];	/* (c) */
	uint16_t ps_tl_name;		/* its name on the timeline (tml_name_intern);
					 * 0 if the recorder was off at its creation (c) */
	struct vm_space_config ps_cfg;	/* as_name NULL: the name is ps_name (c) */
	uint64_t ps_commit;		/* bytes charged against the commit limit (c) */
	/* memory priority 0-7 (vm_process_set_priority): its pages take it
	 * as they go to standby (pfn_set_state) (a) */
	_Atomic uint8_t ps_priority;

	/* the region and its page table (c) */
	char *ps_base;			/* the region */
	size_t ps_region_len;
	uint64_t ps_npages;		/* virtual pages */
	_Atomic pte_t *ps_ptes;		/* (T), see pte.h */
	lk_t *ps_pte_locks;		/* one per region of 64 PTEs */
	uint64_t ps_nregions;
	uint64_t ps_ro_end;		/* pages [0, ps_ro_end) are read-only (image.c) */
	int ps_uffd;			/* its own userfaultfd, -1 if none (map.c) */

	/* the trim window (trimwin.c): [lo, hi) is write-protected while
	 * nonempty; ps_win_gen is bumped as a window opens and as it closes,
	 * odd while one is open (a) */
	_Atomic uint64_t ps_win_lo, ps_win_hi;
	_Atomic uint64_t ps_win_gen;

	/* the trimmer's policy state for this process (trim_policy.c; trimmer) */
	uint64_t ps_trim_hand;		/* clock hand, a vpn */
	unsigned ps_trim_age;		/* age a page needs to be a candidate */
	uint64_t ps_trim_rng;
	/* trim hints (vt_trim_hints): a lossy multi-producer ring of vpn + 1
	 * (0: empty); faulters fetch_add the head and store, the trimmer
	 * exchanges slots with 0 from its tail; a lapped slot is overwritten */
	_Atomic uint64_t ps_hint_head;	/* (a) */
	uint64_t ps_hint_tail;		/* (trimmer) */
	_Atomic uint64_t ps_hints[VM_HINT_RING];	/* (a) */

	/*
	 * The working-set list (wsl.c; Windows' working-set list): the frames
	 * of its valid pages, oldest first, linked through pf_wsnext and
	 * pf_wsprev.  A frame joins at the tail where it becomes ACTIVE
	 * (fault_activate) and leaves where it stops being ACTIVE (trim_finish,
	 * proc_free_page), both through wsl.c.  ps_resident is its length.
	 */
	lk_t ps_ws_lock;		/* LK_RANK_WS (vm_lock.h) */
	uint32_t ps_ws_head;		/* oldest, or PFN_NONE (W) */
	uint32_t ps_ws_tail;		/* newest, or PFN_NONE (W) */

	/* its working-set limits, in pages (vm_process_set_limits; the
	 * working-set manager and the fault path read them) (a) */
	_Atomic uint64_t ps_ws_min, ps_ws_max;
	_Atomic unsigned ps_ws_flags;	/* VM_WS_HARD_MAX */
	/* a trim window is open or about to be: the trimmer's batch or a
	 * faulter's local replacement (trim_capture; LK_RANK_WIN) */
	lk_t ps_win_lock;

	/* statistics (a): the event counters of vm_counters.h; valid PTEs
	 * now (the working-set list's length: written under (W)) and their
	 * peak */
	struct vm_process_counters ps_st;
	_Atomic uint64_t ps_resident;
	_Atomic uint64_t ps_resident_peak;
	_Atomic int ps_dbg_faulting;	/* threads inside the fault handler, debug builds (a) */
};

struct vm {
	/* geometry and settings (c; vm_init.c, vm_config.c) */
	uint32_t vm_nframes;		/* physical frames */
	char *vm_frames;		/* frame contents ("physical memory") */
	size_t vm_frames_len;
	struct vm_config vm_cfg;	/* its vc_machine.mc_tunables is NULL */
	struct vm_tunables vm_tun;

	/* the state machine (layer 1) */
	struct pfn *vm_pfns;		/* (P) per entry */
	struct plist vm_lists[PLIST_N];	/* by state; STANDBY's: see vm_standby */
	struct pgf vm_pgf;
	struct map vm_map;
	_Atomic uint64_t vm_mapseq;	/* next pf_mapseq (working-set ages, wsm.c) (a) */

	/*
	 * Memory priority (plist.c): the eight standby lists, one per
	 * priority (a frame's pf_priority), repurposed from the lowest
	 * non-empty one first.  vm_lists[PFN_STATE_STANDBY] links no page:
	 * its pl_count is the eight lists' total, changed with theirs, so
	 * plist_count(vm_list(vm, PFN_STATE_STANDBY)) is the standby count.
	 * vm_standby_mask: bit p set while vm_standby[p] holds a page, changed
	 * (atomic or/and) as its count leaves or reaches 0, under its list
	 * lock; a take reads it to find the lowest non-empty list at once.
	 */
	struct plist vm_standby[VM_PRIORITIES];
	_Atomic uint32_t vm_standby_mask;	/* (L) per bit, read (a) */

	/*
	 * The processes (vm_proc.c).  vm_procs[i] is process i, or NULL; an
	 * entry is set (release) once its process is complete, and cleared
	 * only while the system threads are paused and no frame or slot
	 * names the process any more; both under vm_proc_mtx (M), which is
	 * outermost in the lock tree and never taken in the fault path.
	 * Readers: the fault path and the system threads read an entry named
	 * by a frame they hold the PFN lock of, or (system threads) any entry
	 * (a).  vm_nprocs_hw: one past the highest index ever used (a).
	 */
	pthread_mutex_t vm_proc_mtx;
	struct vm_process *_Atomic vm_procs[VM_MAX_PROCESSES];
	_Atomic uint32_t vm_nprocs_hw;
	uint32_t vm_nprocs;		/* live processes (M) */
	uint64_t vm_committed;		/* bytes charged by live processes (M; read (a)) */
	uint64_t vm_commit_limit;	/* physical + page file, bytes (c) */
	struct vm_process *vm_default;	/* vm_create's process, or NULL (M) */

	/* bounce buffers for hard faults when the page file is full (fault.c) */
	char *vm_bounce;		/* vt_max_faulters pages (c) */
	_Atomic uint64_t *vm_bounce_busy;	/* bitmap (a) */
	int vm_nbounce;			/* (c) */

	/* thresholds, in frames (c; vm_config.c) */
	uint64_t vm_trim_low;		/* wake the trimmer below this many available */
	uint64_t vm_trim_goal;		/* trim until available + modified reaches this */
	uint64_t vm_zero_goal;		/* zero-page thread keeps this many zeroed */
	int vm_trim_batch, vm_write_batch;
	uint64_t vm_lock_limit;		/* at most this many frames locked */

	/* events (vm_fail() signals every one: add a new one there too) */
	struct vm_event vm_ev_trim;	/* wake the trimmer */
	struct vm_event vm_ev_mpw;	/* wake the modified writer */
	struct vm_event vm_ev_zero;	/* wake the zero-page thread */
	struct vm_event vm_ev_defrag;	/* wake the page-file defragmenter */
	struct vm_event vm_ev_avail;	/* pages became available (faulters) */
	struct vm_event vm_ev_slots;	/* page-file slots were freed (writer) */
	struct vm_event vm_ev_trimmed;	/* a trim batch finished (faulters, lockers) */
	struct vm_event vm_ev_window;	/* a trim window was un-protected (faulters) */
	struct vm_event vm_ev_inpage;	/* a bounced hard fault finished */

	/* locked pages (pglock.c): frames with pf_lockcnt > 0, changed under
	 * the page's region lock and its PFN lock; read without (a) */
	_Atomic uint64_t vm_nlocked;

	/* the trimmer's machine-wide state (trim.c, trim_policy.c; trimmer) */
	unsigned vm_trim_age_max;	/* (c) */
	bool vm_trim_everything;	/* vm_empty_working_set() is trimming */

	/* the modified writer's (mpw.c) */
	int vm_write_fails;		/* page-file writes failed in a row (writer) */

	/* system threads (vm_threads.c) */
	pthread_t vm_trimmer, vm_writer, vm_zeroer, vm_defragger;	/* (c) */
	struct vm_park vm_park;

	/* the Linux process's side (vm_sigbus.c) */
	int vm_slot;			/* index in the registry of machines (c) */
	pid_t vm_pid;			/* the process that created it (c) */

	/* failure (vm_fail.c): the page file failed, for good */
	_Atomic int vm_failed;		/* VM_HEALTHY -> VM_FAILING -> VM_FAILED (a) */
	char vm_fail_msg[200];		/* the one-line reason (f) */

	/* statistics: the event counters of vm_counters.h (a) */
	struct vm_counters vm_st;
};

static inline char *vm_va(struct vm_process *p, uint64_t vpn)
{
	return p->ps_base + (vpn << VM_PAGE_SHIFT);
}

static inline char *vm_frame(struct vm *vm, uint32_t frame)
{
	return vm->vm_frames + ((uint64_t)frame << VM_PAGE_SHIFT);
}

static inline uint32_t vm_pfn_index(struct vm *vm, const struct pfn *pf)
{
	return (uint32_t)(pf - vm->vm_pfns);
}

static inline struct plist *vm_list(struct vm *vm, enum pfn_state s)
{
	return &vm->vm_lists[s];
}

static inline lk_t *vm_pte_lock(struct vm_process *p, uint64_t vpn)
{
	return &p->ps_pte_locks[vpn >> PTE_REGION_SHIFT];
}

/* The end of vpn's PTE region (one region lock covers it), within the
 * process's pages. */
static inline uint64_t vm_region_end(struct vm_process *p, uint64_t vpn)
{
	uint64_t end = ((vpn >> PTE_REGION_SHIFT) + 1) << PTE_REGION_SHIFT;

	return end < p->ps_npages ? end : p->ps_npages;
}

/* Process id's entry in the table, or NULL (see struct vm, vm_procs). */
static inline struct vm_process *vm_proc(struct vm *vm, unsigned id)
{
	return atomic_load_explicit(&vm->vm_procs[id], memory_order_acquire);
}

/* The process that owns frame pf (pf_proc): exact under its PFN lock
 * while the frame has an owner (pf_vpn != PFN_VPN_NONE). */
static inline struct vm_process *vm_pfn_owner(struct vm *vm, const struct pfn *pf)
{
	return vm_proc(vm, pf->pf_proc);
}

/* A page-file slot's owner (pgf.h, pg_owner): (process, vpn) in one word. */
static inline uint64_t vm_owner_key(unsigned proc, uint64_t vpn)
{
	return ((uint64_t)proc << 32) | vpn;
}

static inline unsigned vm_owner_proc(uint64_t key)
{
	return (unsigned)(key >> 32);
}

static inline uint64_t vm_owner_vpn(uint64_t key)
{
	return key & 0xffffffffULL;
}

static inline uint64_t vm_available(struct vm *vm)
{
	return plist_count(vm_list(vm, PFN_STATE_ZEROED)) +
	    plist_count(vm_list(vm, PFN_STATE_FREE)) +
	    plist_count(vm_list(vm, PFN_STATE_STANDBY));
}

/* "vm_fail.c" */
enum vm_io { VM_IO_READ, VM_IO_WRITE };
void vm_fail(struct vm *vm, enum vm_io op, uint64_t slot, int err);
const char *vm_fail_reason(struct vm *vm);

/* Has the instance failed (or begun to)?  A thread about to sleep on an
 * event checks this after taking its snapshot, so vm_fail()'s wakeups are
 * never missed. */
static inline bool vm_is_failed(struct vm *vm)
{
	return atomic_load_explicit(&vm->vm_failed, memory_order_acquire) != VM_HEALTHY;
}

/* A system thread's safe point (vm_park.h): parks while paused, or for
 * good once the instance has failed; false when the thread should exit. */
static inline bool vm_parked_check(struct vm *vm)
{
	return park_check(&vm->vm_park, vm_is_failed(vm));
}

/* "wsl.c": the working-set list of a process (struct vm_process) */
struct wsl_entry {
	uint32_t we_frame;
	uint32_t we_vpn;
};
void wsl_init(struct vm_process *p);
void wsl_insert(struct vm_process *p, struct pfn *pf);
void wsl_remove(struct vm_process *p, struct pfn *pf);
int wsl_rotate(struct vm_process *p, struct wsl_entry *out, int max);
int wsl_sample(struct vm_process *p, struct wsl_entry *out, int max, uint64_t *rng);
uint64_t wsl_oldest_seq(struct vm_process *p);

static inline uint64_t wsl_count(const struct vm_process *p)
{
	return atomic_load_explicit(&p->ps_resident, memory_order_relaxed);
}
