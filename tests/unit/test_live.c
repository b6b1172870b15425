/*
 * test_live.c - one screen of the live view (sim/live_draw.c), drawn into
 * ncurses' virtual screen on /dev/null and read back: every part there on
 * an 80x24 terminal, with the rates between the two readings; a process
 * not yet started and one ended; the limits marked on a working set's
 * bar; the per-priority rows only when they fit; the processes that do
 * not fit counted; and every size from 1x1 to 120x50, with one process or
 * 300, drawn without a crash (ASan checks the buffers).  The terminal
 * itself, keys and signals are tests/live.sh's, in tmux.
 */
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "live.h"

#define FRAMES 4096

static struct opts o;
static struct live_reading now, then;

/* n processes: p0, p1, ...; p1 not started until 5 s, p2 ended (if any). */
static void setup(int n)
{
	free(o.o_procs);
	free(now.lr_procs);
	free(then.lr_procs);
	memset(&o, 0, sizeof(o));
	o.o_vm.vc_machine.mc_physical = (uint64_t)FRAMES * VM_PAGE_SIZE;
	o.o_nprocs = n;
	o.o_deadline = 10;
	o.o_procs = calloc((size_t)n, sizeof(*o.o_procs));
	now.lr_procs = calloc((size_t)n, sizeof(*now.lr_procs));
	then.lr_procs = calloc((size_t)n, sizeof(*then.lr_procs));
	memset(&now.lr_pt, 0, sizeof(now.lr_pt));
	memset(&then.lr_pt, 0, sizeof(then.lr_pt));
	for (int p = 0; p < n; p++) {
		snprintf(o.o_procs[p].cp_name, sizeof(o.o_procs[p].cp_name), "proc%d", p);
		o.o_procs[p].cp_hard_max = p == 3;
		o.o_procs[p].cp_start = p == 1 ? 5.0 : 0;
		if (p == 1 || p == 2)
			continue;	/* not running: all zeros */
		now.lr_procs[p] = (struct smp_proc){ .sp_resident = 1000, .sp_ws_min = 512,
			.sp_ws_max = 2048, .sp_faults = 5000 };
		then.lr_procs[p] = (struct smp_proc){ .sp_resident = 900, .sp_ws_min = 512,
			.sp_ws_max = 2048, .sp_faults = 3000 };
	}
	then.lr_pt.pt_t = 1.0;
	now.lr_pt.pt_t = 2.0;
	now.lr_pt.pt_accesses = 250000;
	then.lr_pt.pt_accesses = 50000;
	now.lr_pt.pt_stats.vs_nzeroed = 64;
	now.lr_pt.pt_stats.vs_nfree = 16;
	now.lr_pt.pt_stats.vs_nstandby = 300;
	now.lr_pt.pt_stats.vs_nstandby_p2 = 100;
	now.lr_pt.pt_stats.vs_nstandby_p5 = 200;
	now.lr_pt.pt_stats.vs_nmodified = 48;
	now.lr_pt.pt_stats.vs_nactive = FRAMES - 64 - 16 - 300 - 48;
	now.lr_pt.pt_stats.vs_faults_hard = 7000;
	then.lr_pt.pt_stats.vs_faults_hard = 4000;
	now.lr_pt.pt_stats.vs_trimmer_busy_ns = 1500000000;	/* 50% of the second */
	then.lr_pt.pt_stats.vs_trimmer_busy_ns = 1000000000;
	now.lr_pt.pt_locks.ls_wait_ns_pte = 30000000;		/* 25 ms over the second */
	then.lr_pt.pt_locks.ls_wait_ns_pte = 5000000;
}

/* The row holding s, or -1. */
static int row_of(const char *s)
{
	char line[512];

	for (int y = 0; y < LINES; y++) {
		mvinnstr(y, 0, line, COLS < (int)sizeof(line) - 1 ? COLS : (int)sizeof(line) - 1);
		if (strstr(line, s) != NULL)
			return y;
	}
	return -1;
}

/* Row y's text. */
static const char *row(int y)
{
	static char line[512];

	line[0] = '\0';
	if (y >= 0 && y < LINES)
		mvinnstr(y, 0, line, COLS < (int)sizeof(line) - 1 ? COLS : (int)sizeof(line) - 1);
	return line;
}

static void draw(int lines, int cols, bool ending)
{
	resize_term(lines, cols);
	live_draw(&o, &now, &then, ending);
}

static void test_parts(void)
{
	const char *parts[] = { "vmsim --live", "q: end the run", "page lists", "zeroed", "free",
		"standby", "modified", "active", "available", "faults/s", "trimmer", "writer",
		"zero thread", "time waited", "contended", "working sets", "proc0", "proc3" };
	int y;

	setup(4);
	draw(24, 80, false);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
		CHECK(parts[i], row_of(parts[i]) >= 0);
	CHECK("the header: time and accesses/s", strstr(row(0), "2.0 s of 10.0 s") != NULL &&
	    strstr(row(0), "200.0k accesses/s") != NULL);
	CHECK("hard faults per second", strstr(row(row_of("faults/s")), "hard 3000") != NULL);
	CHECK("the trimmer half busy", strstr(row(row_of("trimmer")), "50%") != NULL);
	CHECK("PTE waits: 25 ms a second", strstr(row(row_of("time waited")), "25.0ms") != NULL);
	CHECK("both standby priorities shown", row_of("priority 2") >= 0 && row_of("priority 5") >= 0);
	y = row_of("proc0");
	CHECK("proc0: resident, limits, faults/s", strstr(row(y), "1000 512-2048") != NULL &&
	    strstr(row(y), "2000") != NULL);
	CHECK("proc0: its minimum and maximum marked", strchr(row(y), '|') != strrchr(row(y), '|'));
	CHECK("proc1 starts later", strstr(row(row_of("proc1")), "starts at 5.0 s") != NULL);
	CHECK("proc2 ended", strstr(row(row_of("proc2")), "ended") != NULL);
	CHECK("proc3's maximum is hard", strstr(row(row_of("proc3")), "hard") != NULL);
	draw(24, 80, true);
	CHECK("q pressed: the header says so", strstr(row(0), "ending the run") != NULL);
}

static void test_small(void)
{
	bool fine = true;

	setup(4);
	draw(22, 80, false);	/* 21 rows without the 2 priority rows */
	CHECK("no room: no priority rows", row_of("priority") < 0 && row_of("proc3") >= 0);
	setup(300);
	draw(24, 80, false);
	CHECK("300 processes: the rest counted", strstr(row(23), "more") != NULL);
	for (int n = 1; n <= 300; n += 299) {
		setup(n);
		for (int l = 1; l <= 50; l += 7)
			for (int c = 1; c <= 120; c += 9) {
				draw(l, c, c % 2);
				fine &= LINES == l && COLS == c;
			}
	}
	CHECK("every size drawn", fine);
	draw(30, 100, false);
	CHECK("a resize draws at the new size", strstr(row(0), "q: end the run") != NULL);
}

int main(void)
{
	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *scr;

	if (out == NULL || in == NULL || (scr = newterm("xterm", out, in)) == NULL) {
		CHECK("newterm on /dev/null (TERM xterm)", 0);
		return check_done("test_live");
	}
	live_draw_init();
	test_parts();
	test_small();
	endwin();
	delscreen(scr);
	fclose(out);
	fclose(in);
	free(o.o_procs);
	free(now.lr_procs);
	free(then.lr_procs);
	return check_done("test_live");
}
