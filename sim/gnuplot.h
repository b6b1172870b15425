/*
 * gnuplot.h - the vmsim command's pictures (--plot, --mrc-plot), drawn by
 * gnuplot (Debian gnuplot-nox; `make deps` installs it).  The script and
 * its data go to gnuplot's standard input as inline data blocks; gnuplot
 * draws into a temporary file beside the picture's name, renamed over it
 * once gnuplot has succeeded, so a failed picture never leaves half a
 * file or destroys the one that was there.
 */
#pragma once
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct gp {
	FILE *gp_f;			/* the script: gnuplot's standard input */
	const char *gp_what;		/* the option, for messages: "--plot" */
	char gp_out[PATH_MAX];		/* the picture (a symbolic link resolved) */
	char gp_tmp[PATH_MAX];		/* where gnuplot draws it */
};

/* Is gnuplot on PATH? */
bool gp_found(void);
/*
 * Before any work: gnuplot is on PATH, and out is a new name or a regular
 * file in a directory where a file can be created (one is, and removed).
 * Refuses (exit 2) with one line naming what ("--plot").
 */
void gp_preflight(const char *what, const char *out);
/*
 * Start gnuplot for a PNG of w x h pixels drawn into a temporary file
 * beside out; write the rest of the script to g->gp_f.  Returns 0, or -1
 * said on stderr (nothing left behind).
 */
int gp_open(struct gp *g, const char *what, const char *out, int w, int h);
/* End the script and wait for gnuplot; the picture renamed to its name.
 * Returns 0, or -1 said on stderr (the temporary file removed). */
int gp_close(struct gp *g);
/* s in gnuplot single quotes ('' for '). */
void gp_str(FILE *f, const char *s);
