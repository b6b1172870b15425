/*
 * preflight.c - what the vmsim command checks before it creates anything
 * (step 3 in cli.h), and how it refuses.
 *
 *  - Files by identity: the trace (input) and every output (--pagefile-path,
 *    --record, --mrc-plot, --timeline, and standard output and error when they are files) are
 *    compared by device and inode, or, for an output not yet created, by
 *    its directory's identity and its name.  No output may be the input or
 *    another output (standard output and error may share).  An existing
 *    page-file path must be a regular file (it is truncated); --record may
 *    be a file, a character device or a FIFO, not a directory, block
 *    device or socket.
 *  - Memory: vm_footprint() + the workload's per-page state + the trace +
 *    --record + --compare + --timeline + the sampler (--plot, --live,
 *    --timeline) must fit in vm_memory_limit(); the trace loader
 *    is bounded by what is left, and a timed --record stops the run when
 *    its records reach what is left after everything else.
 *  - Disk: none here.  vm_create() reserves a file-backed page file's whole
 *    size on its file system (posix_fallocate) and refuses, leaving no
 *    file, when it cannot be had: the library's check is the one check.
 *  - --record is opened (created, not truncated) now, written after the
 *    run, so an unwritable path is refused before the run; --timeline's
 *    temporary file is created beside its path (timeline.c).
 *  - The pictures (--plot, --mrc-plot): gnuplot on PATH, and a file can be
 *    created beside each (gnuplot.c).  --live: the terminal (live.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "gnuplot.h"
#include "live.h"
#include "trace_fmt.h"

/* ---- refusing, warning, quoting ---- */

#define CLI_UNDO_MAX 4

static const char *cli_undo[CLI_UNDO_MAX];	/* files to remove on a refusal */
static int cli_nundo;

void cli_created(const char *path)
{
	if (cli_nundo < CLI_UNDO_MAX)
		cli_undo[cli_nundo++] = path;
}

void cli_keep(void)
{
	cli_nundo = 0;
}

/* "vmsim: " + msg on one line: control bytes that slipped in are escaped. */
static void cli_line(const char *tag, const char *fmt, va_list ap)
{
	char msg[1024], out[4 * sizeof(msg)];
	size_t o = 0;

	live_end();		/* the full-screen view, if any, gives the terminal back */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	for (const char *p = msg; *p != '\0' && o + 5 < sizeof(out); p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	fprintf(stderr, "vmsim: %s%s\n", tag, out);
}

_Noreturn void cli_refuse(const char *fmt, ...)
{
	va_list ap;

	for (int i = 0; i < cli_nundo; i++)
		unlink(cli_undo[i]);
	va_start(ap, fmt);
	cli_line("", fmt, ap);
	va_end(ap);
	exit(2);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_line("warning: ", fmt, ap);
	va_end(ap);
}

const char *cli_q(const char *s)
{
	static char buf[4][256];
	static int next;
	char *b = buf[next++ & 3];

	return vm_str_escape(b, sizeof(buf[0]), s, strlen(s));
}

void cli_fds_check(void)
{
	bool out_closed = false;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			exit(2);
		out_closed |= fd == 1;
	}
	if (out_closed)
		cli_refuse("standard output is closed: the report would be lost");
}

/* ---- files by identity ---- */

struct pf_file {
	const char *pf_what;		/* "--trace", "standard output" */
	const char *pf_path;		/* NULL: pf_fd */
	int pf_fd;
	bool pf_output;
	bool pf_known;			/* identity known */
	bool pf_exists;
	struct stat pf_st;		/* if it exists */
	struct stat pf_dir;		/* its directory's, if it does not */
	const char *pf_base;		/* its name there */
	char pf_dirpath[PATH_MAX];
};

/* Find f's identity: its own, or its directory's and its name. */
static void pf_identify(struct pf_file *f)
{
	const char *slash;

	if (f->pf_path == NULL) {
		f->pf_known = f->pf_exists = fstat(f->pf_fd, &f->pf_st) == 0;
		return;
	}
	slash = strrchr(f->pf_path, '/');
	f->pf_base = slash ? slash + 1 : f->pf_path;
	if (slash == NULL)
		strcpy(f->pf_dirpath, ".");
	else
		snprintf(f->pf_dirpath, sizeof(f->pf_dirpath), "%.*s",
		    slash == f->pf_path ? 1 : (int)(slash - f->pf_path), f->pf_path);
	if (stat(f->pf_path, &f->pf_st) == 0) {
		f->pf_known = f->pf_exists = true;
		return;
	}
	f->pf_known = errno == ENOENT && *f->pf_base != '\0' &&
	    stat(f->pf_dirpath, &f->pf_dir) == 0;
}

