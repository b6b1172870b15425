/*
 * kcompare.c - vmsim-kcompare: the same work on the kernel's own paging or
 * on vmsim, phase by phase, for bench/kernel-compare.sh (issue 13).
 *
 *	vmsim-kcompare kernel|vmsim|check [--pages N] [--physical BYTES]
 *	               [--random N] [--sweeps N] [--fill stamp|random]
 *	               [--seed N] [--cgroup DIR] [--zram DIR]
 *
 * (check: only check the options, as the script does before it changes
 * anything.)
 *
 * The work, on a region of N pages (default 16384: 64M):
 *   touch    write every page once, in order (first touch: a write, no
 *            read, so one fault a page on either side);
 *   random   N accesses (default 100000) to pages drawn uniformly, half of
 *            them writes;
 *   sweeps   read every page in order, N times (default 3).
 * Every access reads the page's stamp (its page number and how many times
 * it was written) and checks it against what this program last wrote; a
 * write then stores the next stamp.  --fill random also fills every page
 * with pseudo-random words on its first touch (the default, stamp, leaves
 * the rest of the page zero: the kernel's zram compresses that to nearly
 * nothing, random content not at all).
 *
 * kernel: the region is plain anonymous memory; run it inside a memory
 * cgroup with swap (kernel-compare.sh sets both up), and name that cgroup
 * with --cgroup so its resident and swapped bytes are read from it after
 * each phase (v2: memory.stat "anon", memory.swap.current; v1: memory.stat
 * "rss" and "swap"), and the zram device's /sys/block directory with
 * --zram, for the memory its compressed pages take (mm_stat's
 * mem_used_total).  Faults are the process's minor + major faults
 * (getrusage).
 * vmsim: the region is a vmsim instance with --physical bytes of frames
 * (default 16M) and an in-memory page file as large as the region, the
 * library's defaults otherwise; faults are its demand-zero, soft and hard
 * faults; its footprint is its frames, its mapped pages and the page file's
 * used slots.
 *
 * One line a phase on standard output:
 *   phase NAME sec S faults F us_per_fault U resident_kb R swap_kb W
 *         frames_kb M zram_kb Z errors E
 * (resident: the kernel's resident anonymous bytes, or vmsim's mapped
 * pages; swap: the kernel's swapped bytes, or vmsim's page-file bytes in
 * use; frames: vmsim's frames, 0 for the kernel; zram: what the zram
 * device uses, 0 without --zram), then "verify ok" or
 * "verify FAILED: N wrong".  Exit status 0 when every read checked; 1 when
 * one did not; 2 for bad arguments (one line on stderr, before any work).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "vm_sim.h"

struct kc_opts {
	bool ko_vmsim, ko_check;
	uint64_t ko_pages, ko_physical, ko_random, ko_seed;
	int ko_sweeps;
	bool ko_fill_random;
	const char *ko_cgroup, *ko_zram;
};

struct kc_state {
	const struct kc_opts *ks_o;
	char *ks_base;
	uint64_t *ks_version;		/* writes so far, per page */
	uint64_t ks_wrong;
	struct vm *ks_vm;
};

#define KC_USAGE "vmsim-kcompare kernel|vmsim|check [--pages N] [--physical BYTES] [--random N] " \
	"[--sweeps N] [--fill stamp|random] [--seed N] [--cgroup DIR] [--zram DIR]"

static void kc_usage_exit(const char *msg, const char *arg)
{
	fprintf(stderr, "vmsim-kcompare: %s%s%s (usage: " KC_USAGE ")\n", msg, arg ? ": " : "",
	    arg ? arg : "");
	exit(2);
}

/* A whole number in [lo, hi], with an optional K/M/G suffix if size. */
static uint64_t kc_number(const char *opt, const char *s, uint64_t lo, uint64_t hi, bool size)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (size && end != s && (*end == 'K' || *end == 'M' || *end == 'G') && end[1] == 0) {
		v <<= *end == 'K' ? 10 : *end == 'M' ? 20 : 30;
		end++;
	}
	if (errno != 0 || end == s || *end != 0 || s[0] == '-' || v < lo || v > hi) {
		char msg[160];
		snprintf(msg, sizeof msg, "%s wants a number from %llu to %llu%s", opt,
		    (unsigned long long)lo, (unsigned long long)hi, size ? " (bytes, or K, M, G)" : "");
		kc_usage_exit(msg, s);
	}
	return v;
}

