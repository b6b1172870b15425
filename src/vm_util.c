/*
 * vm_util.c - the panic and misuse paths.  Async-signal-safe enough to be
 * called from the fault handler: they format into a stack buffer and
 * write(2) it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm_debug.h"

static void vm_write_all(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Write "vmsim: <what>: <message>" as one line to stderr and abort. */
static _Noreturn void vm_die(const char *what, const char *fmt, va_list ap)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "vmsim: %s: ", what);

	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	vm_write_all(buf, (size_t)n);
	abort();
}

_Noreturn void vm_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_die("panic", fmt, ap);
}

_Noreturn void vm_misuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_die("misuse", fmt, ap);
}

_Noreturn void vm_assert_fail(const char *expr, const char *file, int line, const char *func)
{
	vm_panic("assertion failed: %s (%s:%d, %s)", expr, file, line, func);
}
