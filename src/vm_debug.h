/*
 * vm_debug.h - assertions compiled into debug builds, and the panic path.
 *
 * VM_DEBUG=0  release: VM_ASSERT type-checks its expression and evaluates
 *             nothing.
 * VM_DEBUG=1  VM_ASSERT is live: cheap invariants, lock preconditions and the
 *             lock-order checks in vm_lock.h.
 * VM_DEBUG=2  VM_ASSERT_EXPENSIVE too: assertions that walk lists or scan
 *             whole pages.
 *
 * Everything here is async-signal-safe: the fault handler asserts too.
 *
 * No NEVER()/testcase() (SQLite's): a recoverable "can't happen" here says
 * what happened (vm_unlock_pages panics in debug builds with the page and
 * its PTE, and ignores it in release builds), and boundary cases are the
 * unit tests' CHECKs, with no coverage tool to count testcase() marks.
 */
#pragma once
#include <stdbool.h>

#ifndef VM_DEBUG
#define VM_DEBUG 0
#endif

/* Print "vmsim: panic: ..." with write(2) and abort. Never returns. */
_Noreturn void vm_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The caller broke one of the rules in vm.h ("Misuse") that vmsim cannot
 * make safe: print "vmsim: misuse: ..." with write(2) and abort. */
_Noreturn void vm_misuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void vm_assert_fail(const char *expr, const char *file, int line, const char *func);

#if VM_DEBUG >= 1
#define VM_ASSERT(e) ((e) ? (void)0 : vm_assert_fail(#e, __FILE__, __LINE__, __func__))
#else
#define VM_ASSERT(e) ((void)sizeof(!(e)))
#endif

#if VM_DEBUG >= 2
#define VM_ASSERT_EXPENSIVE(e) VM_ASSERT(e)
#else
#define VM_ASSERT_EXPENSIVE(e) ((void)sizeof(!(e)))
#endif