static void kc_parse(int argc, char **argv, struct kc_opts *o)
{
	*o = (struct kc_opts){ .ko_pages = 16384, .ko_physical = 16 << 20, .ko_random = 100000,
	    .ko_seed = 1, .ko_sweeps = 3 };
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("usage: " KC_USAGE "\n(bench/kcompare.c says what each does)\n");
		exit(0);
	}
	if (argc < 2 || (strcmp(argv[1], "kernel") && strcmp(argv[1], "vmsim") &&
	    strcmp(argv[1], "check")))
		kc_usage_exit("the first argument is kernel, vmsim or check", argc < 2 ? NULL : argv[1]);
	o->ko_vmsim = !strcmp(argv[1], "vmsim");
	o->ko_check = !strcmp(argv[1], "check");
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL)
			kc_usage_exit("unknown option or missing value", a);
		if (!strcmp(a, "--pages"))
			o->ko_pages = kc_number(a, v, 64, 1 << 24, false);
		else if (!strcmp(a, "--physical"))
			o->ko_physical = kc_number(a, v, 32 << 10, 1ULL << 36, true);
		else if (!strcmp(a, "--random"))
			o->ko_random = kc_number(a, v, 0, 1ULL << 32, false);
		else if (!strcmp(a, "--sweeps"))
			o->ko_sweeps = (int)kc_number(a, v, 0, 100, false);
		else if (!strcmp(a, "--seed"))
			o->ko_seed = kc_number(a, v, 0, UINT64_MAX, false);
		else if (!strcmp(a, "--fill") && (!strcmp(v, "stamp") || !strcmp(v, "random")))
			o->ko_fill_random = !strcmp(v, "random");
		else if (!strcmp(a, "--cgroup"))
			o->ko_cgroup = v;
		else if (!strcmp(a, "--zram"))
			o->ko_zram = v;
		else
			kc_usage_exit("unknown option or bad value", a);
		i++;
	}
	if (o->ko_physical % VM_PAGE_SIZE != 0)
		kc_usage_exit("--physical is a whole number of 4K pages", NULL);
}

/* ---- the work ---- */

static inline uint64_t kc_stamp(uint64_t page, uint64_t version)
{
	return (page << 24) ^ version ^ 0x6b636d7000000000ULL;
}

/* Read page i's stamp and check it; a write stores the next one. */
static inline void kc_access(struct kc_state *s, uint64_t i, bool write)
{
	volatile uint64_t *w = (volatile uint64_t *)(s->ks_base + (i << VM_PAGE_SHIFT));

	if (w[0] != kc_stamp(i, s->ks_version[i]))
		s->ks_wrong++;
	if (write)
		w[0] = kc_stamp(i, ++s->ks_version[i]);
}

/* First touch: a write to every page, no read (the first access a page
 * sees is a write, on both sides: one fault each). */
static void kc_touch(struct kc_state *s)
{
	uint64_t rng = vm_seed_mix(s->ks_o->ko_seed, 1);

	for (uint64_t i = 0; i < s->ks_o->ko_pages; i++) {
		volatile uint64_t *w = (volatile uint64_t *)(s->ks_base + (i << VM_PAGE_SHIFT));
		w[0] = kc_stamp(i, ++s->ks_version[i]);
		if (s->ks_o->ko_fill_random)
			for (size_t k = 1; k < VM_PAGE_SIZE / 8; k++)
				w[k] = vm_rand(&rng);
	}
}

static void kc_random(struct kc_state *s)
{
	uint64_t rng = vm_seed_mix(s->ks_o->ko_seed, 2);

	for (uint64_t n = 0; n < s->ks_o->ko_random; n++) {
		uint64_t r = vm_rand(&rng);
		kc_access(s, (r >> 1) % s->ks_o->ko_pages, r & 1);
	}
}

static void kc_sweeps(struct kc_state *s)
{
	for (int k = 0; k < s->ks_o->ko_sweeps; k++)
		for (uint64_t i = 0; i < s->ks_o->ko_pages; i++)
			kc_access(s, i, false);
}

/* ---- what each side counts ---- */

struct kc_count {
	uint64_t kc_faults, kc_resident, kc_swap, kc_frames, kc_zram;	/* bytes but faults */
};

