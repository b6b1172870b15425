/*
 * trace.c - parse and write page-reference traces (format in trace.h).
 */
#include "trace.h"
#include "vm_sim.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Longest excerpt of a bad line quoted back in an error message. */
#define TRACE_QUOTE_MAX	60
/* Room for a path, escaped, in a message. */
#define TRACE_PATH_Q	256

/* Growable array of references while loading. */
struct trace_buf {
	struct trace_ref *tb_refs;
	size_t            tb_n;
	size_t            tb_cap;
};

/* printf into err, if the caller gave room for a message. */
static void __attribute__((format(printf, 3, 4)))
trace_err_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Append one reference, doubling the buffer as needed. Returns 0 or -1. */
static int trace_buf_push(struct trace_buf *b, uint64_t vpn, bool write)
{
	if (b->tb_n == b->tb_cap) {
		size_t cap = b->tb_cap ? b->tb_cap * 2 : 4096;
		struct trace_ref *p;

		if (cap > SIZE_MAX / sizeof(*p)) {
			errno = ENOMEM;
			return -1;
		}
		p = realloc(b->tb_refs, cap * sizeof(*p));
		if (p == NULL)
			return -1;
		b->tb_refs = p;
		b->tb_cap = cap;
	}
	b->tb_refs[b->tb_n].tr_vpn = vpn;
	b->tb_refs[b->tb_n].tr_write = write;
	b->tb_n++;
	return 0;
}

/* Strip trailing whitespace ('\r' of a CRLF included); return the first
 * non-blank. */
static char *trace_line_trim(char *line)
{
	size_t len = strlen(line);

	while (len > 0 && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	return line;
}

/*
 * Parse an unsigned number (decimal, or hex after a 0x prefix) at *pp and
 * advance *pp past it. *is_hex tells which. Returns 0, or -1 if there are no
 * digits, a sign, or the value overflows 64 bits.
 */
static int trace_num_parse(const char **pp, uint64_t *val, bool *is_hex)
{
	const char *p = *pp;
	char *end;
	int base = 10;

	*is_hex = false;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		*is_hex = true;
		base = 16;
		p += 2;
		if (!isxdigit((unsigned char)*p))
			return -1;
	} else if (!isdigit((unsigned char)*p)) {
		return -1;
	}
	errno = 0;
	*val = strtoull(p, &end, base);
	if (errno == ERANGE)
		return -1;
	*pp = end;
	return 0;
}

/*
 * Parse one trimmed, non-comment line into a reference.
 * Returns 0, or -1 if the line is malformed.
 */
static int trace_line_parse(const char *s, uint64_t page_size,
			    struct trace_ref *ref)
{
	uint64_t val;
	bool is_hex;
	char op = (char)toupper((unsigned char)*s);

	if (op != 'R' && op != 'W')
		return -1;
	s++;
	if (*s != ' ' && *s != '\t')
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (trace_num_parse(&s, &val, &is_hex) != 0)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s != '\0' && *s != '#')
		return -1;
	ref->tr_vpn = is_hex ? val / page_size : val;
	ref->tr_write = (op == 'W');
	return 0;
}

/* The path, escaped for a one-line message (into buf). */
static const char *trace_path_q(char *buf, size_t n, const char *path)
{
	return vm_str_escape(buf, n, path, strlen(path));
}

/* Report a malformed line, quoting (a prefix of) it with non-printable
 * bytes escaped. */
static void trace_err_line(char *err, size_t errlen, const char *path,
			   size_t lineno, const char *s, size_t len)
{
	char q[4 * TRACE_QUOTE_MAX + 8], pq[TRACE_PATH_Q];
	bool cut = len > TRACE_QUOTE_MAX;

	vm_str_escape(q, sizeof(q), s, cut ? TRACE_QUOTE_MAX : len);
	trace_err_set(err, errlen,
		      "%s:%zu: expected 'R' or 'W' followed by a page number, got '%s%s'",
		      trace_path_q(pq, sizeof(pq), path), lineno, q, cut ? "..." : "");
}

enum trace_line_status { TRACE_LINE_OK, TRACE_LINE_EOF, TRACE_LINE_LONG };

/*
 * Read one line of f, without its '\n', into buf (TRACE_LINE_MAX + 1
 * bytes), NUL-terminated, its length (NUL bytes included) in *len.  Stops
 * reading at TRACE_LINE_MAX bytes and reports TRACE_LINE_LONG: a stream
 * with no line ends costs no more than one line.  At the end (or on a read
 * error: the caller checks ferror) TRACE_LINE_EOF.
 */
