/*
 * vm.h - vmsim's public interface: a demand-paged region of memory backed
 * by the Windows page state machine, for library users.
 *
 *	struct vm_config cfg = VM_CONFIG_DEFAULT;
 *	cfg.vc_machine.mc_physical = 16 << 20;	// frames: "physical memory"
 *	cfg.vc_machine.mc_pagefile = 64 << 20;
 *	cfg.vc_space.as_virtual = 64 << 20;	// the region
 *	struct vm *vm;
 *	char err[256];
 *	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) { puts(err); exit(2); }
 *	char *p = vm_base(vm);      // as_virtual bytes of demand-zero memory
 *	...                         // any thread may read and write it
 *	vm_destroy(vm);
 *
 * Faults on the region are resolved on the faulting thread, in vmsim's
 * SIGBUS handler.  The kernel's own accesses to the region are not faults
 * vmsim can resolve: see "Kernel access to the region" below.
 *
 * The simulator, the benchmark and the tests use a second header, vm_sim.h:
 * statistics, the access routine, working-set controls, validation,
 * tunables and fault injection.  A library user needs only this one.
 */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define VM_OK 0
#define VM_EINVAL (-22)		/* the configuration (or an address range) is impossible */
#define VM_ENOSYS (-38)		/* the kernel lacks something vmsim needs */
#define VM_ENOMEM (-12)		/* the host could not give vmsim its memory */
#define VM_EBUSY (-16)		/* vm_lock_pages: the lock limit (vm_lock_limit) is reached */
#define VM_ENOSPC (-28)		/* the page file's space cannot be reserved: its
				 * filesystem, or (in memory) the host, cannot hold it */
