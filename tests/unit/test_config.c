/*
 * test_config.c - the checks made before any work: vm_config_check() on
 * sizes whose sum wraps 64 bits, the memory estimate (vm_footprint(), the
 * workload's wl_footprint()) with its parts and its saturation, and a timed
 * recording that stops the run at its budget instead of growing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vm.h"
#include "vm_sim.h"
#include "workload.h"

/* physical + page file past 64 bits is refused as such, not wrapped. */
static void test_overflow(void)
{
	struct vm_config c = VM_CONFIG_DEFAULT;
	char err[256];

	c.vc_machine.mc_physical = 16ULL << 20;
	c.vc_space.as_virtual = 16ULL << 20;
	c.vc_machine.mc_pagefile = UINT64_MAX - 4095;	/* page-aligned; + 16M wraps to 16M - 4K */
	CHECK("wrap refused", vm_config_check(&c, err, sizeof(err)) == VM_EINVAL);
	CHECK("wrap said", strstr(err, "does not fit in 64 bits") != NULL);
	c = VM_CONFIG_DEFAULT;
	CHECK("default passes", vm_config_check(&c, err, sizeof(err)) == 0);
}

/* The estimate's parts, and a sum that saturates instead of wrapping. */
static void test_footprint(void)
{
	struct vm_config c = VM_CONFIG_DEFAULT;
	struct vm_footprint f, g;
	char err[512];

	CHECK("total", vm_footprint(&c, &f) == f.vf_total);
	CHECK("parts", f.vf_frames == c.vc_machine.mc_physical && f.vf_mapped == c.vc_machine.mc_physical &&
	      f.vf_pagefile == c.vc_machine.mc_pagefile &&
	      f.vf_total == f.vf_frames + f.vf_mapped + f.vf_pagefile + f.vf_books);
	/* bookkeeping: 8 bytes of PTE per page, 8 of slot owner per slot at least */
	CHECK("books", f.vf_books >= c.vc_space.as_virtual / VM_PAGE_SIZE * 8 + c.vc_machine.mc_pagefile / VM_PAGE_SIZE * 8);
	c.vc_machine.mc_pagefile_path = "/nonexistent/pf";
	vm_footprint(&c, &g);
	CHECK("file-backed: no page file in memory, same books", g.vf_pagefile == 0 &&
	      g.vf_books == f.vf_books);
	c.vc_space.as_virtual = 1ULL << 20;
	vm_footprint(&c, &g);
	CHECK("mapped at most the region", g.vf_mapped == c.vc_space.as_virtual);
	c = VM_CONFIG_DEFAULT;
	c.vc_machine.mc_pagefile = UINT64_MAX - 4095;
	CHECK("saturates", vm_footprint(&c, NULL) == UINT64_MAX);
	/* A 16T file-backed page file: 32G of slot owners, said in the refusal. */
	c = VM_CONFIG_DEFAULT;
	c.vc_machine.mc_pagefile = 16ULL << 40;
	c.vc_machine.mc_pagefile_path = "/nonexistent/pf";
	if (vm_footprint(&c, NULL) > vm_memory_limit())
		CHECK("books refused", vm_config_check(&c, err, sizeof(err)) == VM_EINVAL &&
		      strstr(err, "bookkeeping 32.") != NULL);
}

/* The workload's per-page state and records. */
static void test_wl_footprint(void)
{
	struct wl_config w = { .wc_threads = 4 };
	uint64_t npages = 1000;

	CHECK("per page", wl_footprint(&w, npages) >= npages * (1 + 4 * 4));
	w.wc_record = 1;
	CHECK("record, timed: no records counted", wl_footprint(&w, npages) <
	      npages * (1 + 4 * 4) + 4096 * 4);
	w.wc_accesses = 1000000;
	CHECK("record, counted", wl_footprint(&w, npages) >= 1000000ULL * 24);
	w.wc_accesses = 1ULL << 62;
	CHECK("record saturates", wl_footprint(&w, npages) == UINT64_MAX);
	w.wc_threads = 256;
	w.wc_record = 0;
	CHECK("1T of pages x 256 threads", wl_footprint(&w, 1ULL << 28) >= (1ULL << 28) * 1025);
}

/* A timed recording with a budget stops the run there: exactly that many
 * references recorded, each one an access made. */
static void test_record_budget(void)
{
	struct vm_config c = VM_CONFIG_DEFAULT;
	struct wl_config w = { .wc_kind = WL_UNIFORM, .wc_threads = 1, .wc_write_ratio = 0.5,
		.wc_seed = 3, .wc_max_run = 1, .wc_zipf_s = 1, .wc_phase_len = 100,
		.wc_record = 1, .wc_record_max = 20000 };
	struct wl_shared sh;
	struct wl_counts n;
	struct vm *vm;
	struct trace_ref *refs;
	size_t nrefs = 0;
	char err[256];

	struct vm_tunables t = VM_TUNABLES_DEFAULT;

	t.vt_max_faulters = 1;
	c = vm_config_pages(256, 1024, 1024, &t);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		CHECK("create", 0);
		return;
	}
	CHECK("wl_init", wl_init(&sh, vm, &w) == 0);
	wl_thread_main(&sh.ws_threads[0]);	/* runs until the budget stops it */
	wl_sum(&sh, &n);
	refs = wl_record_merge(&sh, &nrefs);
	CHECK("stopped full", atomic_load(&sh.ws_record_full) && atomic_load(&sh.ws_stop));
	CHECK("exactly the budget", nrefs == 20000 && n.wt_accesses == 20000);
	CHECK("verified", wl_failures(&n) == 0);
	free(refs);
	wl_destroy(&sh);
	vm_destroy(vm);
}

int main(void)
{
	test_overflow();
	test_footprint();
	test_wl_footprint();
	test_record_budget();
	return check_done("test_config");
}