static bool pf_same(const struct pf_file *a, const struct pf_file *b)
{
	if (!a->pf_known || !b->pf_known || a->pf_exists != b->pf_exists)
		return false;
	if (a->pf_exists)	/* a terminal or /dev/null may be shared */
		return a->pf_st.st_dev == b->pf_st.st_dev && a->pf_st.st_ino == b->pf_st.st_ino &&
		    !S_ISCHR(a->pf_st.st_mode);
	return a->pf_dir.st_dev == b->pf_dir.st_dev && a->pf_dir.st_ino == b->pf_dir.st_ino &&
	    strcmp(a->pf_base, b->pf_base) == 0;
}

static const char *pf_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISBLK(m) ? "a block device" :
	    S_ISCHR(m) ? "a character device" : S_ISFIFO(m) ? "a FIFO" :
	    S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* "--trace t.trace" or "standard output". */
static const char *pf_name(const struct pf_file *f, char *buf, size_t n)
{
	if (f->pf_path == NULL)
		return f->pf_what;
	snprintf(buf, n, "%s %s", f->pf_what, cli_q(f->pf_path));
	return buf;
}

/* What may be named where: the kind of file each path may be. */
static void pf_check_kind(const struct pf_file *f)
{
	mode_t m = f->pf_st.st_mode;

	if (f->pf_path == NULL || !f->pf_exists)
		return;
	if (!f->pf_output && S_ISDIR(m))
		cli_refuse("--trace %s: a directory, not a trace", cli_q(f->pf_path));
	if (strcmp(f->pf_what, "--pagefile-path") == 0 && !S_ISREG(m))
		cli_refuse("--pagefile-path %s: %s: a page file is created there, or a regular "
		    "file truncated", cli_q(f->pf_path), pf_kind(m));
	if (strcmp(f->pf_what, "--record") == 0 && (S_ISDIR(m) || S_ISBLK(m) || S_ISSOCK(m)))
		cli_refuse("--record %s: %s: the recording is a text file", cli_q(f->pf_path),
		    pf_kind(m));
	if (strcmp(f->pf_what, "--timeline") == 0 && (S_ISDIR(m) || S_ISBLK(m) || S_ISSOCK(m)))
		cli_refuse("--timeline %s: %s: the timeline is a JSON file", cli_q(f->pf_path),
		    pf_kind(m));
}

/* With --process: no output may be a process's trace either. */
static void pf_check_proc_traces(const struct opts *o, const struct pf_file *out, int nout)
{
	char a[512], b[512];

	for (int i = 0; i < o->o_nproc_args; i++) {
		const char *path = o->o_procs[i].cp_trace_path;
		bool in = path != NULL && strcmp(path, "-") == 0;
		struct pf_file t = { .pf_what = in ? "trace - (standard input)" : "trace",
			.pf_path = in ? NULL : path, .pf_fd = 0 };

		if (path == NULL)
			continue;
		pf_identify(&t);
		pf_check_kind(&t);
		for (int j = 1; j < nout; j++)
			if (out[j].pf_output && pf_same(&t, &out[j]))
				cli_refuse("%s and --process %d's %s are the same file: the run would "
				    "overwrite its input", pf_name(&out[j], a, sizeof(a)), i + 1,
				    pf_name(&t, b, sizeof(b)));
	}
}

/* No output may be the input or another output. */
static void pf_check_files(struct opts *o, struct pf_file *pagefile)
{
	bool in = o->o_trace_path != NULL && strcmp(o->o_trace_path, "-") == 0;
	struct pf_file f[] = {
		{ .pf_what = in ? "--trace - (standard input)" : "--trace",
		  .pf_path = in ? NULL : o->o_trace_path, .pf_fd = in ? 0 : -1 },
		{ .pf_what = "--pagefile-path", .pf_path = o->o_vm.vc_machine.mc_pagefile_path, .pf_output = true },
		{ .pf_what = "--record", .pf_path = o->o_record, .pf_output = true },
		{ .pf_what = "standard output", .pf_fd = 1, .pf_output = true },
		{ .pf_what = "standard error", .pf_fd = 2, .pf_output = true },
		{ .pf_what = "--mrc-plot", .pf_path = o->o_mrc_plot, .pf_output = true },
		{ .pf_what = "--plot", .pf_path = o->o_plot, .pf_output = true },
		{ .pf_what = "--timeline", .pf_path = o->o_timeline, .pf_output = true },
	};
	const int n = (int)(sizeof(f) / sizeof(f[0]));
	char a[512], b[512];

	for (int i = 0; i < n; i++) {
		if (f[i].pf_path != NULL || (i >= 3 && i < 5) || (i == 0 && in))
			pf_identify(&f[i]);
		pf_check_kind(&f[i]);
	}
	for (int i = 0; i < n; i++) {
		for (int j = i + 1; j < n; j++) {
			if (i == 3 || !pf_same(&f[i], &f[j]))
				continue;	/* stdout and stderr may share */
			cli_refuse("%s and %s are the same file: %s", pf_name(&f[j], a, sizeof(a)),
			    pf_name(&f[i], b, sizeof(b)), f[i].pf_output ?
			    "one output would overwrite the other" : "the run would overwrite its input");
		}
	}
	pf_check_proc_traces(o, f, n);
	*pagefile = f[1];
}

