/*
 * vm_timeline.h - the timeline recorder's side for the core: is it on, and
 * record a span.  Layer 0 (vm_timeline.c): knows no struct vm.  The
 * command's interface (enable, name a thread, read back) is in vm_sim.h.
 *
 * Off, a site costs one relaxed load of tml_state and a branch the
 * compiler lays out as not taken:
 *
 *	uint64_t t0 = tml_now();		// 0 when off
 *	... the work ...
 *	if (t0 != 0)
 *		tml_span(VM_TL_ZERO, t0, vm_now_ns(), 0, 0, 0);
 *
 * (a site that reads the clock anyway tests tml_on() once, at its end).
 *
 * The rules (vm_lock.h, "The timeline recorder"): a thread records only
 * into its own track, from its own code or its own SIGBUS handler, which
 * cannot interrupt the recorder (the recorder touches no region memory);
 * so a track has one writer, and recording takes no lock: an event is a
 * store into the thread's chunk of a pool allocated at enable time, and a
 * new chunk is one atomic fetch-and-add.  Async-signal-safe: no malloc,
 * no lock, no system call.  When the pool is used up, events are dropped
 * and counted per track.
 */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm_sim.h"
#include "vm_util.h"

struct tml_state;

/* Non-NULL while recording (vm_timeline_enable .. vm_timeline_stop). */
extern struct tml_state *_Atomic tml_state;

static inline bool tml_on(void)
{
	return __builtin_expect(atomic_load_explicit(&tml_state, memory_order_relaxed) != NULL, 0);
}

/* The clock now if recording, else 0: a span's start. */
static inline uint64_t tml_now(void)
{
	return tml_on() ? vm_now_ns() : 0;
}

/*
 * Record a span of kind k from t0 to t1 (vm_now_ns) on the calling
 * thread's track, with its arguments and the name index of the process it
 * concerns (0: none).  Nothing if the thread has no track, if t0 is
 * outside the window, or (counted) if the bound is reached.
 */
void tml_span(enum vm_tl_kind k, uint64_t t0, uint64_t t1, uint64_t arg, uint32_t arg2,
    unsigned proc);

/* A fault's span, ending now: as tml_span, and a fault on a thread with no
 * track is counted (ti_no_buffer). */
void tml_fault(enum vm_tl_kind k, uint64_t t0, uint64_t arg, uint32_t arg2, unsigned proc);

/* A lock wait of class c (enum vm_lock_class) from t0 to t1: a span if it
 * is at least tc_lock_wait_ns long. */
void tml_lock_wait(int c, uint64_t t0, uint64_t t1);

/* The name index of a process's name (the same name, the same index), for
 * te_proc; 0 if the recorder is off or its table is full.  Not in the
 * SIGBUS handler: it may take a mutex. */
unsigned tml_name_intern(const char *name);
