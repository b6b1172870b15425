/*
 * vm.c - the context: creation and teardown, the system threads, and
 * statistics.  The SIGBUS handler and the registry of instances it serves
 * are in vm_handler.c.
 */
#include <errno.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vm_internal.h"

#define VM_MIN_FRAMES 8
#define VM_MAX_VIRTUAL (1ULL << 40)
#define VM_POISON 0xDB		/* the "old bytes" of a frame never zeroed */

static pthread_mutex_t vm_park_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vm_park_cv = PTHREAD_COND_INITIALIZER;

/* ---- system threads ---- */

/*
 * A system thread's safe point.  Parks while a pause is requested; returns
 * false when the thread should exit.
 */
bool vm_parked_check(struct vm *vm)
{
	if (atomic_load(&vm->vm_stop))
		return false;
	if (!atomic_load(&vm->vm_pause_req) && !vm_is_failed(vm))
		return true;
	/* Paused, or failed: a failed instance's threads stay parked until stop. */
	pthread_mutex_lock(&vm_park_mtx);
	vm->vm_parked++;
	pthread_cond_broadcast(&vm_park_cv);
	while ((atomic_load(&vm->vm_pause_req) || vm_is_failed(vm)) && !atomic_load(&vm->vm_stop))
		pthread_cond_wait(&vm_park_cv, &vm_park_mtx);
	vm->vm_parked--;
	pthread_mutex_unlock(&vm_park_mtx);
	return !atomic_load(&vm->vm_stop);
}

static void vm_kick_all(struct vm *vm)
{
	ev_signal(&vm->vm_ev_trim);
	ev_signal(&vm->vm_ev_mpw);
	ev_signal(&vm->vm_ev_zero);
	ev_signal(&vm->vm_ev_slots);
	ev_signal(&vm->vm_ev_defrag);
}

void vm_pause(struct vm *vm)
{
	vm_misuse_check(vm, "vm_pause");
	if (!vm->vm_threads_started)
		return;
	pthread_mutex_lock(&vm_park_mtx);
	atomic_store(&vm->vm_pause_req, 1);
	while (vm->vm_parked < vm->vm_nsysthreads) {
		vm_kick_all(vm);
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&vm_park_cv, &vm_park_mtx, &ts);
	}
	pthread_mutex_unlock(&vm_park_mtx);
}

void vm_resume(struct vm *vm)
{
	pthread_mutex_lock(&vm_park_mtx);
	atomic_store(&vm->vm_pause_req, 0);
	pthread_cond_broadcast(&vm_park_cv);
	pthread_mutex_unlock(&vm_park_mtx);
}

/* The system threads, in start order. */
static pthread_t *vm_systhread(struct vm *vm, int i, void *(**fn)(void *))
{
	static void *(*const fns[])(void *) = { trim_thread, mpw_thread, zero_thread, defrag_thread };
	pthread_t *t[] = { &vm->vm_trimmer, &vm->vm_writer, &vm->vm_zeroer, &vm->vm_defragger };

	*fn = fns[i];
	return t[i];
}

/* Start the system threads.  Returns 0 or pthread_create()'s error, with
 * vm_nsysthreads counting those that did start (vm_threads_stop() joins
 * exactly those). */
static int vm_threads_start(struct vm *vm)
{
	int n = vm->vm_cfg.vc_machine.mc_defrag ? 4 : 3;

	for (int i = 0; i < n; i++) {
		void *(*fn)(void *);
		pthread_t *t = vm_systhread(vm, i, &fn);
		int rc = vm_inject_fail() ? EAGAIN : pthread_create(t, NULL, fn, vm);
		if (rc != 0)
			return rc;
		vm->vm_nsysthreads = i + 1;
		vm->vm_threads_started = true;
	}
	return 0;
}

