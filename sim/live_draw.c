/*
 * live_draw.c - one screen of vmsim --live (live.h): the page lists as
 * bars against the machine's frames, the fault rates by kind, the system
 * threads' busy share, the lock waits per class, and each process's
 * working set against its limits.  Rates are between two readings.
 *
 * Whatever the terminal's size, only what fits is drawn: rows past the
 * bottom are left out (the per-priority standby rows first, then the
 * processes that do not fit, counted on the last row), and every row and
 * bar is cut at the right edge.  Called by the main thread, owning the
 * terminal (live.c).
 */
#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "live.h"

/* Colour pairs (when the terminal has colours). */
enum { LC_ZEROED = 1, LC_FREE, LC_STANDBY, LC_MODIFIED, LC_ACTIVE, LC_AVAIL, LC_MARK };

#define LV_LABEL	14	/* the label column */

static bool lv_colour;		/* the colour pairs are set (main thread) */

/* Colour pair c's attribute, or none on a terminal without colours. */
static attr_t lv_pair(int c)
{
	return lv_colour ? (attr_t)COLOR_PAIR(c) : 0;
}

/* A rate or count in at most 6 characters: 950, 12.3k, 1.23M. */
static const char *lv_num(char *b, size_t n, double v)
{
	if (v < 9999.5)
		snprintf(b, n, "%.0f", v);
	else if (v < 999.95e3)
		snprintf(b, n, "%.1fk", v / 1e3);
	else
		snprintf(b, n, "%.2fM", v / 1e6);
	return b;
}

/* The rate of one counter between the readings. */
static double lv_rate(const struct live_reading *now, const struct live_reading *then,
    uint64_t a, uint64_t b)
{
	double dt = now->lr_pt.pt_t - then->lr_pt.pt_t;

	return dt > 0 && b >= a ? (double)(b - a) / dt : 0;
}

/* s at (y, x), cut at the right edge. */
static void lv_put(int y, int x, const char *s)
{
	if (y >= 0 && y < LINES && x < COLS)
		mvaddnstr(y, x, s, COLS - x);
}

/* A row of w cells from x: the first `fill` of them c in colour pair,
 * the rest '.'. */
static void lv_bar(int y, int x, int w, int fill, chtype c, int pair)
{
	if (y < 0 || y >= LINES)
		return;
	if (w > COLS - x)
		w = COLS - x;
	if (fill > w)
		fill = w;
	for (int i = 0; i < w; i++) {
		bool in = i < fill;

		mvaddch(y, x + i, in ? c | lv_pair(pair) : '.');
	}
}

/* The cells of w that v of total fills (at least one for any v > 0). */
static int lv_cells(uint64_t v, uint64_t total, int w)
{
	int c;

	if (total == 0 || w <= 0)
		return 0;
	c = (int)((double)v * w / (double)total + 0.5);
	return v > 0 && c == 0 ? 1 : c > w ? w : c;
}

/* One page list: label, frames, share of the total, bar. */
static void lv_list_row(int y, const char *label, uint64_t v, uint64_t total, int pair)
{
	char b[64];
	int x = LV_LABEL + 18;

	snprintf(b, sizeof(b), "%-*s%8" PRIu64 " %5.1f%%", LV_LABEL + 2, label, v,
	    total ? 100.0 * (double)v / (double)total : 0);
	lv_put(y, 0, b);
	if (COLS - x > 2)
		lv_bar(y, x, COLS - x - 1, lv_cells(v, total, COLS - x - 1), '#', pair);
}

/* The header: the time, the accesses per second, the processes, the key;
 * the key (or "ending") before the processes when the row is short. */
