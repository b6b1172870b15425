/*
 * test_api.c - the shape of the interface: the counter table (every field
 * of struct vm_stats once, today's JSON keys all there, derived counters
 * computed), the configuration (the library's default trim policy, the
 * tunables per instance and copied at creation, their ranges), and
 * creation fault injection counting down on the creating thread.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

/* The simulator's JSON keys before the counter table (sim/main.c,
 * print_json), that come from struct vm_stats or the lock statistics. */
static const char *const old_keys[] = {
	"faults.demand_zero", "faults.soft", "faults.soft_standby", "faults.soft_modified",
	"faults.hard", "faults.collided", "pages_trimmed", "pages_trimmed_clean", "trim_batches",
	"trim_calls", "trimmed_by_hint", "pages_written", "write_batches", "pages_zeroed",
	"pages_zeroed_inline", "pages_repurposed", "waits_for_pages", "bounces",
	"pages_trimmed_dirty", "write_runs", "readonly_pages", "access_violations",
	"prefetch.pages", "prefetch.used", "prefetch.wasted", "defrag_moves",
	"pagefile_free_rows", "lists.zeroed", "lists.free", "lists.standby", "lists.modified",
	"lists.active", "pagefile_used", "lock_contended.pte", "lock_contended.pfn",
	"lock_contended.list", "lock_contended.pgf", "lock_wait_ns.pte", "lock_wait_ns.pfn",
	"lock_wait_ns.list", "lock_wait_ns.pgf",
};

static const struct vm_stat_field *find_key(const char *key)
{
	for (int i = 0; i < vm_stat_nfields; i++)
		if (strcmp(vm_stat_fields[i].sf_key, key) == 0)
			return &vm_stat_fields[i];
	for (int i = 0; i < vm_lock_stat_nfields; i++)
		if (strcmp(vm_lock_stat_fields[i].sf_key, key) == 0)
			return &vm_lock_stat_fields[i];
	return NULL;
}

/* A table covers its struct: every 8-byte field once, names and keys
 * unique, every row described. */
static bool table_sound(const struct vm_stat_field *t, int n, size_t size)
{
	bool seen[64] = { false }, ok = (size_t)n * sizeof(uint64_t) == size && n <= 64;

	for (int i = 0; ok && i < n; i++) {
		size_t k = t[i].sf_offset / sizeof(uint64_t);
		ok &= t[i].sf_offset % sizeof(uint64_t) == 0 && k < (size_t)n && !seen[k];
		seen[k] = true;
		ok &= t[i].sf_name[0] && t[i].sf_key[0] && strlen(t[i].sf_desc) > 8;
		ok &= t[i].sf_kind == VM_STAT_COUNT || t[i].sf_kind == VM_STAT_NS ||
		    t[i].sf_kind == VM_STAT_GAUGE;
		for (int j = 0; j < i; j++)
			ok &= strcmp(t[i].sf_name, t[j].sf_name) != 0 && strcmp(t[i].sf_key, t[j].sf_key) != 0;
	}
	return ok;
}

static void test_table(void)
{
	bool all = true;

	CHECK("table: struct vm_stats, field by field", table_sound(vm_stat_fields, vm_stat_nfields,
	    sizeof(struct vm_stats)));
	CHECK("table: struct vm_lock_stats, field by field", table_sound(vm_lock_stat_fields,
	    vm_lock_stat_nfields, sizeof(struct vm_lock_stats)));
	for (size_t i = 0; i < sizeof(old_keys) / sizeof(old_keys[0]); i++) {
		if (find_key(old_keys[i]) == NULL) {
			fprintf(stderr, "test_api: JSON key %s is gone\n", old_keys[i]);
			all = false;
		}
	}
	CHECK("table: today's JSON keys all there", all);
	CHECK("table: the errors never exported before are", find_key("inpage_errors") &&
	    find_key("write_errors") && find_key("window_thaws"));
	CHECK("table: offsets name the fields", find_key("faults.hard")->sf_offset ==
	    offsetof(struct vm_stats, vs_faults_hard) && find_key("lock_wait_ns.list")->sf_offset ==
	    offsetof(struct vm_lock_stats, ls_wait_ns_list));
}