#define VM_EIO (-5)		/* the instance has failed: its page file did (vm_error) */
#define VM_ECOMMIT (-1455)	/* the commit limit (physical + page file) would be
				 * exceeded (Windows' ERROR_COMMITMENT_LIMIT is 1455) */

/*
 * Processes per machine.  Generous, and bounded because a frame names its
 * owner process in 16 bits of its PFN entry, the machine's table of
 * processes is a fixed array the fault path reads without a lock, and the
 * SIGBUS handler's registry of regions is a fixed array too (the handler
 * cannot allocate).  Each process also holds one file descriptor (its
 * userfaultfd).
 */
#define VM_MAX_PROCESSES 1024

/*
 * Memory priority (Windows Internals ch. 5, "Page priority"): 0-7, a
 * process's pages taking its priority as they go to standby.  The machine
 * keeps eight standby lists, one per priority, and a frame is repurposed
 * from the lowest-priority non-empty one first.  The default is 5,
 * Windows' normal memory priority (MEMORY_PRIORITY_NORMAL); 7 is kept
 * longest.
 */
#define VM_PRIORITIES 8
#define VM_PRIORITY_DEFAULT 5

/* A sentence for a VM_E* code, e.g. "... at most half the frames ...". */
const char *vm_strerror(int rc);

struct vm;			/* a machine */
struct vm_process;		/* an address space on a machine */
struct vm_tunables;		/* vm_sim.h */

/*
 * Which valid pages the trimmer takes when frames run low:
 *
 *  VM_TRIM_FIFO    the pages mapped longest ago (the default).
 *  VM_TRIM_AGING   a clock hand ages each page by its accessed bit and
 *                  takes pages untouched for a few sweeps.  The accessed bit
 *                  is the hardware's, and vmsim cannot see the hardware's:
 *                  it is set when a page is mapped and by the access routine
 *                  vm_touch() (vm_sim.h), which the simulator calls on every
 *                  access.  Code that never calls it gives aging no
 *                  reference information at all: every page looks
 *                  unreferenced from its first sweep on, so aging
 *                  degenerates into a coarse FIFO (pages trimmed in the
 *                  order they were faulted in, to the nearest sweep, and in
 *                  address order within one) that also pays a sweep of
 *                  the PTEs per batch.  FIFO gives the same choice exactly,
 *                  which is why it is the default.
 *  VM_TRIM_RANDOM  a uniformly random set of valid pages.
 */
enum vm_trim_policy { VM_TRIM_AGING, VM_TRIM_FIFO, VM_TRIM_RANDOM };

/*
 * The machine: its physical memory, its page file and its system threads
 * (trimmer, modified page writer, zero-page thread, defragmenter).
 */
struct vm_machine_config {
	uint64_t mc_physical;		/* bytes of frames */
	uint64_t mc_pagefile;		/* bytes of page file */
	const char *mc_pagefile_path;	/* NULL: the page file lives in memory */
	int mc_trim_batch;		/* pages per trim batch (0: 256); more than a
					 * quarter of the frames is cut to that */
	int mc_write_batch;		/* pages per page-file write batch (0: 64) */
	int mc_defrag;			/* run the page-file defragmenter thread */
	/* what a thread whose access cannot be completed does (see "Failure"
	 * below); NULL: print vm_error()'s line to stderr and _exit(1) */
	void (*mc_on_error)(void *arg, struct vm *vm, void *addr, const char *msg);
	void *mc_on_error_arg;
	/* the simulator's, benchmark's and tests' settings (vm_sim.h); NULL:
	 * the defaults.  Read by vm_create and vm_config_check only. */
	const struct vm_tunables *mc_tunables;
};

/* The address space (a process): its region and how its pages are managed. */
struct vm_space_config {
	uint64_t as_virtual;		/* bytes of region; in vm_create's
					 * configuration, 0 for a bare machine */
	const char *as_name;		/* the process's name, copied (at most 31
					 * bytes kept); NULL: "p<N>", N its index */
	enum vm_trim_policy as_trim_policy;
	uint64_t as_seed;		/* for VM_TRIM_RANDOM */
	int as_prefetch;		/* a hard fault continuing a sequential run
					 * reads up to this many more pages (0-63) */
	/* the first fraction of the region is read-only, like a mapped image
	 * (docs/REALISM.md): its pages start in the page file with the
	 * contents as_image_fill writes (NULL: zero), and a write to one is
	 * an access violation (SIGSEGV, SEGV_ACCERR) */
	double as_readonly_fraction;
	/* called during creation, under the machine's process lock: it must
	 * not call vmsim */
	void (*as_image_fill)(void *arg, uint64_t vpn, void *page);
	void *as_image_arg;
	/* memory priority, 0-7 (VM_PRIORITIES above); VM_CONFIG_DEFAULT's is
	 * VM_PRIORITY_DEFAULT, 5, Windows' normal (a zeroed struct asks for 0,
	 * the lowest) */
	int as_priority;
};

struct vm_config {
	struct vm_machine_config vc_machine;
	struct vm_space_config vc_space;
};

#define VM_CONFIG_DEFAULT ((struct vm_config){ \
	.vc_machine = { .mc_physical = 16ULL << 20, .mc_pagefile = 64ULL << 20 }, \
	.vc_space = { .as_virtual = 64ULL << 20, .as_trim_policy = VM_TRIM_FIFO, .as_seed = 1, \
	    .as_priority = VM_PRIORITY_DEFAULT } })

/*
 * Creation.  Returns 0 and the instance in *out, or a VM_E* status with one
 * line in err (and *out NULL).  A failed vm_create, at whatever step,
 * leaves everything else as it was: other instances, the caller's file
 * descriptors and mappings, and the file system (a page file it created is
 * removed; an existing file named as the page file is truncated only once
 * its space is known to be there).
 *
 * Sizes are multiples of the page size (4096).  The region may be larger
 * than the frames, up to the commit limit: virtual <= physical + page
 * file (with more processes, the sum of their regions).  All of it must
 * fit in 3/4 of the machine's memory.
 *
 * The page file's space is reserved here: a file-backed page file is
 * allocated on its device (posix_fallocate), not left sparse, and an
 * in-memory one must fit in the host's available memory (MemAvailable plus
 * free swap) and is mapped with the kernel's commit accounting.  Either
 * refusal is VM_ENOSPC, with the sizes.  So a running instance never finds
 * its page file full of holes it cannot fill.
 */
int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen);

