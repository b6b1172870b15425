/*
 * vm.h - vmsim's public interface: a demand-paged region backed by the
 * Windows page state machine.
 *
 *	struct vm_config cfg = VM_CONFIG_DEFAULT;
 *	cfg.vc_physical = 16 << 20; cfg.vc_virtual = 64 << 20; cfg.vc_pagefile = 64 << 20;
 *	struct vm *vm;
 *	char err[256];
 *	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) { puts(err); exit(2); }
 *	char *p = vm_base(vm);      // vc_virtual bytes of demand-zero memory
 *	...                         // any thread may read and write it
 *	vm_destroy(vm);
 *
 * Faults on the region are resolved on the faulting thread, in vmsim's
 * SIGBUS handler.  Memory the kernel itself reads or writes (a buffer passed
 * to read(2), a futex word) must be touched from user space first: the
 * kernel gets EFAULT, not a fault vmsim can resolve.
 */
#pragma once
#include <stdint.h>
#include <stdio.h>

#define VM_OK 0
#define VM_EINVAL (-22)		/* the configuration is impossible */
#define VM_ENOSYS (-38)		/* the kernel lacks something vmsim needs */
#define VM_ENOMEM (-12)		/* the host could not give vmsim its memory */

struct vm;

enum vm_trim_policy { VM_TRIM_AGING, VM_TRIM_FIFO, VM_TRIM_RANDOM };

struct vm_config {
	uint64_t vc_physical;		/* bytes of frames */
	uint64_t vc_virtual;		/* bytes of region */
	uint64_t vc_pagefile;		/* bytes of page file */
	const char *vc_pagefile_path;	/* NULL: the page file lives in memory */
	int vc_trim_batch;		/* pages per trim batch (0: default 256); more than
					 * a quarter of the frames is cut to that */
	int vc_write_batch;		/* pages per page-file write batch (0: default) */
	int vc_max_faulters;		/* threads that may fault at once, for bounce buffers */
	enum vm_trim_policy vc_trim_policy;
	int vc_start_threads;		/* start trimmer, writer and zero thread */
	uint64_t vc_seed;		/* for the random trim policy */
	/* realism (docs/REALISM.md) */
	double vc_readonly_fraction;	/* the first fraction of the region is read-only */
	/* the read-only pages' known contents, written to their page-file slots
	 * at vm_create (NULL: zero) */
	void (*vc_image_fill)(void *arg, uint64_t vpn, void *page);
	void *vc_image_arg;
	int vc_prefetch;		/* a hard fault continuing a run reads up to N more */
	int vc_defrag;			/* run the page-file defragmenter */
	int vc_trim_hints;		/* faulters hand the pages a sequential run left
					 * behind to the trimmer (seed 001) */
};

#define VM_CONFIG_DEFAULT ((struct vm_config){ \
	.vc_physical = 16ULL << 20, .vc_virtual = 64ULL << 20, .vc_pagefile = 64ULL << 20, \
	.vc_max_faulters = 64, .vc_start_threads = 1, .vc_seed = 1 })

/* What happened so far; every field is a running total. */
struct vm_stats {
	uint64_t vs_faults_dz;		/* demand-zero faults */
	uint64_t vs_faults_soft_standby;	/* rescued from standby */
	uint64_t vs_faults_soft_modified;	/* rescued from modified (or mid-write) */
	uint64_t vs_faults_hard;	/* read from the page file */
	uint64_t vs_faults_collided;	/* resolved by another thread, or waited */
	uint64_t vs_waits_avail;	/* faulters that waited for a free page */
	uint64_t vs_bounces;		/* hard faults through a bounce buffer */
	uint64_t vs_trimmed;		/* pages trimmed */
	uint64_t vs_trimmed_clean;	/* ... straight to standby (page-file copy valid) */
	uint64_t vs_trim_batches;
	uint64_t vs_trim_calls;		/* freeze + zap + thaw system calls */
	uint64_t vs_written;		/* pages written to the page file */
	uint64_t vs_write_batches;
	uint64_t vs_zeroed;		/* pages zeroed by the zero-page thread */
	uint64_t vs_zeroed_inline;	/* pages zeroed by a faulting thread */
	uint64_t vs_repurposed;		/* standby frames taken from their owner */
	uint64_t vs_nzeroed, vs_nfree, vs_nstandby, vs_nmodified, vs_nactive;
	uint64_t vs_pgf_used, vs_pgf_free;
	uint64_t vs_lock_contended[4];	/* PTE, PFN, list, page file */
	uint64_t vs_lock_wait_ns[4];
	uint64_t vs_trimmer_busy_ns, vs_writer_busy_ns, vs_zero_busy_ns;
	uint64_t vs_trimmed_dirty;	/* trimmed pages copied back: written since mapped,
					 * or with no page-file copy (not compared) */
	uint64_t vs_access_violations;	/* writes to read-only pages refused */
	uint64_t vs_readonly_pages;	/* pages [0, this) are read-only */
	uint64_t vs_prefetched;		/* pages read ahead by a hard fault */
	uint64_t vs_prefetch_used;	/* ... then touched */
	uint64_t vs_prefetch_wasted;	/* ... trimmed untouched */
	uint64_t vs_write_runs;		/* contiguous slot runs over all write batches */
	uint64_t vs_defrag_moves;	/* page-file slots moved by the defragmenter */
	uint64_t vs_window_thaws;	/* writes inside a trim window that un-protected
					 * their own page instead of waiting for the thaw */
	uint64_t vs_pgf_free_rows;	/* whole free 64-slot rows now */
	uint64_t vs_trimmed_by_hint;	/* trimmed pages a faulter's trim hint picked */
};