/* A run that trims, writes and faults every way; its counters agree. */
static void test_stats(void)
{
	struct vm_config cfg = vm_config_pages(64, 512, 512, NULL);
	struct vm_stats st;
	struct vm *vm;
	char err[256];
	bool match = true;

	CHECK("stats: create", vm_create(&cfg, &vm, err, sizeof(err)) == 0);
	for (int round = 0; round < 3; round++)
		for (uint64_t i = 0; i < 512; i++)
			((volatile char *)vm_base(vm))[i * VM_PAGE_SIZE + round] = 1;
	vm_pause(vm);
	vm_get_stats(vm, &st);
	CHECK("stats: it paged", st.vs_trimmed > 0 && st.vs_faults_hard > 0 && st.vs_written > 0);
	CHECK("stats: soft = standby + modified",
	    st.vs_faults_soft == st.vs_faults_soft_standby + st.vs_faults_soft_modified);
	CHECK("stats: trimmed = clean + dirty", st.vs_trimmed_clean + st.vs_trimmed_dirty == st.vs_trimmed);
	CHECK("stats: the frames are all on a list or mapped", st.vs_nzeroed + st.vs_nfree +
	    st.vs_nstandby + st.vs_nmodified + st.vs_nactive == 64);
	CHECK("stats: page-file slots add up", st.vs_pgf_used + st.vs_pgf_free == 512);
	CHECK("stats: every access in 3 rounds faulted once per page at least",
	    st.vs_faults_dz == 512);
	for (int i = 0; i < vm_stat_nfields; i++)
		match &= vm_stat_value(&st, &vm_stat_fields[i]) ==
		    ((const uint64_t *)&st)[vm_stat_fields[i].sf_offset / 8];
	CHECK("stats: vm_stat_value reads the field", match &&
	    vm_stat_value(&st, find_key("faults.demand_zero")) == 512);
	CHECK("stats: valid", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
}

static void test_defaults(void)
{
	struct vm_config cfg = VM_CONFIG_DEFAULT;
	const struct vm_tunables d = VM_TUNABLES_DEFAULT;
	struct vm *vm;
	char err[256];

	CHECK("defaults: a library user's trim policy is FIFO",
	    cfg.vc_space.as_trim_policy == VM_TRIM_FIFO && cfg.vc_machine.mc_tunables == NULL);
	cfg = vm_config_pages(4096, 4096, 4096, NULL);
	CHECK("defaults: create", vm_create(&cfg, &vm, err, sizeof(err)) == 0);
	CHECK("defaults: no tunables means VM_TUNABLES_DEFAULT", memcmp(&vm->vm_tun, &d, sizeof(d)) == 0);
	CHECK("defaults: the trim goal is an eighth", vm->vm_trim_goal == 4096 / 8);
	CHECK("defaults: 64 bounce buffers, rows and stash on", vm->vm_nbounce == 64 &&
	    vm->vm_pgf.pg_rows_enabled && vm->vm_pgf.pg_stash_enabled);
	vm_destroy(vm);
}

/* Two instances with different tunables: each keeps its own, copied at
 * creation (the caller's struct may change after). */
static void test_tunables(void)
{
	struct vm_tunables ta = VM_TUNABLES_DEFAULT, tb = VM_TUNABLES_DEFAULT;
	struct vm_config ca = vm_config_pages(4096, 4096, 4096, &ta);
	struct vm_config cb = vm_config_pages(4096, 4096, 4096, &tb);
	struct vm *a, *b;
	char err[256];

	ta.vt_trim_goal_div = 4;
	ta.vt_max_faulters = 3;
	ta.vt_shared_unlink = 0;
	ta.vt_pgf_rows = ta.vt_pgf_stash = 0;
	ta.vt_start_threads = 0;
	CHECK("tunables: create two", vm_create(&ca, &a, err, sizeof(err)) == 0 &&
	    vm_create(&cb, &b, err, sizeof(err)) == 0);
	ta.vt_trim_goal_div = 16;
	CHECK("tunables: a's own", a->vm_trim_goal == 1024 && a->vm_nbounce == 3 &&
	    !a->vm_tun.vt_shared_unlink && !a->vm_pgf.pg_rows_enabled && !a->vm_pgf.pg_stash_enabled &&
	    a->vm_park.pk_nthreads == 0 && a->vm_tun.vt_trim_goal_div == 4);
	CHECK("tunables: b's the defaults", b->vm_trim_goal == 512 && b->vm_nbounce == 64 &&
	    b->vm_tun.vt_shared_unlink && b->vm_pgf.pg_rows_enabled && b->vm_pgf.pg_stash_enabled &&
	    b->vm_park.pk_nthreads == 3);
	vm_destroy(b);
	vm_destroy(a);

	ta = VM_TUNABLES_DEFAULT;
	ta.vt_trim_goal_div = 1;
	CHECK("tunables: goal divisor 1 refused", vm_config_check(&ca, err, sizeof(err)) == VM_EINVAL &&
	    strstr(err, "trim goal divisor"));
	ta.vt_trim_goal_div = 65;
	CHECK("tunables: goal divisor 65 refused", vm_config_check(&ca, err, sizeof(err)) == VM_EINVAL);
	ta.vt_trim_goal_div = 2;
	CHECK("tunables: goal divisor 2 accepted", vm_config_check(&ca, err, sizeof(err)) == 0);
	ta.vt_max_faulters = 0;
	CHECK("tunables: no faulters refused", vm_config_check(&ca, err, sizeof(err)) == VM_EINVAL &&
	    strstr(err, "max faulters"));
}

/* vt_fail_create_step: the creating thread's countdown. */
static void test_inject_create(void)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config cfg = vm_config_pages(32, 64, 64, &t);
	struct vm *vm = NULL;
	char err[256];

	t.vt_fail_create_step = 1;
	CHECK("inject: step 1 fails", vm_create(&cfg, &vm, err, sizeof(err)) != 0 && vm == NULL &&
	    vm_inject_left() == 0);
	t.vt_fail_create_step = 100000;
	CHECK("inject: a step past the last: created", vm_create(&cfg, &vm, err, sizeof(err)) == 0 &&
	    vm_inject_left() > 0);
	t.vt_fail_create_step = 1;
	CHECK("inject: armed only by a creation", vm_inject_fail() == false);
	vm_destroy(vm);
	t.vt_fail_create_step = 0;
	CHECK("inject: none asked", vm_create(&cfg, &vm, err, sizeof(err)) == 0 && vm_inject_left() == 0);
	vm_destroy(vm);
}

int main(void)
{
	vmtest_watchdog("test_api", 120);
	test_table();
	test_defaults();
	test_tunables();
	test_stats();
	test_inject_create();
	return check_done("test_api");
}