static int lv_header(int y, const struct opts *o, const struct live_reading *now,
    const struct live_reading *then, bool ending)
{
	char b[256], key[32], r[16], d[32] = "";
	size_t w;

	if (isfinite(o->o_deadline))
		snprintf(d, sizeof(d), " of %.1f s", o->o_deadline);
	w = (size_t)snprintf(b, sizeof(b), " vmsim --live  %.1f s%s  %s accesses/s", now->lr_pt.pt_t,
	    d, lv_num(r, sizeof(r), lv_rate(now, then, then->lr_pt.pt_accesses,
	    now->lr_pt.pt_accesses)));
	snprintf(key, sizeof(key), "%s ", ending ? "ending the run..." : "q: end the run");
	if (w < sizeof(b))
		snprintf(b + w, sizeof(b) - w, "  %d process%s", o->o_nprocs,
		    o->o_nprocs == 1 ? "" : "es");
	if (strlen(b) + strlen(key) >= (size_t)COLS)
		b[w < sizeof(b) ? w : sizeof(b) - 1] = '\0';	/* no room for the count */
	attron(A_REVERSE);
	mvhline(y, 0, ' ', COLS);
	lv_put(y, 0, b);
	if (strlen(b) + strlen(key) < (size_t)COLS)
		lv_put(y, COLS - (int)strlen(key), key);
	attroff(A_REVERSE);
	return y + 1;
}

/* The page lists; the standby list per memory priority if rows allow. */
static int lv_lists(int y, const struct opts *o, const struct vm_stats *s, int spare)
{
	uint64_t total = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	const uint64_t prio[8] = { s->vs_nstandby_p0, s->vs_nstandby_p1, s->vs_nstandby_p2,
		s->vs_nstandby_p3, s->vs_nstandby_p4, s->vs_nstandby_p5, s->vs_nstandby_p6,
		s->vs_nstandby_p7 };
	int nprio = 0;
	char b[96];

	for (int p = 0; p < 8; p++)
		nprio += prio[p] != 0;
	snprintf(b, sizeof(b), "page lists          frames  share  of %" PRIu64 " frames (%s)", total,
	    vm_size_str((char[32]){ 0 }, 32, o->o_vm.vc_machine.mc_physical));
	attron(A_BOLD);
	lv_put(y++, 0, b);
	attroff(A_BOLD);
	lv_list_row(y++, "  zeroed", s->vs_nzeroed, total, LC_ZEROED);
	lv_list_row(y++, "  free", s->vs_nfree, total, LC_FREE);
	lv_list_row(y++, "  standby", s->vs_nstandby, total, LC_STANDBY);
	for (int p = 0; p < 8 && nprio <= spare; p++) {
		if (prio[p] == 0)
			continue;
		snprintf(b, sizeof(b), "    priority %d", p);
		lv_list_row(y++, b, prio[p], total, LC_STANDBY);
	}
	lv_list_row(y++, "  modified", s->vs_nmodified, total, LC_MODIFIED);
	lv_list_row(y++, "  active", s->vs_nactive, total, LC_ACTIVE);
	lv_list_row(y++, "  available", s->vs_nzeroed + s->vs_nfree + s->vs_nstandby, total,
	    LC_AVAIL);
	return y;
}

/* Faults per second by kind (standby, modified: the soft faults). */
static int lv_faults(int y, const struct live_reading *now, const struct live_reading *then)
{
	const struct vm_stats *a = &then->lr_pt.pt_stats, *b = &now->lr_pt.pt_stats;
	char l[320], n[5][16];

	snprintf(l, sizeof(l), "faults/s  demand-zero %s  standby %s  modified %s  hard %s  "
	    "collided %s",
	    lv_num(n[0], 16, lv_rate(now, then, a->vs_faults_dz, b->vs_faults_dz)),
	    lv_num(n[1], 16, lv_rate(now, then, a->vs_faults_soft_standby, b->vs_faults_soft_standby)),
	    lv_num(n[2], 16, lv_rate(now, then, a->vs_faults_soft_modified, b->vs_faults_soft_modified)),
	    lv_num(n[3], 16, lv_rate(now, then, a->vs_faults_hard, b->vs_faults_hard)),
	    lv_num(n[4], 16, lv_rate(now, then, a->vs_faults_collided, b->vs_faults_collided)));
	lv_put(y, 0, l);
	return y + 1;
}