static enum trace_line_status trace_line_read(FILE *f, char *buf, size_t *len)
{
	size_t n = 0;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n == TRACE_LINE_MAX)
			return TRACE_LINE_LONG;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	*len = n;
	return c == EOF && n == 0 ? TRACE_LINE_EOF : TRACE_LINE_OK;
}

/* What the loader needs besides the file. */
struct trace_load_args {
	const char *ta_path;
	uint64_t ta_page_size;
	uint64_t ta_npages;		/* pages must be below this (0: any) */
	size_t ta_max_refs;		/* at most this many references (0: any) */
	const char *ta_why;		/* what the reference limit is */
};

/* Check one parsed reference against the limits. Returns 0 or -1, err set. */
static int trace_ref_check(const struct trace_load_args *a, const struct trace_buf *b,
			   const struct trace_ref *ref, size_t lineno,
			   char *err, size_t errlen)
{
	char pq[TRACE_PATH_Q];

	if (a->ta_npages != 0 && ref->tr_vpn >= a->ta_npages) {
		trace_err_set(err, errlen, "%s:%zu: page %" PRIu64 " is beyond the %"
			      PRIu64 "-page region", trace_path_q(pq, sizeof(pq), a->ta_path),
			      lineno, ref->tr_vpn, a->ta_npages);
		return -1;
	}
	if (a->ta_max_refs != 0 && b->tb_n >= a->ta_max_refs) {
		trace_err_set(err, errlen, "%s:%zu: more than %zu references (%s)",
			      trace_path_q(pq, sizeof(pq), a->ta_path), lineno,
			      a->ta_max_refs, a->ta_why ? a->ta_why : "the limit");
		return -1;
	}
	return 0;
}

/* Parse one line (len bytes in buf) into b. Returns 0, or -1 with err set. */
static int trace_line_take(const struct trace_load_args *a, struct trace_buf *b,
			   char *buf, size_t len, size_t lineno,
			   char *err, size_t errlen)
{
	struct trace_ref ref;
	char *s;

	if (memchr(buf, '\0', len) != NULL) {
		trace_err_line(err, errlen, a->ta_path, lineno, buf, len);
		return -1;
	}
	s = trace_line_trim(buf);
	if (*s == '\0' || *s == '#')
		return 0;
	if (trace_line_parse(s, a->ta_page_size, &ref) != 0) {
		trace_err_line(err, errlen, a->ta_path, lineno, s, strlen(s));
		return -1;
	}
	if (trace_ref_check(a, b, &ref, lineno, err, errlen) != 0)
		return -1;
	if (trace_buf_push(b, ref.tr_vpn, ref.tr_write) != 0) {
		char pq[TRACE_PATH_Q];

		trace_err_set(err, errlen, "%s:%zu: %s", trace_path_q(pq, sizeof(pq),
			      a->ta_path), lineno, strerror(errno));
		return -1;
	}
	return 0;
}

/* Read every line of f into b. Returns 0, or -1 with err set. */
static int trace_file_read(FILE *f, const struct trace_load_args *a,
			   struct trace_buf *b, char *err, size_t errlen)
{
	char *line = malloc(TRACE_LINE_MAX + 1), pq[TRACE_PATH_Q];
	size_t len, lineno = 0;
	enum trace_line_status st;
	int rc = 0;

	if (line == NULL) {
		trace_err_set(err, errlen, "%s: %s", trace_path_q(pq, sizeof(pq),
			      a->ta_path), strerror(errno));
		return -1;
	}
	while ((st = trace_line_read(f, line, &len)) != TRACE_LINE_EOF) {
		lineno++;
		if (st == TRACE_LINE_LONG) {
			trace_err_set(err, errlen, "%s:%zu: line longer than %d bytes "
				      "(is this a trace?)", trace_path_q(pq, sizeof(pq),
				      a->ta_path), lineno, TRACE_LINE_MAX);
			rc = -1;
			break;
		}
		if ((rc = trace_line_take(a, b, line, len, lineno, err, errlen)) != 0)
			break;
	}
	if (rc == 0 && ferror(f)) {
		trace_err_set(err, errlen, "%s: read error: %s",
			      trace_path_q(pq, sizeof(pq), a->ta_path), strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

/* Highest vpn among refs (0 if none). */
static uint64_t trace_vpn_max(const struct trace_ref *refs, size_t n)
{
	uint64_t max = 0;

	for (size_t i = 0; i < n; i++)
		if (refs[i].tr_vpn > max)
			max = refs[i].tr_vpn;
	return max;
}

/*
 * Open path for reading without waiting for a FIFO's writer: a FIFO with
 * none reads as empty ("no accesses") instead of hanging; one with a writer
 * (a shell's <(...)) blocks for data as usual.  NULL with errno set.
 */
static FILE *trace_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), saved;
	FILE *f;

	if (fd < 0)
		return NULL;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 ||
	    (f = fdopen(fd, "r")) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return NULL;
	}
	return f;
}

