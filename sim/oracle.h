/*
 * oracle.h - offline fault counts of reference replacement policies.
 *
 * Given a whole reference string in advance, compute how many page faults
 * LRU, FIFO and Belady's OPT (MIN) take on a given number of page frames.
 * They give the simulator's policies something to be measured against:
 * no policy can beat OPT.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

/* Returned when the scratch arrays cannot be allocated, or n >= 2^32 - 1. */
#define ORACLE_ERROR	UINT64_MAX

/*
 * Fault counts for a reference string on `frames` page frames, starting
 * empty. Every first reference to a page is a fault (cold miss). Only tr_vpn
 * matters. With frames == 0 every reference faults. refs may be NULL if n == 0.
 * Time O(n) for LRU and FIFO, O(n log frames) for OPT (expected, hashing);
 * memory O(n + distinct pages).
 */
uint64_t oracle_lru_faults(const struct trace_ref *refs, size_t n, size_t frames);
uint64_t oracle_opt_faults(const struct trace_ref *refs, size_t n, size_t frames); /* Belady MIN */
uint64_t oracle_fifo_faults(const struct trace_ref *refs, size_t n, size_t frames);
