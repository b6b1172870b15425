/*
 * vm_internal.h - the context object that holds all of one vmsim instance's
 * state, and the prototypes that cross subsystem files.
 *
 * Locking key:  (c) constant after init   (a) atomic ops only
 *   (T) the PTE region lock   (P) PFN lock   (L) list lock
 *   (trimmer) only the trimmer thread touches it
 *   (writer) only the modified writer, or vm_flush_modified() while paused
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
#include "vm.h"
#include "vm_sim.h"
#include "vm_event.h"
#include "vm_lock.h"
#include "vm_util.h"

#define PTE_REGION_SHIFT 6		/* 64 PTEs (256 KiB of region) per lock */
#define VM_TRIM_BATCH_MAX 256
#define VM_WRITE_BATCH_MAX 64
#define VM_HINT_RING 1024		/* trim-hint slots (a power of two) */
#define VM_MAX_INSTANCES 16		/* per process: the handler's registry */
#define VM_HINT_DIST 16			/* a run's fault at vpn hints vpn - this */
#define VM_READ_RETRIES 8		/* a page-file read is tried 1 + this many times */
#define VM_WRITE_FAILS_MAX 64		/* failed writes in a row that fail the instance */

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

struct vm {
	/* geometry (c) */
	uint64_t vm_npages;		/* virtual pages */
	uint32_t vm_nframes;		/* physical frames */
	char *vm_base;			/* the managed region */
	char *vm_frames;		/* frame contents ("physical memory") */
	size_t vm_region_len, vm_frames_len;
	struct vm_config vm_cfg;	/* (c); its vc_machine.mc_tunables is NULL */
	struct vm_tunables vm_tun;	/* (c) */
	uint64_t vm_ro_end;		/* pages [0, vm_ro_end) are read-only (c) */

	/* the state machine */
	struct pfn *vm_pfns;		/* (P) per entry */
	_Atomic pte_t *vm_ptes;		/* (T), see pte.h */
	lk_t *vm_pte_locks;		/* one per region of 64 PTEs (c) */
	uint64_t vm_nregions;		/* (c) */
	struct plist vm_lists[PLIST_N];
	struct pgf vm_pgf;
	struct map vm_map;

	/* bounce buffers for hard faults when the page file is full */
	char *vm_bounce;		/* vc_max_faulters pages (c) */
	_Atomic uint64_t *vm_bounce_busy;	/* bitmap (a) */
	int vm_nbounce;			/* (c) */

	/* policy thresholds, in frames (c) */
	uint64_t vm_trim_low;		/* wake the trimmer below this many available */
	uint64_t vm_trim_goal;		/* trim until available + modified reaches this */
	uint64_t vm_zero_goal;		/* zero-page thread keeps this many zeroed */
	int vm_trim_batch, vm_write_batch;

	/* events (vm_fail() signals every one: add a new one there too) */
	struct vm_event vm_ev_trim;	/* wake the trimmer */
	struct vm_event vm_ev_mpw;	/* wake the modified writer */
	struct vm_event vm_ev_zero;	/* wake the zero-page thread */
	struct vm_event vm_ev_avail;	/* pages became available (faulters) */
	struct vm_event vm_ev_slots;	/* page-file slots were freed (writer) */
	struct vm_event vm_ev_trimmed;	/* a trim batch finished (faulters) */
	struct vm_event vm_ev_window;	/* a trim window was un-protected (faulters) */
	struct vm_event vm_ev_inpage;	/* a bounced hard fault finished */
	struct vm_event vm_ev_park;	/* system threads park/unpark */
	struct vm_event vm_ev_defrag;	/* wake the page-file defragmenter */

	/* the trim window: [lo, hi) is write-protected while nonempty (a) */
	_Atomic uint64_t vm_win_lo, vm_win_hi;
	/* bumped as a window opens and as it closes: odd while one is open (a) */
	_Atomic uint64_t vm_win_gen;

	/* locked pages (pglock.c): frames with pf_lockcnt > 0, changed under
	 * the page's region lock and its PFN lock; read without (a) */
	_Atomic uint64_t vm_nlocked;
	uint64_t vm_lock_limit;		/* at most this many frames locked (c) */

	/* trimmer state (trimmer) */
	uint64_t vm_trim_hand;		/* clock hand, a vpn */
	unsigned vm_trim_age;		/* age a page needs to be a candidate */
	unsigned vm_trim_age_max;	/* (c) */
	uint64_t vm_trim_rng;
	bool vm_trim_everything;	/* vm_empty_working_set() is trimming */
	_Atomic uint64_t vm_mapseq;	/* next pf_mapseq (FIFO policy) (a) */

