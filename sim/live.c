/*
 * live.c - vmsim --live: the terminal (live.h).  Checked before any work;
 * started after vm_create (newterm: drawn on stderr, keys read from
 * /dev/tty, never stdin); the sampler's watcher while the run goes; ended
 * by the run's last tick, by a message the run says (run_say_begin,
 * cli_refuse), or at once by an error on another thread or a signal.
 *
 * Signals: while the view is up, SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * SIGABRT end the view (live_abort) and then take their default action,
 * so the shell gets its terminal back; SIGTSTP is ignored (a stopped view
 * could not be redrawn by the main thread alone).  SIGWINCH only notes the
 * resize; the next tick reads the size (TIOCGWINSZ), tells ncurses
 * (resizeterm) and draws again.  All are installed before newterm, so
 * ncurses installs none of its own, and with SA_RESTART: the signal may
 * land on any thread, and a system thread's system call is restarted,
 * not failed with EINTR (ncurses' own SIGWINCH handler has no SA_RESTART).
 */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "live.h"
#include <term.h>	/* last: it defines macros with common names */

enum { LV_OFF, LV_IDLE, LV_DRAWING, LV_CLOSING, LV_CLOSED };

static const int lv_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT, SIGTSTP, SIGWINCH };
#define LV_NSIG ((int)(sizeof(lv_signals) / sizeof(lv_signals[0])))

/*
 * The one view.  Locking key (src/vm_lock.h, "Outside the library"):
 *   (a) atomic   (m) main thread only   (s) set by live_start before
 *   lv_state leaves LV_OFF, constant after: read by live_abort on any thread
 */
static struct {
	_Atomic int lv_state;		/* LV_*: who owns the terminal (a) */
	_Atomic pid_t lv_drawer;	/* the thread that draws: the main thread (a) */
	_Atomic int lv_winch;		/* the terminal was resized (a) */
	SCREEN *lv_scr;			/* (m) */
	FILE *lv_in;			/* /dev/tty: the keys (m) */
	struct termios lv_shell;	/* stderr's modes before the view (s) */
	bool lv_have_shell;		/* (s) */
	char lv_leave[256];		/* the terminal's own sequences that leave the view (s) */
	size_t lv_nleave;		/* (s) */
	struct sigaction lv_old[LV_NSIG];	/* the handlers before the view's (m) */
	const struct opts *lv_o;	/* (m) */
	struct live_reading lv_ring[LIVE_RING];	/* the latest readings (m) */
	int lv_nread;			/* readings taken (the newest: lv_nread - 1) (m) */
	double lv_next;			/* the next reading and redraw, seconds of the run (m) */
	bool lv_quit;			/* q: the run is asked to end (m) */
} lv;

void live_check(void)
{
	const char *term = getenv("TERM");
	int fd, err;
	bool ok;

	if (!isatty(2))
		cli_refuse("--live draws on the terminal, and standard error is not one");
	/* /dev/tty is the controlling terminal: stderr must be that one */
	if (tcgetsid(2) == -1)
		cli_refuse("--live: standard error is not this process's controlling terminal "
		    "(/dev/tty): the view is drawn where its keys are read");
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
		cli_refuse("--live reads its keys from the terminal: cannot open /dev/tty: %s",
		    strerror(errno));
	close(fd);
	if (term == NULL || *term == '\0')
		cli_refuse("--live: TERM is not set: the terminal's type is needed to draw on it");
	if (setupterm(NULL, 2, &err) != OK)
		cli_refuse("--live: TERM=%s: %s", cli_q(term), err == -1 ?
		    "no terminfo database on this machine" : "a terminal type terminfo does not know");
	ok = tigetstr("cup") != NULL && tigetstr("cup") != (char *)-1;
	del_curterm(cur_term);
	if (!ok)
		cli_refuse("--live: TERM=%s cannot move its cursor: the view needs a full-screen "
		    "terminal", cli_q(term));
}

