/*
 * test_plist.c - unit tests of the page lists and the PFN state machine:
 * insert, remove and take-head on lists of 0, 1 and many pages; FIFO order;
 * take-head skipping pages whose PFN lock is busy; frame allocation
 * waiting out busy frames rather than reporting none; pfn_set_state()'s table
 * of legal transitions (every one of the 25 pairs); the debug asserts.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vmtest.h"

#define NFRAMES 16
#define NPAGES 64		/* 256K of region */
#define NSLOTS 64		/* 256K of page file */

static struct vm vm;

static void vm_reset(bool first)
{
	if (!first)
		vm_structs_destroy(&vm);
	if (vmtest_init(&vm, NFRAMES, NPAGES, NSLOTS) != 0) {
		fprintf(stderr, "cannot build the vm\n");
		exit(2);
	}
}

/*
 * Does the list of state s hold exactly want[0..n), in order, with head,
 * tail, both links, count, state and on-list flag all consistent?
 */
static bool list_is(enum pfn_state s, const uint32_t *want, uint32_t n)
{
	struct plist *pl = vm_list(&vm, s);
	uint32_t prev = PFN_NONE, i = pl->pl_head, k = 0;

	for (; i != PFN_NONE && k < n; i = vm.vm_pfns[i].pf_flink, k++) {
		struct pfn *pf = &vm.vm_pfns[i];
		if (i != want[k] || pf->pf_blink != prev || !pf->pf_onlist || pf->pf_state != s)
			return false;
		prev = i;
	}
	return i == PFN_NONE && k == n && pl->pl_tail == prev && plist_count(pl) == n;
}

static bool list_empty(enum pfn_state s)
{
	struct plist *pl = vm_list(&vm, s);

	return pl->pl_head == PFN_NONE && pl->pl_tail == PFN_NONE && plist_count(pl) == 0;
}

static bool off_list(const struct pfn *pf)
{
	return !pf->pf_onlist && pf->pf_flink == PFN_NONE && pf->pf_blink == PFN_NONE;
}

/* Lock pf, link it on the list its state names, unlock. */
static void insert(struct pfn *pf)
{
	lk_acquire(&pf->pf_lock);
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);
}

/* Take frame f off the free list and put it, zeroed, on the zeroed list. */
static void make_zeroed(uint32_t f)
{
	struct pfn *pf = &vm.vm_pfns[f];

	lk_acquire(&pf->pf_lock);
	plist_remove(&vm, pf);
	memset(vm_frame(&vm, f), 0, VM_PAGE_SIZE);
	pfn_set_state(&vm, pf, PFN_STATE_FREE, PFN_STATE_ZEROED);
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);
}

static void test_init(void)
{
	uint32_t all[NFRAMES];

	for (uint32_t i = 0; i < NFRAMES; i++)
		all[i] = i;
	CHECK("init: free list holds every frame in order", list_is(PFN_STATE_FREE, all, NFRAMES));
	CHECK("init: zeroed list empty", list_empty(PFN_STATE_ZEROED));
	CHECK("init: standby list empty", list_empty(PFN_STATE_STANDBY));
	CHECK("init: modified list empty", list_empty(PFN_STATE_MODIFIED));
	CHECK("init: available", vm_available(&vm) == NFRAMES);
	CHECK("init: validates", validate_all(&vm, stderr, 1) == 0);
}

/* take_head returns the frames in the order they were inserted, each locked
 * and unlinked; on the empty list it returns NULL. */
