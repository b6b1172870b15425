/*
 * trace.h - page-reference traces: load them from and write them to text files.
 *
 * Trace format (text, one access per line):
 *
 *	R <page>
 *	W <page>
 *
 * <page> is either a decimal virtual page number ("R 12"), or a byte offset
 * written in hex with a 0x prefix ("W 0x1f000"), whose page is
 * offset / page_size.  The access letter may be lowercase (r, w) and must be
 * followed by at least one blank (space or tab).  Leading and trailing
 * whitespace is ignored.  Blank lines and lines whose first non-blank
 * character is '#' are comments; an access may be followed by a trailing
 * "# comment".  Anything else is malformed and makes the load fail, and so
 * does a line longer than TRACE_LINE_MAX bytes (comments included) or one
 * holding a NUL byte: the loader never holds more than one line of text, so
 * binary or newline-less input fails at once, in bounded memory.  Error
 * messages quote the offending line (and the path) with non-printable bytes
 * escaped as \xNN, never raw.
 *
 * Example:
 *
 *	# a tiny trace
 *	R 0
 *	w 1		# page 1
 *	R 0x2000	# byte offset 0x2000 = page 2 with 4 KiB pages
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One access: which virtual page, and whether it was a write. */
struct trace_ref {
	uint64_t tr_vpn;
	uint8_t  tr_write;
};

/* The longest line accepted, in bytes, its line end not counted. */
#define TRACE_LINE_MAX 4096

/* A loaded trace. */
struct trace {
	struct trace_ref *t_refs;	/* malloc'd */
	size_t            t_n;
	uint64_t          t_max_vpn;	/* highest vpn referenced (0 if empty) */
};

/*
 * Load a trace file. page_size (nonzero) turns 0x byte offsets into pages.
 * Returns 0, or -1 with a one-line message in err like
 * "trace.txt:17: expected 'R' or 'W' followed by a page number, got 'X 12'"
 * or "trace.txt: cannot open: No such file or directory".
 * An empty trace (no accesses) is an error too ("trace.txt: no accesses").
 * On failure *out is left empty (nothing to free).
 */
int trace_load(const char *path, uint64_t page_size, struct trace *out,
	       char *err, size_t errlen);

/*
 * trace_load with limits: a reference to a page at or past lim_npages
 * fails, naming its line ("t.trace:4: page 99999 is beyond the 256-page
 * region"), as does a trace of more than lim_refs references ("t.trace:9:
 * more than 8 references (the memory budget)"; why says what the limit
 * is, NULL: "the limit").  0 means no limit.
 */
int trace_load_limited(const char *path, uint64_t page_size, uint64_t lim_npages,
		       size_t lim_refs, const char *why, struct trace *out,
		       char *err, size_t errlen);

/*
 * The line number (1-based) in path of its index-th access (0-based), for
 * messages about a reference that parsed but is unusable; 0 if there is no
 * such access or the file cannot be read.
 */
size_t trace_lineno(const char *path, size_t index);

/* Free a trace's references and reset it to empty. Safe on an empty trace. */
void trace_free(struct trace *t);

/*
 * Write refs in the format above (page numbers in decimal), with a leading
 * '#' header line containing comment (each line of a multi-line comment gets
 * its own '#'; NULL gives a default header). Returns 0 or -1 with errno set
 * (a write error anywhere, such as a full disk, included).
 */
int trace_write(const char *path, const char *comment,
		const struct trace_ref *refs, size_t n);

/* The same into an open stream, flushed; the caller closes f (and must
 * check that fclose too). Returns 0 or -1 with errno set. */
int trace_fwrite(FILE *f, const char *comment, const struct trace_ref *refs,
		 size_t n);