/* A key's value in the cgroup's memory.stat, or 0. */
static uint64_t kc_cgroup_stat(const char *dir, const char *key)
{
	char path[1200], line[256];
	size_t n = strlen(key);
	uint64_t v = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/memory.stat", dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, key, n) && line[n] == ' ')
			v = strtoull(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static uint64_t kc_cgroup_file(const char *dir, const char *name)
{
	char path[1200];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

/* The memory the zram device in dir uses (mm_stat's third field), or 0. */
static uint64_t kc_zram_used(const char *dir)
{
	char path[1200];
	unsigned long long orig, compr, used = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/mm_stat", dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%llu %llu %llu", &orig, &compr, &used) != 3)
		used = 0;
	fclose(f);
	return used;
}

static void kc_count(const struct kc_state *s, struct kc_count *c)
{
	const char *cg = s->ks_o->ko_cgroup;

	memset(c, 0, sizeof *c);
	if (s->ks_o->ko_zram != NULL)
		c->kc_zram = kc_zram_used(s->ks_o->ko_zram);
	if (s->ks_vm != NULL) {
		struct vm_stats st;
		vm_get_stats(s->ks_vm, &st);
		c->kc_faults = st.vs_faults_dz + st.vs_faults_soft_standby +
		    st.vs_faults_soft_modified + st.vs_faults_hard;
		c->kc_resident = st.vs_nactive * VM_PAGE_SIZE;
		c->kc_swap = st.vs_pgf_used * VM_PAGE_SIZE;
		c->kc_frames = s->ks_o->ko_physical;
		return;
	}
	{
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		c->kc_faults = (uint64_t)(ru.ru_minflt + ru.ru_majflt);
	}
	if (cg == NULL)
		return;
	if (kc_cgroup_file(cg, "memory.swap.current") != 0 || kc_cgroup_stat(cg, "anon") != 0) {
		c->kc_resident = kc_cgroup_stat(cg, "anon");	/* v2 */
		c->kc_swap = kc_cgroup_file(cg, "memory.swap.current");
	} else {
		c->kc_resident = kc_cgroup_stat(cg, "rss");	/* v1 */
		c->kc_swap = kc_cgroup_stat(cg, "swap");
	}
}

static void kc_phase(struct kc_state *s, const char *name, void (*fn)(struct kc_state *))
{
	struct kc_count a, b;
	uint64_t t0, t1, wrong0 = s->ks_wrong;
	double faults;

	kc_count(s, &a);
	t0 = vm_now_ns();
	fn(s);
	t1 = vm_now_ns();
	kc_count(s, &b);
	faults = (double)(b.kc_faults - a.kc_faults);
	printf("phase %s sec %.6f faults %.0f us_per_fault %.3f resident_kb %llu swap_kb %llu "
	    "frames_kb %llu zram_kb %llu errors %llu\n", name, (double)(t1 - t0) * 1e-9, faults,
	    faults > 0 ? (double)(t1 - t0) * 1e-3 / faults : 0.0,
	    (unsigned long long)(b.kc_resident >> 10), (unsigned long long)(b.kc_swap >> 10),
	    (unsigned long long)(b.kc_frames >> 10), (unsigned long long)(b.kc_zram >> 10),
	    (unsigned long long)(s->ks_wrong - wrong0));
	fflush(stdout);
}

static char *kc_region(const struct kc_opts *o, struct vm **vmp)
{
	size_t len = o->ko_pages * VM_PAGE_SIZE;
	char err[256];

	if (o->ko_vmsim) {
		struct vm_config c = VM_CONFIG_DEFAULT;
		c.vc_machine.mc_physical = o->ko_physical;
		c.vc_machine.mc_pagefile = len;
		c.vc_space.as_virtual = len;
		if (vm_create(&c, vmp, err, sizeof err) != 0) {
			fprintf(stderr, "vmsim-kcompare: %s\n", err);
			exit(2);
		}
		return vm_base(*vmp);
	}
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "vmsim-kcompare: mmap of %zu bytes: %s\n", len, strerror(errno));
		exit(2);
	}
	madvise(p, len, MADV_NOHUGEPAGE);	/* 4K pages, as vmsim's */
	return p;
}

int main(int argc, char **argv)
{
	struct kc_opts o;
	struct kc_state s = { 0 };

	kc_parse(argc, argv, &o);
	if (o.ko_check)
		return 0;
	s.ks_o = &o;
	s.ks_version = calloc(o.ko_pages, sizeof *s.ks_version);
	if (s.ks_version == NULL) {
		fprintf(stderr, "vmsim-kcompare: out of memory\n");
		return 2;
	}
	s.ks_base = kc_region(&o, &s.ks_vm);
	kc_phase(&s, "touch", kc_touch);
	kc_phase(&s, "random", kc_random);
	kc_phase(&s, "sweeps", kc_sweeps);
	if (s.ks_wrong == 0)
		printf("verify ok\n");
	else
		printf("verify FAILED: %llu wrong\n", (unsigned long long)s.ks_wrong);
	if (s.ks_vm != NULL)
		vm_destroy(s.ks_vm);
	else
		munmap(s.ks_base, o.ko_pages * VM_PAGE_SIZE);
	free(s.ks_version);
	return s.ks_wrong != 0;
}