static void test_take_head_fifo(void)
{
	uint32_t rev[NFRAMES];
	bool order = true, unlinked = true, locked = true, counted = true;

	for (uint32_t k = 0; k < NFRAMES; k++) {
		struct pfn *pf = plist_take_head(&vm, PFN_STATE_FREE);
		if (pf != &vm.vm_pfns[k]) {
			order = false;
			if (pf == NULL)
				break;
		}
		unlinked &= off_list(pf) && pf->pf_state == PFN_STATE_FREE;
		locked &= atomic_load(&pf->pf_lock.lk_word) != 0;
#if VM_DEBUG >= 1
		locked &= lk_debug_held(&pf->pf_lock) && lk_debug_depth() == 1;
#endif
		counted &= plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 1 - k;
		lk_release(&pf->pf_lock);
	}
	CHECK("fifo: frames come out in insertion order", order);
	CHECK("fifo: taken frames are unlinked", unlinked);
	CHECK("fifo: taken frames are locked", locked);
	CHECK("fifo: count drops by one each take", counted);
	CHECK("fifo: list now empty", list_empty(PFN_STATE_FREE));
	CHECK("fifo: take_head on empty list", plist_take_head(&vm, PFN_STATE_FREE) == NULL);
	CHECK("fifo: empty take leaves it empty", list_empty(PFN_STATE_FREE));
#if VM_DEBUG >= 1
	CHECK("fifo: empty take holds no lock", lk_debug_depth() == 0);
#endif

	/* Insert them back in reverse: the list follows insertion order. */
	for (uint32_t k = 0; k < NFRAMES; k++) {
		rev[k] = NFRAMES - 1 - k;
		insert(&vm.vm_pfns[rev[k]]);
	}
	CHECK("fifo: reinserted in reverse order", list_is(PFN_STATE_FREE, rev, NFRAMES));
	CHECK("fifo: validates", validate_all(&vm, stderr, 1) == 0);
}

static void test_remove(void)
{
	uint32_t want[NFRAMES], n = 0;
	struct pfn *p0 = &vm.vm_pfns[0], *p7 = &vm.vm_pfns[7], *p15 = &vm.vm_pfns[15];

	/* the head */
	lk_acquire(&p0->pf_lock);
	plist_remove(&vm, p0);
	lk_release(&p0->pf_lock);
	for (uint32_t i = 1; i < NFRAMES; i++)
		want[n++] = i;
	CHECK("remove head: list 1..15", list_is(PFN_STATE_FREE, want, n));
	CHECK("remove head: unlinked", off_list(p0) && p0->pf_state == PFN_STATE_FREE);
	CHECK("remove head: new head has no blink", vm.vm_pfns[1].pf_blink == PFN_NONE);

	/* the middle */
	lk_acquire(&p7->pf_lock);
	plist_remove(&vm, p7);
	lk_release(&p7->pf_lock);
	n = 0;
	for (uint32_t i = 1; i < NFRAMES; i++)
		if (i != 7)
			want[n++] = i;
	CHECK("remove middle: list 1..6,8..15", list_is(PFN_STATE_FREE, want, n));
	CHECK("remove middle: neighbours joined",
	    vm.vm_pfns[6].pf_flink == 8 && vm.vm_pfns[8].pf_blink == 6);
	CHECK("remove middle: unlinked", off_list(p7));

	/* the tail */
	lk_acquire(&p15->pf_lock);
	plist_remove(&vm, p15);
	lk_release(&p15->pf_lock);
	n--;
	CHECK("remove tail: list 1..6,8..14", list_is(PFN_STATE_FREE, want, n));
	CHECK("remove tail: new tail has no flink", vm.vm_pfns[14].pf_flink == PFN_NONE &&
	    vm_list(&vm, PFN_STATE_FREE)->pl_tail == 14);
	CHECK("remove tail: unlinked", off_list(p15));
	CHECK("remove: count", plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 3);

	insert(p7);
	insert(p0);
	insert(p15);
	want[n++] = 7;
	want[n++] = 0;
	want[n++] = 15;
	CHECK("remove: reinserted at the tail", list_is(PFN_STATE_FREE, want, n));
	CHECK("remove: validates", validate_all(&vm, stderr, 1) == 0);

	/* A middle page whose neighbours' PFN locks are busy (a second PFN lock
	 * only by lk_try): 4 between busy 3 and busy 5, then 9 with busy 8. */
	struct pfn *p3 = &vm.vm_pfns[3], *p4 = &vm.vm_pfns[4], *p5 = &vm.vm_pfns[5];
	lk_acquire(&p4->pf_lock);
	CHECK("remove busy neighbours: try both", lk_try(&p3->pf_lock) && lk_try(&p5->pf_lock));
	plist_remove(&vm, p4);
	lk_release(&p5->pf_lock);
	lk_release(&p3->pf_lock);
	CHECK("remove busy neighbours: unlinked", off_list(p4) &&
	    p3->pf_flink == 5 && p5->pf_blink == 3 &&
	    plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 1);
	CHECK("remove busy neighbours: neighbours' locks untouched",
	    atomic_load(&p3->pf_lock.lk_word) == 0 && atomic_load(&p5->pf_lock.lk_word) == 0);
	plist_insert_tail(&vm, p4);
	lk_release(&p4->pf_lock);
	lk_acquire(&vm.vm_pfns[9].pf_lock);
	CHECK("remove busy blink: try 8", lk_try(&vm.vm_pfns[8].pf_lock));
	plist_remove(&vm, &vm.vm_pfns[9]);
	lk_release(&vm.vm_pfns[8].pf_lock);
	CHECK("remove busy blink: unlinked", off_list(&vm.vm_pfns[9]) &&
	    vm.vm_pfns[8].pf_flink == 10 && vm.vm_pfns[10].pf_blink == 8);
	plist_insert_tail(&vm, &vm.vm_pfns[9]);
	lk_release(&vm.vm_pfns[9].pf_lock);
#if VM_DEBUG >= 1
	CHECK("remove: no lock left held", lk_debug_depth() == 0);
#endif
	CHECK("remove busy: validates", validate_all(&vm, stderr, 1) == 0);
}

