/*
 * sched.c - the vmsim command's run (step 5 in cli.h): the main thread
 * schedules the processes on one machine.  Each process is created
 * (vm_process_create, charged its virtual size) at its start time, its
 * user threads started; at its end (its `seconds`, its quota or trace, or
 * the run's end) its threads are stopped and joined, its statistics and
 * verification counts taken, and, if it ended before the run, it is
 * destroyed at once (vm_process_destroy: its frames to the free list, its
 * page-file slots released, its charge returned) while the others keep
 * running.  Without --process the one process runs this same path.
 *
 * Between starts and ends the scheduler sleeps in slices of at most 20 ms,
 * so a lifetime is honoured to about that; the report gives the measured
 * times.  At the run's end the machine is validated with the survivors
 * still alive (vm_validate checks every process), then they are taken down.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "sampler.h"

enum sched_state { SP_WAITING, SP_RUNNING, SP_DONE };

/* One process while the run lasts (the scheduler's own: main thread only). */
struct sched_proc {
	const struct cli_proc *sp_cfg;
	struct proc_result *sp_res;
	enum sched_state sp_state;
	struct vm_process *sp_p;
	struct wl_shared sp_sh;
	pthread_t *sp_tids;
	int sp_nstarted;		/* threads started */
	bool sp_finished;		/* stopped, the last one: it lives to the run's end */
};

static double sched_now(uint64_t t0)
{
	return (double)(vm_now_ns() - t0) / 1e9;
}

static void sched_sleep(double s)
{
	struct timespec ts;

	if (s > 0.02)
		s = 0.02;
	if (s < 0.001)
		s = 0.001;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(s * 1e9);
	nanosleep(&ts, NULL);
}

/* Stop sp's threads and wait for them. */
static void sched_join(struct sched_proc *sp)
{
	atomic_store(&sp->sp_sh.ws_stop, 1);
	for (int i = 0; i < sp->sp_nstarted; i++)
		pthread_join(sp->sp_tids[i], NULL);
	sp->sp_nstarted = 0;
}

/* What the report says of sp, now: its counters and its threads' counts. */
static void sched_take(struct sched_proc *sp, double t, bool ended)
{
	struct proc_result *r = sp->sp_res;

	vm_process_get_stats(sp->sp_p, &r->pr_stats);
	r->pr_end = t;
	r->pr_ended = ended;
	if (ended)		/* vm_process_destroy is next: its frames are freed */
		r->pr_stats.ps_resident = 0;
	wl_sum(&sp->sp_sh, &r->pr_counts);
}

/* Take sp down: nothing touches its region any more.  keep: where its
 * workload state goes instead of wl_destroy (--record's references). */
static void sched_destroy(struct sched_proc *sp, struct wl_shared *keep)
{
	vm_process_destroy(sp->sp_p);
	sp->sp_p = NULL;
	if (keep != NULL)
		*keep = sp->sp_sh;
	else
		wl_destroy(&sp->sp_sh);
	free(sp->sp_tids);
	sp->sp_tids = NULL;
	sp->sp_state = SP_DONE;
}

/* One line on stderr (the status line cleared, the live view ended, first):
 * a failure of the run. */