static void vm_threads_stop(struct vm *vm)
{
	void *(*fn)(void *);

	if (!vm->vm_threads_started)
		return;
	pthread_mutex_lock(&vm_park_mtx);
	atomic_store(&vm->vm_stop, 1);
	pthread_cond_broadcast(&vm_park_cv);
	pthread_mutex_unlock(&vm_park_mtx);
	vm_kick_all(vm);
	for (int i = 0; i < vm->vm_nsysthreads; i++)
		pthread_join(*vm_systhread(vm, i, &fn), NULL);
	vm->vm_nsysthreads = 0;
	vm->vm_threads_started = false;
}

/* ---- creation ---- */

static const struct vm_tunables vm_tunables_default = VM_TUNABLES_DEFAULT;

/* The tunables cfg names, or the defaults. */
static const struct vm_tunables *vm_config_tunables(const struct vm_config *c)
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
	if (sp->as_virtual == 0 || sp->as_virtual > VM_MAX_VIRTUAL) {
		snprintf(err, errlen, "virtual size must be between 4K and 1T");
		return VM_EINVAL;
	}
	if (sp->as_virtual > commit) {
		snprintf(err, errlen, "virtual %s exceeds the commit limit: physical %s + "
		    "pagefile %s = %s; make the page file at least %s",
		    vm_size_str(a, sizeof(a), sp->as_virtual), vm_size_str(b, sizeof(b), c->mc_physical),
		    vm_size_str(d, sizeof(d), c->mc_pagefile), vm_size_str(e, sizeof(e), commit),
		    vm_size_str(f, sizeof(f), sp->as_virtual - c->mc_physical));
		return VM_EINVAL;
	}
	if (sp->as_prefetch < 0 || sp->as_prefetch > 63) {
		snprintf(err, errlen, "prefetch must be between 0 and 63 pages");
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

static void *vm_map_anon(size_t len)
{
	void *p = vm_inject_fail() ? MAP_FAILED : mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	madvise(p, len, MADV_DONTFORK);
	return p;
}

static void *vm_calloc(size_t n, size_t size)
{
	return vm_inject_fail() ? NULL : calloc(n, size);
}

static uint64_t clamp64(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static void vm_thresholds(struct vm *vm, const struct vm_config *cfg)
{
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
	vm->vm_trim_age = 1;
	vm->vm_trim_rng = vm_seed_mix(cfg->vc_space.as_seed, 0x7117);
}

/*
 * Everything but the region and the kernel: the PFN database with every
 * frame free (holding poison, so a frame handed out unzeroed shows), the
 * PTEs, the lists and the page file.  The unit tests use this alone.
 */
int vm_structs_init(struct vm *vm, const struct vm_config *cfg, char *err, size_t errlen)
{
	struct pgf_params pp;
	int rc;

	/* Zero, then the sentinels, before anything can fail: teardown of a
	 * half-built vm must find "nothing here", never fd 0 or slot 0. */
	memset(vm, 0, sizeof(*vm));
	vm->vm_slot = -1;
	vm->vm_map.mp_uffd = vm->vm_map.mp_pidfd = -1;
	vm->vm_pgf.pg_fd = -1;
	vm->vm_pid = getpid();
	if ((rc = vm_config_check(cfg, err, errlen)) != 0)
		return rc;
	vm->vm_tun = *vm_config_tunables(cfg);
	vm->vm_cfg = *cfg;
	vm->vm_cfg.vc_machine.mc_tunables = NULL;	/* the caller's: copied to vm_tun */
	vm->vm_nframes = (uint32_t)(cfg->vc_machine.mc_physical / VM_PAGE_SIZE);
	vm->vm_npages = cfg->vc_space.as_virtual / VM_PAGE_SIZE;
	vm->vm_nregions = (vm->vm_npages + (1ULL << PTE_REGION_SHIFT) - 1) >> PTE_REGION_SHIFT;
	vm->vm_frames_len = (size_t)vm->vm_nframes * VM_PAGE_SIZE;
	vm->vm_frames = vm_map_anon(vm->vm_frames_len);
	vm->vm_pfns = vm_calloc(vm->vm_nframes, sizeof(*vm->vm_pfns));
	vm->vm_ptes = vm_calloc(vm->vm_npages, sizeof(*vm->vm_ptes));
	vm->vm_pte_locks = vm_calloc(vm->vm_nregions, sizeof(*vm->vm_pte_locks));
	vm->vm_nbounce = vm->vm_tun.vt_max_faulters;
	vm->vm_bounce = vm_map_anon((size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	vm->vm_bounce_busy = vm_calloc(((size_t)vm->vm_nbounce + 63) / 64, sizeof(uint64_t));
	if (!vm->vm_frames || !vm->vm_pfns || !vm->vm_ptes || !vm->vm_pte_locks ||
	    !vm->vm_bounce || !vm->vm_bounce_busy) {
		snprintf(err, errlen, "cannot allocate memory for %u frames and %llu pages",
		    vm->vm_nframes, (unsigned long long)vm->vm_npages);
		return VM_ENOMEM;
	}
	pp = (struct pgf_params){ .pp_nslots = cfg->vc_machine.mc_pagefile / VM_PAGE_SIZE,
	    .pp_path = cfg->vc_machine.mc_pagefile_path, .pp_rows = vm->vm_tun.vt_pgf_rows,
	    .pp_stash = vm->vm_tun.vt_pgf_stash, .pp_mem_available = vm->vm_tun.vt_mem_available };
	if ((rc = pgf_init(&vm->vm_pgf, &pp, err, errlen)) != 0)
		return rc;
	for (uint64_t r = 0; r < vm->vm_nregions; r++)
		lk_init(&vm->vm_pte_locks[r], LK_RANK_PTE);
	for (int s = 0; s < PLIST_N; s++)
		plist_init(&vm->vm_lists[s], (enum pfn_state)s);
	memset(vm->vm_frames, VM_POISON, vm->vm_frames_len);
	for (uint32_t i = 0; i < vm->vm_nframes; i++) {
		struct pfn *pf = &vm->vm_pfns[i];
		lk_init(&pf->pf_lock, LK_RANK_PFN);
		pf->pf_vpn = PFN_VPN_NONE;
		pf->pf_slot = PGF_SLOT_NONE;
		pf->pf_state = PFN_STATE_FREE;
		lk_acquire(&pf->pf_lock);
		plist_insert_tail(vm, pf);
		lk_release(&pf->pf_lock);
	}
	vm_thresholds(vm, cfg);
	return image_init(vm, err, errlen);
}

/* Release what vm_structs_init() got, however far it got; idempotent. */
void vm_structs_destroy(struct vm *vm)
{
	pgf_destroy(&vm->vm_pgf);
	if (vm->vm_frames != NULL)
		munmap(vm->vm_frames, vm->vm_frames_len);
	if (vm->vm_bounce != NULL)
		munmap(vm->vm_bounce, (size_t)vm->vm_nbounce * VM_PAGE_SIZE);
	free(vm->vm_bounce_busy);
	free(vm->vm_pfns);
	free((void *)vm->vm_ptes);
	free(vm->vm_pte_locks);
	vm->vm_frames = vm->vm_bounce = NULL;
	vm->vm_bounce_busy = NULL;
	vm->vm_pfns = NULL;
	vm->vm_ptes = NULL;
	vm->vm_pte_locks = NULL;
}

/* Reserve the region, 2 MiB aligned, without transparent huge pages. */
static int vm_region_map(struct vm *vm, char *err, size_t errlen)
{
	size_t align = 2UL << 20;
	size_t len = vm->vm_npages * VM_PAGE_SIZE;
	char *p = vm_inject_fail() ? MAP_FAILED : mmap(NULL, len + align, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED) {
		snprintf(err, errlen, "cannot reserve %zu bytes of address space: %s", len, strerror(errno));
		return VM_ENOMEM;
	}
	a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (a + len < p + len + align)
		munmap(a + len, (size_t)(p + len + align - (a + len)));
	madvise(a, len, MADV_NOHUGEPAGE);
	madvise(a, len, MADV_DONTFORK);
	vm->vm_base = a;
	vm->vm_region_len = len;
	return 0;
}

/* What must hold before vm_create() does anything (vm.h, "Misuse"). */
static int vm_create_check(char *err, size_t errlen)
{
	sigset_t blocked;

	if (pthread_sigmask(SIG_BLOCK, NULL, &blocked) == 0 && sigismember(&blocked, SIGBUS) == 1) {
		snprintf(err, errlen, "SIGBUS is blocked in the calling thread: vmsim resolves "
		    "faults in a SIGBUS handler, and the kernel kills a process whose thread "
		    "faults with SIGBUS blocked; unblock it in every thread that touches the region");
		return VM_EINVAL;
	}
	if (!vm_handler_ours()) {
		snprintf(err, errlen, "%s", vm_handler_gone);
		return VM_EINVAL;
	}
	return 0;
}

/*
 * Undo vm_create(), however far it got: each step below finds its own
 * "nothing here" sentinel (set by vm_structs_init()) or releases and
 * resets, so this is both the unwinding of a failed creation and
 * vm_destroy()'s work.
 */
static void vm_teardown(struct vm *vm, bool created)
{
	vm_threads_stop(vm);
	vm_unregister(vm);
	map_destroy(vm);
	if (vm->vm_base != NULL)
		munmap(vm->vm_base, vm->vm_region_len);
	vm->vm_base = NULL;
	if (!created)
		pgf_unlink_created(&vm->vm_pgf);
	vm_structs_destroy(vm);
	free(vm);
}

int vm_create(const struct vm_config *cfg, struct vm **out, char *err, size_t errlen)
{
	struct vm *vm;
	int rc;

	*out = NULL;
	if ((rc = vm_create_check(err, errlen)) != 0)
		return rc;
	vm_inject_arm(vm_config_tunables(cfg)->vt_fail_create_step);
	if ((vm = vm_calloc(1, sizeof(*vm))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	if ((rc = vm_structs_init(vm, cfg, err, errlen)) != 0 ||
	    (rc = vm_region_map(vm, err, errlen)) != 0 ||
	    (rc = map_init(vm, err, errlen)) != 0)
		goto out_teardown;
	if (vm_register(vm) != 0) {
		snprintf(err, errlen, "more than %d vmsim instances in one process", VM_MAX_INSTANCES);
		rc = VM_EINVAL;
		goto out_teardown;
	}
	if (vm->vm_tun.vt_start_threads && (rc = vm_threads_start(vm)) != 0) {
		snprintf(err, errlen, "cannot start the system threads: %s", strerror(rc));
		rc = VM_ENOMEM;
		goto out_teardown;
	}
	*out = vm;
	return 0;
out_teardown:
	vm_teardown(vm, false);
	return rc;
}

void vm_destroy(struct vm *vm)
{
	int n;

	if (vm == NULL)
		return;
	/* Compares the pointer only: a destroyed vm is never dereferenced. */
	if (!vm_registered(vm))
		vm_misuse("vm_destroy(%p): not a live instance (destroyed already?)", (void *)vm);
	if (vm->vm_pid != getpid())
		return;		/* a fork() child: its parent's threads and memory are not here */
	if (VM_DEBUG && (n = atomic_load(&vm->vm_dbg_faulting)) != 0)
		vm_misuse("vm_destroy(%p) while %d thread(s) are inside a fault on its region",
		    (void *)vm, n);
	vm_teardown(vm, true);
}

void *vm_base(struct vm *vm)
{
	return vm->vm_base;
}

uint64_t vm_npages(struct vm *vm)
{
	return vm->vm_npages;
}

void vm_touch(struct vm *vm, const void *addr)
{
	pte_mark_accessed(vm, (uint64_t)((const char *)addr - vm->vm_base) >> VM_PAGE_SHIFT);
}

#define VM_STAT_ROW(name, key, kind, desc) \
	{ #name, key, kind, desc, offsetof(struct vm_stats, vs_##name) },
const struct vm_stat_field vm_stat_fields[] = { VM_COUNTERS(VM_STAT_ROW) };
const int vm_stat_nfields = sizeof(vm_stat_fields) / sizeof(vm_stat_fields[0]);
#undef VM_STAT_ROW
#define VM_STAT_ROW(name, key, kind, desc) \
	{ #name, key, kind, desc, offsetof(struct vm_lock_stats, ls_##name) },
const struct vm_stat_field vm_lock_stat_fields[] = { VM_LOCK_COUNTERS(VM_STAT_ROW) };
const int vm_lock_stat_nfields = sizeof(vm_lock_stat_fields) / sizeof(vm_lock_stat_fields[0]);
#undef VM_STAT_ROW

/* The event counters as they are; then the VM_COUNTERS_STATE values. */
void vm_get_stats(struct vm *vm, struct vm_stats *st)
{
	struct pgf *pg = &vm->vm_pgf;

	if (!vm_handler_ours())
		vm_misuse("vm_get_stats: %s", vm_handler_gone);
	memset(st, 0, sizeof(*st));
#define VM_STAT_READ(name, key, kind, desc) st->vs_##name = vm_read(vm->vm_st.st_##name);
	VM_COUNTERS_EVENT(VM_STAT_READ)
#undef VM_STAT_READ
	st->vs_faults_soft = st->vs_faults_soft_standby + st->vs_faults_soft_modified;
	st->vs_trimmed_clean = st->vs_trimmed - st->vs_trimmed_dirty;
	st->vs_trim_calls = map_trim_calls(vm);
	st->vs_nzeroed = plist_count(vm_list(vm, PFN_STATE_ZEROED));
	st->vs_nfree = plist_count(vm_list(vm, PFN_STATE_FREE));
	st->vs_nstandby = plist_count(vm_list(vm, PFN_STATE_STANDBY));
	st->vs_nmodified = plist_count(vm_list(vm, PFN_STATE_MODIFIED));
	st->vs_nactive = vm->vm_nframes - st->vs_nzeroed - st->vs_nfree - st->vs_nstandby -
	    st->vs_nmodified;
	st->vs_nlocked = atomic_load(&vm->vm_nlocked);
	st->vs_pgf_free = pgf_free_count(pg);
	st->vs_pgf_used = pg->pg_nslots - st->vs_pgf_free;
	st->vs_pgf_free_rows = pgf_free_rows(pg);
	st->vs_pgf_row_claims = vm_read(pg->pg_row_claims);
	st->vs_pgf_bit_claims = vm_read(pg->pg_bit_claims);
	st->vs_pgf_scan_words = vm_read(pg->pg_scan_words);
	st->vs_readonly_pages = vm->vm_ro_end;
}

int vm_system_threads(struct vm *vm, pthread_t *out)
{
	void *(*fn)(void *);

	for (int i = 0; i < vm->vm_nsysthreads; i++)
		out[i] = *vm_systhread(vm, i, &fn);
	return vm->vm_nsysthreads;
}

void vm_inject_io(struct vm *vm, int reads, int writes)
{
	atomic_store(&vm->vm_pgf.pg_fail_reads, reads);
	atomic_store(&vm->vm_pgf.pg_fail_writes, writes);
}

void vm_inject_io_left(struct vm *vm, int *reads, int *writes)
{
	*reads = atomic_load(&vm->vm_pgf.pg_fail_reads);
	*writes = atomic_load(&vm->vm_pgf.pg_fail_writes);
}

long vm_validate(struct vm *vm, FILE *f, int expensive)
{
	long bad = vm_validate_locked(vm, f, expensive);

	if (!vm_handler_ours()) {
		if (f != NULL)
			fprintf(f, "validate: %s\n", vm_handler_gone);
		bad++;
	}
	return bad;
}
