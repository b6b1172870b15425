/*
 * run.c - the vmsim command's run: start the user threads, show the one-line
 * status line while they work, stop them at the deadline or their quota,
 * and collect what the report needs.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "live.h"

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

void run_status_line(struct vm *vm, uint64_t acc, double t, uint64_t *last_acc, double *last_t,
    const char *tail)
{
	struct vm_stats s;
	double rate = (double)(acc - *last_acc) / (t - *last_t);

	vm_get_stats(vm, &s);
	fprintf(stderr, "\r%5.1fs %9.0f acc/s | faults dz %-7" PRIu64 " soft %-7" PRIu64
	    " hard %-7" PRIu64 "| lists Z %-5" PRIu64 " F %-5" PRIu64 " S %-5" PRIu64
	    " M %-5" PRIu64 " A %-6" PRIu64 "%s\033[K", t, rate, s.vs_faults_dz,
	    s.vs_faults_soft_standby + s.vs_faults_soft_modified, s.vs_faults_hard,
	    s.vs_nzeroed, s.vs_nfree, s.vs_nstandby, s.vs_nmodified, s.vs_nactive, tail);
	*last_acc = acc;
	*last_t = t;
}

void run_on_error(void *arg, struct vm *vm, void *addr, const char *msg)
{
	(void)vm, (void)addr, (void)msg;
	live_abort();
	if (*(const int *)arg)
		(void)!write(2, "\r\033[K", 4);
}

void run_say_begin(const struct opts *o)
{
	live_end();
	if (o->o_status)
		fputs("\r\033[K", stderr);
}

double run_threads(const struct opts *o, struct vm *vm, struct wl_shared *sh)
{
	int n = o->o_wl.wc_threads;
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	uint64_t t0 = vm_now_ns(), last_acc = 0;
	double last_t = 0, el;
	int done = 0;

	if (tids == NULL)
		cli_refuse("out of memory");
	for (int i = 0; i < n; i++)
		if (pthread_create(&tids[i], NULL, wl_thread_main, &sh->ws_threads[i]) != 0)
			cli_refuse("cannot start user thread %d", i);
	cli_keep();
	while (!done) {
		sleep_ms(o->o_wl.wc_accesses ? 50 : 20);
		el = (double)(vm_now_ns() - t0) / 1e9;
		if (!o->o_wl.wc_accesses && el >= o->o_wl.wc_seconds)
			atomic_store(&sh->ws_stop, 1);
		if (o->o_status && el - last_t >= 0.5)
			run_status_line(vm, wl_progress(sh), el, &last_acc, &last_t, "");
		done = atomic_load(&sh->ws_stop) ||
		    (o->o_wl.wc_accesses && wl_progress(sh) >= o->o_wl.wc_accesses);
	}
	for (int i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	el = (double)(vm_now_ns() - t0) / 1e9;
	if (o->o_status)
		fprintf(stderr, "\r\033[K");
	free(tids);
	return el;
}

void run_collect(const struct opts *o, struct vm *vm, struct wl_shared *sh, double el,
    struct run_result *r)
{
	r->r_elapsed = el;
	vm_pause(vm);
	r->r_bad = vm_validate(vm, stderr, 0);
	vm_get_stats(vm, &r->r_stats);
	vm_lock_stats_get(&r->r_locks);
	wl_sum(sh, &r->r_counts);
	r->r_compared = o->o_compare && compare_run(o, &r->r_stats, &r->r_cmp) == 0;
	vm_resume(vm);
}
