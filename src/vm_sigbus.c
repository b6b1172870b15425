/*
 * vm_sigbus.c - the SIGBUS entry: the handler, and the registry of
 * instances it serves.  A fault on a region is resolved on the faulting
 * thread (fault_resolve); one that cannot be completed (a failed instance)
 * ends in vm_fault_failed; any other SIGBUS goes to the handler that was
 * installed before vmsim's.  Also the misuse checks that need the handler
 * or the registry (vm.h, "Misuse"): a fork() child touching a region,
 * another SIGBUS handler installed after vmsim's.
 *
 * Layer 4 (vm_sigbus.h), the top with vm.c: calls layers 0-2 (the fault
 * path); vm.c calls it to enter an instance in the registry.
 *
 * Its state is the library's only mutable process-wide state besides the
 * lock statistics and the per-thread accounting (vm_lock.c): the registry
 * of machines and of process regions (arrays of atomic words, registered
 * and unregistered with no lock, CAS and stores, read by the handler with
 * acquire loads), the handler
 * installed before vmsim's, the fork flag, and whether the one "vmsim:
 * <reason>" line of a failed instance was written.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "vm_sigbus.h"

/*
 * The registry: machines (for the misuse checks: a live machine is one
 * registered here), and process regions, which the handler looks faults up
 * in.  A region entry holds its bounds beside the process, so the handler
 * compares addresses without dereferencing a process that may be going
 * away (another one's teardown); it scans entries below vm_reg_hw only,
 * so one process costs what one instance did.  A region entry is claimed
 * by CAS of its process pointer, then its bounds are stored; it is
 * withdrawn bounds first (so no fault matches it), then the pointer.
 */
struct vm_reg {
	_Atomic uintptr_t rg_lo, rg_hi;		/* the region, [lo, hi); 0, 0: none (a) */
	struct vm_process *_Atomic rg_proc;	/* (a) */
};

static struct vm *_Atomic vm_registry[VM_MAX_INSTANCES];
static struct vm_reg vm_regions[VM_MAX_REGIONS];
static _Atomic uint32_t vm_regions_hw;	/* one past the highest entry ever used */
static struct sigaction vm_old_sigbus;
static pthread_once_t vm_handler_once = PTHREAD_ONCE_INIT;
static _Atomic int vm_handler_installed;	/* vm_handler_install() ran */
static volatile sig_atomic_t vm_forked;		/* this is a fork() child of a vmsim user */
static _Atomic int vm_failed_said;	/* the failure line: 1 being written, 2 written */

/* The process whose region holds addr, or NULL.  Async-signal-safe. */
static struct vm_process *vm_lookup(const char *addr)
{
	uint32_t hw = atomic_load_explicit(&vm_regions_hw, memory_order_acquire);
	uintptr_t a = (uintptr_t)addr;

	for (uint32_t i = 0; i < hw; i++) {
		struct vm_reg *rg = &vm_regions[i];
		if (a >= atomic_load_explicit(&rg->rg_lo, memory_order_acquire) &&
		    a < atomic_load_explicit(&rg->rg_hi, memory_order_acquire))
			return atomic_load_explicit(&rg->rg_proc, memory_order_acquire);
	}
	return NULL;
}

/* Was the faulting access a write?  x86-64 reports the page-fault error
 * code in the signal frame (bit 1: write); elsewhere we cannot tell. */
static int vm_fault_is_write(void *ucv)
{
#if defined(__x86_64__)
	const ucontext_t *uc = ucv;
	return (uc->uc_mcontext.gregs[REG_ERR] & 2) != 0;
#else
	(void)ucv;
	return -1;
#endif
}

/* A write to a read-only page: deliver SIGSEGV/SEGV_ACCERR at the address,
 * as the MMU would.  It arrives as this handler returns. */
static void vm_raise_access_violation(void *addr)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSEGV;
	si.si_code = SEGV_ACCERR;
	si.si_addr = addr;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), (pid_t)syscall(SYS_gettid), SIGSEGV, &si);
}