int trace_load_limited(const char *path, uint64_t page_size, uint64_t lim_npages,
		       size_t lim_refs, const char *why, struct trace *out,
		       char *err, size_t errlen)
{
	struct trace_load_args a = { path, page_size, lim_npages, lim_refs, why };
	struct trace_buf b = { 0 };
	char pq[TRACE_PATH_Q];
	struct trace_ref *fit;
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	if (page_size == 0) {
		trace_err_set(err, errlen, "%s: page size must be nonzero",
			      trace_path_q(pq, sizeof(pq), path));
		return -1;
	}
	f = trace_open(path);
	if (f == NULL) {
		trace_err_set(err, errlen, "%s: cannot open: %s",
			      trace_path_q(pq, sizeof(pq), path), strerror(errno));
		return -1;
	}
	rc = trace_file_read(f, &a, &b, err, errlen);
	fclose(f);
	if (rc == 0 && b.tb_n == 0) {
		trace_err_set(err, errlen, "%s: no accesses", trace_path_q(pq, sizeof(pq), path));
		rc = -1;
	}
	if (rc != 0) {
		free(b.tb_refs);
		return -1;
	}
	/* Give back the doubling's slack. */
	fit = realloc(b.tb_refs, b.tb_n * sizeof(*fit));
	out->t_refs = fit != NULL ? fit : b.tb_refs;
	out->t_n = b.tb_n;
	out->t_max_vpn = trace_vpn_max(out->t_refs, b.tb_n);
	return 0;
}

int trace_load(const char *path, uint64_t page_size, struct trace *out,
	       char *err, size_t errlen)
{
	return trace_load_limited(path, page_size, 0, 0, NULL, out, err, errlen);
}

size_t trace_lineno(const char *path, size_t index)
{
	char *line = malloc(TRACE_LINE_MAX + 1);
	size_t len, lineno = 0, found = 0, n = 0;
	FILE *f = line != NULL ? fopen(path, "r") : NULL;

	if (f == NULL) {
		free(line);
		return 0;
	}
	while (trace_line_read(f, line, &len) == TRACE_LINE_OK) {
		char *s = trace_line_trim(line);

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (n++ == index) {
			found = lineno;
			break;
		}
	}
	free(line);
	fclose(f);
	return found;
}

void trace_free(struct trace *t)
{
	free(t->t_refs);
	t->t_refs = NULL;
	t->t_n = 0;
	t->t_max_vpn = 0;
}

/* Write comment as '#' lines, one per line of the comment. */
static void trace_header_write(FILE *f, const char *comment)
{
	if (comment == NULL)
		comment = "vmsim page-reference trace";
	do {
		size_t len = strcspn(comment, "\n");

		fprintf(f, "# %.*s\n", (int)len, comment);
		comment += len;
	} while (*comment++ != '\0');
}

int trace_fwrite(FILE *f, const char *comment, const struct trace_ref *refs,
		 size_t n)
{
	errno = 0;
	trace_header_write(f, comment);
	for (size_t i = 0; i < n && !ferror(f); i++)
		fprintf(f, "%c %" PRIu64 "\n", refs[i].tr_write ? 'W' : 'R',
			refs[i].tr_vpn);
	if (fflush(f) != 0 || ferror(f)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int trace_write(const char *path, const char *comment,
		const struct trace_ref *refs, size_t n)
{
	FILE *f = fopen(path, "w");
	int saved;

	if (f == NULL)
		return -1;
	if (trace_fwrite(f, comment, refs, n) != 0) {
		saved = errno;
		fclose(f);
		errno = saved;
		return -1;
	}
	return fclose(f) != 0 ? -1 : 0;
}