/* The system threads' share of the time between the readings, busy. */
static int lv_busy(int y, const struct live_reading *now, const struct live_reading *then)
{
	const struct vm_stats *a = &then->lr_pt.pt_stats, *b = &now->lr_pt.pt_stats;
	const char *name[3] = { "  trimmer", "  writer", "  zero thread" };
	const double share[3] = {
		lv_rate(now, then, a->vs_trimmer_busy_ns, b->vs_trimmer_busy_ns) / 1e9,
		lv_rate(now, then, a->vs_writer_busy_ns, b->vs_writer_busy_ns) / 1e9,
		lv_rate(now, then, a->vs_zero_busy_ns, b->vs_zero_busy_ns) / 1e9,
	};
	char l[64];
	int x = LV_LABEL + 18;

	attron(A_BOLD);
	lv_put(y++, 0, "system threads            busy");
	attroff(A_BOLD);
	for (int i = 0; i < 3; i++, y++) {
		int w = COLS - x - 1, cells = (int)((share[i] > 1 ? 1 : share[i]) * w + 0.5);

		snprintf(l, sizeof(l), "%-*s%14.0f%%", LV_LABEL + 2, name[i],
		    100 * (share[i] > 1 ? 1 : share[i]));
		lv_put(y, 0, l);
		if (w > 2)
			lv_bar(y, x, w, cells, '#', LC_MARK);
	}
	return y;
}

/* Time spent waiting for each lock class, and the waits, per second. */
static int lv_locks(int y, const struct live_reading *now, const struct live_reading *then)
{
	const struct vm_lock_stats *a = &then->lr_pt.pt_locks, *b = &now->lr_pt.pt_locks;
	const uint64_t wa[4] = { a->ls_wait_ns_pte, a->ls_wait_ns_pfn, a->ls_wait_ns_list,
		a->ls_wait_ns_pgf };
	const uint64_t wb[4] = { b->ls_wait_ns_pte, b->ls_wait_ns_pfn, b->ls_wait_ns_list,
		b->ls_wait_ns_pgf };
	const uint64_t ca[4] = { a->ls_contended_pte, a->ls_contended_pfn, a->ls_contended_list,
		a->ls_contended_pgf };
	const uint64_t cb[4] = { b->ls_contended_pte, b->ls_contended_pfn, b->ls_contended_list,
		b->ls_contended_pgf };
	char l[160], n[16];
	size_t w;

	attron(A_BOLD);
	snprintf(l, sizeof(l), "%-*s%10s%10s%10s%10s", LV_LABEL + 4, "locks, per second", "PTE",
	    "PFN", "list", "page file");
	lv_put(y++, 0, l);
	attroff(A_BOLD);
	w = (size_t)snprintf(l, sizeof(l), "%-*s", LV_LABEL + 4, "  time waited");
	for (int i = 0; i < 4 && w < sizeof(l); i++)
		w += (size_t)snprintf(l + w, sizeof(l) - w, "%8.1fms",
		    lv_rate(now, then, wa[i], wb[i]) / 1e6);
	lv_put(y++, 0, l);
	w = (size_t)snprintf(l, sizeof(l), "%-*s", LV_LABEL + 4, "  contended");
	for (int i = 0; i < 4 && w < sizeof(l); i++)
		w += (size_t)snprintf(l + w, sizeof(l) - w, "%10s",
		    lv_num(n, sizeof(n), lv_rate(now, then, ca[i], cb[i])));
	lv_put(y++, 0, l);
	return y;
}

/* Process p's row: name, resident pages, limits, faults/s, and a bar of
 * its working set against the machine's frames with its minimum and
 * maximum marked '|'. */