static void sched_fail(const struct opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sched_fail(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	run_say_begin(o);
	fputs("vmsim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * p's working-set limits from cp's keys (ws-min, ws-max, hard-max; its
 * priority is as_priority at creation), over the library's defaults: a limit given
 * alone keeps the other's default, moved to it if they would cross.
 * Returns 0, or -1 with the library's refusal in err.
 */
static int sched_limits(const struct cli_proc *cp, struct vm_process *p, char *err, size_t len)
{
	uint64_t min, max;
	unsigned flags;
	int rc;

	if (cp->cp_ws_min == 0 && cp->cp_ws_max == 0 && !cp->cp_hard_max)
		return 0;
	vm_process_get_limits(p, &min, &max, &flags);
	if (cp->cp_ws_min)
		min = cp->cp_ws_min;
	if (cp->cp_ws_max)
		max = cp->cp_ws_max;
	if (min > max && cp->cp_ws_min)
		max = min;
	else if (min > max)
		min = max;
	flags = cp->cp_hard_max ? VM_WS_HARD_MAX : 0;
	if ((rc = vm_process_set_limits(p, min, max, flags)) != 0) {
		snprintf(err, len, "working-set limits %" PRIu64 "-%" PRIu64 " pages: %s", min, max,
		    vm_strerror(rc));
		return -1;
	}
	return 0;
}

/*
 * Create sp's process on vm and start its threads, at t.  Returns 0, or -1
 * with one line on stderr (the run goes on without it, and fails).
 */
static int sched_start(const struct opts *o, struct vm *vm, struct sched_proc *sp, double t)
{
	const struct cli_proc *cp = sp->sp_cfg;
	struct vm_space_config sc = o->o_vm.vc_space;
	int n = cp->cp_wl.wc_threads;
	char err[512];

	sc.as_virtual = cp->cp_virtual;
	sc.as_name = cp->cp_name;
	sc.as_seed = cp->cp_wl.wc_seed;
	sc.as_image_fill = wl_image_fill;
	sc.as_image_arg = (void *)&cp->cp_wl;	/* its wc_tag names the process */
	if (cp->cp_priority >= 0)
		sc.as_priority = cp->cp_priority;
	sp->sp_state = SP_DONE;
	if (o->o_nproc_args == 0)	/* the one process: vm_create made it */
		sp->sp_p = vm_default_process(vm);
	else if (vm_process_create(vm, &sc, &sp->sp_p, err, sizeof(err)) != 0) {
		sched_fail(o, "process %s could not start at %.2f s: %s", cp->cp_name, t, err);
		return -1;
	}
	sp->sp_res->pr_start = t;
	if (sched_limits(cp, sp->sp_p, err, sizeof(err)) != 0) {
		sched_fail(o, "process %s could not start at %.2f s: %s", cp->cp_name, t, err);
		goto fail;
	}
	if (wl_init_process(&sp->sp_sh, sp->sp_p, &cp->cp_wl) != 0 ||
	    (sp->sp_tids = calloc((size_t)n, sizeof(*sp->sp_tids))) == NULL) {
		sched_fail(o, "process %s could not start at %.2f s: out of memory", cp->cp_name, t);
		goto fail;
	}
	for (int i = 0; i < n; i++, sp->sp_nstarted++) {
		if (pthread_create(&sp->sp_tids[i], NULL, wl_thread_main,
		    &sp->sp_sh.ws_threads[i]) != 0) {
			sched_fail(o, "process %s could not start user thread %d", cp->cp_name, i);
			sched_join(sp);
			goto fail;
		}
	}
	sp->sp_state = SP_RUNNING;
	return 0;
fail:
	sp->sp_res->pr_end = t;
	sp->sp_res->pr_ended = true;
	if (sp->sp_sh.ws_threads != NULL)
		wl_sum(&sp->sp_sh, &sp->sp_res->pr_counts);
	sched_destroy(sp, NULL);
	return -1;
}

/* The status line's tail: each running process's resident pages, the
 * first four by name, then how many more. */
static void sched_tail(struct sched_proc *sps, int n, char *buf, size_t len)
{
	size_t w = 0;
	int shown = 0, more = 0;

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		struct vm_process_stats st;

		if (sps[i].sp_state != SP_RUNNING)
			continue;
		if (shown == 4) {
			more++;
			continue;
		}
		vm_process_get_stats(sps[i].sp_p, &st);
		w += (size_t)snprintf(buf + w, w < len ? len - w : 0, "%s%s %" PRIu64,
		    shown++ ? " " : " | ", sps[i].sp_cfg->cp_name, st.ps_resident);
	}
	if (more && w < len)
		snprintf(buf + w, len - w, " +%d", more);
}

/* Accesses so far: the running processes' progress and the others' counts. */
static uint64_t sched_progress(const struct sched_proc *sps, int n)
{
	uint64_t acc = 0;

	for (int i = 0; i < n; i++)
		acc += sps[i].sp_state == SP_RUNNING ? wl_progress(&sps[i].sp_sh) :
		    sps[i].sp_res->pr_counts.wt_accesses;
	return acc;
}

/* The processes not done, sp aside. */
static int sched_others(const struct sched_proc *sps, int n, const struct sched_proc *sp)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += &sps[i] != sp && sps[i].sp_state != SP_DONE && !sps[i].sp_finished;
	return k;
}

/*
 * One pass of the scheduler at t: start the processes due, end the ones
 * whose time, quota or trace is up.  The last one to end ends the run: it
 * is only stopped, and lives to the run's end (collected, validated and
 * reported with the machine), as does one whose seconds reach the run's
 * end.  Returns the processes still to run.
 */
static int sched_step(const struct opts *o, struct vm *vm, struct sched_proc *sps, double t,
    struct wl_shared *keep, bool *failed)
{
	int live = 0;

	for (int i = 0; i < o->o_nprocs; i++) {
		struct sched_proc *sp = &sps[i];
		double end = sp->sp_cfg->cp_end;

		if (sp->sp_state == SP_WAITING && sp->sp_cfg->cp_start <= t)
			*failed |= sched_start(o, vm, sp, t) != 0;
		if (sp->sp_state == SP_RUNNING && !sp->sp_finished &&
		    ((t >= end && end < o->o_deadline - 1e-9) ||
		    atomic_load(&sp->sp_sh.ws_done) == sp->sp_cfg->cp_wl.wc_threads)) {
			sched_join(sp);
			if (sched_others(sps, o->o_nprocs, sp) == 0) {
				sp->sp_finished = true;		/* the run ends with it */
			} else {
				sched_take(sp, t, true);
				sched_destroy(sp, i == 0 ? keep : NULL);
			}
		}
		live += sp->sp_state != SP_DONE && !sp->sp_finished;
	}
	return live;
}

