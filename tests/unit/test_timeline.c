/*
 * test_timeline.c - unit tests of the timeline recorder (src/vm_timeline.c):
 * the bound (a pool of chunks: what fits is held, the rest dropped and
 * counted, the time of the first drop kept), events read back in order
 * with their fields, the window, the lock-wait threshold, a fault on a
 * thread with no track counted, names interned once, a thread registered
 * under an earlier enable never writing into a later one, enable's
 * refusals, and threads filling the pool at once (every event held or
 * counted, none twice).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vm_timeline.h"

static struct vm_timeline_config cfg(uint64_t max)
{
	return (struct vm_timeline_config){ .tc_max_events = max };
}

/* n spans of kind k on this thread, start i, duration 10, arg i, arg2 2i. */
static void record(int n, enum vm_tl_kind k, uint64_t base)
{
	for (int i = 0; i < n; i++)
		tml_span(k, base + (uint64_t)i, base + (uint64_t)i + 10, (uint64_t)i, 2u * (uint32_t)i, 0);
}

static void test_bound(void)
{
	struct vm_timeline_config c = cfg(16);
	struct vm_timeline_event ev[32];
	struct vm_timeline_info ti;
	struct vm_timeline_track t;
	uint64_t o, n;
	bool order = true;

	CHECK("enable 16", vm_timeline_enable(&c) == 0);
	CHECK("on", tml_on() && tml_now() != 0);
	CHECK("enabled twice", vm_timeline_enable(&c) == VM_EBUSY);
	vm_timeline_thread("t0", NULL);
	vm_timeline_get_info(&ti);
	o = ti.ti_origin_ns;
	CHECK("capacity: one chunk of 16", ti.ti_capacity == 16);
	record(20, VM_TL_FAULT_HARD, o + 100);
	vm_timeline_stop();
	CHECK("off after stop", !tml_on() && tml_now() == 0);
	record(3, VM_TL_FAULT_HARD, o + 200);	/* after stop: nothing, not even counted */
	vm_timeline_get_info(&ti);
	CHECK("held to the bound", ti.ti_events == 16);
	CHECK("the rest dropped", ti.ti_dropped == 4);
	CHECK("first drop: the 17th's end", ti.ti_first_drop_ns == o + 100 + 16 + 10);
	CHECK("one track", ti.ti_ntracks == 1 && vm_timeline_track(0, &t) == 0);
	CHECK("its name and counts", strcmp(t.tt_name, "t0") == 0 && t.tt_process == 0 &&
	    t.tt_events == 16 && t.tt_dropped == 4);
	CHECK("no track 1", vm_timeline_track(1, &t) == -1);
	n = vm_timeline_read(0, ev);
	CHECK("read 16", n == 16);
	for (uint64_t i = 0; i < n; i++)
		order &= ev[i].te_start == o + 100 + i && ev[i].te_dur == 10 && ev[i].te_arg == i &&
		    ev[i].te_arg2 == 2 * i && ev[i].te_kind == VM_TL_FAULT_HARD && ev[i].te_proc == 0;
	CHECK("in order, fields as recorded", order);
	CHECK("machine is name 0", strcmp(vm_timeline_name(0), "machine") == 0 &&
	    vm_timeline_name(1) == NULL);
	vm_timeline_free();
	CHECK("freed", vm_timeline_name(0) == NULL && vm_timeline_track(0, &t) == -1);
	c.tc_max_events = 15;
	CHECK("bound under 16 refused", vm_timeline_enable(&c) == VM_EINVAL);
}

static void *fault_unregistered(void *arg)
{
	(void)arg;
	tml_fault(VM_TL_FAULT_DZ, vm_now_ns(), 1, 0, 0);
	tml_span(VM_TL_ZERO, vm_now_ns(), vm_now_ns(), 0, 0, 0);
	return NULL;
}

