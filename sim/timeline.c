/*
 * timeline.c - --timeline FILE: the run as a Chrome trace-event JSON file
 * for ui.perfetto.dev and chrome://tracing (README, "Seeing a run").
 *
 * The spans come from the library's recorder (vm_sim.h, vm_timeline_*),
 * enabled before vm_create so the system threads and the processes are
 * named; the counter tracks from the sampler's points (sampler.h).  The
 * file:
 *
 *   {"traceEvents":[
 *     metadata: process_name (pid 1 "machine", then one pid per vmsim
 *               process), thread_name (one tid per track);
 *     spans ("ph":"X"), in order of start, one a line;
 *     if any were dropped, an instant event where the first one was;
 *     counters ("ph":"C"): page lists, available pages, faults/s by kind
 *               (pid 1), each process's working set (its pid)],
 *    "displayTimeUnit":"ms", "otherData":{what was recorded, dropped}}
 *
 * Time 0 is the run's start (vm_timeline_start, just before sched_run).
 * The size bound: the recorder holds at most (SIZE - what the counters and
 * metadata may take) / TL_EVENT_BYTES events; the writer stops writing spans
 * before the file would pass SIZE (counted as dropped too), so the file
 * stays under the bound whatever the events' lengths.
 *
 * Written to a temporary file beside FILE (created by preflight, so a bad
 * path is refused before any work) and renamed into place; a FIFO or a
 * character device is written directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "json.h"
#include "sampler.h"

#define TL_EVENT_BYTES 150	/* a span's JSON, typically (the recorder's bound) */
#define TL_COUNTER_BYTES 200	/* a machine counter's JSON at one point, at most */
#define TL_PROC_BYTES 160	/* a process's working set at one point, at most */
#define TL_TRACK_BYTES 180	/* a track's or process's metadata, at most */
#define TL_MIN_EVENTS 1000	/* the smallest bound has room for this many spans */
#define TL_MAX_BYTES (4ULL << 30)

/* ---- options and preflight ---- */

void timeline_window_parse(struct opts *o, const char *arg)
{
	const char *dash = strchr(arg, '-');
	char lo[64];
	char *end;

	if (dash == NULL || dash == arg || (size_t)(dash - arg) >= sizeof(lo))
		goto bad;
	snprintf(lo, sizeof(lo), "%.*s", (int)(dash - arg), arg);
	errno = 0;
	o->o_timeline_lo = strtod(lo, &end);
	if (errno || *end != '\0' || !(o->o_timeline_lo >= 0 && o->o_timeline_lo <= 1e6))
		goto bad;
	o->o_timeline_hi = INFINITY;
	if (dash[1] != '\0') {
		o->o_timeline_hi = strtod(dash + 1, &end);
		if (errno || *end != '\0' || !(o->o_timeline_hi > o->o_timeline_lo &&
		    o->o_timeline_hi <= 1e6))
			goto bad;
	}
	return;
bad:
	opts_usage_error("--timeline-window: '%s' is not START-END in seconds, 0 <= START < END "
	    "<= 1000000 (e.g. 1-2.5, or 2- to the end)", cli_q(arg));
}

/* What the counter tracks and the metadata may take: SMP_MAX_POINTS points. */
static uint64_t timeline_reserve(const struct opts *o)
{
	uint64_t threads = 0;

	for (int i = 0; i < o->o_nprocs; i++)
		threads += (uint64_t)o->o_procs[i].cp_wl.wc_threads;
	return (uint64_t)SMP_MAX_POINTS * (3 * TL_COUNTER_BYTES + (uint64_t)o->o_nprocs *
	    TL_PROC_BYTES) + (threads + 8 + (uint64_t)o->o_nprocs) * TL_TRACK_BYTES + 4096;
}

/* The recorder's bound in events. */
static uint64_t timeline_capacity(const struct opts *o)
{
	uint64_t r = timeline_reserve(o);

	return o->o_timeline_max > r ? (o->o_timeline_max - r) / TL_EVENT_BYTES : 0;
}

