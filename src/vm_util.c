/*
 * vm_util.c - the panic and misuse paths.  Async-signal-safe enough to be
 * called from the fault handler: they format into a stack buffer and
 * write(2) it.  Message helpers: vm_size_str() and vm_size_approx() for
 * sizes, vm_str_escape() for quoting untrusted bytes, vm_strerror() for
 * VM_E* codes.  The futex call, the creation fault-injection countdown,
 * the one sort, and the system threads' names.
 * Layer 0: knows no struct vm.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <linux/futex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vm.h"
#include "vm_debug.h"
#include "vm_util.h"

long vm_futex(_Atomic uint32_t *w, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, (uint32_t *)w, op | FUTEX_PRIVATE_FLAG, val, ts, NULL, 0);
}

static __thread int vm_inject_steps;

void vm_inject_arm(int steps)
{
	vm_inject_steps = steps;
}

bool vm_inject_fail(void)
{
	if (vm_inject_steps <= 0 || --vm_inject_steps > 0)
		return false;
	errno = ENOMEM;
	return true;
}

int vm_inject_left(void)
{
	return vm_inject_steps;
}

void vm_sort_by_key(void *base, size_t n, size_t size)
{
	char *a = base, tmp[64];
	uint64_t key, k;

	VM_ASSERT(size >= sizeof(key) && size <= sizeof(tmp));
	for (size_t i = 1; i < n; i++) {
		size_t j = i;

		memcpy(tmp, a + i * size, size);
		memcpy(&key, tmp, sizeof(key));
		for (; j > 0; j--) {
			memcpy(&k, a + (j - 1) * size, sizeof(k));
			if (k <= key)
				break;
			memcpy(a + j * size, a + (j - 1) * size, size);
		}
		memcpy(a + j * size, tmp, size);
	}
}

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

/* "64M", "1G", "12K": the largest binary unit that divides b exactly. */
/* Name the calling thread (for ps -L, top -H, perf and gdb; the kernel
 * keeps 15 bytes). */
void vm_thread_name(const char *name)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%s", name);
	pthread_setname_np(pthread_self(), buf);
}

const char *vm_size_str(char *buf, size_t n, uint64_t b)
{
	static const char suf[] = "KMGT";
	int i = -1;

	while (b >= 1024 && b % 1024 == 0 && i < 3) {
		b /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, n, "%llu", (unsigned long long)b);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)b, suf[i]);
	return buf;
}

const char *vm_size_approx(char *buf, size_t n, uint64_t b)
{
	static const char suf[] = "KMGTPE";
	double v = (double)b;
	int i = -1;

	if (b == UINT64_MAX) {
		snprintf(buf, n, "16E or more");
		return buf;
	}
	if (b < 1024) {
		snprintf(buf, n, "%llu bytes", (unsigned long long)b);
		return buf;
	}
	while (v >= 1024.0 && i < 5) {
		v /= 1024.0;
		i++;
	}
	snprintf(buf, n, "%.1f%c", v, suf[i]);
	return buf;
}

/*
 * Copy src[0, len) into dst (n bytes, n >= 8) for a one-line message:
 * printable ASCII as is, a backslash doubled, any other byte (control
 * characters, newlines, NUL, bytes >= 0x80) as \xNN.  What does not fit
 * is cut and marked "...".  Returns dst.
 */
const char *vm_str_escape(char *dst, size_t n, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		char e[4];
		size_t k = 0;

		if (c == '\\') {
			e[k++] = '\\';
			e[k++] = '\\';
		} else if (c >= 0x20 && c < 0x7f) {
			e[k++] = (char)c;
		} else {
			e[k++] = '\\';
			e[k++] = 'x';
			e[k++] = hex[c >> 4];
			e[k++] = hex[c & 15];
		}
		if (o + k + 4 > n) {	/* room for "..." and the NUL */
			memcpy(dst + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(dst + o, e, k);
		o += k;
	}
	dst[o] = '\0';
	return dst;
}

const char *vm_strerror(int rc)
{
	switch (rc) {
	case VM_OK:
		return "success";
	case VM_EINVAL:
		return "invalid argument: an impossible configuration, or a range not inside the region";
	case VM_ENOSYS:
		return "the kernel lacks something vmsim needs";
	case VM_ENOMEM:
		return "the host could not give vmsim its memory";
	case VM_EBUSY:
		return "lock limit reached: at most half the frames (vm_lock_limit) may be locked "
		    "at once; unlock some pages first";
	case VM_ENOSPC:
		return "the page file's space cannot be reserved";
	case VM_EIO:
		return "the instance has failed: its page file did (vm_error says why)";
	default:
		return "unknown vmsim error";
	}
}
