/*
 * trim.h - the trimmer's batch selection for the fifo and random policies,
 * and its trim window, exposed for the unit tests (tests/unit/test_trim.c,
 * tests/unit/test_pglock.c).
 */
#pragma once
#include <stdint.h>

struct vm;

/* One candidate: its key (mapping sequence or a random number) and page. */
struct trim_pick {
	uint64_t tp_key;
	uint64_t tp_vpn;
};

/* "trim.c" */
void trim_pick_add(struct trim_pick *h, int *n, int k, uint64_t key, uint64_t vpn);
void trim_vpns_sort(uint64_t *v, int n);
int trim_select(struct vm *vm, uint64_t *out, int k, uint64_t *nvalid);

/* The trim window: publish and freeze (all but the locked pages), close. */
void trim_freeze(struct vm *vm, uint64_t lo, uint64_t hi);
void trim_window_open(struct vm *vm, uint64_t lo, uint64_t hi, uint64_t wlo);
void trim_window_close(struct vm *vm, uint64_t wlo, uint64_t hi);
