/*
 * json.c - the streaming JSON writer (json.h).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>

#include "json.h"

void json_begin(struct json *j, FILE *f)
{
	j->j_f = f;
	j->j_depth = 0;
	j->j_first[0] = true;
	j->j_break = false;
}

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* The separator and the key before a value at the current depth. */
static void json_key(struct json *j, const char *key)
{
	if (!j->j_first[j->j_depth])
		fputc(',', j->j_f);
	j->j_first[j->j_depth] = false;
	if (j->j_break)
		fputc('\n', j->j_f);
	j->j_break = false;
	if (key != NULL) {
		json_str(j->j_f, key);
		fputc(':', j->j_f);
	}
}

static void json_open(struct json *j, const char *key, char open, char close)
{
	json_key(j, key);
	fputc(open, j->j_f);
	if (++j->j_depth >= JSON_MAX_DEPTH)
		abort();
	j->j_first[j->j_depth] = true;
	j->j_close[j->j_depth] = close;
}

void json_object(struct json *j, const char *key)
{
	json_open(j, key, '{', '}');
}

void json_array(struct json *j, const char *key)
{
	json_open(j, key, '[', ']');
}

void json_end(struct json *j)
{
	if (j->j_depth == 0)
		abort();
	j->j_break = false;
	fputc(j->j_close[j->j_depth--], j->j_f);
	if (j->j_depth == 0) {		/* a new top-level value may follow */
		fputc('\n', j->j_f);
		j->j_first[0] = true;
	}
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	fprintf(j->j_f, "%" PRIu64, v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	fprintf(j->j_f, "%" PRId64, v);
}

void json_double(struct json *j, const char *key, const char *fmt, double v)
{
	json_key(j, key);
	if (isfinite(v))
		fprintf(j->j_f, fmt, v);
	else
		fputs("null", j->j_f);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->j_f);
}

void json_string(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j->j_f, s);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->j_f);
}

void json_newline(struct json *j)
{
	j->j_break = true;
}