static void lv_proc_row(int y, const struct opts *o, const struct live_reading *now,
    const struct live_reading *then, int p)
{
	const struct cli_proc *cp = &o->o_procs[p];
	const struct smp_proc *sp = &now->lr_procs[p], *sq = &then->lr_procs[p];
	uint64_t total = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	char b[160], lim[40], n[16];
	int x = LV_LABEL + 32, w = COLS - x - 1;

	if (sp->sp_ws_max == 0) {		/* not running */
		if (now->lr_pt.pt_t < cp->cp_start)
			snprintf(b, sizeof(b), "  %-*.*s starts at %.1f s", LV_LABEL - 3,
			    LV_LABEL - 3, cp->cp_name, cp->cp_start);
		else
			snprintf(b, sizeof(b), "  %-*.*s ended", LV_LABEL - 3, LV_LABEL - 3,
			    cp->cp_name);
		lv_put(y, 0, b);
		return;
	}
	snprintf(lim, sizeof(lim), "%" PRIu64 "-%" PRIu64 "%s", sp->sp_ws_min, sp->sp_ws_max,
	    cp->cp_hard_max ? " hard" : "");
	snprintf(b, sizeof(b), "  %-*.*s %7" PRIu64 " %-14s %6s", LV_LABEL - 3, LV_LABEL - 3,
	    cp->cp_name, sp->sp_resident, lim,
	    lv_num(n, sizeof(n), sq->sp_ws_max ? lv_rate(now, then, sq->sp_faults,
	    sp->sp_faults) : 0));
	lv_put(y, 0, b);
	if (w < 3)
		return;
	lv_bar(y, x, w, lv_cells(sp->sp_resident, total, w), '#', LC_ACTIVE);
	attron(A_BOLD | lv_pair(LC_MARK));
	mvaddch(y, x + lv_cells(sp->sp_ws_min, total, w - 1), '|');
	mvaddch(y, x + lv_cells(sp->sp_ws_max, total, w - 1), '|');
	attroff(A_BOLD | lv_pair(LC_MARK));
}

/* Every process that fits; the last row counts those that do not. */
static int lv_procs(int y, const struct opts *o, const struct live_reading *now,
    const struct live_reading *then)
{
	int room = LINES - y - 1, shown;
	char h[160];

	snprintf(h, sizeof(h), "%-*s %7s %-14s %6s   %s", LV_LABEL - 1, "working sets", "pages",
	    "limits", "flt/s", "| marks its minimum, maximum");
	attron(A_BOLD);
	lv_put(y++, 0, h);
	attroff(A_BOLD);
	shown = o->o_nprocs <= room ? o->o_nprocs : room - 1;
	for (int p = 0; p < shown; p++)
		lv_proc_row(y++, o, now, then, p);
	if (shown < o->o_nprocs && room > 0) {
		char b[64];

		snprintf(b, sizeof(b), "  ... %d more", o->o_nprocs - (shown > 0 ? shown : 0));
		lv_put(y++, 0, b);
	}
	return y;
}

void live_draw_init(void)
{
	if (!has_colors() || start_color() == ERR || use_default_colors() == ERR)
		return;
	init_pair(LC_ZEROED, COLOR_GREEN, -1);
	init_pair(LC_FREE, COLOR_CYAN, -1);
	init_pair(LC_STANDBY, COLOR_BLUE, -1);
	init_pair(LC_MODIFIED, COLOR_YELLOW, -1);
	init_pair(LC_ACTIVE, COLOR_RED, -1);
	init_pair(LC_AVAIL, COLOR_GREEN, -1);
	init_pair(LC_MARK, COLOR_MAGENTA, -1);
	lv_colour = true;
}

void live_draw(const struct opts *o, const struct live_reading *now,
    const struct live_reading *then, bool ending)
{
	/* rows without the priorities: header, lists (title + 6), faults,
	 * busy (title + 3), locks (title + 2), working sets (title + one per
	 * process) */
	int need = 1 + 7 + 1 + 4 + 3 + 1 + o->o_nprocs, y = 0;

	erase();
	y = lv_header(y, o, now, then, ending);
	if (y >= LINES)
		return;
	y = lv_lists(y, o, &now->lr_pt.pt_stats, LINES - need);
	if (y < LINES)
		y = lv_faults(y, now, then);
	if (y < LINES)
		y = lv_busy(y, now, then);
	if (y < LINES)
		y = lv_locks(y, now, then);
	if (y < LINES)
		lv_procs(y, o, now, then);
}