/* The seconds until the next process is due to start or end (or 1). */
static double sched_next(const struct sched_proc *sps, int n, double t)
{
	double next = t + 1.0;

	for (int i = 0; i < n; i++) {
		if (sps[i].sp_state == SP_WAITING && sps[i].sp_cfg->cp_start < next)
			next = sps[i].sp_cfg->cp_start;
		if (sps[i].sp_state == SP_RUNNING && sps[i].sp_cfg->cp_end < next)
			next = sps[i].sp_cfg->cp_end;
	}
	return next - t;
}

/*
 * Validate the machine with the survivors alive, take its statistics and
 * the survivors' (not ended: resident pages as they are), then take them
 * down.
 */
static void sched_collect(struct vm *vm, struct sched_proc *sps, int n, double el,
    struct wl_shared *keep, struct run_result *r)
{
	vm_pause(vm);
	vm_timeline_stop();	/* the timeline ends where the statistics are taken */
	r->r_bad = vm_validate(vm, stderr, 0);
	vm_get_stats(vm, &r->r_stats);
	vm_lock_stats_get(&r->r_locks);
	for (int i = 0; i < n; i++)
		if (sps[i].sp_state == SP_RUNNING)
			sched_take(&sps[i], el, false);
	vm_resume(vm);
	for (int i = 0; i < n; i++)
		if (sps[i].sp_state == SP_RUNNING)
			sched_destroy(&sps[i], i == 0 ? keep : NULL);
	memset(&r->r_counts, 0, sizeof(r->r_counts));
	for (int i = 0; i < n; i++) {
		const struct wl_counts *c = &r->r_procs[i].pr_counts;

		r->r_counts.wt_accesses += c->wt_accesses;
		r->r_counts.wt_writes += c->wt_writes;
		r->r_counts.wt_wrong_page += c->wt_wrong_page;
		r->r_counts.wt_zeroed += c->wt_zeroed;
		r->r_counts.wt_lost_write += c->wt_lost_write;
		r->r_counts.wt_ro_reads += c->wt_ro_reads;
		r->r_counts.wt_av += c->wt_av;
		r->r_counts.wt_ro_written += c->wt_ro_written;
	}
}

/* The sampler's point at t: each running process, the accesses so far. */
static void sched_sample(struct sampler *sm, struct vm *vm, struct sched_proc *sps, int n,
    double t, bool force)
{
	struct vm_process *procs[n];

	for (int i = 0; i < n; i++)
		procs[i] = sps[i].sp_state == SP_RUNNING ? sps[i].sp_p : NULL;
	smp_tick(sm, vm, t, sched_progress(sps, n), procs, force);
}

int sched_run(const struct opts *o, struct vm *vm, struct wl_shared *keep, struct sampler *sm,
    struct run_result *r)
{
	struct sched_proc *sps = calloc((size_t)o->o_nprocs, sizeof(*sps));
	uint64_t t0, last_acc = 0;
	double t = 0, last_t = 0;
	bool failed = false;
	char tail[160];

	r->r_procs = calloc((size_t)o->o_nprocs, sizeof(*r->r_procs));
	if (sps == NULL || r->r_procs == NULL)
		cli_refuse("out of memory");
	r->r_nprocs = o->o_nprocs;
	for (int i = 0; i < o->o_nprocs; i++) {
		sps[i].sp_cfg = &o->o_procs[i];
		sps[i].sp_res = &r->r_procs[i];
		r->r_procs[i].pr_cfg = &o->o_procs[i];
		r->r_procs[i].pr_start = -1;
	}
	cli_keep();
	t0 = vm_now_ns();
	while (!(sm != NULL && sm->sm_stop) &&	/* the live view's q */
	    sched_step(o, vm, sps, t, keep, &failed) > 0 && t < o->o_deadline) {
		sched_sleep(sched_next(sps, o->o_nprocs, t));
		t = sched_now(t0);
		if (sm != NULL)
			sched_sample(sm, vm, sps, o->o_nprocs, t, false);
		if (o->o_status && t - last_t >= 0.5) {
			sched_tail(sps, o->o_nprocs, tail, sizeof(tail));
			run_status_line(vm, sched_progress(sps, o->o_nprocs), t, &last_acc, &last_t, tail);
		}
	}
	for (int i = 0; i < o->o_nprocs; i++)
		if (sps[i].sp_state == SP_RUNNING)
			sched_join(&sps[i]);
	r->r_elapsed = t = sched_now(t0);
	if (sm != NULL)		/* the last point: the run's end, its processes still there */
		sched_sample(sm, vm, sps, o->o_nprocs, t, true);
	if (o->o_status)
		fprintf(stderr, "\r\033[K");
	sched_collect(vm, sps, o->o_nprocs, t, keep, r);
	free(sps);
	return failed ? -1 : 0;
}