/* ---- ending the view at once, from any thread ---- */

static void lv_nap_ms(void)
{
	struct timespec ts = { 0, 1000000L };

	nanosleep(&ts, NULL);
}

void live_abort(void)
{
	pid_t me = gettid();
	int s, waited = 0;
	size_t off = 0;

	for (;; waited++) {
		s = atomic_load(&lv.lv_state);
		if (s == LV_OFF || s == LV_CLOSED || (s == LV_CLOSING && waited > 2000))
			return;
		/* a redraw in progress finishes first, unless it is this very
		 * thread's (a signal in the middle of it) or it is stuck */
		if (s == LV_IDLE || (s == LV_DRAWING && (atomic_load(&lv.lv_drawer) == me ||
		    waited > 1000))) {
			if (atomic_compare_exchange_strong(&lv.lv_state, &s, LV_CLOSING))
				break;
			continue;
		}
		lv_nap_ms();
	}
	if (lv.lv_have_shell)
		tcsetattr(2, TCSANOW, &lv.lv_shell);
	while (off < lv.lv_nleave) {
		ssize_t w = write(2, lv.lv_leave + off, lv.lv_nleave - off);

		if (w <= 0 && errno != EINTR)
			break;
		off += w > 0 ? (size_t)w : 0;
	}
	atomic_store(&lv.lv_state, LV_CLOSED);
}

static void lv_on_winch(int sig)
{
	(void)sig;
	atomic_store(&lv.lv_winch, 1);
}

static void lv_on_signal(int sig)
{
	live_abort();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Our handlers in, before newterm; ncurses then leaves these alone. */
static void lv_signals_take(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (int i = 0; i < LV_NSIG; i++) {
		sigaction(lv_signals[i], NULL, &lv.lv_old[i]);
		if (lv.lv_old[i].sa_handler == SIG_IGN && lv_signals[i] != SIGWINCH)
			continue;	/* ignored already (nohup): stays so */
		sa.sa_handler = lv_signals[i] == SIGTSTP ? SIG_IGN :
		    lv_signals[i] == SIGWINCH ? lv_on_winch : lv_on_signal;
		sigaction(lv_signals[i], &sa, NULL);
	}
}

static void lv_signals_give(void)
{
	for (int i = 0; i < LV_NSIG; i++)
		sigaction(lv_signals[i], &lv.lv_old[i], NULL);
}

/* tputs' output into lv_leave. */
static int lv_leave_putc(int c)
{
	if (lv.lv_nleave < sizeof(lv.lv_leave))
		lv.lv_leave[lv.lv_nleave++] = (char)c;
	return c;
}

/* What leaves the view, in the terminal's own words: attributes off, the
 * cursor shown, the keypad's mode off, the shell's screen back. */
static void lv_leave_build(void)
{
	static const char *const caps[] = { "sgr0", "cnorm", "rmkx", "rmcup" };

	lv.lv_nleave = 0;
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		const char *s = tigetstr(caps[i]);

		if (s != NULL && s != (char *)-1)
			tputs(s, 1, lv_leave_putc);
	}
}

/* ---- the view while the run goes (main thread) ---- */

/* The keys typed since the last tick, and a resize.  Returns true if the
 * screen must be drawn again (a resize, or q). */
static bool lv_keys(void)
{
	bool redraw = false;
	struct winsize ws;
	int c;

	if (atomic_exchange(&lv.lv_winch, 0)) {
		if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
			resizeterm(ws.ws_row, ws.ws_col);
		redraw = true;
	}
	while ((c = getch()) != ERR) {
		if (c == KEY_RESIZE)
			redraw = true;
		else if ((c == 'q' || c == 'Q') && !lv.lv_quit)
			redraw = lv.lv_quit = true;
	}
	return redraw;
}