/*
 * The checks vm_create makes of cfg before it allocates or creates
 * anything: sizes and ranges, physical + page file within 64 bits, the
 * commit limit, and the memory it would use.  Returns 0 or VM_EINVAL with
 * a one-line message in err.
 */
int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen);

void vm_destroy(struct vm *vm);

/* The default process's region: vm_npages() pages of 4096 bytes from
 * vm_base(); NULL and 0 on a bare machine (or once it is destroyed). */
void *vm_base(struct vm *vm);
uint64_t vm_npages(struct vm *vm);

/*
 * Processes: many address spaces on one machine (docs/DESIGN.md,
 * "Processes").  The machine is what vm_create makes: the frames, the PFN
 * database and page lists, the page file, the system threads, and the
 * commit limit, physical + page file.  A process is an address space on
 * it: its own region (its own userfaultfd), PTEs, trim state, commit
 * charge and statistics.  Processes' pages compete for the same frames:
 * the trimmer (the working-set manager) takes each batch by the
 * processes' working-set limits and ages (vm_process_set_limits below),
 * and a frame trimmed from one may be repurposed for another.
 *
 * vm_create with vc_space.as_virtual > 0 makes the machine and a default
 * process from vc_space, which vm_base, vm_npages, vm_touch act on; with
 * as_virtual 0, a bare machine.  vm_destroy destroys every process left.
 *
 * vm_process_create  a new process on vm from sp (as_virtual, trim policy,
 *                    prefetch, read-only part, name, memory priority),
 *                    while others run.
 *                    Its as_virtual is charged against the commit limit;
 *                    more than the limit left is refused with VM_ECOMMIT
 *                    and the arithmetic in err, e.g. "commit limit 128M
 *                    (64M physical + 64M page file): 96M committed by 2
 *                    processes, 48M more asked".  More than
 *                    VM_MAX_PROCESSES: VM_EINVAL.  Its read-only pages
 *                    need page-file slots now (VM_ENOSPC if the others
 *                    hold them all).  A failure at any step leaves the
 *                    machine and its other processes as they were.  Its
 *                    bookkeeping (8 bytes of PTE a page) is not checked
 *                    against the host's memory as vm_create's is: only
 *                    its allocation can fail (VM_ENOMEM).
 * vm_process_destroy ends p while the others keep running: its frames go
 *                    to the free list (their bytes are never shown to
 *                    another process: a free frame is zeroed before a
 *                    demand-zero fault maps it, and a hard fault
 *                    overwrites it whole), its page-file slots are
 *                    released, its locked pages unlocked, its commit
 *                    charge returned.  No thread may be touching its
 *                    region (as for vm_destroy).  It parks the machine's
 *                    system threads for the while (nesting with vm_pause).
 *
 * vm_process_set_priority  p's memory priority becomes prio (0-7): its
 *                    pages take it as they go to standby from now on (a
 *                    trim of a clean page, the modified writer finishing
 *                    a write); a page already on standby keeps the list
 *                    it is on until it leaves it.  Safe while p runs.
 *                    Returns 0, or VM_EINVAL (nothing changed) if prio is
 *                    not 0-7.
 * vm_process_priority  p's memory priority now.
 *
 * vm_lock_pages, vm_unlock_pages, vm_pread and vm_pwrite take the machine
 * and an address: the range must lie inside one process's region.
 */
int vm_process_create(struct vm *vm, const struct vm_space_config *sp,
    struct vm_process **out, char *err, size_t errlen);

/*
 * Working-set limits (Windows' SetProcessWorkingSetSizeEx), in pages,
 * changeable while the process runs.  The working-set manager (the
 * trimmer), when available pages run low, trims processes above their
 * maximum first (down to it), then those above their minimum (down to it),
 * oldest pages first across processes; it takes a process below its
 * minimum only when every process is at or below its own (docs/DESIGN.md,
 * "Working sets").  A soft maximum lets the process grow past it while
 * memory is plentiful; with VM_WS_HARD_MAX a faulting thread of a process
 * over its maximum trims the oldest pages of its own working set (local
 * replacement), so its resident pages exceed the maximum by at most the
 * faults in flight on its threads (and its locked pages, which are never
 * trimmed).  Defaults: Windows' 50 and 345 pages, scaled to the machine:
 * min = min(50, frames / 16), max = max(345, frames / 4), soft.
 * vm_process_set_limits returns VM_EINVAL (nothing changed) unless
 * 1 <= min <= max and flags has no other bit.
 */
