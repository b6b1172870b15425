/*
 * soak.c - every soak configuration (soak_configs.c) in rotation for a
 * given total time.  Each slice of time is one configuration on a fresh
 * instance: the user threads run with every access verified, in phases of
 * at most SOAK_PHASE_S seconds; between phases the threads stop, the system
 * threads park and the whole structure is validated (expensively); after
 * the last, the configuration's feature checks (scenario.h); then the
 * instance is destroyed and the next configuration starts.  Prints a line
 * per slice, then a table: per configuration the slices run, verified
 * accesses, faults by kind and failed slices, and the totals; last the
 * line "soak: N passed, N failed", one check per slice.  Exit 1 on any
 * failure, 2 on bad input.
 *
 * usage: soak [--seconds N] [--slice S] [--seed N] [--only NAME,...]
 *             [--dir DIR] [--list]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario.h"
#include "soak.h"
#include "vm_sim.h"

#define SOAK_PHASE_S 5.0		/* validate at least this often */
#define SOAK_MAX_S (7 * 86400.0)	/* a week */
#define SOAK_MAX_DEFS 64

struct soak_opts {
	double so_seconds;		/* the whole soak */
	double so_slice;		/* one configuration's turn (0: max(5, seconds / 24)) */
	uint64_t so_seed;
	bool so_run[SOAK_MAX_DEFS];		/* per soak_defs[] entry: in the rotation */
	const char *so_dir;		/* temporary files */
	int so_list;
};

/* What one configuration did over all its slices. */
struct soak_row {
	uint64_t sr_slices, sr_failed;
	double sr_seconds;
	uint64_t sr_accesses, sr_dz, sr_soft, sr_hard, sr_trimmed;
	struct soak_io_counts sr_io;
};

/* The soak's own words, beside scenario.h's. */
struct soak_extra {
	int sx_pgf_file;
	int sx_io;
};

/* Bad input: one line on stderr, exit 2. */
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("soak: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (usage: soak [--seconds N] [--slice S] [--seed N] [--only NAME,...] "
	    "[--dir DIR] [--list])\n", stderr);
	exit(2);
}

/* A positive number of seconds, at most a week. */
static double opt_seconds(const char *name, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end != '\0' || !(v > 0.0 && v <= SOAK_MAX_S))
		usage_error("%s must be seconds in (0, %.0f], not '%s'", name, SOAK_MAX_S, s);
	return v;
}

/* --only a,b,c: the configurations to run, each named once or more. */
static void opt_only(struct soak_opts *o, const char *list)
{
	char buf[1024], *save, *tok;

	if (strlen(list) >= sizeof(buf))
		usage_error("--only list too long");
	strcpy(buf, list);
	memset(o->so_run, 0, sizeof(o->so_run));
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int i;
		for (i = 0; i < soak_ndefs && strcmp(soak_defs[i].sd_name, tok) != 0; i++)
			;
		if (i == soak_ndefs)
			usage_error("no configuration named '%s' (--list names them)", tok);
		o->so_run[i] = true;
	}
}

