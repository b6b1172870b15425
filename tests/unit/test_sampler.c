/*
 * test_sampler.c - the sampler (sim/sampler.h): a point only when one is
 * due; the machine's counters and each running process's working set in
 * it; and when the series is full, every other point dropped and the
 * period doubled, the whole run still covered, the memory never more;
 * the watcher called at every tick, its request to end the run kept, and
 * smp_read the present without storing a point.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "sampler.h"

static void test_points(void)
{
	struct vm_tunables tn = VM_TUNABLES_DEFAULT;
	struct vm_config c = vm_config_pages(64, 256, 256, &tn);
	struct vm_process *procs[2] = { NULL, NULL };
	struct sampler sm;
	struct vm *vm;
	char err[256];
	const struct smp_proc *p0;

	if (vm_create(&c, &vm, err, sizeof(err)) != 0 || smp_init(&sm, 2) != 0) {
		CHECK("create", 0);
		return;
	}
	procs[0] = vm_default_process(vm);
	for (int i = 0; i < 10; i++)		/* 10 demand-zero faults */
		((volatile char *)vm_process_base(procs[0]))[(size_t)i * VM_PAGE_SIZE] = 1;
	CHECK("first tick: a point", smp_tick(&sm, vm, 0.0, 10, procs, false));
	CHECK("before the period: none", !smp_tick(&sm, vm, SMP_PERIOD / 2, 10, procs, false));
	CHECK("forced: one", smp_tick(&sm, vm, SMP_PERIOD / 2, 10, procs, true));
	CHECK("two points", sm.sm_npoints == 2);
	p0 = smp_proc_at(&sm, 1, 0);
	CHECK("process 0's working set", p0->sp_resident == 10 && p0->sp_faults == 10);
	CHECK("process 0's limits", p0->sp_ws_max >= p0->sp_ws_min && p0->sp_ws_max > 0);
	CHECK("process 1, not running: zeros", smp_proc_at(&sm, 1, 1)->sp_resident == 0 &&
	    smp_proc_at(&sm, 1, 1)->sp_ws_max == 0);
	CHECK("the machine's faults", smp_point(&sm, 1)->pt_stats.vs_faults_dz == 10);
	CHECK("accesses", smp_point(&sm, 1)->pt_accesses == 10);
	CHECK("rate: 10 faults over the gap", smp_rate(&sm, 1, 0, 10) > 10 / SMP_PERIOD);
	CHECK("rate at point 0 is 0", smp_rate(&sm, 0, 0, 10) == 0);
	smp_free(&sm);
	vm_destroy(vm);
}

static void test_halving(void)
{
	struct vm_tunables tn = VM_TUNABLES_DEFAULT;
	struct vm_config c = vm_config_pages(64, 256, 256, &tn);
	struct vm_process *procs[1];
	struct sampler sm;
	struct vm *vm;
	char err[256];
	double t = 0, last = 0;
	int taken = 0, ordered = 1;

	if (vm_create(&c, &vm, err, sizeof(err)) != 0 || smp_init(&sm, 1) != 0) {
		CHECK("create", 0);
		return;
	}
	procs[0] = vm_default_process(vm);
	/* 20 ms steps for long enough to fill the series three times over */
	for (int i = 0; i < 3 * SMP_MAX_POINTS * 3; i++, t += 0.02)
		taken += smp_tick(&sm, vm, t, (uint64_t)i, procs, false);
	CHECK("never more than the bound", sm.sm_npoints <= SMP_MAX_POINTS);
	CHECK("more points taken than held", taken > SMP_MAX_POINTS);
	CHECK("the period doubled", sm.sm_period >= 2 * SMP_PERIOD);
	CHECK("the first point kept", smp_point(&sm, 0)->pt_t == 0);
	CHECK("the end covered", smp_point(&sm, sm.sm_npoints - 1)->pt_t >= t - 2 * sm.sm_period);
	for (int i = 1; i < sm.sm_npoints; i++) {
		ordered &= smp_point(&sm, i)->pt_t > smp_point(&sm, i - 1)->pt_t;
		last = smp_point(&sm, i)->pt_t - smp_point(&sm, i - 1)->pt_t;
		ordered &= last <= 2 * sm.sm_period + 0.02;
	}
	CHECK("in order, evenly spaced", ordered);
	smp_free(&sm);
	vm_destroy(vm);
}

struct watch_log {
	int wl_calls, wl_last;
	int wl_points_seen;		/* sm_npoints at the last call */
	int wl_stop_at;			/* ask to end at this call */
};

static bool watch(void *arg, const struct sampler *sm, struct vm *vm, double t,
    uint64_t accesses, struct vm_process *const *procs, bool last)
{
	struct watch_log *w = arg;

	(void)vm, (void)t, (void)accesses, (void)procs;
	w->wl_calls++;
	w->wl_last += last;
	w->wl_points_seen = sm->sm_npoints;
	return w->wl_calls == w->wl_stop_at;
}

static void test_watch(void)
{
	struct vm_tunables tn = VM_TUNABLES_DEFAULT;
	struct vm_config c = vm_config_pages(64, 256, 256, &tn);
	struct vm_process *procs[2] = { NULL, NULL };
	struct watch_log w = { .wl_stop_at = 3 };
	struct smp_point pt;
	struct smp_proc sp[2];
	struct sampler sm;
	struct vm *vm;
	char err[256];

	if (vm_create(&c, &vm, err, sizeof(err)) != 0 || smp_init(&sm, 2) != 0) {
		CHECK("create", 0);
		return;
	}
	CHECK("no watcher, no stop by default", sm.sm_watch == NULL && !sm.sm_stop);
	sm.sm_watch = watch;
	sm.sm_watch_arg = &w;
	procs[1] = vm_default_process(vm);
	for (int i = 0; i < 5; i++)
		((volatile char *)vm_process_base(procs[1]))[(size_t)i * VM_PAGE_SIZE] = 1;
	smp_tick(&sm, vm, 0.0, 5, procs, false);
	CHECK("called after the point", w.wl_calls == 1 && w.wl_points_seen == 1);
	smp_tick(&sm, vm, SMP_PERIOD / 4, 5, procs, false);
	CHECK("called at a tick without a point", w.wl_calls == 2 && w.wl_points_seen == 1);
	CHECK("not asked to stop yet", !sm.sm_stop);
	smp_tick(&sm, vm, SMP_PERIOD / 2, 5, procs, false);
	CHECK("its request to end the run kept", sm.sm_stop);
	smp_tick(&sm, vm, SMP_PERIOD / 2, 5, procs, true);
	CHECK("the last tick says so", w.wl_last == 1 && w.wl_calls == 4);
	CHECK("still asked to stop", sm.sm_stop);
	smp_read(&sm, vm, 9.5, 77, procs, &pt, sp);
	CHECK("read: the present", pt.pt_t == 9.5 && pt.pt_accesses == 77 &&
	    pt.pt_stats.vs_faults_dz == 5);
	CHECK("read: each process", sp[0].sp_ws_max == 0 && sp[1].sp_resident == 5 &&
	    sp[1].sp_faults == 5 && sp[1].sp_ws_max > 0);
	CHECK("read: no point stored", sm.sm_npoints == 2);
	smp_free(&sm);
	vm_destroy(vm);
}

int main(void)
{
	test_points();
	test_halving();
	test_watch();
	return check_done("test_sampler");
}
