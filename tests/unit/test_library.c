/*
 * test_library.c - the library as a user sees it: unmodified code (libc's
 * qsort and memcmp) running on vmsim memory four times larger than its
 * frames, with the system threads on (the library's default trim policy);
 * then its statistics (vm_sim.h) and the structure are checked.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "vm_sim.h"

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	struct vm_config cfg = VM_CONFIG_DEFAULT;
	struct vm_stats st;
	struct vm *vm;
	char err[256];
	uint32_t *a;
	size_t n, sorted = 1;
	uint64_t x = 12345, sum = 0, sum2 = 0;

	cfg.vc_machine.mc_physical = 2 << 20;
	cfg.vc_space.as_virtual = 8 << 20;
	cfg.vc_machine.mc_pagefile = 8 << 20;
	CHECK("create", vm_create(&cfg, &vm, err, sizeof(err)) == 0);
	a = vm_base(vm);
	n = cfg.vc_space.as_virtual / sizeof(*a);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		a[i] = (uint32_t)x;
		sum += a[i];
	}
	qsort(a, n, sizeof(*a), cmp_u32);
	for (size_t i = 0; i < n; i++) {
		sum2 += a[i];
		if (i > 0 && a[i - 1] > a[i])
			sorted = 0;
	}
	CHECK("qsort on paged memory: sorted", sorted);
	CHECK("qsort on paged memory: same numbers", sum == sum2);
	CHECK("memset + memcmp across the region", (memset(a, 7, cfg.vc_space.as_virtual),
	    a[0] == 0x07070707 && !memcmp(a, (char *)a + 4096, cfg.vc_space.as_virtual - 4096)));
	vm_get_stats(vm, &st);
	CHECK("it paged: pages trimmed and written", st.vs_trimmed > 0 && st.vs_written > 0);
	CHECK("it paged: hard faults", st.vs_faults_hard > 0);
	vm_pause(vm);
	CHECK("valid afterwards", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
	return check_done("library");
}
