/*
 * vm_config.c - a configuration, checked and turned into numbers: the
 * checks vm_create makes before it allocates anything (vm_config_check),
 * the memory an instance may use (vm_footprint, vm_memory_limit), and the
 * thresholds and batch sizes the system threads work by (vm_thresholds).
 * Layer 3 (vm_inst.h): calls layers 0-1.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vm_inst.h"

#define VM_MIN_FRAMES 8
#define VM_MAX_VIRTUAL (1ULL << 40)
_Static_assert(VM_MAX_VIRTUAL / VM_PAGE_SIZE < PFN_VPN_NONE, "a vpn fits in pf_vpn");

static const struct vm_tunables vm_tunables_default = VM_TUNABLES_DEFAULT;

/* The tunables cfg names, or the defaults. */
const struct vm_tunables *vm_config_tunables(const struct vm_config *c)
{
	return c->vc_machine.mc_tunables ? c->vc_machine.mc_tunables : &vm_tunables_default;
}

static uint64_t vm_host_memory(void)
{
	long pages = sysconf(_SC_PHYS_PAGES);

	return pages > 0 ? (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE) : UINT64_MAX;
}

/* 3/4 of the machine's memory: what one instance may plan to use. */
uint64_t vm_memory_limit(void)
{
	return vm_host_memory() / 4 * 3;
}

/*
 * The host memory an instance of configuration c may use: everything
 * proportional to its sizes (vm.h).  Saturates at UINT64_MAX.
 */
uint64_t vm_footprint(const struct vm_config *cfg, struct vm_footprint *parts)
{
	const struct vm_machine_config *c = &cfg->vc_machine;
	uint64_t nframes = c->mc_physical / VM_PAGE_SIZE;
	uint64_t npages = cfg->vc_space.as_virtual / VM_PAGE_SIZE;
	uint64_t nslots = c->mc_pagefile / VM_PAGE_SIZE, books = sizeof(struct vm);
	int faulters = vm_config_tunables(cfg)->vt_max_faulters;
	struct vm_footprint f;

	books = vm_sat_add(books, vm_sat_mul(nframes, sizeof(struct pfn)));
	books = vm_sat_add(books, vm_sat_mul(npages, sizeof(pte_t)));
	books = vm_sat_add(books, vm_sat_mul((npages >> PTE_REGION_SHIFT) + 1, sizeof(lk_t)));
	books = vm_sat_add(books, vm_sat_mul(nslots / 64 + 1, sizeof(uint64_t)));	/* bitmap */
	books = vm_sat_add(books, vm_sat_mul(nslots, sizeof(uint64_t)));	/* slot owners */
	books = vm_sat_add(books, vm_sat_mul((uint64_t)(faulters > 0 ? faulters : 0),
	    VM_PAGE_SIZE + 1));						/* bounce buffers */
	f.vf_frames = c->mc_physical;
	f.vf_mapped = c->mc_physical < cfg->vc_space.as_virtual ? c->mc_physical :
	    cfg->vc_space.as_virtual;
	f.vf_pagefile = c->mc_pagefile_path ? 0 : c->mc_pagefile;
	f.vf_books = books;
	f.vf_total = vm_sat_add(vm_sat_add(f.vf_frames, f.vf_mapped),
	    vm_sat_add(f.vf_pagefile, f.vf_books));
	if (parts != NULL)
		*parts = f;
	return f.vf_total;
}

/* The footprint must fit in vm_memory_limit(); say the numbers if not. */
static int vm_footprint_check(const struct vm_config *c, char *err, size_t errlen)
{
	char t[32], fr[32], m[32], p[48], bk[32], l[32];
	struct vm_footprint f;

	if (vm_footprint(c, &f) <= vm_memory_limit())
		return 0;
	p[0] = '\0';
	if (f.vf_pagefile) {
		strcpy(p, " + in-memory page file ");
		vm_size_approx(p + strlen(p), sizeof(p) - strlen(p), f.vf_pagefile);
	}
	snprintf(err, errlen, "this configuration needs about %s of memory (frames %s + mapped "
	    "pages %s%s + bookkeeping %s): more than %s, 3/4 of this machine's memory; use less%s",
	    vm_size_approx(t, sizeof(t), f.vf_total), vm_size_approx(fr, sizeof(fr), f.vf_frames),
	    vm_size_approx(m, sizeof(m), f.vf_mapped), p, vm_size_approx(bk, sizeof(bk), f.vf_books),
	    vm_size_approx(l, sizeof(l), vm_memory_limit()),
	    f.vf_pagefile ? ", or --pagefile-path for a file-backed page file" : "");
	return VM_EINVAL;
}

/*
 * The checks of an address space's configuration alone (vm_process_create
 * and vm_config_check): size, prefetch and priority ranges.  The commit limit is the
 * caller's.  Returns 0 or VM_EINVAL with one line in err.
 */