static void test_window_and_threads(void)
{
	struct vm_timeline_config c = cfg(1024);
	struct vm_timeline_event ev[8];
	struct vm_timeline_info ti;
	struct vm_timeline_track t;
	unsigned web, web2;
	pthread_t th;
	uint64_t o;

	c.tc_window_lo_ns = 1000;
	c.tc_window_hi_ns = 2000;
	c.tc_lock_wait_ns = 1000;
	CHECK("enable", vm_timeline_enable(&c) == 0);
	web = tml_name_intern("web");
	web2 = tml_name_intern("web");
	CHECK("a name interned once", web == 1 && web2 == 1 && tml_name_intern("db") == 2);
	vm_timeline_thread("user 0", "web");
	vm_timeline_start();
	vm_timeline_get_info(&ti);
	o = ti.ti_origin_ns;
	tml_span(VM_TL_FAULT_DZ, o + 500, o + 600, 1, 0, web);		/* before the window */
	tml_span(VM_TL_FAULT_DZ, o + 1500, o + 1600, 2, 0, web);	/* inside */
	tml_span(VM_TL_FAULT_DZ, o + 2500, o + 2600, 3, 0, web);	/* after */
	tml_lock_wait(VM_LOCK_PFN, o + 1100, o + 1600);			/* too short */
	tml_lock_wait(VM_LOCK_PFN, o + 1200, o + 2200);			/* long enough */
	pthread_create(&th, NULL, fault_unregistered, NULL);
	pthread_join(th, NULL);
	vm_timeline_stop();
	vm_timeline_get_info(&ti);
	CHECK("the window and the threshold", ti.ti_events == 2 && ti.ti_dropped == 0);
	CHECK("read", vm_timeline_read(0, ev) == 2 && ev[0].te_arg == 2 && ev[0].te_proc == web &&
	    ev[1].te_kind == VM_TL_LOCK_PFN && ev[1].te_dur == 1000);
	CHECK("the track's process", vm_timeline_track(0, &t) == 0 && t.tt_process == web &&
	    strcmp(vm_timeline_name(t.tt_process), "web") == 0);
	CHECK("a fault with no track counted", ti.ti_no_buffer == 1 && ti.ti_ntracks == 1);
	vm_timeline_free();

	/* this thread's track was the last enable's: a new one must not see it */
	CHECK("enable again", vm_timeline_enable(&c) == 0);
	vm_timeline_start();
	vm_timeline_get_info(&ti);
	tml_span(VM_TL_FAULT_DZ, ti.ti_origin_ns + 1500, ti.ti_origin_ns + 1600, 0, 0, 0);
	tml_fault(VM_TL_FAULT_DZ, ti.ti_origin_ns + 1500, 0, 0, 0);
	vm_timeline_stop();
	vm_timeline_get_info(&ti);
	CHECK("a stale track writes nothing", ti.ti_events == 0 && ti.ti_ntracks == 0 &&
	    ti.ti_no_buffer == 1);
	vm_timeline_free();
}

#define NT 4
#define PER 1000

static void *filler(void *arg)
{
	char name[16];

	snprintf(name, sizeof(name), "f%d", (int)(intptr_t)arg);
	vm_timeline_thread(name, "fill");
	record(PER, VM_TL_ZERO, (uint64_t)(intptr_t)arg * 100000 + vm_now_ns());
	return NULL;
}

static void test_fill(void)
{
	struct vm_timeline_config c = cfg(2048);
	static struct vm_timeline_event ev[NT * PER];
	struct vm_timeline_info ti;
	struct vm_timeline_track t;
	pthread_t th[NT];
	uint64_t held = 0, dropped = 0;
	bool each = true, order = true;

	CHECK("enable 2048", vm_timeline_enable(&c) == 0);
	for (int i = 0; i < NT; i++)
		pthread_create(&th[i], NULL, filler, (void *)(intptr_t)i);
	for (int i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	vm_timeline_stop();
	vm_timeline_get_info(&ti);
	CHECK("tracks", ti.ti_ntracks == NT && ti.ti_capacity == 2048);
	for (int i = 0; i < NT; i++) {
		uint64_t n;

		vm_timeline_track(i, &t);
		n = vm_timeline_read(i, ev);
		each &= n == t.tt_events && t.tt_events + t.tt_dropped == PER;
		for (uint64_t k = 1; k < n; k++)
			order &= ev[k].te_start == ev[k - 1].te_start + 1;
		held += t.tt_events;
		dropped += t.tt_dropped;
	}
	CHECK("each thread's events held or dropped", each);
	CHECK("each track in order, none twice", order);
	CHECK("the pool was the bound", held <= 2048 && held > 2048 - NT * 16 &&
	    held + dropped == NT * PER);
	CHECK("info adds up", ti.ti_events == held && ti.ti_dropped == dropped);
	vm_timeline_free();
}

int main(void)
{
	CHECK("off", !tml_on() && tml_now() == 0);
	tml_span(VM_TL_ZERO, 1, 2, 0, 0, 0);	/* off: nothing happens */
	vm_timeline_thread("nobody", NULL);
	test_bound();
	test_window_and_threads();
	test_fill();
	CHECK("every kind named", vm_tl_kinds[VM_TL_DEFRAG].tk_name != NULL &&
	    strcmp(vm_tl_kinds[VM_TL_FAULT_SOFT_STANDBY].tk_name, "soft (standby)") == 0);
	return check_done("test_timeline");
}