void timeline_check(struct opts *o)
{
	static const int dep[] = { OPT_TIMELINE_MAX, OPT_TIMELINE_WINDOW, OPT_TIMELINE_LOCK_WAIT };
	uint64_t least = timeline_reserve(o) + TL_MIN_EVENTS * TL_EVENT_BYTES;
	char a[32], b[32];

	for (size_t i = 0; o->o_timeline == NULL && i < sizeof(dep) / sizeof(dep[0]); i++)
		if (opts_given(o, dep[i]))
			opts_usage_error("--%s needs --timeline FILE", dep[i] == OPT_TIMELINE_MAX ?
			    "timeline-max" : dep[i] == OPT_TIMELINE_WINDOW ? "timeline-window" :
			    "timeline-lock-wait");
	if (o->o_timeline == NULL)
		return;
	least = (least + (1 << 20) - 1) & ~(uint64_t)((1 << 20) - 1);
	if (!opts_given(o, OPT_TIMELINE_MAX) && o->o_timeline_max < least)
		o->o_timeline_max = least;	/* many processes' counters: room for them */
	if (o->o_timeline_max > TL_MAX_BYTES)
		opts_usage_error("--timeline-max: %s is too large: at most 4G (a larger file is more "
		    "than a browser loads)", vm_size_str(a, sizeof(a), o->o_timeline_max));
	if (o->o_timeline_max < least)
		opts_usage_error("--timeline-max: %s is too small: at least %s here (room for the "
		    "counter tracks of %d process%s and %d spans)", vm_size_str(a, sizeof(a),
		    o->o_timeline_max), vm_size_str(b, sizeof(b), least), o->o_nprocs,
		    o->o_nprocs > 1 ? "es" : "", TL_MIN_EVENTS);
	if (isfinite(o->o_deadline) && o->o_timeline_lo >= o->o_deadline)
		opts_usage_error("--timeline-window: it starts at %g s, when the run has ended (%g s)",
		    o->o_timeline_lo, o->o_deadline);
}

uint64_t timeline_footprint(const struct opts *o)
{
	/* the recorder's events, and the writer's sorted copy */
	return o->o_timeline == NULL ? 0 :
	    vm_sat_mul(timeline_capacity(o), 2 * sizeof(struct vm_timeline_event) + 8);
}

void timeline_open(struct opts *o)
{
	const char *path = o->o_timeline;
	struct stat st;
	mode_t mask;
	int fd;

	if (stat(path, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode))) {
		/* written directly; a FIFO with no reader is refused now */
		fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
			cli_refuse("--timeline: cannot write %s: %s%s", cli_q(path), strerror(errno),
			    errno == ENXIO ? " (a FIFO with no reader)" : "");
	} else {
		if ((o->o_timeline_tmp = malloc(strlen(path) + 8)) == NULL)
			cli_refuse("out of memory");
		sprintf(o->o_timeline_tmp, "%s.XXXXXX", path);
		if ((fd = mkstemp(o->o_timeline_tmp)) < 0)
			cli_refuse("--timeline: cannot write %s: %s", cli_q(path), strerror(errno));
		cli_created(o->o_timeline_tmp);
		mask = umask(0);
		umask(mask);
		(void)fchmod(fd, 0666 & ~mask);
	}
	if ((o->o_timeline_f = fdopen(fd, "w")) == NULL)
		cli_refuse("--timeline: cannot write %s: %s", cli_q(path), strerror(errno));
}

void timeline_enable(const struct opts *o)
{
	struct vm_timeline_config c = {
		.tc_max_events = timeline_capacity(o),
		.tc_window_lo_ns = (uint64_t)(o->o_timeline_lo * 1e9),
		.tc_window_hi_ns = isfinite(o->o_timeline_hi) ? (uint64_t)(o->o_timeline_hi * 1e9) : 0,
		.tc_lock_wait_ns = o->o_timeline_lock_us * 1000,
	};
	int rc;

	if (o->o_timeline != NULL && (rc = vm_timeline_enable(&c)) != 0)
		cli_refuse("--timeline: cannot record: %s", vm_strerror(rc));
}

/* ---- the file ---- */

/* A span and its track, for sorting. */
struct tl_span {
	struct vm_timeline_event sp_e;
	uint32_t sp_track;
};

/* By start; at the same start the longer first (a parent before the spans
 * nested in it). */