/* ---- memory ---- */

struct pf_memory {
	uint64_t pm_vm, pm_wl, pm_trace, pm_compare, pm_timeline, pm_samples, pm_total;
};

/* With --process: the machine with every region at once (an upper bound:
 * they need not all live together), each process's workload state and
 * each trace read so far. */
static void pf_memory_procs(const struct opts *o, struct pf_memory *m)
{
	struct vm_config c = o->o_vm;

	c.vc_space.as_virtual = 0;
	m->pm_wl = m->pm_trace = 0;
	for (int i = 0; i < o->o_nprocs; i++) {
		const struct cli_proc *cp = &o->o_procs[i];
		bool shared = false;

		c.vc_space.as_virtual = vm_sat_add(c.vc_space.as_virtual, cp->cp_virtual);
		m->pm_wl = vm_sat_add(m->pm_wl, wl_footprint(&cp->cp_wl, cp->cp_virtual / VM_PAGE_SIZE));
		for (int j = 0; j < i && cp->cp_trace != NULL; j++)
			shared |= o->o_procs[j].cp_trace == cp->cp_trace;
		if (cp->cp_trace != NULL && !shared)
			m->pm_trace = vm_sat_add(m->pm_trace,
			    vm_sat_mul(cp->cp_trace->t_n, sizeof(struct trace_ref)));
	}
	m->pm_vm = vm_footprint(&c, NULL);
}

/* The run's memory, as far as known now (pm_trace 0 before the trace). */
static uint64_t pf_memory(const struct opts *o, struct pf_memory *m)
{
	uint64_t npages = o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE, n = o->o_trace.t_n;
	uint64_t distinct = n < npages ? n : npages;

	m->pm_vm = vm_footprint(&o->o_vm, NULL);
	m->pm_wl = wl_footprint(&o->o_wl, npages);
	m->pm_trace = vm_sat_mul(n, sizeof(struct trace_ref));
	if (o->o_nproc_args > 0)
		pf_memory_procs(o, m);
	m->pm_compare = 0;
	if (o->o_compare)	/* the oracles' ids and next-use arrays, maps, heaps */
		m->pm_compare = vm_sat_add(vm_sat_add(vm_sat_mul(n, 8), vm_sat_mul(distinct, 48)),
		    vm_sat_add(vm_sat_mul(o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE, 16), npages));
	if (o->o_mrc)		/* the curves' oracles (vmsim's runs: pm_vm at the largest size) */
		m->pm_compare = mrc_cmd_footprint(o);
	m->pm_timeline = timeline_footprint(o);
	m->pm_samples = o->o_view || o->o_plot != NULL || o->o_timeline != NULL ?
	    smp_footprint(o->o_nprocs) : 0;	/* main.c's sampler */
	m->pm_total = vm_sat_add(vm_sat_add(vm_sat_add(m->pm_vm, m->pm_wl),
	    vm_sat_add(m->pm_trace, m->pm_compare)), vm_sat_add(m->pm_timeline, m->pm_samples));
	return m->pm_total;
}

static void pf_check_memory(const struct opts *o)
{
	char t[32], v[32], w[32], tr[48], c[48], l[32], tl[48], sm[48];
	struct pf_memory m;

	if (pf_memory(o, &m) <= vm_memory_limit())
		return;
	tr[0] = c[0] = tl[0] = sm[0] = '\0';
	if (m.pm_timeline)
		snprintf(tl, sizeof(tl), " + --timeline %s", vm_size_approx(t, sizeof(t), m.pm_timeline));
	if (m.pm_samples)
		snprintf(sm, sizeof(sm), " + its samples %s", vm_size_approx(t, sizeof(t), m.pm_samples));
	if (m.pm_trace)
		snprintf(tr, sizeof(tr), " + the trace %s", vm_size_approx(t, sizeof(t), m.pm_trace));
	if (m.pm_compare)
		snprintf(c, sizeof(c), " + --%s %s", o->o_mrc ? "mrc" : "compare",
		    vm_size_approx(t, sizeof(t), m.pm_compare));
	cli_refuse("this run needs about %s of memory (vmsim %s + the workload's per-page state "
	    "and records %s%s%s%s%s): more than %s, 3/4 of this machine's memory",
	    vm_size_approx(t, sizeof(t), m.pm_total), vm_size_approx(v, sizeof(v), m.pm_vm),
	    vm_size_approx(w, sizeof(w), m.pm_wl), tr, c, tl, sm,
	    vm_size_approx(l, sizeof(l), vm_memory_limit()));
}