/* The command line into o; bad input exits 2 before any work. */
static void soak_parse(struct soak_opts *o, int argc, char **argv)
{
	static const struct option longs[] = {
		{ "seconds", required_argument, NULL, 's' }, { "slice", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 'S' }, { "only", required_argument, NULL, 'o' },
		{ "dir", required_argument, NULL, 'd' }, { "list", no_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 } };
	const char *tmp = getenv("TMPDIR");
	char *end;
	int c;

	o->so_seconds = 120;
	o->so_seed = 1;
	o->so_dir = tmp && *tmp ? tmp : "/tmp";
	for (int i = 0; i < soak_ndefs; i++)
		o->so_run[i] = true;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		switch (c) {
		case 's': o->so_seconds = opt_seconds("--seconds", optarg); break;
		case 'l': o->so_slice = opt_seconds("--slice", optarg); break;
		case 'S':
			errno = 0;
			o->so_seed = strtoull(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-')
				usage_error("--seed must be a whole number, not '%s'", optarg);
			break;
		case 'o': opt_only(o, optarg); break;
		case 'd': o->so_dir = optarg; break;
		case 'L': o->so_list = 1; break;
		default:
			usage_error("unknown option or missing value: '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (o->so_slice == 0)
		o->so_slice = o->so_seconds / 24 > 5 ? o->so_seconds / 24 : 5;
	if (o->so_slice > o->so_seconds)
		o->so_slice = o->so_seconds;
	if (access(o->so_dir, W_OK) != 0)
		usage_error("--dir %s is not a writable directory", o->so_dir);
}

/*
 * Configuration d as a scenario and the soak's extras.  Returns 0, or -1
 * with the offending word in err.
 */
static int soak_build(const struct soak_def *d, struct scn *sc, struct soak_extra *x,
    char *err, size_t errlen)
{
	char buf[512], *save, *w;

	scn_init(sc, d->sd_name);
	memset(x, 0, sizeof(*x));
	snprintf(buf, sizeof(buf), "%s", d->sd_words);
	for (w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		if (strcmp(w, "pgf-file=1") == 0)
			x->sx_pgf_file = 1;
		else if (strcmp(w, "io=1") == 0)
			x->sx_io = 1;
		else if (!scn_opt(sc, w)) {
			snprintf(err, errlen, "%s: bad word '%s'", d->sd_name, w);
			return -1;
		}
	}
	if (x->sx_io) {
		/* the locked buffer lies past the user threads' pages */
		sc->sc_wl.wc_pages = sc->sc_vm.vc_space.as_virtual / VM_PAGE_SIZE;
		sc->sc_vm.vc_space.as_virtual += SOAK_IO_PAGES * VM_PAGE_SIZE;
		sc->sc_vm.vc_machine.mc_pagefile += SOAK_IO_PAGES * VM_PAGE_SIZE;
	}
	scn_finish(sc);
	return 0;
}

/* Whether configuration i can run in this build. */
static bool soak_runnable(int i)
{
	struct scn sc;
	struct soak_extra x;
	char err[256];

	return soak_build(&soak_defs[i], &sc, &x, err, sizeof(err)) == 0;
}

/* Run the phases of one slice; returns true if every check passed. */
static bool soak_phases(struct scn *sc, struct vm *vm, struct wl_shared *sh,
    struct soak_io *io, double seconds)
{
	int nphase = (int)(seconds / SOAK_PHASE_S);
	bool ok = true;

	if (nphase * SOAK_PHASE_S < seconds)
		nphase++;
	for (int p = 0; p < nphase; p++) {
		if (io != NULL && soak_io_start(io) != 0) {
			fprintf(stderr, "%s: cannot start the I/O thread\n", sc->sc_name);
			return false;
		}
		if (scn_run_threads(sh, 0, seconds / nphase) != 0) {
			fprintf(stderr, "%s: cannot start the user threads\n", sc->sc_name);
			ok = false;
		}
		if (io != NULL)
			soak_io_stop(io);
		ok &= scn_check_phase(sc->sc_name, p, vm, sh, 1);
	}
	return ok;
}

/* The slice's checks after its phases: features, I/O; counts into row. */
static bool soak_tally(struct scn *sc, struct vm *vm, struct wl_shared *sh,
    struct soak_io *io, struct soak_row *row)
{
	struct soak_io_counts ic = { 0 };
	struct wl_counts c;
	struct vm_stats s;
	int pass = 0, fail = 0;
	bool ok;

	scn_check_features(sc, vm, sh, &pass, &fail);
	ok = fail == 0;
	if (io != NULL) {
		soak_io_counts(io, &ic);
		if (ic.ic_reads == 0 || ic.ic_bad != 0 || ic.ic_errors != 0) {
			fprintf(stderr, "%s: kernel I/O: %llu reads, %llu bad words, %llu errors\n",
			    sc->sc_name, (unsigned long long)ic.ic_reads,
			    (unsigned long long)ic.ic_bad, (unsigned long long)ic.ic_errors);
			ok = false;
		}
		soak_io_add(&row->sr_io, &ic);
	}
	vm_get_stats(vm, &s);
	wl_sum(sh, &c);
	row->sr_accesses += c.wt_accesses;
	row->sr_dz += s.vs_faults_dz;
	row->sr_soft += s.vs_faults_soft_standby + s.vs_faults_soft_modified;
	row->sr_hard += s.vs_faults_hard;
	row->sr_trimmed += s.vs_trimmed;
	return ok;
}

/*
 * One slice: configuration i for `seconds` on a fresh instance seeded with
 * seed.  Adds to row; returns true if every check passed.
 */
static bool soak_slice(const struct soak_opts *o, int i, uint64_t seed, double seconds,
    struct soak_row *row)
{
	const struct soak_def *d = &soak_defs[i];
	char err[512], path[PATH_MAX] = "";
	struct soak_extra x;
	struct soak_io *io = NULL;
	struct wl_shared sh;
	struct scn sc;
	struct vm *vm;
	bool ok = false;

	soak_build(d, &sc, &x, err, sizeof(err));	/* checked at start-up */
	sc.sc_vm.vc_space.as_seed = seed;
	sc.sc_wl.wc_seed = seed;
	if (x.sx_pgf_file) {
		int fd;
		snprintf(path, sizeof(path), "%s/vmsim-soak-pgf.XXXXXX", o->so_dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "%s: cannot create a page file in %s: %s\n", d->sd_name,
			    o->so_dir, strerror(errno));
			return false;
		}
		close(fd);
		sc.sc_vm.vc_machine.mc_pagefile_path = path;
	}
	if (vm_create(&sc.sc_vm, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", d->sd_name, err);
		goto out_unlink;
	}
	if (path[0] != '\0')
		unlink(path);		/* vmsim holds it open */
	path[0] = '\0';
	if (wl_init(&sh, vm, &sc.sc_wl) != 0) {
		fprintf(stderr, "%s: out of memory\n", d->sd_name);
		goto out_wl;
	}
	if (x.sx_io) {
		io = soak_io_create(vm, (char *)vm_base(vm) + sc.sc_wl.wc_pages * VM_PAGE_SIZE,
		    o->so_dir, seed, err, sizeof(err));
		if (io == NULL) {
			fprintf(stderr, "%s: %s\n", d->sd_name, err);
			goto out_wl;
		}
	}
	ok = soak_phases(&sc, vm, &sh, io, seconds);
	ok &= soak_tally(&sc, vm, &sh, io, row);
	if (io != NULL)
		soak_io_destroy(io);
out_wl:
	wl_destroy(&sh);
	vm_destroy(vm);
out_unlink:
	if (path[0] != '\0')
		unlink(path);
	return ok;
}

/* --list: each configuration, what it stresses, and its words. */
static void soak_list(void)
{
	for (int i = 0; i < soak_ndefs; i++)
		printf("%-15s %s%s\n%-15s   %s\n", soak_defs[i].sd_name, soak_defs[i].sd_what,
		    soak_runnable(i) ? "" : " [skipped in this build]", "", soak_defs[i].sd_words);
}

/* One row of the table. */
static void soak_table_line(const char *name, const struct soak_row *r)
{
	printf("%-15s %6llu %8.1f %17llu %9.0f %11llu %11llu %11llu %11llu %6llu\n", name,
	    (unsigned long long)r->sr_slices, r->sr_seconds, (unsigned long long)r->sr_accesses,
	    r->sr_seconds > 0 ? (double)r->sr_accesses / r->sr_seconds : 0.0,
	    (unsigned long long)r->sr_dz, (unsigned long long)r->sr_soft,
	    (unsigned long long)r->sr_hard, (unsigned long long)r->sr_trimmed,
	    (unsigned long long)r->sr_failed);
}

/* *t += *r. */
static void soak_row_add(struct soak_row *t, const struct soak_row *r)
{
	t->sr_slices += r->sr_slices;
	t->sr_failed += r->sr_failed;
	t->sr_seconds += r->sr_seconds;
	t->sr_accesses += r->sr_accesses;
	t->sr_dz += r->sr_dz;
	t->sr_soft += r->sr_soft;
	t->sr_hard += r->sr_hard;
	t->sr_trimmed += r->sr_trimmed;
	soak_io_add(&t->sr_io, &r->sr_io);
}

/* The table: one row per configuration, the totals, the kernel I/O. */
static void soak_table(const struct soak_opts *o, const struct soak_row *rows)
{
	struct soak_row t = { 0 };

	printf("\n%-15s %6s %8s %17s %9s %11s %11s %11s %11s %6s\n", "configuration", "slices",
	    "seconds", "verified accesses", "per s", "demand-zero", "soft", "hard", "trimmed",
	    "failed");
	for (int i = 0; i < soak_ndefs; i++) {
		const struct soak_row *r = &rows[i];
		if (!o->so_run[i])
			continue;
		if (!soak_runnable(i)) {
			printf("%-15s skipped: %s\n", soak_defs[i].sd_name,
			    "its configuration does not build here");
			continue;
		}
		soak_table_line(soak_defs[i].sd_name, r);
		soak_row_add(&t, r);
	}
	soak_table_line("all", &t);
	if (t.sr_io.ic_reads + t.sr_io.ic_errors > 0)
		printf("kernel I/O into locked pages: %llu vm_pread, %llu vm_pwrite (%llu O_DIRECT%s), "
		    "%.1f MB checked, %llu bad words, %llu errors\n",
		    (unsigned long long)t.sr_io.ic_reads, (unsigned long long)t.sr_io.ic_writes,
		    (unsigned long long)t.sr_io.ic_direct,
		    t.sr_io.ic_no_direct ? "; the filesystem refused O_DIRECT" : "",
		    (double)t.sr_io.ic_checked / 1e6, (unsigned long long)t.sr_io.ic_bad,
		    (unsigned long long)t.sr_io.ic_errors);
}

/* The configurations to rotate through, in order; returns how many. */
static int soak_order(const struct soak_opts *o, int *order)
{
	int n = 0;

	for (int i = 0; i < soak_ndefs; i++)
		if (o->so_run[i] && soak_runnable(i))
			order[n++] = i;
	return n;
}

/* Print one slice's line; on a failure, how to run it again. */
static void soak_slice_line(int n, int i, double dt, uint64_t accesses, bool ok, uint64_t seed,
    double len)
{
	printf("slice %4d  %-15s %6.1f s %14llu verified accesses  %s", n + 1,
	    soak_defs[i].sd_name, dt, (unsigned long long)accesses, ok ? "ok\n" : "FAILED");
	if (!ok)
		printf(" (again: soak --only %s --seed %llu --seconds %.1f)\n", soak_defs[i].sd_name,
		    (unsigned long long)seed, len);
	fflush(stdout);
}

/*
 * Slices of the configurations in order[0..norder), round and round, until
 * the time is used (a last slice shorter than half a slice is not run).
 * Slice n is seeded with seed + n.  Counts into rows, *pass and *fail.
 */
static void soak_rotate(const struct soak_opts *o, const int *order, int norder,
    struct soak_row *rows, int *pass, int *fail)
{
	uint64_t t0 = vm_now_ns();

	for (int n = 0;; n++) {
		double left = o->so_seconds - (double)(vm_now_ns() - t0) / 1e9, len, dt;
		int i = order[n % norder];
		uint64_t before = rows[i].sr_accesses, t1 = vm_now_ns();
		uint64_t seed = o->so_seed + (uint64_t)n;
		bool ok;

		if (n > 0 && left < o->so_slice / 2)
			return;
		len = left < o->so_slice ? left : o->so_slice;
		if (len < 0.1)
			len = 0.1;
		ok = soak_slice(o, i, seed, len, &rows[i]);
		dt = (double)(vm_now_ns() - t1) / 1e9;
		rows[i].sr_slices++;
		rows[i].sr_seconds += dt;
		rows[i].sr_failed += !ok;
		*pass += ok;
		*fail += !ok;
		soak_slice_line(n, i, dt, rows[i].sr_accesses - before, ok, seed, len);
	}
}

int main(int argc, char **argv)
{
	static struct soak_row rows[SOAK_MAX_DEFS];
	struct soak_opts o;
	int order[SOAK_MAX_DEFS], norder, pass = 0, fail = 0;
	char err[256];

	if (soak_ndefs > SOAK_MAX_DEFS) {
		fprintf(stderr, "soak: %d configurations, room for %d\n", soak_ndefs, SOAK_MAX_DEFS);
		return 2;
	}
	memset(&o, 0, sizeof(o));
	soak_parse(&o, argc, argv);
	for (int i = 0; i < soak_ndefs; i++) {
		struct scn sc;
		struct soak_extra x;
		if (soak_build(&soak_defs[i], &sc, &x, err, sizeof(err)) != 0) {
			fprintf(stderr, "soak: %s\n", err);
			return 2;
		}
	}
	if (o.so_list) {
		soak_list();
		return 0;
	}
	norder = soak_order(&o, order);
	if (norder == 0)
		usage_error("none of the chosen configurations can run in this build");
	printf("soak: %.0f s, %d configurations in rotation, slices of %.1f s, seed %llu, "
	    "VM_DEBUG=%d\n", o.so_seconds, norder, o.so_slice, (unsigned long long)o.so_seed,
	    VM_DEBUG);
	fflush(stdout);
	soak_rotate(&o, order, norder, rows, &pass, &fail);
	soak_table(&o, rows);
	printf("soak: %d passed, %d failed\n", pass, fail);
	return fail != 0;
}