/* A list of one entry: head == tail, and removing it empties the list. */
static void test_one_entry(void)
{
	static const uint32_t three[] = { 3 };
	struct pfn *p3 = &vm.vm_pfns[3], *pf;

	make_zeroed(3);
	CHECK("one: zeroed list holds frame 3", list_is(PFN_STATE_ZEROED, three, 1));
	CHECK("one: head == tail", vm_list(&vm, PFN_STATE_ZEROED)->pl_head == 3 &&
	    vm_list(&vm, PFN_STATE_ZEROED)->pl_tail == 3);
	CHECK("one: no links", p3->pf_flink == PFN_NONE && p3->pf_blink == PFN_NONE);
	CHECK("one: free list shrank", plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 1);
	CHECK("one: validates", validate_all(&vm, stderr, 1) == 0);

	pf = plist_take_head(&vm, PFN_STATE_ZEROED);
	CHECK("one: take_head returns it", pf == p3 && off_list(p3));
	CHECK("one: take_head empties the list", list_empty(PFN_STATE_ZEROED));
	CHECK("one: second take_head is NULL", plist_take_head(&vm, PFN_STATE_ZEROED) == NULL);
	plist_insert_tail(&vm, p3);		/* still locked by take_head */
	CHECK("one: insert into the empty list", list_is(PFN_STATE_ZEROED, three, 1));
	plist_remove(&vm, p3);
	CHECK("one: remove the only entry empties the list", list_empty(PFN_STATE_ZEROED));
	plist_insert_tail(&vm, p3);
	lk_release(&p3->pf_lock);
	CHECK("one: validates again", validate_all(&vm, stderr, 1) == 0);
}

/* take_head skips a page whose PFN lock is busy, and gives up (NULL) when
 * every page is busy. */