static int tl_span_cmp(const void *a, const void *b)
{
	const struct tl_span *x = a, *y = b;

	if (x->sp_e.te_start != y->sp_e.te_start)
		return x->sp_e.te_start < y->sp_e.te_start ? -1 : 1;
	if (x->sp_e.te_dur != y->sp_e.te_dur)
		return x->sp_e.te_dur > y->sp_e.te_dur ? -1 : 1;
	return x->sp_track < y->sp_track ? -1 : x->sp_track > y->sp_track;
}

/* Every track's events that start inside [lo, hi] (ns; before time 0 the
 * machine was being built), sorted; *n of them.  NULL if out of memory. */
static struct tl_span *tl_gather(int ntracks, uint64_t total, uint64_t lo, uint64_t hi,
    uint64_t *n)
{
	struct tl_span *all = malloc((total ? total : 1) * sizeof(*all));
	struct vm_timeline_event *ev = malloc((total ? total : 1) * sizeof(*ev));

	*n = 0;
	if (all == NULL || ev == NULL) {
		free(all);
		free(ev);
		return NULL;
	}
	for (int i = 0; i < ntracks; i++) {
		uint64_t k = vm_timeline_read(i, ev);

		for (uint64_t e = 0; e < k && *n < total; e++)
			if (ev[e].te_start >= lo && ev[e].te_start <= hi)
				all[(*n)++] = (struct tl_span){ ev[e], (uint32_t)i };
	}
	free(ev);
	qsort(all, *n, sizeof(*all), tl_span_cmp);
	return all;
}

/* The output, counting its bytes (a FILE of fopencookie). */
struct tl_out {
	FILE *to_f;
	uint64_t to_bytes;
};

static ssize_t tl_out_write(void *cookie, const char *buf, size_t len)
{
	struct tl_out *out = cookie;
	size_t w = fwrite(buf, 1, len, out->to_f);

	out->to_bytes += w;
	return w == len ? (ssize_t)len : -1;
}

/* The pid of a name index: 1 for the machine, then one per process. */
static unsigned tl_pid(unsigned name)
{
	return name + 1;
}

/* The name index of process cp on the timeline, 0 if it has none. */
static unsigned tl_proc_name(const struct cli_proc *cp)
{
	const char *n;

	for (unsigned i = 1; (n = vm_timeline_name(i)) != NULL; i++)
		if (strcmp(n, cp->cp_name) == 0)
			return i;
	return 0;
}

static void tl_meta(struct json *j, const char *what, unsigned pid, int tid, const char *key,
    const char *s, int64_t v)
{
	json_newline(j);
	json_object(j, NULL);
	json_string(j, "ph", "M");
	json_string(j, "name", what);
	json_u64(j, "pid", pid);
	if (tid >= 0)
		json_u64(j, "tid", (uint64_t)tid);
	json_object(j, "args");
	if (s != NULL)
		json_string(j, key, s);
	else
		json_i64(j, key, v);
	json_end(j);
	json_end(j);
}

/* process_name for the machine and every name; thread_name per track. */
static void tl_metadata(struct json *j, int ntracks)
{
	struct vm_timeline_track t;
	const char *n;

	for (unsigned i = 0; (n = vm_timeline_name(i)) != NULL; i++) {
		tl_meta(j, "process_name", tl_pid(i), -1, "name", n, 0);
		tl_meta(j, "process_sort_index", tl_pid(i), -1, "sort_index", NULL, (int64_t)i);
	}
	for (int i = 0; i < ntracks && vm_timeline_track(i, &t) == 0; i++) {
		tl_meta(j, "thread_name", tl_pid(t.tt_process), i + 1, "name", t.tt_name, 0);
		tl_meta(j, "thread_sort_index", tl_pid(t.tt_process), i + 1, "sort_index", NULL, i);
	}
}