/*
 * Create an instance.  Returns 0, or a VM_E* status with a one-line message
 * in err; on failure nothing is left behind but, with vc_pagefile_path, the
 * page-file file if it was created.
 */
int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen);

/*
 * The checks vm_create makes of cfg before it allocates or creates
 * anything: sizes and ranges, physical + page file within 64 bits, the
 * commit limit (virtual <= physical + page file), and the footprint within
 * vm_memory_limit().  Returns 0 or VM_EINVAL with a one-line message in err.
 */
int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen);

/*
 * The host memory an instance of configuration cfg may use, in bytes,
 * saturating at UINT64_MAX (sizes whose arithmetic would wrap): vf_total,
 * and its parts if parts is not NULL.
 */
struct vm_footprint {
	uint64_t vf_frames;	/* the frames: vc_physical */
	uint64_t vf_mapped;	/* the region's mapped pages, at most one per frame (a
				 * mapped page is a copy of its frame) */
	uint64_t vf_pagefile;	/* an in-memory page file (0 with vc_pagefile_path) */
	uint64_t vf_books;	/* bookkeeping: the PFN, PTE and PTE-lock arrays, the
				 * page-file bitmap and slot owners (8 bytes a slot,
				 * file-backed too), bounce buffers */
	uint64_t vf_total;
};
uint64_t vm_footprint(const struct vm_config *cfg, struct vm_footprint *parts);

/* What one instance may plan to use: 3/4 of the machine's memory. */
uint64_t vm_memory_limit(void);

void vm_destroy(struct vm *vm);
void *vm_base(struct vm *vm);
uint64_t vm_npages(struct vm *vm);
void vm_get_stats(struct vm *vm, struct vm_stats *st);

/* Park the trimmer, writer and zero thread at a safe point / let them go. */
void vm_pause(struct vm *vm);
void vm_resume(struct vm *vm);

/*
 * Check every invariant of the PFN database, the lists, the PTEs and the
 * page file; report the first problems to f.  Call with no thread touching
 * the region and the system threads paused.  Returns the number of problems.
 */
long vm_validate(struct vm *vm, FILE *f, int expensive);

/*
 * Per-thread accounting: attach a zeroed struct on a thread, and the fault
 * path adds to it what that thread spends.  NULL detaches.
 */
struct vm_thread_stats {
	uint64_t ts_faults;		/* faults resolved on this thread */
	uint64_t ts_fault_ns;		/* time inside the fault handler */
	uint64_t ts_wait_avail_ns;	/* ... of which waiting for a free page */
	uint64_t ts_wait_other_ns;	/* ... waiting for a trim, window or in-page */
	uint64_t ts_lock_wait_ns[4];	/* ... waiting for PTE, PFN, list, page-file locks */
};
void vm_thread_stats_attach(struct vm_thread_stats *ts);

/*
 * Working-set control, with the system threads paused (vm_pause):
 *  vm_empty_working_set  trim every mapped page now (EmptyWorkingSet);
 *  vm_flush_modified     write every modified page to the page file;
 *  vm_purge_standby      repurpose every standby page to the free list.
 * Each returns the pages it moved.  The benchmark uses them to set up one
 * kind of fault at a time.
 */
uint64_t vm_empty_working_set(struct vm *vm);
uint64_t vm_flush_modified(struct vm *vm);
uint64_t vm_purge_standby(struct vm *vm);

/* Format a byte count as "64M", "1G", "12K" (exact units) into buf. */
const char *vm_size_str(char *buf, size_t n, uint64_t bytes);

/* The access routine's MMU work: set the page's accessed bit. */
void vm_touch(struct vm *vm, const void *addr);