#define VM_WS_HARD_MAX 0x1u
int vm_process_set_limits(struct vm_process *p, uint64_t min, uint64_t max, unsigned flags);
void vm_process_get_limits(struct vm_process *p, uint64_t *min, uint64_t *max, unsigned *flags);
void vm_process_destroy(struct vm_process *p);
void *vm_process_base(struct vm_process *p);
uint64_t vm_process_npages(struct vm_process *p);
const char *vm_process_name(struct vm_process *p);
struct vm *vm_process_machine(struct vm_process *p);
struct vm_process *vm_default_process(struct vm *vm);	/* NULL if none */
int vm_process_set_priority(struct vm_process *p, int prio);
int vm_process_priority(struct vm_process *p);

/*
 * Kernel access to the region.  The kernel reads and writes user memory
 * itself for system calls (read(2) into a buffer, write(2) from one),
 * O_DIRECT I/O (it pins the pages and DMAs into them) and futexes
 * (pthread mutexes and condition variables wait on a word in memory).
 * It cannot fault a page in for vmsim: a page that is not mapped, or that
 * the trimmer has write-protected for a moment to capture it, gets EFAULT
 * (read(2) returns -1 or a short count; glibc aborts on a futex EFAULT).
 *
 * Locked pages are safe: lock the range first, as Windows drivers call
 * MmProbeAndLockPages before I/O and programs call VirtualLock.
 *
 *  vm_lock_pages    faults every page of [addr, addr + len) in from user
 *                   space, by reading it (never writing: a concurrent write
 *                   is never lost), and locks it: until the matching unlock
 *                   the page stays mapped and writable (if it is not
 *                   read-only), whatever the trim pressure.  It is never
 *                   trimmed, write-protected, repurposed or purged, by the
 *                   trimmer or by vm_empty_working_set / vm_purge_standby.
 *                   Locks nest: each frame counts them.  Returns 0;
 *                   VM_EINVAL if the range is not inside the region;
 *                   VM_EIO if the instance has failed (vm_error) and a
 *                   page is not resident;
 *                   VM_EBUSY if it would lock more than vm_lock_limit()
 *                   frames in all, leaving every lock as it was.  It may
 *                   wait for trim batches in flight to finish.  A read-only
 *                   page locks too: the kernel may read it; a write into it
 *                   gets EFAULT, as a user write gets an access violation.
 *  vm_unlock_pages  undoes one vm_lock_pages of the same range.  Unlocking
 *                   a page that is not locked is a bug: debug builds panic,
 *                   release builds ignore it.
 *  vm_lock_limit    the bound, in frames: half the frames.  The other half
 *                   covers the trimmer's goal (an eighth of the frames, or
 *                   one batch, at most a quarter) and leaves a quarter for
 *                   faulting threads, so locked pages cannot starve the
 *                   trimmer into a deadlock.  It is per instance.
 *
 * vm_destroy with pages still locked releases the locks with everything
 * else; I/O still in flight into the region then is the caller's bug.
 *
 * vm_pread and vm_pwrite lock the part of buf inside the region, call
 * pread(2) or pwrite(2), unlock, and return as the call does (-1 with
 * errno set on failure).  Each locks at most a quarter of vm_lock_limit()
 * pages at once: a longer buffer gets a short count, which these calls may
 * always return.  A lock refused by the limit (other threads hold locks)
 * returns -1 with errno ENOMEM.  Any other system call on region memory
 * follows the same pattern: vm_lock_pages, the call, vm_unlock_pages; a
 * pthread mutex or condition variable in the region stays locked for as
 * long as it is in use (from before pthread_*_init to after *_destroy).
 *
 * What vmsim cannot see, and so cannot protect: a kernel access to an
 * *unlocked* page.  A system call on it may get EFAULT at any moment.
 * Worse, O_DIRECT into an unlocked buffer can lose data silently: the
 * kernel pins the pages it found mapped, the trimmer captures and zaps
 * them meanwhile (it cannot see the pin), and the DMA lands in pages the
 * region no longer maps: the read returns the full count and the buffer
 * holds the old bytes.  Lock every buffer the kernel touches.
 */