static void tl_span_write(struct json *j, const struct tl_span *sp, uint64_t origin,
    const unsigned *track_pid)
{
	const struct vm_timeline_event *e = &sp->sp_e;
	const struct vm_tl_kind_info *k = &vm_tl_kinds[e->te_kind < VM_TL_NKINDS ? e->te_kind : 0];
	const char *proc = e->te_proc != 0 ? vm_timeline_name(e->te_proc) : NULL;

	json_newline(j);
	json_object(j, NULL);
	json_string(j, "ph", "X");
	json_string(j, "name", k->tk_name);
	json_string(j, "cat", k->tk_cat);
	json_u64(j, "pid", track_pid[sp->sp_track]);
	json_u64(j, "tid", sp->sp_track + 1);
	json_double(j, "ts", "%.3f", (double)(e->te_start - origin) / 1e3);
	json_double(j, "dur", "%.3f", (double)e->te_dur / 1e3);
	if (*k->tk_arg != '\0' || *k->tk_arg2 != '\0' || proc != NULL) {
		json_object(j, "args");
		if (*k->tk_arg != '\0')
			json_u64(j, k->tk_arg, e->te_arg);
		if (*k->tk_arg2 != '\0')
			json_u64(j, k->tk_arg2, e->te_arg2);
		if (proc != NULL)
			json_string(j, "process", proc);
		json_end(j);
	}
	json_end(j);
}

/* A counter event's head; the caller writes its args and two json_end. */
static void tl_counter(struct json *j, const char *name, unsigned pid, double ts_us)
{
	json_newline(j);
	json_object(j, NULL);
	json_string(j, "ph", "C");
	json_string(j, "name", name);
	json_u64(j, "pid", pid);
	json_double(j, "ts", "%.3f", ts_us);
	json_object(j, "args");
}

/* The machine's counters at point i (time ts, in us). */
static void tl_counters_machine(struct json *j, const struct sampler *sm, int i, double ts)
{
	const struct vm_stats *s = &smp_point(sm, i)->pt_stats;
	const struct vm_stats *b = &smp_point(sm, i > 0 ? i - 1 : 0)->pt_stats;

	tl_counter(j, "page lists", tl_pid(0), ts);
	json_u64(j, "zeroed", s->vs_nzeroed);
	json_u64(j, "free", s->vs_nfree);
	json_u64(j, "standby", s->vs_nstandby);
	json_u64(j, "modified", s->vs_nmodified);
	json_u64(j, "active", s->vs_nactive);
	json_end(j);
	json_end(j);
	tl_counter(j, "available pages", tl_pid(0), ts);
	json_u64(j, "available", s->vs_nzeroed + s->vs_nfree + s->vs_nstandby);
	json_end(j);
	json_end(j);
	tl_counter(j, "faults/s", tl_pid(0), ts);
	json_double(j, "demand-zero", "%.0f", smp_rate(sm, i, b->vs_faults_dz, s->vs_faults_dz));
	json_double(j, "soft (standby)", "%.0f", smp_rate(sm, i, b->vs_faults_soft_standby,
	    s->vs_faults_soft_standby));
	json_double(j, "soft (modified)", "%.0f", smp_rate(sm, i, b->vs_faults_soft_modified,
	    s->vs_faults_soft_modified));
	json_double(j, "hard", "%.0f", smp_rate(sm, i, b->vs_faults_hard, s->vs_faults_hard));
	json_double(j, "collided", "%.0f", smp_rate(sm, i, b->vs_faults_collided,
	    s->vs_faults_collided));
	json_end(j);
	json_end(j);
}

/* The counter tracks: the sampler's points inside the window. */
static void tl_counters(struct json *j, const struct opts *o, const struct sampler *sm,
    uint64_t origin)
{
	unsigned names[o->o_nprocs];

	for (int p = 0; p < o->o_nprocs; p++)
		names[p] = tl_proc_name(&o->o_procs[p]);
	for (int i = 0; sm != NULL && i < sm->sm_npoints; i++) {
		const struct smp_point *pt = smp_point(sm, i);
		double t = pt->pt_ns > origin ? (double)(pt->pt_ns - origin) / 1e9 : 0;

		if (t < o->o_timeline_lo || t > o->o_timeline_hi)
			continue;
		tl_counters_machine(j, sm, i, t * 1e6);
		for (int p = 0; p < o->o_nprocs; p++) {
			const struct smp_proc *sp = smp_proc_at(sm, i, p);

			if (names[p] == 0 || (sp->sp_ws_max == 0 && (i == 0 ||
			    smp_proc_at(sm, i - 1, p)->sp_ws_max == 0)))
				continue;	/* not running (its last point closes the line) */
			tl_counter(j, "working set", tl_pid(names[p]), t * 1e6);
			json_u64(j, "resident", sp->sp_resident);
			json_u64(j, "minimum", sp->sp_ws_min);
			json_u64(j, "maximum", sp->sp_ws_max);
			json_end(j);
			json_end(j);
		}
	}
}

