/*
 * trim.h - the trimmer's batch selection for the fifo and random policies,
 * exposed for the unit tests (tests/unit/test_trim.c).
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
