/*
 * test_trim.c - unit tests of the trimmer's batch selection for the fifo
 * and random policies: the k-smallest heap against a sort; fifo picks the
 * pages mapped longest ago (the head of the working-set list, not by page
 * number), passes the hand over them, skips pages already being trimmed,
 * and returns them ascending; random picks distinct pages of the list,
 * each about equally often.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vmtest.h"

#define VP (vm.vm_default)	/* the vm's default process: its PTEs */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The heap keeps exactly the k smallest of n distinct keys. */
static bool pick_matches_sort(int n, int k, uint64_t seed)
{
	struct trim_pick h[64];
	uint64_t keys[300], sorted[300], got[64], want[64];
	uint64_t rng = seed;
	int m = 0;

	for (int i = 0; i < n; i++) {
		keys[i] = (vm_rand(&rng) & ~0xffffULL) | (uint64_t)i;	/* distinct */
		trim_pick_add(h, &m, k, keys[i], (uint64_t)i);
	}
	memcpy(sorted, keys, (size_t)n * sizeof(keys[0]));
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_u64);
	if (m != (n < k ? n : k))
		return false;
	for (int i = 0; i < m; i++) {
		got[i] = h[i].tp_vpn;
		want[i] = sorted[i] & 0xffff;
	}
	qsort(got, (size_t)m, sizeof(got[0]), cmp_u64);
	qsort(want, (size_t)m, sizeof(want[0]), cmp_u64);
	return memcmp(got, want, (size_t)m * sizeof(got[0])) == 0;
}

static void test_pick(void)
{
	static const int ks[] = { 1, 2, 5, 64 };
	bool ok = true;

	for (int ki = 0; ki < 4; ki++)
		for (int n = 0; n <= 300; n += 13)
			ok &= pick_matches_sort(n, ks[ki], (uint64_t)(n * 7 + ks[ki]));
	CHECK("pick: the k smallest keys, for k in {1,2,5,64}, n in 0..300", ok);
	ok = pick_matches_sort(64, 64, 3) && pick_matches_sort(65, 64, 4);
	CHECK("pick: exactly k and one more than k", ok);
}

/* vmsim's one sort (vm_sort_by_key): plain keys, and a trim batch whose
 * pages carry their frames along, stably. */
static void test_sort(void)
{
	uint64_t v[] = { 9, 3, 7, 3, 0, 100 };
	struct trim_batch b = { .tb_n = 5, .tb_page = {
		{ .tpg_vpn = 40, .tpg_frame = 4 }, { .tpg_vpn = 10, .tpg_frame = 1 },
		{ .tpg_vpn = 30, .tpg_frame = 3, .tpg_noslot = true }, { .tpg_vpn = 10, .tpg_frame = 9 },
		{ .tpg_vpn = 20, .tpg_frame = 2 } } };
	bool ok = true;

	vm_sort_by_key(v, 6, sizeof(v[0]));
	CHECK("sort: ascending", v[0] == 0 && v[1] == 3 && v[2] == 3 && v[3] == 7 && v[4] == 9 && v[5] == 100);
	vm_sort_by_key(v, 0, sizeof(v[0]));
	CHECK("sort: empty is fine", v[0] == 0);
	vm_sort_by_key(b.tb_page, (size_t)b.tb_n, sizeof(b.tb_page[0]));
	for (int i = 0; i < b.tb_n; i++)
		ok &= b.tb_page[i].tpg_vpn == (uint64_t)(i < 2 ? 10 : 10 * i) &&
		    b.tb_page[i].tpg_frame == (i == 1 ? 9u : i < 2 ? 1u : (uint32_t)i) &&
		    b.tb_page[i].tpg_noslot == (i == 3);
	CHECK("sort: a batch's pages keep their fields, equal keys in order", ok);
}

static struct vm vm;

/* Make vpn valid on frame with mapping sequence seq, at the tail of the
 * working-set list, as fault_activate does (no region: trim_select reads
 * PTEs and the list only). */
static void map_at(uint64_t vpn, uint32_t frame, uint64_t seq, pte_t flags)
{
	struct pfn *pf = &vm.vm_pfns[frame];

	atomic_store(&VP->ps_ptes[vpn], pte_make(PTE_FMT_VALID, frame, flags));
	atomic_store(&pf->pf_mapseq, seq);
	lk_acquire(&pf->pf_lock);
	if (pf->pf_state == PFN_STATE_ACTIVE) {
		wsl_remove(VP, pf);
	} else {
		plist_remove(&vm, pf);
		pfn_set_state(&vm, pf, (enum pfn_state)pf->pf_state, PFN_STATE_ACTIVE);
	}
	pf->pf_proc = VP->ps_id;
	pf->pf_vpn = (uint32_t)vpn;
	wsl_insert(VP, pf);
	lk_release(&pf->pf_lock);
}

