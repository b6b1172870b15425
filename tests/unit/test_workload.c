/*
 * test_workload.c - the workload's verification names (process, page):
 * pages written as one process and read as another are wrong pages, even
 * when the reading thread's own count word is untouched (a different
 * thread number wrote them), which a stamp naming the page alone let
 * through; and the read-only image of each process is its own.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vm_sim.h"
#include "workload.h"

#define NPAGES 256

/* Thread 1 of a 2-thread "process" proc writes every page once, on vm's
 * default region. */
static void write_as(struct vm *vm, unsigned proc)
{
	struct wl_config w = { .wc_kind = WL_SCAN, .wc_threads = 2, .wc_write_ratio = 1.0,
		.wc_seed = 5, .wc_accesses = 2 * NPAGES, .wc_tag = proc };
	struct wl_shared sh;
	struct wl_counts n;

	CHECK("wl_init (writer)", wl_init(&sh, vm, &w) == 0);
	sh.ws_threads[1].wt_cur = 0;
	wl_thread_main(&sh.ws_threads[1]);	/* one sweep: every page written */
	wl_sum(&sh, &n);
	CHECK("writer verified", wl_failures(&n) == 0 && n.wt_writes == NPAGES);
	wl_destroy(&sh);
}

/* Thread 0 of "process" proc reads every page; returns its wrong pages. */
static uint64_t read_as(struct vm *vm, unsigned proc)
{
	struct wl_config w = { .wc_kind = WL_SCAN, .wc_threads = 1, .wc_write_ratio = 0.0,
		.wc_seed = 5, .wc_accesses = NPAGES, .wc_tag = proc };
	struct wl_shared sh;
	struct wl_counts n;

	CHECK("wl_init (reader)", wl_init(&sh, vm, &w) == 0);
	wl_thread_main(&sh.ws_threads[0]);
	wl_sum(&sh, &n);
	CHECK("reader read every page", n.wt_accesses == NPAGES);
	wl_destroy(&sh);
	return n.wt_wrong_page;
}

static void test_stamp_names_process(void)
{
	struct vm_tunables t = VM_TUNABLES_DEFAULT;
	struct vm_config c;
	struct vm *vm;
	char err[256];

	t.vt_max_faulters = 2;
	c = vm_config_pages(64, NPAGES, NPAGES, &t);
	if (vm_create(&c, &vm, err, sizeof(err)) != 0) {
		CHECK("create", 0);
		return;
	}
	write_as(vm, 3);
	CHECK("the same process reads its pages: no failure", read_as(vm, 3) == 0);
	CHECK("another process reading them: every page a wrong page", read_as(vm, 4) == NPAGES);
	vm_destroy(vm);
}

static void test_image_per_process(void)
{
	uint64_t *a = malloc(VM_PAGE_SIZE), *b = malloc(VM_PAGE_SIZE);
	struct wl_config p0 = { .wc_tag = 0 }, p1 = { .wc_tag = 1 };

	wl_image_fill(&p0, 7, a);
	wl_image_fill(&p1, 7, b);
	CHECK("stamps differ by process", a[0] != b[0]);
	CHECK("contents differ by process", a[1] != b[1] && a[511] != b[511]);
	wl_image_fill(&p1, 7, a);
	CHECK("the same (process, page): the same contents", memcmp(a, b, VM_PAGE_SIZE) == 0);
	free(a);
	free(b);
}

int main(void)
{
	test_stamp_names_process();
	test_image_per_process();
	return check_done("test_workload");
}
