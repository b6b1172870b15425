/*
 * optdoc.c - the options table (options.def) as data, and its three
 * renderings: --help (plain text, wrapped to 79 columns), the vmsim(1) man
 * page (troff, man macros) and the README's option table (Markdown).
 *
 * The prose around the options (what vmsim does, the rules every option
 * follows, the exit status) is here once too, shared by --help and the man
 * page.  The markup of options.def (`literal`, *emphasis*) is rendered by
 * put_text() per output.
 */
#include <stdbool.h>
#include <string.h>

#include "optdoc.h"

const struct optdoc optdoc_table[] = {
#define OPT_GROUP(title) { .od_brief = title, .od_id = -1 },
#define OPT(id, name, arg, metavar, def, brief, more) \
	{ name, arg, metavar, def, brief, more, OPT_##id },
#include "options.def"
#undef OPT
#undef OPT_GROUP
	{ .od_id = -1 },
};

static const char optdoc_what[] =
	"Runs user threads against a demand-paged region managed by the Windows page "
	"state machine, checks every access, and reports what happened.";

static const char optdoc_rules[] =
	"A value out of range is refused, never clamped, with the range for this "
	"configuration. An option that cannot affect the run is refused (`--json` and "
	"`--quiet` go with anything); a repeated option replaces the earlier value. No "
	"output may name an input or another output. The memory a run needs is estimated "
	"before anything is allocated: more than 3/4 of the machine's memory is refused.";

static const char optdoc_exit[] =
	"0 every access verified, the structures valid and every output written; 1 a "
	"verification or validation failure, output lost (a write error on standard output "
	"or `--record`), or a page file that failed during the run; 2 bad input or an "
	"unusable kernel, refused before anything is created or run.";

enum style { ST_PLAIN, ST_MAN, ST_MD };

static bool is_group(const struct optdoc *d)
{
	return d->od_name == NULL;
}

static bool is_end(const struct optdoc *d)
{
	return d->od_name == NULL && d->od_brief == NULL;
}

/* s with its markup rendered for style st. */
static void put_text(FILE *f, const char *s, enum style st)
{
	bool lit = false, em = false;

	for (; *s != '\0'; s++) {
		char c = *s;

		if (c == '`' || (c == '*' && !lit)) {
			bool *on = c == '`' ? &lit : &em;

			*on = !*on;
			if (st == ST_MD)
				fputc(c, f);
			else if (st == ST_MAN)
				fputs(*on ? (c == '`' ? "\\fB" : "\\fI") : "\\fR", f);
			continue;
		}
		if (st == ST_MAN && c == '\\')
			fputs("\\e", f);
		else if (st == ST_MAN && c == '-')
			fputs("\\-", f);
		else if (st == ST_MD && c == '|')
			fputs("\\|", f);
		else
			fputc(c, f);
	}
}

/* "--name METAVAR", "--name[=METAVAR]" or "--name" into buf. */
static const char *opt_usage(const struct optdoc *d, char *buf, size_t n)
{
	if (d->od_arg == OPTARG_NONE)
		snprintf(buf, n, "--%s", d->od_name);
	else if (d->od_arg == OPTARG_OPTIONAL)
		snprintf(buf, n, "--%s[=%s]", d->od_name, d->od_metavar);
	else
		snprintf(buf, n, "--%s %s", d->od_name, d->od_metavar);
	return buf;
}

/* ---- --help ---- */

/* Plain text of s into buf (markup dropped). */
static const char *plain(char *buf, size_t n, const char *s)
{
	FILE *m = fmemopen(buf, n, "w");

	if (m == NULL)
		return s;
	put_text(m, s, ST_PLAIN);
	fclose(m);
	buf[n - 1] = '\0';
	return buf;
}

/* Words of s from column col on, wrapped at 79 to column indent. */
static void wrap(FILE *f, const char *s, int col, int indent)
{
	while (*s != '\0') {
		size_t w = strcspn(s, " ");

		if (col > indent && col + 1 + (int)w > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			fputc(' ', f);
			col++;
		}
		fwrite(s, 1, w, f);
		col += (int)w;
		s += w;
		s += strspn(s, " ");
	}
	fputc('\n', f);
}

static void help_option(FILE *f, const struct optdoc *d)
{
	char u[64], text[1024], dflt[64];

	opt_usage(d, u, sizeof(u));
	fprintf(f, "  %-20s", u);
	plain(text, sizeof(text), d->od_brief);
	if (d->od_default[0] != '\0') {
		snprintf(dflt, sizeof(dflt), " [%s]", d->od_default);
		strncat(text, dflt, sizeof(text) - strlen(text) - 1);
	}
	if (strlen(u) > 20)
		fprintf(f, "\n%23s", "");
	else
		fputc(' ', f);
	wrap(f, text, 23, 23);
}

void optdoc_help(FILE *f)
{
	char buf[1024];

	fprintf(f, "usage: vmsim [options]\n");
	wrap(f, optdoc_what, 0, 0);
	for (const struct optdoc *d = optdoc_table; !is_end(d); d++) {
		if (is_group(d))
			fprintf(f, "\n%s\n", d->od_brief);
		else
			help_option(f, d);
	}
	fputc('\n', f);
	wrap(f, plain(buf, sizeof(buf), optdoc_rules), 0, 0);
	fputs("exit status:", f);
	wrap(f, plain(buf, sizeof(buf), optdoc_exit), 12, 0);
	fprintf(f, "The README and vmsim(1) say more about each option.\n");
}

/* ---- the man page ---- */

static void man_par(FILE *f, const char *s)
{
	fputs("\\&", f);
	put_text(f, s, ST_MAN);
	fputc('\n', f);
}

static void man_option(FILE *f, const struct optdoc *d)
{
	size_t n = strlen(d->od_brief);

	fprintf(f, ".TP\n.%s \"\\-\\-", d->od_arg == OPTARG_NONE ? "B" : "BI");
	put_text(f, d->od_name, ST_MAN);
	if (d->od_arg == OPTARG_REQUIRED)
		fprintf(f, " \" %s", d->od_metavar);
	else if (d->od_arg == OPTARG_OPTIONAL)
		fprintf(f, "[=\" %s ]", d->od_metavar);
	else
		fputc('"', f);
	fputs("\n\\&", f);
	put_text(f, d->od_brief, ST_MAN);
	fputs(n && strchr(".:;", d->od_brief[n - 1]) ? "" : ".", f);
	if (d->od_more[0] != '\0') {
		fputc(' ', f);
		put_text(f, d->od_more, ST_MAN);
	}
	if (d->od_default[0] != '\0')
		fprintf(f, " Default: %s.", d->od_default);
	fputc('\n', f);
}

void optdoc_man(FILE *f)
{
	fprintf(f, ".\\\" vmsim.1 - generated from sim/options.def by optdoc; do not edit.\n"
	    ".TH VMSIM 1 \"\" \"vmsim\" \"User Commands\"\n"
	    ".SH NAME\nvmsim \\- the Windows memory manager's page state machine, run in "
	    "user space\n.SH SYNOPSIS\n.B vmsim\n[\\fIoptions\\fR]\n.SH DESCRIPTION\n");
	man_par(f, optdoc_what);
	fprintf(f, ".PP\n");
	man_par(f, "vmsim owns a pool of physical frames and a virtual region several "
	    "times larger, with a PFN database; zeroed, free, standby and modified page lists; "
	    "PTEs in valid, transition, page-file and demand-zero formats; a working-set "
	    "trimmer, a modified page writer and a zero-page thread working beside the user "
	    "threads; and a page file. Faults are real hardware faults on the region, resolved "
	    "on the faulting thread (userfaultfd in SIGBUS mode). While it runs on a terminal, "
	    "one status line shows accesses/s, faults by kind and the list sizes (`--live`: a "
	    "full-screen view instead); at the end it "
	    "prints a summary (or, with `--json`, one JSON object).");
	fprintf(f, ".SH OPTIONS\n");
	man_par(f, "Sizes take K, M, G or T (binary) and must be multiples of 4K.");
	fprintf(f, ".PP\n");
	man_par(f, optdoc_rules);
	for (const struct optdoc *d = optdoc_table; !is_end(d); d++) {
		if (is_group(d)) {
			size_t n = strcspn(d->od_brief, " ");

			fprintf(f, ".SS %.*s\n", (int)n, d->od_brief);
		} else {
			man_option(f, d);
		}
	}
	fprintf(f, ".SH EXIT STATUS\n");
	man_par(f, optdoc_exit);
	fprintf(f, ".SH SEE ALSO\n"
	    "The README and docs/DESIGN.md of the vmsim sources; libvmsim (vm.h, "
	    "pkg-config vmsim).\n");
}

/* ---- the README's table ---- */

void optdoc_markdown(FILE *f)
{
	char u[64];

	fprintf(f, "| option | default | meaning |\n|---|---|---|\n");
	for (const struct optdoc *d = optdoc_table; !is_end(d); d++) {
		if (is_group(d))
			continue;
		fprintf(f, "| `%s` | ", opt_usage(d, u, sizeof(u)));
		put_text(f, d->od_default, ST_MD);
		fputs(" | ", f);
		put_text(f, d->od_brief, ST_MD);
		if (d->od_more[0] != '\0') {
			fputs(". ", f);
			put_text(f, d->od_more, ST_MD);
		}
		fputs(" |\n", f);
	}
}

void optdoc_list(FILE *f)
{
	static const char *const kind[] = { "none", "required", "optional" };

	for (const struct optdoc *d = optdoc_table; !is_end(d); d++)
		if (!is_group(d))
			fprintf(f, "%s\t%s\t%s\t%s\n", d->od_name, kind[d->od_arg], d->od_metavar,
			    d->od_default);
}