static void test_take_head_busy(void)
{
	struct pfn *p0 = &vm.vm_pfns[0], *p2 = &vm.vm_pfns[2], *pf;
	uint32_t want[NFRAMES], n = 0;

	lk_acquire(&p0->pf_lock);
	pf = plist_take_head(&vm, PFN_STATE_FREE);
	CHECK("busy head: skipped, next returned", pf == &vm.vm_pfns[1]);
	CHECK("busy head: stays the head", vm_list(&vm, PFN_STATE_FREE)->pl_head == 0 &&
	    p0->pf_onlist && p0->pf_flink == 2 && p2->pf_blink == 0);
	CHECK("busy head: count", plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES - 1);
	if (pf == NULL)
		return;
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);

	/* Busy head and busy second: list is 0,2,3,...,15,1, so 3 comes out.
	 * Two PFN locks at once are only allowed by lk_try. */
	CHECK("busy: lk_try a second PFN lock", lk_try(&p2->pf_lock));
	pf = plist_take_head(&vm, PFN_STATE_FREE);
	CHECK("busy two: third returned", pf == &vm.vm_pfns[3]);
	if (pf == NULL)
		return;
	plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);
	lk_release(&p2->pf_lock);
	lk_release(&p0->pf_lock);
	want[n++] = 0;
	for (uint32_t i = 2; i < NFRAMES; i++)
		if (i != 3)
			want[n++] = i;
	want[n++] = 1;
	want[n++] = 3;
	CHECK("busy: skipped pages kept their places", list_is(PFN_STATE_FREE, want, n));

	/* Every page on the list busy: NULL, and nothing unlinked. */
	make_zeroed(5);
	make_zeroed(6);
	CHECK("all busy: lk_try both", lk_try(&vm.vm_pfns[5].pf_lock) && lk_try(&vm.vm_pfns[6].pf_lock));
	CHECK("all busy: take_head gives up", plist_take_head(&vm, PFN_STATE_ZEROED) == NULL);
	CHECK("all busy: list intact", list_is(PFN_STATE_ZEROED, (const uint32_t[]){ 5, 6 }, 2));
	lk_release(&vm.vm_pfns[6].pf_lock);
	lk_release(&vm.vm_pfns[5].pf_lock);
	pf = plist_take_head(&vm, PFN_STATE_ZEROED);
	CHECK("all busy: released, head comes out", pf == &vm.vm_pfns[5]);
	if (pf != NULL) {
		plist_insert_tail(&vm, pf);
		lk_release(&pf->pf_lock);
	}
#if VM_DEBUG >= 1
	CHECK("busy: no lock left held", lk_debug_depth() == 0);
#endif
	CHECK("busy: validates", validate_all(&vm, stderr, 1) == 0);
}

/*
 * pfn_alloc() with every listed frame's PFN lock busy (held by another
 * thread, as soft faults and other allocations hold them for a moment)
 * must wait for one rather than report none: a faulter told "none" sleeps
 * on vm_ev_avail, which a PFN lock let go never signals.  (Before, it gave
 * up after four passes: the rare hang of stress/tiny and commit-limit.)
 */
#define ALLOC_LEFT 4	/* frames left on the lists (debug builds hold at most 8 locks) */

static _Atomic int busy_held;

static void *hold_listed_frames(void *arg)
{
	struct pfn **left = arg;

	for (int i = 0; i < ALLOC_LEFT; i++)
		while (!lk_try(&left[i]->pf_lock))
			;
	atomic_store(&busy_held, 1);
	usleep(50 * 1000);
	for (int i = ALLOC_LEFT; i-- > 0;)
		lk_release(&left[i]->pf_lock);
	return NULL;
}

static void test_alloc_busy(void)
{
	pthread_t t;
	enum pfn_state from;
	struct pfn *pf;
	uint64_t retries = vm.vm_st.st_alloc_busy_retries;

	struct pfn *taken[NFRAMES], *left[ALLOC_LEFT];
	int ntaken = 0, nleft = 0;

	/* Take all but ALLOC_LEFT frames, as faulters would, and note the
	 * rest: the frames still on the lists. */
	while (ntaken < NFRAMES - ALLOC_LEFT && (pf = pfn_alloc(&vm, true, &from)) != NULL) {
		lk_release(&pf->pf_lock);
		taken[ntaken++] = pf;
	}
	for (uint32_t i = 0; i < NFRAMES; i++)
		if (vm.vm_pfns[i].pf_onlist && nleft < ALLOC_LEFT)
			left[nleft++] = &vm.vm_pfns[i];
	CHECK("alloc busy: frames left on the lists", ntaken == NFRAMES - ALLOC_LEFT &&
	    nleft == ALLOC_LEFT && vm_available(&vm) == ALLOC_LEFT);
	if (nleft != ALLOC_LEFT)
		return;
	atomic_store(&busy_held, 0);
	if (pthread_create(&t, NULL, hold_listed_frames, left) != 0) {
		CHECK("alloc busy: thread", false);
		return;
	}
	while (!atomic_load(&busy_held))
		sched_yield();
	pf = pfn_alloc(&vm, true, &from);
	pthread_join(t, NULL);
	CHECK("alloc busy: waits for a busy frame instead of returning none", pf != NULL);
	CHECK("alloc busy: counted its retries", vm.vm_st.st_alloc_busy_retries > retries);
	if (pf != NULL)
		pfn_unalloc(&vm, pf);
	for (int i = 0; i < ntaken; i++) {
		lk_acquire(&taken[i]->pf_lock);
		pfn_unalloc(&vm, taken[i]);
	}
	CHECK("alloc busy: validates", validate_all(&vm, stderr, 1) == 0);
}