#define TL_BUF 4096	/* the counting stream's buffer: the slack kept under the bound */

/* What follows the spans: the counters of the points in the window, the
 * marker and the trailer. */
static uint64_t tl_rest(const struct opts *o, const struct sampler *sm)
{
	return (uint64_t)(sm != NULL ? sm->sm_npoints : 0) * (3 * TL_COUNTER_BYTES +
	    (uint64_t)o->o_nprocs * TL_PROC_BYTES) + 2048;
}

/* The marker where the first event was dropped, and what the file holds. */
static void tl_trailer(struct json *j, const struct opts *o, const struct tl_result *tr,
    uint64_t capacity)
{
	char msg[160];

	json_end(j);		/* traceEvents */
	json_string(j, "displayTimeUnit", "ms");
	json_object(j, "otherData");
	json_string(j, "recorder", "vmsim --timeline");
	json_u64(j, "bound_bytes", o->o_timeline_max);
	json_u64(j, "capacity_events", capacity);
	json_u64(j, "spans", tr->tr_events);
	json_u64(j, "dropped", tr->tr_dropped);
	json_double(j, "first_drop_s", "%.6f", tr->tr_first_drop >= 0 ? tr->tr_first_drop : NAN);
	json_u64(j, "no_buffer_faults", tr->tr_no_buffer);
	json_double(j, "window_start_s", "%g", o->o_timeline_lo);
	json_double(j, "window_end_s", "%g", o->o_timeline_hi);
	json_u64(j, "lock_wait_us", o->o_timeline_lock_us);
	if (tr->tr_dropped) {
		snprintf(msg, sizeof(msg), "the --timeline-max bound was reached: %" PRIu64
		    " events dropped from %.3f s on", tr->tr_dropped, tr->tr_first_drop);
		json_string(j, "warning", msg);
	}
	json_end(j);
	json_end(j);
}

static void tl_drop_marker(struct json *j, const struct tl_result *tr)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "timeline bound reached: %" PRIu64 " events dropped from here on",
	    tr->tr_dropped);
	json_newline(j);
	json_object(j, NULL);
	json_string(j, "ph", "i");
	json_string(j, "s", "g");
	json_string(j, "name", msg);
	json_u64(j, "pid", tl_pid(0));
	json_u64(j, "tid", 0);
	json_double(j, "ts", "%.3f", tr->tr_first_drop * 1e6);
	json_end(j);
}

/* The file's body into f (counting out); tr gets its figures. */
static void tl_body(FILE *f, struct tl_out *out, const struct opts *o, const struct sampler *sm,
    const struct vm_timeline_info *ti, const struct tl_span *sp, uint64_t n, struct tl_result *tr)
{
	uint64_t limit = o->o_timeline_max - tl_rest(o, sm), w = 0;
	unsigned track_pid[ti->ti_ntracks + 1];
	struct vm_timeline_track t;
	struct json j;

	for (int i = 0; i < ti->ti_ntracks; i++)
		track_pid[i] = vm_timeline_track(i, &t) == 0 ? tl_pid(t.tt_process) : 1;
	json_begin(&j, f);
	json_object(&j, NULL);
	json_array(&j, "traceEvents");
	tl_metadata(&j, ti->ti_ntracks);
	for (; w < n && out->to_bytes + TL_BUF + 1024 <= limit; w++)
		tl_span_write(&j, &sp[w], ti->ti_origin_ns, track_pid);
	tr->tr_events = w;
	tr->tr_dropped = ti->ti_dropped + (n - w);
	tr->tr_first_drop = -1;
	if (ti->ti_first_drop_ns != 0)
		tr->tr_first_drop = (double)(ti->ti_first_drop_ns - ti->ti_origin_ns) / 1e9;
	if (w < n && (tr->tr_first_drop < 0 ||
	    sp[w].sp_e.te_start < ti->ti_origin_ns + (uint64_t)(tr->tr_first_drop * 1e9)))
		tr->tr_first_drop = (double)(sp[w].sp_e.te_start - ti->ti_origin_ns) / 1e9;
	if (tr->tr_dropped)
		tl_drop_marker(&j, tr);
	tl_counters(&j, o, sm, ti->ti_origin_ns);
	tl_trailer(&j, o, tr, ti->ti_capacity);
}