/*
 * What the trace's format decides: --no-ifetch only for lackey; a foreign
 * trace's --virtual and --pagefile default to its distinct pages; --mrc's
 * default list.
 */
static void pf_trace_defaults(struct opts *o)
{
	const struct trace *t = &o->o_trace;

	if (o->o_tload.tl_no_ifetch && t->t_format != TFMT_LACKEY)
		cli_refuse("--no-ifetch applies to lackey logs; %s reads as %s",
		    cli_q(o->o_trace_path), tfmt_names[t->t_format]);
	if (tfmt_foreign(t->t_format)) {
		if (!opts_given(o, OPT_VIRTUAL))
			o->o_vm.vc_space.as_virtual = vm_sat_mul(t->t_distinct, VM_PAGE_SIZE);
		if (!opts_given(o, OPT_PAGEFILE))
			o->o_vm.vc_machine.mc_pagefile = o->o_vm.vc_space.as_virtual;
		opts_recheck(o);
	}
	if (o->o_mrc)
		mrc_cmd_prepare(o);
}

/* The trace, read in what memory is left; then the whole run's memory. */
static void pf_trace_load(struct opts *o)
{
	uint64_t npages = o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE, left;
	struct pf_memory m;
	char err[768];

	left = vm_memory_limit() - pf_memory(o, &m);	/* pf_check_memory passed */
	/* loading doubles a buffer: the old one and the new, 3 references' room
	 * each; and the hash of distinct pages, up to 48 bytes a reference */
	left /= 3 * sizeof(struct trace_ref) + 48;
	o->o_tload.tl_page_size = VM_PAGE_SIZE;
	o->o_tload.tl_npages = npages;
	o->o_tload.tl_ndistinct = opts_given(o, OPT_VIRTUAL) ? npages : 0;
	o->o_tload.tl_max_refs = left > SIZE_MAX ? SIZE_MAX : (left ? (size_t)left : 1);
	o->o_tload.tl_why = "all that fits in 3/4 of this machine's memory";
	if (trace_load_opts(o->o_trace_path, &o->o_tload, &o->o_trace, err, sizeof(err)) != 0)
		cli_refuse("%s", err);
	pf_trace_defaults(o);
	o->o_wl.wc_trace = &o->o_trace;
	o->o_wl.wc_accesses = o->o_trace.t_n;
	if (o->o_compare && o->o_trace.t_n >= UINT32_MAX)
		cli_refuse("--compare: the oracles take fewer than %u references; %s has %zu",
		    UINT32_MAX, cli_q(o->o_trace_path), o->o_trace.t_n);
}

/* The trace process i replays: the one an earlier process read from the
 * same path, or its own, read now in what memory is left. */
