/*
 * vm_event.c - events: waiting on a futex sequence word, and signalling it
 * (vm_event.h).  Async-signal-safe.
 * Layer 0: knows no struct vm.
 */
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "vm_event.h"
#include "vm_util.h"

void ev_wait(struct vm_event *ev, uint32_t snap, int timeout_ms)
{
	struct timespec ts, *tsp = NULL;

	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	atomic_fetch_add_explicit(&ev->ev_sleepers, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&ev->ev_seq, memory_order_seq_cst) == snap)
		vm_futex(&ev->ev_seq, FUTEX_WAIT, snap, tsp);
	atomic_fetch_sub_explicit(&ev->ev_sleepers, 1, memory_order_relaxed);
}

void ev_signal(struct vm_event *ev)
{
	atomic_fetch_add_explicit(&ev->ev_seq, 1, memory_order_seq_cst);
	if (atomic_load_explicit(&ev->ev_sleepers, memory_order_seq_cst) != 0)
		vm_futex(&ev->ev_seq, FUTEX_WAKE, INT32_MAX, NULL);
}