/* Move pf from -> to the way the VM does: lock, unlink, set, link, unlock. */
static void move(struct pfn *pf, enum pfn_state from, enum pfn_state to)
{
	lk_acquire(&pf->pf_lock);
	if (pf->pf_onlist)
		plist_remove(&vm, pf);
	pfn_set_state(&vm, pf, from, to);
	if (to != PFN_STATE_ACTIVE)
		plist_insert_tail(&vm, pf);
	lk_release(&pf->pf_lock);
}

/* The list a frame of state s joins: for standby, an owner-less frame's,
 * the default priority's (vm_lists' standby entry holds only the total). */
static struct plist *tail_list(enum pfn_state s)
{
	return s == PFN_STATE_STANDBY ? &vm.vm_standby[VM_PRIORITY_DEFAULT] : vm_list(&vm, s);
}

/* One frame through all nine legal transitions, moving between lists. */
static void test_transitions(void)
{
	static const enum pfn_state path[] = {
		PFN_STATE_FREE, PFN_STATE_ZEROED, PFN_STATE_ACTIVE, PFN_STATE_MODIFIED,
		PFN_STATE_ACTIVE, PFN_STATE_STANDBY, PFN_STATE_ACTIVE, PFN_STATE_MODIFIED,
		PFN_STATE_STANDBY, PFN_STATE_FREE, PFN_STATE_ACTIVE, PFN_STATE_STANDBY,
		PFN_STATE_FREE,
	};
	bool seen[PFN_NSTATES][PFN_NSTATES] = { { false } };
	struct pfn *pf = &vm.vm_pfns[9];
	bool ok = true;
	int nseen = 0;

	for (size_t i = 1; i < sizeof(path) / sizeof(path[0]); i++) {
		enum pfn_state from = path[i - 1], to = path[i];
		uint64_t before = to < PLIST_N ? plist_count(vm_list(&vm, to)) : 0;

		move(pf, from, to);
		ok &= pf->pf_state == to;
		ok &= to == PFN_STATE_ACTIVE ? !pf->pf_onlist :
		    pf->pf_onlist && tail_list(to)->pl_tail == 9 &&
		    plist_count(vm_list(&vm, to)) == before + 1;
		ok &= pfn_transition_legal(from, to);
		if (!seen[from][to])
			nseen++;
		seen[from][to] = true;
	}
	CHECK("transitions: each step lands on the right list", ok);
	CHECK("transitions: all nine legal pairs taken", nseen == 9);
	CHECK("transitions: back on the free list", pf->pf_state == PFN_STATE_FREE &&
	    vm_list(&vm, PFN_STATE_FREE)->pl_tail == 9);
	CHECK("transitions: lists hold every frame",
	    plist_count(vm_list(&vm, PFN_STATE_FREE)) == NFRAMES && vm_available(&vm) == NFRAMES);
	CHECK("transitions: validates", validate_all(&vm, stderr, 1) == 0);
}

struct trans_arg {
	enum pfn_state from, to, actual;
	bool leave_on_list;
};

/* Child: put frame 0 in state a->actual off its list, then ask for a->from -> a->to. */
static void child_set_state(void *arg)
{
	struct trans_arg *a = arg;
	struct pfn *pf = &vm.vm_pfns[0];

	lk_acquire(&pf->pf_lock);
	if (!a->leave_on_list) {
		plist_remove(&vm, pf);
		pf->pf_state = (uint8_t)a->actual;
	}
	pfn_set_state(&vm, pf, a->from, a->to);
}

/* Every one of the 25 pairs: the nine legal ones (pfn_transition_legal,
 * the table pfn_set_state checks; test_transitions takes each of them)
 * return, the rest panic. */
