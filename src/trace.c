/*
 * trace.c - parse and write page-reference traces (format in trace.h).
 */
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest excerpt of a bad line quoted back in an error message. */
#define TRACE_QUOTE_MAX	60

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

/* Strip the line ending and trailing whitespace; return the first non-blank. */
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

/* Report a malformed line, quoting (a prefix of) it. */
static void trace_err_line(char *err, size_t errlen, const char *path,
			   size_t lineno, const char *s)
{
	size_t len = strlen(s);
	const char *dots = "";

	if (len > TRACE_QUOTE_MAX) {
		len = TRACE_QUOTE_MAX;
		dots = "...";
	}
	trace_err_set(err, errlen,
		      "%s:%zu: expected 'R' or 'W' followed by a page number, got '%.*s%s'",
		      path, lineno, (int)len, s, dots);
}

/* Read every line of f into b. Returns 0, or -1 with err set. */
static int trace_file_read(FILE *f, const char *path, uint64_t page_size,
			   struct trace_buf *b, char *err, size_t errlen)
{
	char *line = NULL;
	size_t linecap = 0, lineno = 0;
	struct trace_ref ref;
	int rc = 0;

	while (getline(&line, &linecap, f) != -1) {
		char *s = trace_line_trim(line);

		lineno++;
		if (*s == '\0' || *s == '#')
			continue;
		if (trace_line_parse(s, page_size, &ref) != 0) {
			trace_err_line(err, errlen, path, lineno, s);
			rc = -1;
			break;
		}
		if (trace_buf_push(b, ref.tr_vpn, ref.tr_write) != 0) {
			trace_err_set(err, errlen, "%s:%zu: %s", path, lineno,
				      strerror(errno));
			rc = -1;
			break;
		}
	}
	if (rc == 0 && ferror(f)) {
		trace_err_set(err, errlen, "%s: read error: %s", path,
			      strerror(errno));
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

int trace_load(const char *path, uint64_t page_size, struct trace *out,
	       char *err, size_t errlen)
{
	struct trace_buf b = { 0 };
	FILE *f;
	int rc;

	memset(out, 0, sizeof(*out));
	if (page_size == 0) {
		trace_err_set(err, errlen, "%s: page size must be nonzero", path);
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		trace_err_set(err, errlen, "%s: cannot open: %s", path,
			      strerror(errno));
		return -1;
	}
	rc = trace_file_read(f, path, page_size, &b, err, errlen);
	fclose(f);
	if (rc == 0 && b.tb_n == 0) {
		trace_err_set(err, errlen, "%s: no accesses", path);
		rc = -1;
	}
	if (rc != 0) {
		free(b.tb_refs);
		return -1;
	}
	out->t_refs = b.tb_refs;
	out->t_n = b.tb_n;
	out->t_max_vpn = trace_vpn_max(b.tb_refs, b.tb_n);
	return 0;
}

size_t trace_lineno(const char *path, size_t index)
{
	char *line = NULL;
	size_t linecap = 0, lineno = 0, found = 0, n = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	while (getline(&line, &linecap, f) != -1) {
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

int trace_write(const char *path, const char *comment,
		const struct trace_ref *refs, size_t n)
{
	FILE *f = fopen(path, "w");
	int saved;

	if (f == NULL)
		return -1;
	trace_header_write(f, comment);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%c %" PRIu64 "\n", refs[i].tr_write ? 'W' : 'R',
			refs[i].tr_vpn);
	if (ferror(f)) {
		saved = errno ? errno : EIO;
		fclose(f);
		errno = saved;
		return -1;
	}
	if (fclose(f) != 0)
		return -1;
	return 0;
}