/* Not ours: hand it to whoever had SIGBUS before, or die of it. */
static void vm_chain(int sig, siginfo_t *si, void *uc)
{
	if ((vm_old_sigbus.sa_flags & SA_SIGINFO) && vm_old_sigbus.sa_sigaction != NULL) {
		vm_old_sigbus.sa_sigaction(sig, si, uc);
	} else if (vm_old_sigbus.sa_handler != SIG_DFL && vm_old_sigbus.sa_handler != SIG_IGN) {
		vm_old_sigbus.sa_handler(sig);
	} else {
		signal(sig, SIG_DFL);	/* the access is retried and kills */
	}
}

/*
 * A fault on addr cannot be completed: the instance has failed.  Called in
 * the SIGBUS handler with no lock held.  The access must not be retried,
 * so this never returns: the caller's mc_on_error may leave the handler
 * (siglongjmp) or end the process; if it returns, or there is none, one
 * line goes to stderr (only the first thread to get here writes it) and
 * the process exits with status 1.
 */
static _Noreturn void vm_fault_failed(struct vm *vm, void *addr)
{
	const char *msg = vm_fail_reason(vm);
	char line[sizeof(vm->vm_fail_msg) + 16];
	int n;

	if (vm->vm_cfg.vc_machine.mc_on_error != NULL)
		vm->vm_cfg.vc_machine.mc_on_error(vm->vm_cfg.vc_machine.mc_on_error_arg, vm, addr, msg);
	if (atomic_exchange(&vm_failed_said, 1) == 0) {
		n = snprintf(line, sizeof(line), "vmsim: %s\n", msg);
		if (n > (int)sizeof(line) - 1)
			n = (int)sizeof(line) - 1;
		(void)!write(2, line, (size_t)n);
		atomic_store(&vm_failed_said, 2);
	}
	/* Another thread is writing the line: exiting now would cut it off. */
	while (atomic_load(&vm_failed_said) != 2)
		sched_yield();
	_exit(1);
}

static void vm_sigbus(int sig, siginfo_t *si, void *uc)
{
	int saved_errno = errno;
	char *addr = si->si_addr;
	struct vm_process *p = vm_lookup(addr);
	enum fault_result r;

	if (p == NULL || si->si_code != BUS_ADRERR) {
		vm_chain(sig, si, uc);
		errno = saved_errno;
		return;
	}
	if (vm_forked && p->ps_vm->vm_pid != getpid())
		vm_misuse("a fork() child touched vmsim's region at %p: the region belongs to the "
		    "process that created it and is not inherited (MADV_DONTFORK)", (void *)addr);
	if (VM_DEBUG)
		atomic_fetch_add(&p->ps_dbg_faulting, 1);
	r = fault_resolve(p, (uint64_t)(addr - p->ps_base) >> VM_PAGE_SHIFT, vm_fault_is_write(uc));
	if (VM_DEBUG)
		atomic_fetch_sub(&p->ps_dbg_faulting, 1);
	if (r == FAULT_FAILED)
		vm_fault_failed(p->ps_vm, addr);
	if (r == FAULT_ACCESS_VIOLATION)
		vm_raise_access_violation(addr);
	errno = saved_errno;
}

/*
 * In a fork() child: the regions were not inherited (MADV_DONTFORK), so a
 * touch would be a bare SIGSEGV, or land in whatever the child maps there
 * later.  Cover each with a mapping of an empty file, where every access
 * raises SIGBUS, so vm_sigbus() says what happened (or, failing that, with
 * an inaccessible mapping).  System calls only: safe after fork().
 */
static void vm_atfork_child(void)
{
	int fd = (int)syscall(SYS_memfd_create, "vmsim-forked", MFD_CLOEXEC);

	uint32_t hw = atomic_load(&vm_regions_hw);

	vm_forked = 1;
	for (uint32_t i = 0; i < hw; i++) {
		void *lo = (void *)atomic_load(&vm_regions[i].rg_lo);
		size_t len = atomic_load(&vm_regions[i].rg_hi) - (uintptr_t)lo;
		if (lo == NULL)
			continue;
		if (fd < 0 || mmap(lo, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED)
			mmap(lo, len, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	}
	if (fd >= 0)
		close(fd);
}

static void vm_handler_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = vm_sigbus;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, &vm_old_sigbus);
	pthread_atfork(NULL, NULL, vm_atfork_child);
	atomic_store(&vm_handler_installed, 1);
}