/* Close the output and put it in place; 0, or -1 said (the temporary
 * file removed).  err: an error already met (0: none). */
static int tl_finish(const struct opts *o, int err)
{
	errno = 0;
	if (fflush(o->o_timeline_f) != 0 || ferror(o->o_timeline_f))
		err = err ? err : errno ? errno : EIO;
	if (fclose(o->o_timeline_f) != 0 && err == 0)
		err = errno ? errno : EIO;
	if (err == 0 && o->o_timeline_tmp != NULL && rename(o->o_timeline_tmp, o->o_timeline) != 0)
		err = errno;
	if (err == 0)
		return 0;
	if (o->o_timeline_tmp != NULL)
		unlink(o->o_timeline_tmp);
	fprintf(stderr, "vmsim: --timeline: the timeline was lost: cannot write %s: %s\n",
	    cli_q(o->o_timeline), strerror(err));
	return -1;
}

int timeline_write(const struct opts *o, const struct sampler *sm, struct tl_result *tr)
{
	cookie_io_functions_t io = { .write = tl_out_write };
	struct tl_out out = { o->o_timeline_f, 0 };
	struct vm_timeline_info ti;
	struct tl_span *sp;
	uint64_t n = 0;
	int err = 0;
	FILE *f;

	vm_timeline_stop();
	vm_timeline_get_info(&ti);
	memset(tr, 0, sizeof(*tr));
	tr->tr_path = o->o_timeline;
	tr->tr_tracks = ti.ti_ntracks;
	tr->tr_no_buffer = ti.ti_no_buffer;
	while (vm_timeline_name((unsigned)tr->tr_processes + 1) != NULL)
		tr->tr_processes++;
	sp = tl_gather(ti.ti_ntracks, ti.ti_events, ti.ti_origin_ns + (uint64_t)(o->o_timeline_lo *
	    1e9), isfinite(o->o_timeline_hi) ? ti.ti_origin_ns + (uint64_t)(o->o_timeline_hi * 1e9) :
	    UINT64_MAX, &n);
	f = sp != NULL ? fopencookie(&out, "w", io) : NULL;
	if (f == NULL) {
		err = ENOMEM;
	} else {
		setvbuf(f, NULL, _IOFBF, TL_BUF);
		tl_body(f, &out, o, sm, &ti, sp, n, tr);
		if (fclose(f) != 0)
			err = ferror(o->o_timeline_f) && errno ? errno : EIO;
	}
	free(sp);
	vm_timeline_free();
	tr->tr_bytes = out.to_bytes;
	return tl_finish(o, err);
}

void timeline_report(FILE *f, const struct tl_result *tr)
{
	fprintf(f, "timeline:    %s: %" PRIu64 " spans on %d tracks (%d process%s and the "
	    "machine), %.1fM", cli_q(tr->tr_path), tr->tr_events, tr->tr_tracks, tr->tr_processes,
	    tr->tr_processes == 1 ? "" : "es", (double)tr->tr_bytes / (1 << 20));
	if (tr->tr_dropped)
		fprintf(f, "; %" PRIu64 " dropped from %.2f s on: the --timeline-max bound was "
		    "reached", tr->tr_dropped, tr->tr_first_drop);
	else
		fprintf(f, "; none dropped");
	if (tr->tr_no_buffer)
		fprintf(f, "; %" PRIu64 " faults on threads with no track", tr->tr_no_buffer);
	fputc('\n', f);
}

void timeline_json(struct json *j, const struct tl_result *tr)
{
	json_object(j, "timeline");
	json_string(j, "file", tr->tr_path);
	json_u64(j, "spans", tr->tr_events);
	json_u64(j, "tracks", (uint64_t)tr->tr_tracks);
	json_u64(j, "bytes", tr->tr_bytes);
	json_u64(j, "dropped", tr->tr_dropped);
	json_double(j, "first_drop_s", "%.6f", tr->tr_first_drop >= 0 ? tr->tr_first_drop : NAN);
	json_u64(j, "no_buffer_faults", tr->tr_no_buffer);
	json_end(j);
}