static void test_transition_table(void)
{
	bool ok = true;
	int nlegal = 0;

	for (int f = 0; f < PFN_NSTATES; f++) {
		for (int t = 0; t < PFN_NSTATES; t++) {
			struct trans_arg a = { (enum pfn_state)f, (enum pfn_state)t, (enum pfn_state)f, false };
			int sig = vmtest_child(child_set_state, &a);
			nlegal += pfn_transition_legal(a.from, a.to);
			if (sig != (pfn_transition_legal(a.from, a.to) ? 0 : SIGABRT)) {
				fprintf(stderr, "FAIL: %s -> %s: child signal %d\n",
				    pfn_state_name(a.from), pfn_state_name(a.to), sig);
				ok = false;
			}
		}
	}
	CHECK("table: legal pairs return, illegal pairs panic", ok);
	CHECK("table: eleven legal pairs", nlegal == 11);

	struct trans_arg wrong_from = { PFN_STATE_STANDBY, PFN_STATE_ACTIVE, PFN_STATE_FREE, false };
	CHECK("table: from != pf_state panics", vmtest_child(child_set_state, &wrong_from) == SIGABRT);
	struct trans_arg on_list = { PFN_STATE_FREE, PFN_STATE_ACTIVE, PFN_STATE_FREE, true };
	CHECK("table: page still on a list panics", vmtest_child(child_set_state, &on_list) == SIGABRT);
	CHECK("table: names", strcmp(pfn_state_name(PFN_STATE_STANDBY), "standby") == 0 &&
	    strcmp(pfn_state_name(PFN_NSTATES), "?") == 0);
}

#if VM_DEBUG >= 1
static void child_insert_twice(void *arg)
{
	(void)arg;
	insert(&vm.vm_pfns[4]);
}

static void child_insert_unlocked(void *arg)
{
	struct pfn *pf = &vm.vm_pfns[4];

	(void)arg;
	lk_acquire(&pf->pf_lock);
	plist_remove(&vm, pf);
	lk_release(&pf->pf_lock);
	plist_insert_tail(&vm, pf);
}

static void child_remove_unlocked(void *arg)
{
	(void)arg;
	plist_remove(&vm, &vm.vm_pfns[4]);
}

static void child_remove_twice(void *arg)
{
	struct pfn *pf = &vm.vm_pfns[4];

	(void)arg;
	lk_acquire(&pf->pf_lock);
	plist_remove(&vm, pf);
	plist_remove(&vm, pf);
}

static void child_set_state_unlocked(void *arg)
{
	struct pfn *pf = &vm.vm_pfns[4];

	(void)arg;
	lk_acquire(&pf->pf_lock);
	plist_remove(&vm, pf);
	lk_release(&pf->pf_lock);
	pfn_set_state(&vm, pf, PFN_STATE_FREE, PFN_STATE_ACTIVE);
}

/* The list code's preconditions, checked by debug builds. */
static void test_debug_asserts(void)
{
	CHECK("assert: insert a page already on a list", vmtest_child(child_insert_twice, NULL) == SIGABRT);
	CHECK("assert: insert without the PFN lock", vmtest_child(child_insert_unlocked, NULL) == SIGABRT);
	CHECK("assert: remove without the PFN lock", vmtest_child(child_remove_unlocked, NULL) == SIGABRT);
	CHECK("assert: remove a page on no list", vmtest_child(child_remove_twice, NULL) == SIGABRT);
	CHECK("assert: set state without the PFN lock",
	    vmtest_child(child_set_state_unlocked, NULL) == SIGABRT);
}
#endif

int main(void)
{
	vmtest_watchdog("test_plist", 120);
	vm_reset(true);
	test_init();
	vm_reset(false);
	test_take_head_fifo();
	vm_reset(false);
	test_remove();
	vm_reset(false);
	test_one_entry();
	vm_reset(false);
	test_take_head_busy();
	vm_reset(false);
	test_alloc_busy();
	vm_reset(false);
	test_transitions();
	vm_reset(false);
	test_transition_table();
#if VM_DEBUG >= 1
	test_debug_asserts();
#endif
	vm_structs_destroy(&vm);
	return check_done("test_plist");
}
