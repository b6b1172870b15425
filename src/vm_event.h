/*
 * vm_event.h - events: a futex sequence word that waiters sleep on.
 *
 * A waiter takes a snapshot, re-checks its condition, and sleeps only if the
 * sequence has not moved since the snapshot; a signaller bumps the sequence
 * and wakes sleepers.  So a signal between the check and the sleep is never
 * lost.  Async-signal-safe: the fault handler waits on events.
 */
#pragma once
#include <stdatomic.h>
#include <stdint.h>

struct vm_event {
	_Atomic uint32_t ev_seq;	/* bumped by every signal (a) */
	_Atomic uint32_t ev_sleepers;	/* threads in futex_wait (a) */
};

static inline uint32_t ev_snapshot(struct vm_event *ev)
{
	return atomic_load_explicit(&ev->ev_seq, memory_order_acquire);
}

/* Sleeps until ev is signalled after snap was taken, or timeout_ms passes
 * (timeout_ms < 0: no timeout).  May return early (spurious wakeup). */
void ev_wait(struct vm_event *ev, uint32_t snap, int timeout_ms);
void ev_signal(struct vm_event *ev);