/* Is vmsim's SIGBUS handler still the one installed (or not installed yet)? */
bool vm_handler_ours(void)
{
	struct sigaction cur;

	if (!atomic_load(&vm_handler_installed) || sigaction(SIGBUS, NULL, &cur) != 0)
		return true;
	return (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == vm_sigbus;
}

/* Why another SIGBUS handler installed after vmsim's is misuse. */
const char vm_handler_gone[] = "another SIGBUS handler was installed after vmsim's: faults on "
	"vmsim's regions would go to it and never be resolved; install it before the first "
	"vm_create (vmsim passes it every SIGBUS that is not its own)";

/* The misuse checks of an entry point that may wait on the system threads. */
void vm_misuse_check(struct vm *vm, const char *fn)
{
	if (vm->vm_pid != getpid())
		vm_misuse("%s in a fork() child on an instance of its parent", fn);
	if (!vm_handler_ours())
		vm_misuse("%s: %s", fn, vm_handler_gone);
}

/* Enter vm in the registry (installing the handler the first time).
 * Returns 0, or -1 if the registry is full. */
int vm_register(struct vm *vm)
{
	pthread_once(&vm_handler_once, vm_handler_install);
	if (vm_inject_fail())
		return -1;
	for (int i = 0; i < VM_MAX_INSTANCES; i++) {
		struct vm *expect = NULL;
		if (atomic_compare_exchange_strong(&vm_registry[i], &expect, vm)) {
			vm->vm_slot = i;
			return 0;
		}
	}
	return -1;
}

/* Take vm out of the registry, if it is in; idempotent. */
void vm_unregister(struct vm *vm)
{
	if (vm->vm_slot >= 0)
		atomic_store(&vm_registry[vm->vm_slot], NULL);
	vm->vm_slot = -1;
}

/* Is vm a live instance?  Compares the pointer only. */
bool vm_registered(const struct vm *vm)
{
	for (int i = 0; i < VM_MAX_INSTANCES; i++)
		if (atomic_load(&vm_registry[i]) == vm)
			return true;
	return false;
}

/* Enter p's region in the registry.  Returns 0, or -1 if it is full. */
int vm_register_process(struct vm_process *p)
{
	pthread_once(&vm_handler_once, vm_handler_install);
	if (vm_inject_fail())
		return -1;
	for (uint32_t i = 0; i < VM_MAX_REGIONS; i++) {
		struct vm_process *expect = NULL;
		struct vm_reg *rg = &vm_regions[i];
		if (!atomic_compare_exchange_strong(&rg->rg_proc, &expect, p))
			continue;
		p->ps_slot = (int)i;
		atomic_store(&rg->rg_lo, (uintptr_t)p->ps_base);
		atomic_store(&rg->rg_hi, (uintptr_t)p->ps_base + p->ps_region_len);
		for (uint32_t hw = atomic_load(&vm_regions_hw); hw <= i;)
			if (atomic_compare_exchange_weak(&vm_regions_hw, &hw, i + 1))
				break;
		return 0;
	}
	return -1;
}

/* Take p's region out of the registry, if it is in; idempotent. */
void vm_unregister_process(struct vm_process *p)
{
	struct vm_reg *rg;

	if (p->ps_slot < 0)
		return;
	rg = &vm_regions[p->ps_slot];
	atomic_store(&rg->rg_hi, 0);
	atomic_store(&rg->rg_lo, 0);
	atomic_store(&rg->rg_proc, NULL);
	p->ps_slot = -1;
}

/* Is p a live process?  Compares the pointer only. */
bool vm_process_registered(const struct vm_process *p)
{
	uint32_t hw = atomic_load(&vm_regions_hw);

	for (uint32_t i = 0; i < hw; i++)
		if (atomic_load(&vm_regions[i].rg_proc) == p)
			return true;
	return false;
}