/*
 * The sampler's watcher (smp_watch_fn), at every tick of the run: the
 * counters read when a redraw is due (before taking the terminal: nothing
 * of vmsim is called while it is held), then the keys and the screen.
 * Main thread.  Returns true once q was pressed.
 */
static bool live_watch(void *arg, const struct sampler *sm, struct vm *vm, double t,
    uint64_t accesses, struct vm_process *const *procs, bool last)
{
	int s = LV_IDLE;
	bool redraw = false;

	(void)arg;
	if (last) {		/* the run is over: its report comes next */
		live_end();
		return lv.lv_quit;
	}
	if (atomic_load(&lv.lv_state) != LV_IDLE)
		return lv.lv_quit;	/* ended: an error was said */
	if (lv.lv_nread == 0 || t >= lv.lv_next) {
		struct live_reading *r = &lv.lv_ring[lv.lv_nread++ % LIVE_RING];

		smp_read(sm, vm, t, accesses, procs, &r->lr_pt, r->lr_procs);
		lv.lv_next = t + LIVE_PERIOD;
		redraw = true;
	}
	if (!atomic_compare_exchange_strong(&lv.lv_state, &s, LV_DRAWING))
		return lv.lv_quit;
	redraw |= lv_keys();
	if (redraw) {
		int n = lv.lv_nread, old = n > LIVE_RING ? n - LIVE_RING : 0;

		live_draw(lv.lv_o, &lv.lv_ring[(n - 1) % LIVE_RING], &lv.lv_ring[old % LIVE_RING],
		    lv.lv_quit);
		refresh();
	}
	s = LV_DRAWING;
	atomic_compare_exchange_strong(&lv.lv_state, &s, LV_IDLE);
	return lv.lv_quit;
}

static void lv_free(void)
{
	for (int i = 0; i < LIVE_RING; i++) {
		free(lv.lv_ring[i].lr_procs);
		lv.lv_ring[i].lr_procs = NULL;
	}
	if (lv.lv_in != NULL)
		fclose(lv.lv_in);
	lv.lv_in = NULL;
}

void live_start(const struct opts *o, struct sampler *sm)
{
	int fd;

	lv.lv_o = o;
	for (int i = 0; i < LIVE_RING; i++)
		if ((lv.lv_ring[i].lr_procs = calloc((size_t)o->o_nprocs,
		    sizeof(*lv.lv_ring[i].lr_procs))) == NULL)
			cli_refuse("out of memory");
	if ((fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0 ||
	    (lv.lv_in = fdopen(fd, "r")) == NULL)
		cli_refuse("--live: cannot open /dev/tty: %s", strerror(errno));
	lv.lv_have_shell = tcgetattr(2, &lv.lv_shell) == 0;
	lv_signals_take();
	if ((lv.lv_scr = newterm(NULL, stderr, lv.lv_in)) == NULL) {
		lv_signals_give();
		lv_free();
		cli_refuse("--live: cannot set up the terminal (TERM=%s)", cli_q(getenv("TERM") ?
		    getenv("TERM") : ""));
	}
	cbreak();
	noecho();
	nonl();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	live_draw_init();
	lv_leave_build();
	atomic_store(&lv.lv_drawer, gettid());
	sm->sm_watch = live_watch;
	sm->sm_watch_arg = NULL;
	atomic_store(&lv.lv_state, LV_IDLE);
}

void live_end(void)
{
	int s = LV_IDLE;

	if (!atomic_compare_exchange_strong(&lv.lv_state, &s, LV_CLOSING)) {
		for (int i = 0; s == LV_CLOSING && i < 2000; i++) {
			lv_nap_ms();	/* live_abort is at it: let it finish */
			s = atomic_load(&lv.lv_state);
		}
		return;
	}
	endwin();
	delscreen(lv.lv_scr);
	lv.lv_scr = NULL;
	lv_signals_give();
	lv_free();
	atomic_store(&lv.lv_state, LV_CLOSED);
}