int vm_lock_pages(struct vm *vm, void *addr, size_t len);
void vm_unlock_pages(struct vm *vm, void *addr, size_t len);
uint64_t vm_lock_limit(struct vm *vm);
ssize_t vm_pread(struct vm *vm, int fd, void *buf, size_t len, off_t off);
ssize_t vm_pwrite(struct vm *vm, int fd, const void *buf, size_t len, off_t off);

/*
 * Failure.  A page-file I/O error is retried; when it persists the instance
 * fails, for good: a read of a slot that fails 9 times running (the page's
 * contents cannot be brought in), or 64 page-file writes in a row that fail
 * with no success between.  Then, and before any thread could wait forever:
 *  - the trimmer, writer and zero thread stop working and park (vm_pause
 *    and vm_destroy still work; vm_validate still holds, except that a page
 *    being brought in through a bounce buffer keeps its in-page PTE);
 *  - every thread waiting inside the fault handler is woken;
 *  - nothing already in the page file or in a frame is lost: a failed read
 *    leaves the page in the page file, a failed write leaves it modified;
 *  - every fault on the region from then on (and the one that failed)
 *    cannot be completed.  The faulting thread calls mc_on_error(arg, vm,
 *    addr, msg) inside vmsim's SIGBUS handler, with no vmsim lock held.  It
 *    may siglongjmp() out of the handler (the access is abandoned) or end
 *    the process.  If it returns, or mc_on_error is NULL, vmsim writes
 *    "vmsim: <msg>" to stderr (one line per process, however many threads
 *    fail) and calls _exit(1): the access can never complete, and
 *    returning from the handler would only retry it.
 * Any thread may ask: vm_error() returns 0 while the instance is healthy,
 * or VM_EIO with the one-line reason in msg, e.g. "page file read error on
 * slot 17: Input/output error (9 tries)".  Pages already mapped stay
 * readable and writable; vm_flush_modified() writes nothing more.
 */
int vm_error(struct vm *vm, char *msg, size_t len);

/*
 * Misuse: rules vmsim cannot make safe.  Where a check is cheap, breaking
 * one prints "vmsim: misuse: ..." and aborts; otherwise the outcome is
 * given.
 *  - vm_destroy() twice, or on a pointer vm_create() did not return:
 *    detected (the pointer is not a live instance).  The same for
 *    vm_process_destroy() and processes.  Using a process after
 *    vm_process_destroy() or vm_destroy() (its region is unmapped) is not
 *    detected.
 *  - vm_destroy() while threads touch the region (vm_process_destroy()
 *    while threads touch its process's region, or while another thread
 *    runs vm_sim.h's working-set controls): no thread may be inside an
 *    access to it.  Debug builds detect a thread still inside the fault
 *    handler; otherwise a later touch gets SIGSEGV, or corrupts whatever
 *    was mapped there since.
 *  - touching the region in a fork() child: the region is not inherited
 *    (MADV_DONTFORK, as are the frames); detected at the first touch.
 *    In the child, vm_destroy() of the parent's instance does nothing and
 *    vm_pause() is refused as misuse.  A child may create its own.
 *  - a thread that touches the region with SIGBUS blocked is killed by the
 *    kernel (a synchronous SIGBUS cannot be blocked), with no message.
 *    vm_create() refuses (VM_EINVAL) when the calling thread blocks SIGBUS;
 *    other threads are not checked.
 *  - another SIGBUS handler installed after the first vm_create() would
 *    receive vmsim's faults, and an access would fault forever.  Install
 *    yours before: vmsim passes it every SIGBUS that is not a fault on a
 *    region.  Detected by vm_create() (refused, VM_EINVAL), and by
 *    vm_sim.h's vm_validate() (a problem), vm_pause() and vm_get_stats()
 *    (misuse).
 */