int vm_space_check(const struct vm_space_config *sp, char *err, size_t errlen)
{
	if (sp->as_virtual % VM_PAGE_SIZE) {
		snprintf(err, errlen, "sizes must be multiples of the page size (%lu bytes)", VM_PAGE_SIZE);
		return VM_EINVAL;
	}
	if (sp->as_virtual == 0 || sp->as_virtual > VM_MAX_VIRTUAL) {
		snprintf(err, errlen, "virtual size must be between 4K and 1T");
		return VM_EINVAL;
	}
	if (sp->as_prefetch < 0 || sp->as_prefetch > 63) {
		snprintf(err, errlen, "prefetch must be between 0 and 63 pages");
		return VM_EINVAL;
	}
	if (sp->as_priority < 0 || sp->as_priority >= VM_PRIORITIES) {
		snprintf(err, errlen, "memory priority must be between 0 and %d", VM_PRIORITIES - 1);
		return VM_EINVAL;
	}
	return 0;
}

int vm_config_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	const struct vm_machine_config *c = &cfg->vc_machine;
	const struct vm_space_config *sp = &cfg->vc_space;
	const struct vm_tunables *t = vm_config_tunables(cfg);
	char a[32], b[32], d[32], e[32], f[32];
	uint64_t commit;

	if (__builtin_add_overflow(c->mc_physical, c->mc_pagefile, &commit)) {
		snprintf(err, errlen, "physical %s + page file %s does not fit in 64 bits",
		    vm_size_str(a, sizeof(a), c->mc_physical),
		    vm_size_str(b, sizeof(b), c->mc_pagefile));
		return VM_EINVAL;
	}
	if (c->mc_physical % VM_PAGE_SIZE || sp->as_virtual % VM_PAGE_SIZE ||
	    c->mc_pagefile % VM_PAGE_SIZE) {
		snprintf(err, errlen, "sizes must be multiples of the page size (%lu bytes)", VM_PAGE_SIZE);
		return VM_EINVAL;
	}
	if (c->mc_physical / VM_PAGE_SIZE < VM_MIN_FRAMES ||
	    c->mc_physical / VM_PAGE_SIZE >= PFN_NONE) {
		snprintf(err, errlen, "physical memory must be between %d pages (%luK) and 16T",
		    VM_MIN_FRAMES, VM_MIN_FRAMES * VM_PAGE_SIZE / 1024);
		return VM_EINVAL;
	}
	/* as_virtual 0: a bare machine, its processes created later */
	if (sp->as_virtual != 0 && vm_space_check(sp, err, errlen) != 0)
		return VM_EINVAL;
	if (sp->as_virtual > commit) {
		snprintf(err, errlen, "virtual %s exceeds the commit limit: physical %s + "
		    "pagefile %s = %s; make the page file at least %s",
		    vm_size_str(a, sizeof(a), sp->as_virtual), vm_size_str(b, sizeof(b), c->mc_physical),
		    vm_size_str(d, sizeof(d), c->mc_pagefile), vm_size_str(e, sizeof(e), commit),
		    vm_size_str(f, sizeof(f), sp->as_virtual - c->mc_physical));
		return VM_EINVAL;
	}
	if (t->vt_max_faulters < 1 || t->vt_max_faulters > 4096) {
		snprintf(err, errlen, "max faulters must be between 1 and 4096");
		return VM_EINVAL;
	}
	if (t->vt_trim_goal_div < 2 || t->vt_trim_goal_div > 64) {
		snprintf(err, errlen, "the trim goal divisor must be between 2 and 64");
		return VM_EINVAL;
	}
	return vm_footprint_check(cfg, err, errlen);
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/*
 * The instance's thresholds and batch sizes, in frames, from its
 * configuration (vm_cfg, vm_tun, vm_nframes set).  At creation.
 */
void vm_thresholds(struct vm *vm)
{
	const struct vm_config *cfg = &vm->vm_cfg;
	const struct vm_machine_config *c = &cfg->vc_machine;
	uint64_t n = vm->vm_nframes;

	vm->vm_trim_batch = (int)clamp64(c->mc_trim_batch ? (uint64_t)c->mc_trim_batch : 256,
	    1, VM_TRIM_BATCH_MAX);
	if ((uint64_t)vm->vm_trim_batch > n / 4)
		vm->vm_trim_batch = (int)clamp64(n / 4, 1, VM_TRIM_BATCH_MAX);
	vm->vm_write_batch = (int)clamp64(c->mc_write_batch ? (uint64_t)c->mc_write_batch : 64,
	    1, VM_WRITE_BATCH_MAX);
	vm->vm_trim_goal = clamp64(n / (uint64_t)vm->vm_tun.vt_trim_goal_div, 2, n / 2);
	if (vm->vm_trim_goal < (uint64_t)vm->vm_trim_batch)
		vm->vm_trim_goal = (uint64_t)vm->vm_trim_batch;
	vm->vm_trim_low = clamp64(vm->vm_trim_goal / 2, 1, n);
	vm->vm_zero_goal = clamp64(n / 64, 1, 64);
	/* Half the frames: the rest covers the trim goal (at most a quarter)
	 * and leaves a quarter for faults (vm.h, vm_lock_limit). */
	vm->vm_lock_limit = n / 2;
	vm->vm_trim_age_max = 2;
	vm->vm_commit_limit = c->mc_physical + c->mc_pagefile;	/* vm_config_check: no wrap */
}
