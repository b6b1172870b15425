/*
 * workload.c - the user threads' access patterns and per-access checks.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "vm_util.h"
#include "workload.h"

#define WL_STAMP_TAG 0x5653000000000000ULL	/* "VS": never zero, never poison */

static inline uint64_t wl_stamp(uint64_t vpn)
{
	return WL_STAMP_TAG | vpn;
}

int wl_init(struct wl_shared *sh, struct vm *vm, const struct wl_config *cfg)
{
	int n = cfg->wc_threads;

	memset(sh, 0, sizeof(*sh));
	sh->ws_vm = vm;
	sh->ws_base = vm_base(vm);
	sh->ws_npages = vm_npages(vm);
	sh->ws_cfg = *cfg;
	sh->ws_ever = calloc(sh->ws_npages, 1);
	sh->ws_threads = calloc((size_t)n, sizeof(*sh->ws_threads));
	if (sh->ws_ever == NULL || sh->ws_threads == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		struct wl_thread *t = &sh->ws_threads[i];
		t->wt_id = i;
		t->wt_sh = sh;
		t->wt_rng = vm_seed_mix(cfg->wc_seed, (uint64_t)i);
		t->wt_quota = UINT64_MAX;
		if (cfg->wc_accesses)
			t->wt_quota = cfg->wc_accesses / (uint64_t)n +
			    ((uint64_t)i < cfg->wc_accesses % (uint64_t)n);
		t->wt_lastw = calloc(sh->ws_npages, sizeof(uint32_t));
		if (t->wt_lastw == NULL)
			return -1;
	}
	return 0;
}

void wl_destroy(struct wl_shared *sh)
{
	for (int i = 0; sh->ws_threads && i < sh->ws_cfg.wc_threads; i++)
		free(sh->ws_threads[i].wt_lastw);
	free(sh->ws_threads);
	free((void *)sh->ws_ever);
}

/*
 * One access to vpn: read and check it; if write, update my count word and
 * the stamp.  Every load and store may fault; the fault is resolved in the
 * SIGBUS handler and the instruction retried.
 */
static void wl_access(struct wl_thread *t, uint64_t vpn, bool write)
{
	struct wl_shared *sh = t->wt_sh;
	_Atomic uint64_t *w = (_Atomic uint64_t *)(sh->ws_base + (vpn << VM_PAGE_SHIFT));
	bool ever = atomic_load_explicit(&sh->ws_ever[vpn], memory_order_acquire);
	uint64_t stamp = atomic_load_explicit(&w[0], memory_order_relaxed);
	uint64_t mine;

	vm_touch(sh->ws_vm, w);
	mine = atomic_load_explicit(&w[1 + t->wt_id], memory_order_relaxed);
	if (stamp == 0) {
		if (ever)
			t->wt_c.wt_zeroed++;
	} else if (stamp != wl_stamp(vpn)) {
		t->wt_c.wt_wrong_page++;
	} else if (mine != t->wt_lastw[vpn]) {
		if (mine < t->wt_lastw[vpn])
			t->wt_c.wt_lost_write++;
		else
			t->wt_c.wt_wrong_page++;
	}
	t->wt_c.wt_accesses++;
	if (!write)
		return;
	atomic_store_explicit(&w[1 + t->wt_id], ++t->wt_lastw[vpn], memory_order_relaxed);
	if (stamp != wl_stamp(vpn))
		atomic_store_explicit(&w[0], wl_stamp(vpn), memory_order_relaxed);
	if (!ever)
		atomic_store_explicit(&sh->ws_ever[vpn], 1, memory_order_release);
	t->wt_c.wt_writes++;
}

/* The next page to access, by the configured pattern. */
static uint64_t wl_next(struct wl_thread *t)
{
	struct wl_shared *sh = t->wt_sh;
	uint64_t vpn;

	switch (sh->ws_cfg.wc_kind) {
	case WL_UNIFORM:
		return vm_rand(&t->wt_rng) % sh->ws_npages;
	case WL_RUNS:
		break;
	}
	if (t->wt_run_left == 0) {
		t->wt_cur = vm_rand(&t->wt_rng) % sh->ws_npages;
		t->wt_run_left = 1 + vm_rand(&t->wt_rng) % (uint64_t)sh->ws_cfg.wc_max_run;
	}
	vpn = t->wt_cur;
	t->wt_cur = t->wt_cur + 1 == sh->ws_npages ? 0 : t->wt_cur + 1;
	t->wt_run_left--;
	return vpn;
}

void *wl_thread_main(void *arg)
{
	struct wl_thread *t = arg;
	struct wl_shared *sh = t->wt_sh;
	double wr = sh->ws_cfg.wc_write_ratio;

	for (uint64_t i = 0; i < t->wt_quota; i++) {
		if ((i & 255) == 0) {
			if (atomic_load_explicit(&sh->ws_stop, memory_order_relaxed))
				break;
			atomic_store_explicit(&t->wt_progress, i, memory_order_relaxed);
		}
		uint64_t vpn = wl_next(t);
		wl_access(t, vpn, vm_rand01(&t->wt_rng) < wr);
	}
	atomic_store_explicit(&t->wt_progress, t->wt_c.wt_accesses, memory_order_relaxed);
	return NULL;
}

void wl_sum(const struct wl_shared *sh, struct wl_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < sh->ws_cfg.wc_threads; i++) {
		const struct wl_counts *c = &sh->ws_threads[i].wt_c;
		out->wt_accesses += c->wt_accesses;
		out->wt_writes += c->wt_writes;
		out->wt_wrong_page += c->wt_wrong_page;
		out->wt_zeroed += c->wt_zeroed;
		out->wt_lost_write += c->wt_lost_write;
	}
}

uint64_t wl_progress(const struct wl_shared *sh)
{
	uint64_t n = 0;

	for (int i = 0; i < sh->ws_cfg.wc_threads; i++)
		n += atomic_load_explicit(&sh->ws_threads[i].wt_progress, memory_order_relaxed);
	return n;
}
