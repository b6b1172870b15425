/*
 * json.h - a small streaming JSON writer, shared by the vmsim command and
 * the benchmark: values go straight to a FILE in the order written, with
 * the commas and string escapes done here.
 *
 *	struct json j;
 *	json_begin(&j, stdout);
 *	json_object(&j, NULL);              // the top-level object
 *	json_u64(&j, "accesses", n);
 *	json_object(&j, "faults");          // "faults":{
 *	json_u64(&j, "hard", h);
 *	json_end(&j);                       // }
 *	json_end(&j);                       // } and a newline at depth 0
 *
 * key is the member's name inside an object, NULL inside an array (or for
 * the top-level value).  A double that is not finite is written as null.
 * Errors are the FILE's (ferror): the caller checks it as for any output.
 * Nesting deeper than JSON_MAX_DEPTH, or json_end with nothing open, is a
 * bug in the caller: abort().
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

struct json {
	FILE *j_f;
	int j_depth;				/* open objects and arrays */
	bool j_first[JSON_MAX_DEPTH];		/* no member written yet at this depth */
	char j_close[JSON_MAX_DEPTH];		/* '}' or ']' for the one open there */
	bool j_break;				/* start the next value on a new line */
};

void json_begin(struct json *j, FILE *f);
/* Open an object or array; json_end closes the innermost one. */
void json_object(struct json *j, const char *key);
void json_array(struct json *j, const char *key);
void json_end(struct json *j);

void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
/* v with a printf format for one double ("%g", "%.6f"): a number, or null. */
void json_double(struct json *j, const char *key, const char *fmt, double v);
void json_bool(struct json *j, const char *key, bool v);
/* s escaped: quote, backslash, control bytes as \uXXXX or \n \t ... */
void json_string(struct json *j, const char *key, const char *s);
void json_null(struct json *j, const char *key);
/* Put the next value on a new line (whitespace only: for long arrays). */
void json_newline(struct json *j);