	/* trim hints (vc_trim_hints): a lossy multi-producer ring of vpn + 1
	 * (0: empty); faulters fetch_add the head and store, the trimmer
	 * exchanges slots with 0 from its tail; a lapped slot is overwritten */
	_Atomic uint64_t vm_hint_head;	/* (a) */
	uint64_t vm_hint_tail;		/* (trimmer) */
	_Atomic uint64_t vm_hints[VM_HINT_RING];	/* (a) */

	/* system threads */
	pthread_t vm_trimmer, vm_writer, vm_zeroer, vm_defragger;
	bool vm_threads_started;	/* (c) between start and stop */
	_Atomic int vm_stop;		/* (a) */
	_Atomic int vm_pause_req;	/* (a) */
	_Atomic int vm_parked;		/* system threads parked (a) */
	int vm_nsysthreads;		/* (c) */
	int vm_slot;			/* index in the handler's registry (c) */
	pid_t vm_pid;			/* the process that created it (c) */
	_Atomic int vm_dbg_faulting;	/* threads inside the fault handler, debug builds (a) */

	/* failure (vm_fail.c): the page file failed, for good */
	_Atomic int vm_failed;		/* VM_HEALTHY -> VM_FAILING -> VM_FAILED (a) */
	char vm_fail_msg[200];		/* the one-line reason (f) */
	int vm_write_fails;		/* page-file writes failed in a row (writer) */

	/* statistics: the event counters of vm_counters.h (a) */
	struct vm_counters vm_st;
};

static inline char *vm_va(struct vm *vm, uint64_t vpn)
{
	return vm->vm_base + (vpn << VM_PAGE_SHIFT);
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

static inline lk_t *vm_pte_lock(struct vm *vm, uint64_t vpn)
{
	return &vm->vm_pte_locks[vpn >> PTE_REGION_SHIFT];
}

static inline uint64_t vm_available(struct vm *vm)
{
	return plist_count(vm_list(vm, PFN_STATE_ZEROED)) +
	    plist_count(vm_list(vm, PFN_STATE_FREE)) +
	    plist_count(vm_list(vm, PFN_STATE_STANDBY));
}

/* "vm.c" */
int vm_structs_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen);
void vm_structs_destroy(struct vm *vm);
bool vm_parked_check(struct vm *vm);

/* "vm_handler.c" */
int vm_register(struct vm *vm);
void vm_unregister(struct vm *vm);
bool vm_registered(const struct vm *vm);
bool vm_handler_ours(void);
void vm_misuse_check(struct vm *vm, const char *fn);
extern const char vm_handler_gone[];

/* "fault.c" */
enum fault_result { FAULT_DONE, FAULT_ACCESS_VIOLATION, FAULT_FAILED };
enum fault_result fault_resolve(struct vm *vm, uint64_t vpn, int is_write);
struct pfn *pfn_alloc(struct vm *vm, bool want_zeroed, bool *zeroed);
void pfn_repurpose_locked(struct vm *vm, struct pfn *pf);
void pfn_unalloc(struct vm *vm, struct pfn *pf);

/* "trim.c" */
void *trim_thread(void *arg);
void trim_wakeup(struct vm *vm);

/* "mpw.c" */
void *mpw_thread(void *arg);

/* "zero.c" */
void *zero_thread(void *arg);

/* "defrag.c" */
void *defrag_thread(void *arg);
int defrag_pass(struct vm *vm, uint64_t *cursor, int budget);

/* "image.c" */
int image_init(struct vm *vm, char *err, size_t errlen);

/* "vm_fail.c" */
enum vm_io { VM_IO_READ, VM_IO_WRITE };
void vm_fail(struct vm *vm, enum vm_io op, uint64_t slot, int err);
_Noreturn void vm_fault_failed(struct vm *vm, void *addr);

/* Has the instance failed (or begun to)?  A thread about to sleep on an
 * event checks this after taking its snapshot, so vm_fail()'s wakeups are
 * never missed. */
static inline bool vm_is_failed(struct vm *vm)
{
	return atomic_load_explicit(&vm->vm_failed, memory_order_acquire) != VM_HEALTHY;
}

/* "validate.c" */
long vm_validate_locked(struct vm *vm, FILE *f, int expensive);