/* The vpns on the working-set list, head first, into out; returns how many. */
static int wsl_vpns(uint64_t *out)
{
	int n = 0;

	for (uint32_t f = VP->ps_ws_head; f != PFN_NONE; f = vm.vm_pfns[f].pf_wsnext)
		out[n++] = vm.vm_pfns[f].pf_vpn;
	return n;
}

static void test_fifo(void)
{
	uint64_t out[64], l[64], nvalid;
	int n;

	if (vmtest_init(&vm, 16, 128, 128) != 0)
		exit(2);
	VP->ps_cfg.as_trim_policy = VM_TRIM_FIFO;
	n = trim_select(VP, out, 4, &nvalid);
	CHECK("fifo: nothing mapped, nothing picked", n == 0 && nvalid == 0);
	/* mapped in the order 100, 5, 70, 6, 120, 2 */
	map_at(100, 0, 1, 0);
	map_at(5, 1, 2, 0);
	map_at(70, 2, 3, PTE_ACCESSED);	/* accessed bits do not matter to fifo */
	map_at(6, 3, 4, 0);
	map_at(120, 4, 5, 0);
	map_at(2, 5, 6, 0);
	n = wsl_vpns(l);
	CHECK("fifo: the list holds the pages in mapping order", n == 6 && l[0] == 100 &&
	    l[1] == 5 && l[2] == 70 && l[3] == 6 && l[4] == 120 && l[5] == 2 &&
	    wsl_count(VP) == 6 && wsl_oldest_seq(VP) == 1);
	n = trim_select(VP, out, 3, &nvalid);
	CHECK("fifo: the three mapped first, ascending",
	    n == 3 && out[0] == 5 && out[1] == 70 && out[2] == 100 && nvalid == 3);
	n = wsl_vpns(l);
	CHECK("fifo: the hand passed them: they are at the tail",
	    n == 6 && l[0] == 6 && l[3] == 100 && l[4] == 5 && l[5] == 70);
	n = trim_select(VP, out, 1, &nvalid);
	CHECK("fifo: k = 1 is the oldest left", n == 1 && out[0] == 6);
	/* the head (120) is being trimmed already: skipped, passed to the tail */
	map_at(120, 4, 7, PTE_TRIMMING);
	map_at(2, 5, 8, 0);
	map_at(100, 0, 9, 0);
	n = wsl_vpns(l);	/* 5 70 6 120 2 100 */
	map_at(120, 4, 10, PTE_TRIMMING);	/* 5 70 6 2 100 120 */
	n = trim_select(VP, out, 5, &nvalid);
	CHECK("fifo: a page being trimmed is skipped", n == 5 && out[0] == 2 && out[1] == 5 &&
	    out[2] == 6 && out[3] == 70 && out[4] == 100);
	n = trim_select(VP, out, 64, &nvalid);
	CHECK("fifo: k larger than the list: one revolution, every candidate once",
	    n == 5 && nvalid == 5 && out[0] == 2 && out[4] == 100);
	vm_structs_destroy(&vm);
}

static void test_random(void)
{
	uint64_t out[64], nvalid, hits[128] = { 0 };
	bool ok = true;
	int trials = 4000;

	if (vmtest_init(&vm, 16, 128, 128) != 0)
		exit(2);
	VP->ps_cfg.as_trim_policy = VM_TRIM_RANDOM;
	for (uint32_t f = 0; f < 10; f++)
		map_at(f * 12 + 3, f, f + 1, f % 2 ? PTE_ACCESSED : 0);
	for (int t = 0; t < trials; t++) {
		int n = trim_select(VP, out, 4, &nvalid);
		ok &= n >= 1 && n <= 4 && nvalid >= (uint64_t)n;
		for (int i = 0; i < n; i++) {
			ok &= pte_format(pte_read(VP, out[i])) == PTE_FMT_VALID;
			ok &= i == 0 || out[i] > out[i - 1];
			hits[out[i]]++;
		}
	}
	CHECK("random: up to 4 distinct valid pages, ascending, every time", ok);
	ok = true;
	for (uint32_t f = 0; f < 10; f++)	/* about 4000 * 3.4 / 10 each */
		ok &= hits[f * 12 + 3] > 1000 && hits[f * 12 + 3] < 1800;
	CHECK("random: every valid page picked about equally often", ok);
	ok = true;
	for (uint64_t v = 0; v < 128; v++)
		ok &= (v % 12 == 3 && v < 120) || hits[v] == 0;
	CHECK("random: only pages of the list", ok);
	vm_structs_destroy(&vm);
}

int main(void)
{
	test_pick();
	test_sort();
	test_fifo();
	test_random();
	return check_done("trim");
}
