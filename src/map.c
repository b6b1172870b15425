/*
 * map.c - the mapping layer on Linux userfaultfd (see map.h): the only
 * code that knows userfaultfd.
 *
 * Why these mechanisms (figures from shared/floor, re-measured by
 * `make bench`): a fault resolved by SIGBUS + UFFDIO_COPY costs about 4.5x
 * the kernel's own minor fault and scales to 2 threads, because it only
 * fills an empty PTE.  Anything that clears a present PTE or its write bit
 * costs a TLB shootdown (about 10 us with a second CPU running the
 * process), so the trim path is built to pay a constant three per batch:
 * write-protect the window, zap the batch with one process_madvise(),
 * un-protect the window.
 *
 * Layer 1 (vm_ctx.h): calls layer 0 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vm_ctx.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef PIDFD_SELF
#define PIDFD_SELF (-10000)		/* Linux 6.15+ */
#endif
#ifndef SYS_process_madvise
#define SYS_process_madvise 440
#endif
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* userfaultfd(2) as vmsim opens it: user-mode faults only (Linux 5.11+),
 * or, where the kernel refuses that flag, any (root, or
 * vm.unprivileged_userfaultfd=1). */
static int map_uffd_syscall(void)
{
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);

	if (fd < 0 && (errno == EINVAL || errno == EPERM))
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	return fd;
}

/* Which of `want' the kernel lacks, as one sentence, or NULL. */
static const char *map_uffd_missing(uint64_t offered, uint64_t want)
{
	if ((want & UFFD_FEATURE_SIGBUS) && !(offered & UFFD_FEATURE_SIGBUS))
		return "userfaultfd lacks UFFD_FEATURE_SIGBUS (Linux >= 4.14): vmsim resolves "
		    "faults on the faulting thread and needs it";
	if ((want & UFFD_FEATURE_PAGEFAULT_FLAG_WP) && !(offered & UFFD_FEATURE_PAGEFAULT_FLAG_WP))
		return "userfaultfd lacks write-protect mode (UFFD_FEATURE_PAGEFAULT_FLAG_WP, "
		    "Linux >= 5.7 on x86-64): vmsim's trimmer freezes pages with it; use a newer kernel";
	return (offered & want) == want ? NULL : "userfaultfd lacks a feature vmsim needs";
}

/*
 * Open a userfaultfd the way vmsim does, with the features `enable' turned
 * on and those of `require' offered by the kernel: a probe (UFFDIO_API with
 * no features) on a throwaway descriptor first, since UFFDIO_API works once
 * per descriptor.  Returns the descriptor, or -1 with one line in err: the
 * one place that says what the kernel lacks (vm_sim.h; the benchmark's
 * floor opens its own with it too).
 */
