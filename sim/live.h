/*
 * live.h - vmsim --live: a full-screen view of the run on the terminal,
 * drawn with ncurses.  live.c owns the terminal (the checks before any
 * work, starting and ending the view, the keys, the signals, ending it at
 * once for an error); live_draw.c lays out one screen from two readings.
 *
 * The view is the sampler's watcher (sampler.h): the scheduler's loop
 * calls smp_tick at every step (at most 20 ms apart), and the watcher reads
 * the keys then, and every LIVE_PERIOD reads the machine (smp_read) and
 * redraws.  `q` asks the run to end (sm_stop); the run's last tick ends the
 * view, before anything else is printed.  Only the main thread draws.
 *
 * There is one terminal, so one view: its state is this file's.  Its
 * state word (lv_state) says who owns the terminal, so that an error said
 * by another thread (mc_on_error, in the SIGBUS handler) or a signal ends
 * the view at once and never writes while the view does:
 *
 *   LV_OFF --live_start--> LV_IDLE <--watcher--> LV_DRAWING
 *   LV_IDLE --live_end (main)--> LV_CLOSING --> LV_CLOSED      (endwin)
 *   LV_IDLE or LV_DRAWING --live_abort (any thread)--> LV_CLOSING --> LV_CLOSED
 *                                  (the terminal's modes and its own
 *                                   sequences written back; no endwin)
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "sampler.h"

#define LIVE_PERIOD	0.25	/* seconds between redraws */
#define LIVE_RING	5	/* readings kept: rates over the last LIVE_PERIOD * 4 */

/* "live.c" */
/* Before any work: stderr a terminal, the same one as /dev/tty, and TERM
 * one ncurses can draw on; refuses (exit 2) otherwise. */
void live_check(void);
/* After vm_create, before sched_run: the view on stderr, keys from
 * /dev/tty, as sm's watcher.  Refuses (exit 2) if the terminal cannot be
 * set up. */
void live_start(const struct opts *o, struct sampler *sm);
/* Main thread: end the view, the terminal as it was (idempotent; nothing
 * if there is none).  Before any message on stderr during the run. */
void live_end(void);
/* Any thread, async-signal-safe: end the view at once, for an error said
 * next (mc_on_error) or a signal.  Waits (a bounded time) for a redraw in
 * progress to finish; writes the terminal's modes and the sequences that
 * leave the view.  Nothing if there is no view. */
void live_abort(void);

/* "live_draw.c" */
/* One reading of the run (a sampler point and each process). */
struct live_reading {
	struct smp_point lr_pt;
	struct smp_proc *lr_procs;	/* [o_nprocs] */
};

/* After newterm: the colours, if the terminal has them. */
void live_draw_init(void);
/* Draw the whole screen: now, and then (an older reading, for the rates;
 * then == now at the start); ending: q was pressed. */
void live_draw(const struct opts *o, const struct live_reading *now,
    const struct live_reading *then, bool ending);