static void pf_proc_trace(struct opts *o, int i)
{
	struct cli_proc *cp = &o->o_procs[i];
	bool virt = proc_opts_virtual_given(o, cp);
	struct trace_load_opts lo = o->o_tload;
	struct pf_memory m;
	uint64_t left;
	char err[768];

	for (int j = 0; j < i; j++) {
		const struct cli_proc *pj = &o->o_procs[j];

		if (pj->cp_trace == NULL || strcmp(pj->cp_trace_path, cp->cp_trace_path) != 0)
			continue;
		if (!virt)
			cp->cp_virtual = pj->cp_virtual;
		if (pj->cp_trace->t_n > 0 && pj->cp_trace->t_max_vpn >= cp->cp_virtual / VM_PAGE_SIZE)
			cli_refuse("--process %d: trace %s reaches page %" PRIu64 ", beyond its "
			    "%" PRIu64 "-page region", i + 1, cli_q(cp->cp_trace_path),
			    pj->cp_trace->t_max_vpn, cp->cp_virtual / VM_PAGE_SIZE);
		cp->cp_trace = pj->cp_trace;
		goto out;
	}
	if ((cp->cp_trace = calloc(1, sizeof(*cp->cp_trace))) == NULL)
		cli_refuse("out of memory");
	left = vm_memory_limit() - pf_memory(o, &m);	/* pf_check_memory passed */
	left /= 3 * sizeof(struct trace_ref) + 48;	/* as pf_trace_load */
	lo.tl_page_size = VM_PAGE_SIZE;
	lo.tl_npages = cp->cp_virtual / VM_PAGE_SIZE;
	lo.tl_ndistinct = virt ? lo.tl_npages : 0;
	lo.tl_max_refs = left > SIZE_MAX ? SIZE_MAX : (left ? (size_t)left : 1);
	lo.tl_why = "all that fits in 3/4 of this machine's memory";
	if (trace_load_opts(cp->cp_trace_path, &lo, cp->cp_trace, err, sizeof(err)) != 0)
		cli_refuse("--process %d: %s", i + 1, err);
	if (lo.tl_no_ifetch && cp->cp_trace->t_format != TFMT_LACKEY)
		cli_refuse("--no-ifetch applies to lackey logs; %s reads as %s",
		    cli_q(cp->cp_trace_path), tfmt_names[cp->cp_trace->t_format]);
	if (tfmt_foreign(cp->cp_trace->t_format) && !virt)
		cp->cp_virtual = vm_sat_mul(cp->cp_trace->t_distinct > 0 ?
		    cp->cp_trace->t_distinct : 1, VM_PAGE_SIZE);
out:
	cp->cp_wl.wc_trace = cp->cp_trace;
	cp->cp_wl.wc_accesses = cp->cp_trace->t_n;
}

/* Every process's trace, then the checks that needed them. */
static void pf_proc_traces(struct opts *o)
{
	bool any = false;

	for (int i = 0; i < o->o_nprocs; i++) {
		if (o->o_procs[i].cp_wl.wc_kind != WL_TRACE)
			continue;
		pf_proc_trace(o, i);
		pf_check_memory(o);
		any = true;
	}
	if (any)
		proc_opts_check(o);
}

/* Without --process: the one process is what the options (and the trace's
 * defaults) now say. */
static void pf_single_process(struct opts *o)
{
	struct cli_proc *cp = &o->o_procs[0];

	cp->cp_virtual = o->o_vm.vc_space.as_virtual;
	cp->cp_wl = o->o_wl;
	cp->cp_trace = o->o_wl.wc_kind == WL_TRACE ? &o->o_trace : NULL;
}

/* A timed --record may use what is left after everything else. */
static void pf_record_budget(struct opts *o)
{
	struct pf_memory m;
	uint64_t left = vm_memory_limit() - pf_memory(o, &m);

	if (!o->o_wl.wc_record || o->o_wl.wc_accesses)
		return;
	o->o_wl.wc_record_max = left / WL_RECORD_BYTES;
	if (o->o_wl.wc_record_max == 0)
		cli_refuse("--record: no memory left for the recording");
}

/* ---- disk, and the outputs ---- */

/* Create (or open, not truncate) --record now: a bad path fails before the run. */
static void pf_record_open(struct opts *o)
{
	struct stat st;
	bool existed = stat(o->o_record, &st) == 0;
	int fd = open(o->o_record, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0666);

	if (fd < 0)
		cli_refuse("--record: cannot write %s: %s%s", cli_q(o->o_record), strerror(errno),
		    errno == ENXIO ? " (a FIFO with no reader)" : "");
	if (!existed)
		cli_created(o->o_record);
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    (o->o_record_f = fdopen(fd, "w")) == NULL)
		cli_refuse("--record: cannot write %s: %s", cli_q(o->o_record), strerror(errno));
}

void preflight(struct opts *o)
{
	struct pf_file pagefile;

	pf_check_files(o, &pagefile);
	pf_check_memory(o);
	if (o->o_nproc_args > 0) {
		pf_proc_traces(o);
	} else if (o->o_wl.wc_kind == WL_TRACE) {
		pf_trace_load(o);
		pf_check_memory(o);
	}
	if (o->o_nproc_args == 0)
		pf_single_process(o);
	pf_record_budget(o);
	if (o->o_vm.vc_machine.mc_pagefile_path != NULL)
		o->o_pagefile_new = !pagefile.pf_exists;
	if (o->o_record != NULL)
		pf_record_open(o);
	if (o->o_mrc_plot != NULL)
		gp_preflight("--mrc-plot", o->o_mrc_plot);
	if (o->o_plot != NULL)
		gp_preflight("--plot", o->o_plot);
	if (o->o_view)
		live_check();
	if (o->o_timeline != NULL)
		timeline_open(o);
}
