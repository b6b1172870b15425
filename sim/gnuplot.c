/*
 * gnuplot.c - running gnuplot for the vmsim command's pictures
 * (gnuplot.h): found on PATH before any work, fed its script on standard
 * input, drawing into a temporary file that is renamed into place.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "gnuplot.h"

bool gp_found(void)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX], file[PATH_MAX + 16];
	struct stat st;

	if (path == NULL)
		path = "/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");

		snprintf(dir, sizeof(dir), "%.*s", (int)n, n ? p : ".");
		snprintf(file, sizeof(file), "%s/gnuplot", dir);
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && access(file, X_OK) == 0)
			return true;
		p += n;
		if (*p == '\0')
			return false;
	}
}

/* Where the picture goes: out, or what it links to.  The directory the
 * temporary file goes in, and its name there, into dir and base. */
static void gp_target(const char *out, char *res, char *dir, size_t len, const char **base)
{
	const char *slash;
	struct stat st;

	if (lstat(out, &st) == 0 && S_ISLNK(st.st_mode) && realpath(out, res) != NULL)
		out = res;
	else
		snprintf(res, len, "%s", out);
	slash = strrchr(res, '/');
	*base = slash ? slash + 1 : res;
	if (slash == NULL)
		snprintf(dir, len, ".");
	else
		snprintf(dir, len, "%.*s", slash == res ? 1 : (int)(slash - res), res);
}

/* A new temporary file beside the picture, with the picture's mode to be;
 * its name in tmp.  Returns 0, or -1 with errno. */
static int gp_tmpfile(const char *dir, const char *base, char *tmp, size_t len)
{
	mode_t um = umask(0);
	int fd;

	umask(um);
	snprintf(tmp, len, "%s/.%.64s.XXXXXX", dir, base);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0)
		return -1;
	if (fchmod(fd, 0666 & ~um) != 0) {
		int e = errno;

		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

void gp_preflight(const char *what, const char *out)
{
	char res[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 80];
	const char *base;
	struct stat st;

	gp_target(out, res, dir, sizeof(res), &base);
	if (stat(res, &st) == 0 && !S_ISREG(st.st_mode))
		cli_refuse("%s %s: %s: a picture is written to a temporary file and renamed "
		    "there: give a new name or a regular file", what, cli_q(out),
		    S_ISDIR(st.st_mode) ? "a directory" : "not a regular file");
	if (*base == '\0')
		cli_refuse("%s %s: a directory: give a file name", what, cli_q(out));
	if (gp_tmpfile(dir, base, tmp, sizeof(tmp)) != 0)
		cli_refuse("%s: cannot write %s: %s", what, cli_q(out), strerror(errno));
	unlink(tmp);
	if (!gp_found())
		cli_refuse("%s needs gnuplot, and it is not on PATH: make deps, or apt-get install "
		    "gnuplot-nox", what);
}

int gp_open(struct gp *g, const char *what, const char *out, int w, int h)
{
	char dir[PATH_MAX];
	const char *base;

	memset(g, 0, sizeof(*g));
	g->gp_what = what;
	gp_target(out, g->gp_out, dir, sizeof(dir), &base);
	if (gp_tmpfile(dir, base, g->gp_tmp, sizeof(g->gp_tmp)) != 0) {
		fprintf(stderr, "vmsim: %s: cannot write %s: %s\n", what, cli_q(out), strerror(errno));
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);	/* gnuplot dying early is an error, not the end */
	if ((g->gp_f = popen("exec gnuplot >/dev/null", "w")) == NULL) {
		fprintf(stderr, "vmsim: %s: cannot run gnuplot: %s\n", what, strerror(errno));
		unlink(g->gp_tmp);
		signal(SIGPIPE, SIG_DFL);
		return -1;
	}
	fprintf(g->gp_f, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
	    "  set terminal pngcairo size %d,%d font 'sans,11'\n"
	    "} else {\n  set terminal png size %d,%d\n}\nset output ", w, h, w, h);
	gp_str(g->gp_f, g->gp_tmp);
	fputc('\n', g->gp_f);
	return 0;
}

int gp_close(struct gp *g)
{
	struct stat st;
	int rc, st_gp;

	fprintf(g->gp_f, "\nunset output\n");
	rc = fflush(g->gp_f) != 0 || ferror(g->gp_f) ? -1 : 0;
	st_gp = pclose(g->gp_f);
	signal(SIGPIPE, SIG_DFL);
	if (st_gp == -1 || !WIFEXITED(st_gp) || WEXITSTATUS(st_gp) != 0 || rc != 0) {
		fprintf(stderr, "vmsim: %s: gnuplot failed (%s %d%s): no picture in %s\n", g->gp_what,
		    st_gp != -1 && WIFEXITED(st_gp) ? "exit" : "status",
		    st_gp != -1 && WIFEXITED(st_gp) ? WEXITSTATUS(st_gp) : st_gp,
		    st_gp != -1 && WIFEXITED(st_gp) && WEXITSTATUS(st_gp) == 127 ?
		    ": not installed? make deps, or apt-get install gnuplot-nox" : "",
		    cli_q(g->gp_out));
		goto out_unlink;
	}
	if (stat(g->gp_tmp, &st) != 0 || st.st_size == 0) {
		fprintf(stderr, "vmsim: %s: gnuplot drew nothing: no picture in %s\n", g->gp_what,
		    cli_q(g->gp_out));
		goto out_unlink;
	}
	if (rename(g->gp_tmp, g->gp_out) != 0) {
		fprintf(stderr, "vmsim: %s: cannot write %s: %s\n", g->gp_what, cli_q(g->gp_out),
		    strerror(errno));
		goto out_unlink;
	}
	return 0;
out_unlink:
	unlink(g->gp_tmp);
	return -1;
}

void gp_str(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}
