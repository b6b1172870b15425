/*
 * trace.c - vmsim's own trace format: parse a line, write a trace (format
 * in trace.h).  Loading, in every format, is trace_load.c.
 */
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int trace_line_parse(const char *s, uint64_t page_size, struct trace_ref *ref)
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

void trace_free(struct trace *t)
{
	free(t->t_refs);
	t->t_refs = NULL;
	t->t_n = 0;
	t->t_max_vpn = 0;
	t->t_distinct = 0;
	t->t_writes = 0;
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
