/*
 * workload.c - the user threads' access patterns and per-access checks.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "workload.h"

#define WL_STAMP_TAG 0x5653000000000000ULL	/* "VS": never zero, never poison */
#define WL_WORDS (VM_PAGE_SIZE / sizeof(uint64_t))

/* The stamp of page vpn of the process whose workload has tag `tag'
 * (wc_tag): "VS", the tag, the page; a vpn fits in 32 bits. */
static inline uint64_t wl_stamp(uint64_t tag, uint64_t vpn)
{
	return WL_STAMP_TAG | ((tag & 0xffff) << 32) | vpn;
}

/* Word i (>= 1) of read-only page vpn's known contents. */
static inline uint64_t wl_image_word(uint64_t tag, uint64_t vpn, uint64_t i)
{
	return (vpn * 0x9E3779B97F4A7C15ULL) ^ (i * 0xD6E8FEB86659FD93ULL) ^ WL_STAMP_TAG ^
	    ((tag & 0xffff) << 32);
}

void wl_image_fill(void *arg, uint64_t vpn, void *page)
{
	const struct wl_config *cfg = arg;
	uint64_t *w = page, tag = cfg != NULL ? cfg->wc_tag : 0;

	w[0] = wl_stamp(tag, vpn);
	for (uint64_t i = 1; i < WL_WORDS; i++)
		w[i] = wl_image_word(tag, vpn, i);
}

/* ---- access violations: a write to a read-only page must trap ---- */

static __thread sigjmp_buf *volatile wl_av_jmp;
static pthread_once_t wl_segv_once = PTHREAD_ONCE_INIT;

/* vmsim delivers SIGSEGV/SEGV_ACCERR at the address, as the MMU would.  An
 * attempt in progress (wl_try_write) jumps back; anything else is a real
 * crash: restore the default and let the access retry and kill. */
static void wl_segv(int sig, siginfo_t *si, void *uc)
{
	sigjmp_buf *j = wl_av_jmp;

	(void)uc;
	if (j != NULL && si->si_code == SEGV_ACCERR) {
		wl_av_jmp = NULL;
		siglongjmp(*j, 1);
	}
	signal(sig, SIG_DFL);
}

static void wl_segv_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = wl_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
}

/* Try to store v at w.  Returns true if the store happened, false if it
 * was refused with an access violation. */
static __attribute__((noinline)) bool wl_try_write(_Atomic uint64_t *w, uint64_t v)
{
	sigjmp_buf jb;

	if (sigsetjmp(jb, 1) != 0)
		return false;
	wl_av_jmp = &jb;
	atomic_store_explicit(w, v, memory_order_relaxed);
	wl_av_jmp = NULL;
	return true;
}

/* ---- Zipf sampling by rejection-inversion ---- */

static double wl_helper1(double x)	/* log1p(x) / x */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x * (0.5 - x * (1.0 / 3.0 - 0.25 * x));
}

static double wl_helper2(double x)	/* expm1(x) / x */
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x * 0.5 * (1.0 + x / 3.0 * (1.0 + 0.25 * x));
}

static double wl_zh(const struct wl_zipf *z, double x)
{
	return exp(-z->wz_s * log(x));
}

static double wl_zH(const struct wl_zipf *z, double x)
{
	double lx = log(x);

	return wl_helper2((1.0 - z->wz_s) * lx) * lx;
}

static double wl_zHinv(const struct wl_zipf *z, double x)
{
	double t = x * (1.0 - z->wz_s);

	if (t < -1.0)
		t = -1.0;
	return exp(wl_helper1(t) * x);
}

void wl_zipf_init(struct wl_zipf *z, uint64_t n, double s)
{
	z->wz_s = s;
	z->wz_n = (double)n;
	z->wz_hx1 = wl_zH(z, 1.5) - 1.0;
	z->wz_hn = wl_zH(z, z->wz_n + 0.5);
	z->wz_sval = 2.0 - wl_zHinv(z, wl_zH(z, 2.5) - wl_zh(z, 2.0));
}

