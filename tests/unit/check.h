/* check.h - the unit tests' harness: CHECK(name, expr) counts and reports. */
#pragma once
#include <stdio.h>
static int check_pass, check_fail;
#define CHECK(name, expr) do { if (expr) check_pass++; else { check_fail++; \
	fprintf(stderr, "FAIL %s:%d: %s: %s\n", __FILE__, __LINE__, name, #expr); } } while (0)
/* The closing line CI reads: "N passed, N failed". Returns the exit status. */
static inline int check_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, check_pass, check_fail);
	return check_fail != 0;
}
