/*
 * trace.h - page-reference traces: load them (in vmsim's format or any other
 * trace_fmt.h names) and write them (in vmsim's format).
 *
 * vmsim's trace format (text, one access per line):
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

#include <stdbool.h>
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
	uint64_t          t_distinct;	/* distinct pages referenced */
	uint64_t          t_writes;	/* references that write */
	int               t_format;	/* enum tfmt_kind the trace was read as */
	const char       *t_codec;	/* "xz", "zstd" or NULL: how it was compressed */
};

/*
 * How to load a trace (trace_load.c): the format (trace_fmt.h; TFMT_AUTO
 * detects it from the content), and the limits: in vmsim's format a page
 * at or past tl_npages fails, naming its line ("t.trace:4: page 99999 is
 * beyond the 256-page region"); in a renumbered one, more than
 * tl_ndistinct distinct pages ("t.log:9: more than 256 distinct pages:
 * beyond the 256-page region"), as does a trace of more than
 * tl_max_refs references ("t.trace:9: more than 8 references (the memory
 * budget)"; tl_why says what the limit is, NULL: "the limit").  0 means
 * no limit.  tl_page_size (nonzero) turns byte addresses into pages.
 */
struct trace_load_opts {
	int         tl_format;		/* enum tfmt_kind */
	bool        tl_hex, tl_pages;	/* class forms: bare hex; numbers are pages */
	bool        tl_no_ifetch;	/* lackey: leave out instruction fetches */
	uint64_t    tl_page_size;
	uint64_t    tl_npages;		/* vmsim's format */
	uint64_t    tl_ndistinct;	/* the others */
	size_t      tl_max_refs;
	const char *tl_why;
};

/*
 * Load a trace in any format trace_fmt.h names, from a file, a FIFO or
 * standard input ("-"), plain or xz- or zstd-compressed.  Foreign formats
 * (all but vmsim's) have their distinct pages renumbered densely in
 * address (id) order, 0..t_distinct-1.  Returns 0, or -1 with a one-line
 * message in err naming the file and the line or record; on failure *out
 * is left empty (nothing to free).  An empty trace is an error ("t: no
 * accesses").
 */
int trace_load_opts(const char *path, const struct trace_load_opts *lo, struct trace *out,
		    char *err, size_t errlen);

/*
 * Load a trace file, its format detected. page_size (nonzero) turns 0x
 * byte offsets into pages. Returns 0, or -1 with a one-line message in err
 * like "trace.txt:17: expected 'R' or 'W' followed by a page number, got
 * 'X 12'" or "trace.txt: cannot open: No such file or directory".
 */
int trace_load(const char *path, uint64_t page_size, struct trace *out,
	       char *err, size_t errlen);

/* trace_load with the limits of struct trace_load_opts (why: tl_why). */
int trace_load_limited(const char *path, uint64_t page_size, uint64_t lim_npages,
		       size_t lim_refs, const char *why, struct trace *out,
		       char *err, size_t errlen);

/*
 * Parse one vmsim-format line s (trimmed, not a comment) into ref.
 * Returns 0, or -1 if it is malformed.
 */
int trace_line_parse(const char *s, uint64_t page_size, struct trace_ref *ref);

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