/* A rank in 1..n, rank k with probability proportional to k^-s. */
uint64_t wl_zipf_next(const struct wl_zipf *z, uint64_t *rng)
{
	for (;;) {
		double u = z->wz_hn + vm_rand01(rng) * (z->wz_hx1 - z->wz_hn);
		double x = wl_zHinv(z, u);
		double k = floor(x + 0.5);

		if (k < 1.0)
			k = 1.0;
		else if (k > z->wz_n)
			k = z->wz_n;
		if (k - x <= z->wz_sval || u >= wl_zH(z, k + 0.5) - wl_zh(z, k))
			return (uint64_t)k;
	}
}

static uint64_t wl_gcd(uint64_t a, uint64_t b)
{
	while (b != 0) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* zipf: rank r (0-based) -> page, a bijection that scatters hot pages. */
static inline uint64_t wl_zipf_page(const struct wl_shared *sh, uint64_t r)
{
	return (uint64_t)(((unsigned __int128)sh->ws_perm_a * r + sh->ws_perm_b) % sh->ws_npages);
}

/* ---- setup ---- */

static void wl_patterns_init(struct wl_shared *sh)
{
	uint64_t rng = vm_seed_mix(sh->ws_cfg.wc_seed, 0x21bf);
	uint64_t n = sh->ws_npages;

	wl_zipf_init(&sh->ws_zipf, n, sh->ws_cfg.wc_zipf_s > 0 ? sh->ws_cfg.wc_zipf_s : 1.0);
	sh->ws_perm_a = n > 1 ? 1 + vm_rand(&rng) % (n - 1) : 1;
	while (wl_gcd(sh->ws_perm_a, n) != 1)
		sh->ws_perm_a++;
	sh->ws_perm_b = vm_rand(&rng) % n;
	/* 0 takes the default; the command refuses sizes past the region
	 * (options.c), so cutting them here only guards other callers */
	if (sh->ws_cfg.wc_scan_pages == 0 || sh->ws_cfg.wc_scan_pages > n)
		sh->ws_cfg.wc_scan_pages = n;
	if (sh->ws_cfg.wc_phase_pages == 0 || sh->ws_cfg.wc_phase_pages > n)
		sh->ws_cfg.wc_phase_pages = n / 4 ? n / 4 : 1;
	if (sh->ws_cfg.wc_phase_len == 0)
		sh->ws_cfg.wc_phase_len = 10000;
	if (sh->ws_cfg.wc_kind == WL_TRACE)
		sh->ws_cfg.wc_accesses = sh->ws_cfg.wc_trace->t_n;
}

uint64_t wl_footprint(const struct wl_config *cfg, uint64_t npages)
{
	uint64_t n = (uint64_t)cfg->wc_threads;
	uint64_t b = vm_sat_mul(npages, vm_sat_add(1, vm_sat_mul(n, sizeof(uint32_t))));

	b = vm_sat_add(b, vm_sat_mul(n, sizeof(struct wl_thread)));
	if (cfg->wc_record && cfg->wc_accesses)
		b = vm_sat_add(b, vm_sat_mul(cfg->wc_accesses,
		    sizeof(struct wl_rec) + sizeof(struct trace_ref)));
	return b;
}

int wl_init(struct wl_shared *sh, struct vm *vm, const struct wl_config *cfg)
{
	memset(sh, 0, sizeof(*sh));
	if (vm_default_process(vm) == NULL)
		return -1;	/* a bare machine: wl_init_process */
	return wl_init_process(sh, vm_default_process(vm), cfg);
}

int wl_init_process(struct wl_shared *sh, struct vm_process *p, const struct wl_config *cfg)
{
	int n = cfg->wc_threads;
	struct vm_process_stats st;

	memset(sh, 0, sizeof(*sh));
	sh->ws_vm = vm_process_machine(p);
	sh->ws_proc = p;
	sh->ws_base = vm_process_base(p);
	sh->ws_npages = vm_process_npages(p);
	if (cfg->wc_pages != 0 && cfg->wc_pages < sh->ws_npages)
		sh->ws_npages = cfg->wc_pages;
	sh->ws_cfg = *cfg;
	vm_process_get_stats(p, &st);
	sh->ws_ro_end = st.ps_readonly_pages;
	if (sh->ws_ro_end > 0)
		pthread_once(&wl_segv_once, wl_segv_install);
	wl_patterns_init(sh);
	sh->ws_ever = calloc(sh->ws_npages, 1);
	sh->ws_threads = calloc((size_t)n, sizeof(*sh->ws_threads));
	if (sh->ws_ever == NULL || sh->ws_threads == NULL)
		return -1;
	for (int i = 0; i < n; i++) {
		struct wl_thread *t = &sh->ws_threads[i];
		uint64_t acc = sh->ws_cfg.wc_accesses;
		t->wt_id = i;
		t->wt_sh = sh;
		t->wt_rng = vm_seed_mix(cfg->wc_seed, (uint64_t)i);
		t->wt_quota = UINT64_MAX;
		if (acc)
			t->wt_quota = acc / (uint64_t)n + ((uint64_t)i < acc % (uint64_t)n);
		t->wt_cur = sh->ws_cfg.wc_scan_pages * (uint64_t)i / (uint64_t)n;
		t->wt_phase = UINT64_MAX;
		t->wt_trace_i = (uint64_t)i;
		t->wt_lastw = calloc(sh->ws_npages, sizeof(uint32_t));
		if (t->wt_lastw == NULL)
			return -1;
		if (cfg->wc_record && t->wt_quota != UINT64_MAX && t->wt_quota > 0) {
			t->wt_rec = malloc(t->wt_quota * sizeof(*t->wt_rec));
			if (t->wt_rec == NULL)
				return -1;
			t->wt_caprec = t->wt_quota;
		}
	}
	return 0;
}

void wl_destroy(struct wl_shared *sh)
{
	for (int i = 0; sh->ws_threads && i < sh->ws_cfg.wc_threads; i++) {
		free(sh->ws_threads[i].wt_lastw);
		free(sh->ws_threads[i].wt_rec);
	}
	free(sh->ws_threads);
	free((void *)sh->ws_ever);
}

/* ---- accesses ---- */

/*
 * One access to a read-only page: check all of its known contents; a
 * write is tried on purpose and must be refused.
 */
static void wl_access_ro(struct wl_thread *t, uint64_t vpn, bool write)
{
	struct wl_shared *sh = t->wt_sh;
	_Atomic uint64_t *w = (_Atomic uint64_t *)(sh->ws_base + (vpn << VM_PAGE_SHIFT));
	uint64_t tag = sh->ws_cfg.wc_tag;
	bool bad = atomic_load_explicit(&w[0], memory_order_relaxed) != wl_stamp(tag, vpn);

	vm_process_touch(sh->ws_proc, w);
	for (uint64_t i = 1; i < WL_WORDS && !bad; i++)
		bad = atomic_load_explicit(&w[i], memory_order_relaxed) != wl_image_word(tag, vpn, i);
	t->wt_c.wt_wrong_page += bad;
	t->wt_c.wt_ro_reads++;
	t->wt_c.wt_accesses++;
	if (!write)
		return;
	t->wt_c.wt_writes++;
	if (wl_try_write(&w[0], wl_stamp(tag, vpn)))
		t->wt_c.wt_ro_written++;
	else
		t->wt_c.wt_av++;
}

/*
 * One access to vpn: read and check it; if write, update my count word and
 * the stamp.  Every load and store may fault; the fault is resolved in the
 * SIGBUS handler and the instruction retried.
 */
static void wl_access(struct wl_thread *t, uint64_t vpn, bool write)
{
	struct wl_shared *sh = t->wt_sh;
	_Atomic uint64_t *w = (_Atomic uint64_t *)(sh->ws_base + (vpn << VM_PAGE_SHIFT));
	bool ever;
	uint64_t stamp, mine, want = wl_stamp(sh->ws_cfg.wc_tag, vpn);

	if (vpn < sh->ws_ro_end) {
		wl_access_ro(t, vpn, write);
		return;
	}
	ever = atomic_load_explicit(&sh->ws_ever[vpn], memory_order_acquire);
	stamp = atomic_load_explicit(&w[0], memory_order_relaxed);
	vm_process_touch(sh->ws_proc, w);
	mine = atomic_load_explicit(&w[1 + t->wt_id], memory_order_relaxed);
	if (stamp == 0) {
		if (ever)
			t->wt_c.wt_zeroed++;
	} else if (stamp != want) {
		t->wt_c.wt_wrong_page++;
	} else if (mine != t->wt_lastw[vpn]) {
		if (mine < t->wt_lastw[vpn])
			t->wt_c.wt_lost_write++;
		else
			t->wt_c.wt_wrong_page++;
	}
	t->wt_c.wt_accesses++;
	if (!write)
		return;
	atomic_store_explicit(&w[1 + t->wt_id], ++t->wt_lastw[vpn], memory_order_relaxed);
	if (stamp != want)
		atomic_store_explicit(&w[0], want, memory_order_relaxed);
	if (!ever)
		atomic_store_explicit(&sh->ws_ever[vpn], 1, memory_order_release);
	t->wt_c.wt_writes++;
}

static uint64_t wl_next_runs(struct wl_thread *t)
{
	struct wl_shared *sh = t->wt_sh;
	uint64_t vpn;

	if (t->wt_run_left == 0) {
		t->wt_cur = vm_rand(&t->wt_rng) % sh->ws_npages;
		t->wt_run_left = 1 + vm_rand(&t->wt_rng) % (uint64_t)sh->ws_cfg.wc_max_run;
	}
	vpn = t->wt_cur;
	t->wt_cur = t->wt_cur + 1 == sh->ws_npages ? 0 : t->wt_cur + 1;
	t->wt_run_left--;
	return vpn;
}

static uint64_t wl_next_phases(struct wl_thread *t)
{
	struct wl_shared *sh = t->wt_sh;
	uint64_t w = sh->ws_cfg.wc_phase_pages, phase = t->wt_n / sh->ws_cfg.wc_phase_len;

	if (phase != t->wt_phase) {
		uint64_t r = vm_seed_mix(sh->ws_cfg.wc_seed ^ 0x9a5e, phase);
		t->wt_phase = phase;
		t->wt_phase_base = r % (sh->ws_npages - w + 1);
	}
	return t->wt_phase_base + vm_rand(&t->wt_rng) % w;
}

/* The next page to access and whether it is a write, by the pattern. */
static uint64_t wl_next(struct wl_thread *t, bool *write)
{
	struct wl_shared *sh = t->wt_sh;
	uint64_t vpn = 0;

	switch (sh->ws_cfg.wc_kind) {
	case WL_RUNS:
		vpn = wl_next_runs(t);
		break;
	case WL_UNIFORM:
		vpn = vm_rand(&t->wt_rng) % sh->ws_npages;
		break;
	case WL_ZIPF:
		vpn = wl_zipf_page(sh, wl_zipf_next(&sh->ws_zipf, &t->wt_rng) - 1);
		break;
	case WL_SCAN:
		vpn = t->wt_cur;
		t->wt_cur = t->wt_cur + 1 == sh->ws_cfg.wc_scan_pages ? 0 : t->wt_cur + 1;
		break;
	case WL_PHASES:
		vpn = wl_next_phases(t);
		break;
	case WL_TRACE: {
		const struct trace_ref *r = &sh->ws_cfg.wc_trace->t_refs[t->wt_trace_i];
		t->wt_trace_i += (uint64_t)sh->ws_cfg.wc_threads;
		t->wt_n++;
		*write = r->tr_write;
		return r->tr_vpn;
	}
	}
	t->wt_n++;
	*write = vm_rand01(&t->wt_rng) < sh->ws_cfg.wc_write_ratio;
	return vpn;
}

/*
 * Keep the reference, in the global order, for --record.  Returns false,
 * with ws_record_full set, when the recording is full (wc_record_max) or
 * cannot grow: the access must not be made.  The buffer grows before a
 * sequence number is taken, so every number below the final count is held
 * by exactly one record.
 */
static bool wl_record(struct wl_thread *t, uint64_t vpn, bool write)
{
	struct wl_shared *sh = t->wt_sh;
	uint64_t seq;

	if (t->wt_nrec == t->wt_caprec) {
		uint64_t cap = t->wt_caprec ? t->wt_caprec * 2 : 65536;
		struct wl_rec *p = cap <= SIZE_MAX / sizeof(*p) ?
		    realloc(t->wt_rec, cap * sizeof(*p)) : NULL;
		if (p == NULL) {
			atomic_store(&sh->ws_record_full, 1);
			return false;
		}
		t->wt_rec = p;
		t->wt_caprec = cap;
	}
	seq = atomic_fetch_add_explicit(&sh->ws_seq, 1, memory_order_relaxed);
	if (sh->ws_cfg.wc_record_max && seq >= sh->ws_cfg.wc_record_max) {
		atomic_store(&sh->ws_record_full, 1);
		return false;
	}
	t->wt_rec[t->wt_nrec++] = (struct wl_rec){ seq, vpn, write };
	return true;
}

void *wl_thread_main(void *arg)
{
	struct wl_thread *t = arg;
	struct wl_shared *sh = t->wt_sh;
	char name[24];

	/* its track on the timeline, if one is recorded: before the first access */
	snprintf(name, sizeof(name), "user %d", t->wt_id);
	vm_timeline_thread(name, vm_process_name(sh->ws_proc));
	for (uint64_t i = 0; i < t->wt_quota; i++) {
		uint64_t vpn;
		bool write;

		if ((i & 255) == 0) {
			if (atomic_load_explicit(&sh->ws_stop, memory_order_relaxed))
				break;
			atomic_store_explicit(&t->wt_progress, i, memory_order_relaxed);
		}
		vpn = wl_next(t, &write);
		if (sh->ws_cfg.wc_record && !wl_record(t, vpn, write)) {
			atomic_store(&sh->ws_stop, 1);
			break;
		}
		wl_access(t, vpn, write);
	}
	atomic_store_explicit(&t->wt_progress, t->wt_c.wt_accesses, memory_order_relaxed);
	atomic_fetch_add(&sh->ws_done, 1);
	return NULL;
}

struct trace_ref *wl_record_merge(const struct wl_shared *sh, size_t *n)
{
	uint64_t total = 0;
	struct trace_ref *out;

	for (int i = 0; i < sh->ws_cfg.wc_threads; i++)
		total += sh->ws_threads[i].wt_nrec;
	out = malloc((total ? total : 1) * sizeof(*out));

	*n = 0;
	if (out == NULL)
		return NULL;
	/* Every sequence number below total is held by exactly one record. */
	for (int i = 0; i < sh->ws_cfg.wc_threads; i++) {
		const struct wl_thread *t = &sh->ws_threads[i];
		for (uint64_t j = 0; j < t->wt_nrec; j++)
			out[t->wt_rec[j].wr_seq] = (struct trace_ref){ t->wt_rec[j].wr_vpn,
				t->wt_rec[j].wr_write };
	}
	*n = total;
	return out;
}

void wl_sum(const struct wl_shared *sh, struct wl_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < sh->ws_cfg.wc_threads; i++) {
		const struct wl_counts *c = &sh->ws_threads[i].wt_c;
		out->wt_accesses += c->wt_accesses;
		out->wt_writes += c->wt_writes;
		out->wt_wrong_page += c->wt_wrong_page;
		out->wt_zeroed += c->wt_zeroed;
		out->wt_lost_write += c->wt_lost_write;
		out->wt_ro_reads += c->wt_ro_reads;
		out->wt_av += c->wt_av;
		out->wt_ro_written += c->wt_ro_written;
	}
}

uint64_t wl_failures(const struct wl_counts *c)
{
	return c->wt_wrong_page + c->wt_zeroed + c->wt_lost_write + c->wt_ro_written;
}

uint64_t wl_progress(const struct wl_shared *sh)
{
	uint64_t n = 0;

	for (int i = 0; i < sh->ws_cfg.wc_threads; i++)
		n += atomic_load_explicit(&sh->ws_threads[i].wt_progress, memory_order_relaxed);
	return n;
}