int vm_uffd_open(uint64_t require, uint64_t enable, char *err, size_t errlen)
{
	struct uffdio_api probe = { .api = UFFD_API, .features = 0 };
	struct uffdio_api api = { .api = UFFD_API, .features = enable };
	const char *missing;
	int fd = vm_inject_fail() ? -1 : map_uffd_syscall();

	if (fd < 0) {
		snprintf(err, errlen, "userfaultfd unavailable (%s): vmsim needs Linux >= 5.11 "
		    "(UFFD_USER_MODE_ONLY), or root, or sysctl vm.unprivileged_userfaultfd=1",
		    strerror(errno));
		return -1;
	}
	if (vm_inject_fail() || ioctl(fd, UFFDIO_API, &probe) != 0) {
		snprintf(err, errlen, "userfaultfd UFFDIO_API failed (%s): kernel too old",
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	if ((missing = map_uffd_missing(probe.features, require | enable)) != NULL) {
		snprintf(err, errlen, "%s", missing);
		return -1;
	}
	fd = vm_inject_fail() ? -1 : map_uffd_syscall();
	if (fd < 0 || vm_inject_fail() || ioctl(fd, UFFDIO_API, &api) != 0) {
		snprintf(err, errlen, "userfaultfd with features %#llx: %s",
		    (unsigned long long)enable, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static long map_process_madvise(int pidfd, const struct iovec *iov, size_t n)
{
	return syscall(SYS_process_madvise, pidfd, iov, n, MADV_DONTNEED, 0u);
}

/* Find a pidfd with which process_madvise(MADV_DONTNEED) reaches this
 * process (PIDFD_SELF on 6.15+, else our own pidfd on 6.13+), or -1. */
static int map_probe_pidfd(void)
{
	char *p = mmap(NULL, 2 * VM_PAGE_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fds[2] = { PIDFD_SELF, (int)syscall(SYS_pidfd_open, getpid(), 0) };
	int found = -1;

	if (p == MAP_FAILED)
		return -1;
	for (int i = 0; i < 2 && found == -1; i++) {
		struct iovec iov = { p, 2 * VM_PAGE_SIZE };
		if (i == 1 && fds[1] < 0)
			break;
		p[0] = p[VM_PAGE_SIZE] = 1;
		if (map_process_madvise(fds[i], &iov, 1) == (long)(2 * VM_PAGE_SIZE) &&
		    p[0] == 0 && p[VM_PAGE_SIZE] == 0)
			found = fds[i];
	}
	if (fds[1] >= 0 && found != fds[1])
		close(fds[1]);
	munmap(p, 2 * VM_PAGE_SIZE);
	return found;
}

/* The machine's part: the pidfd for process_madvise (-1: madvise per run). */
void map_init(struct vm *vm)
{
	vm->vm_map.mp_pidfd = map_probe_pidfd();
}

void map_destroy(struct vm *vm)
{
	struct map *mp = &vm->vm_map;

	if (mp->mp_pidfd >= 0)
		close(mp->mp_pidfd);
	mp->mp_pidfd = -1;
}

/*
 * Open the process's userfaultfd (SIGBUS mode; write-protect offered) and
 * register its region MISSING|WP with it.  Returns 0, or VM_ENOSYS with
 * one line in err.  map_process_destroy() releases what it got, however
 * far it got.
 */
int map_process_init(struct vm_process *p, char *err, size_t errlen)
{
	struct uffdio_register reg = {
		.range = { (uintptr_t)p->ps_base, p->ps_region_len },
		.mode = UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP,
	};
	uint64_t need = (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_WRITEPROTECT);

	p->ps_uffd = vm_uffd_open(UFFD_FEATURE_PAGEFAULT_FLAG_WP, UFFD_FEATURE_SIGBUS, err, errlen);
	if (p->ps_uffd < 0)
		return VM_ENOSYS;
	errno = 0;
	if (vm_inject_fail() || ioctl(p->ps_uffd, UFFDIO_REGISTER, &reg) != 0 ||
	    (reg.ioctls & need) != need) {
		snprintf(err, errlen, "cannot register the region MISSING|WP with userfaultfd "
		    "(%s): vmsim needs anonymous write-protect support (Linux >= 5.7, x86-64)",
		    errno ? strerror(errno) : "missing ioctls");
		return VM_ENOSYS;
	}
	return 0;
}

void map_process_destroy(struct vm_process *p)
{
	if (p->ps_uffd >= 0)
		close(p->ps_uffd);
	p->ps_uffd = -1;
}

/*
 * Map vpn with a copy of frame (UFFDIO_COPY fills the empty PTE: no
 * shootdown).  Read-only pages are mapped write-protected, so a write
 * faults.  Async-signal-safe.  Caller holds the region lock, so nobody else
 * maps or zaps this page meanwhile.
 */
void map_fill(struct vm_process *p, uint64_t vpn, const void *frame, bool readonly)
{
	struct uffdio_copy c = {
		.dst = (uintptr_t)vm_va(p, vpn),
		.src = (uintptr_t)frame,
		.len = VM_PAGE_SIZE,
		.mode = UFFDIO_COPY_MODE_DONTWAKE | (readonly ? UFFDIO_COPY_MODE_WP : 0),
	};

	while (ioctl(p->ps_uffd, UFFDIO_COPY, &c) != 0) {
		if (errno != EAGAIN)
			vm_panic("UFFDIO_COPY vpn %llu: errno %d", (unsigned long long)vpn, errno);
		if (c.copy > 0)
			vm_panic("UFFDIO_COPY vpn %llu: partial copy", (unsigned long long)vpn);
		c.copy = 0;
	}
	vm_count(p->ps_vm->vm_map.mp_fills, 1);
}

static void map_protect(struct vm_process *p, uint64_t lo, uint64_t hi, bool on)
{
	struct uffdio_writeprotect w = {
		.range = { (uintptr_t)vm_va(p, lo), (hi - lo) << VM_PAGE_SHIFT },
		.mode = on ? UFFDIO_WRITEPROTECT_MODE_WP : UFFDIO_WRITEPROTECT_MODE_DONTWAKE,
	};

	while (ioctl(p->ps_uffd, UFFDIO_WRITEPROTECT, &w) != 0) {
		if (errno != EAGAIN)
			vm_panic("UFFDIO_WRITEPROTECT [%llu, %llu): errno %d",
			    (unsigned long long)lo, (unsigned long long)hi, errno);
	}
}

/* Write-protect the pages of [lo, hi) that are mapped: one shootdown. */
void map_freeze(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	map_protect(p, lo, hi, true);
	vm_count(p->ps_vm->vm_map.mp_freezes, 1);
}

/* Undo map_freeze() over [lo, hi): one shootdown. */
void map_thaw(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	map_protect(p, lo, hi, false);
	vm_count(p->ps_vm->vm_map.mp_thaws, 1);
}

/*
 * Drop the kernel's copies of n pages (ascending vpns): adjacent pages merge
 * into one range, and all ranges go in one process_madvise() (one
 * shootdown); without it, one madvise() per range.
 */
void map_zap(struct vm_process *p, const uint64_t *vpns, int n)
{
	struct vm *vm = p->ps_vm;
	struct iovec iov[MAP_ZAP_MAX];
	int niov = 0;

	VM_ASSERT(n <= MAP_ZAP_MAX);
	for (int i = 0; i < n; i++) {
		VM_ASSERT(i == 0 || vpns[i] > vpns[i - 1]);
		if (niov > 0 && vpns[i] == vpns[i - 1] + 1) {
			iov[niov - 1].iov_len += VM_PAGE_SIZE;
			continue;
		}
		iov[niov].iov_base = vm_va(p, vpns[i]);
		iov[niov++].iov_len = VM_PAGE_SIZE;
	}
	if (vm->vm_map.mp_pidfd != -1 &&
	    map_process_madvise(vm->vm_map.mp_pidfd, iov, (size_t)niov) ==
	    (long)((uint64_t)n << VM_PAGE_SHIFT)) {
		vm_count(vm->vm_map.mp_zaps, 1);
	} else {
		for (int i = 0; i < niov; i++) {
			if (madvise(iov[i].iov_base, iov[i].iov_len, MADV_DONTNEED) != 0)
				vm_panic("madvise(MADV_DONTNEED): errno %d", errno);
		}
		vm_count(vm->vm_map.mp_zaps, (uint64_t)niov);
	}
	vm_count(vm->vm_map.mp_zapped, (uint64_t)n);
}

uint64_t map_trim_calls(struct vm *vm)
{
	return vm_read(vm->vm_map.mp_freezes) + vm_read(vm->vm_map.mp_thaws) +
	    vm_read(vm->vm_map.mp_zaps);
}
