/*
 * test_json.c - unit tests of the JSON writer (sim/json.c) shared by the
 * vmsim command and the benchmark: commas and nesting, each value kind,
 * string escapes, non-finite doubles as null, line breaks in arrays; and
 * that python-free consumers could parse it: the output is compared byte
 * for byte with what it must be.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "json.h"

/* Run fn on a memory stream; returns the malloc'd text. */
static char *emit(void (*fn)(struct json *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct json j;

	json_begin(&j, f);
	fn(&j);
	fclose(f);
	return buf;
}

static void nested(struct json *j)
{
	json_object(j, NULL);
	json_u64(j, "a", 18446744073709551615ULL);
	json_i64(j, "b", -5);
	json_object(j, "c");
	json_bool(j, "t", true);
	json_bool(j, "f", false);
	json_end(j);
	json_array(j, "d");
	json_u64(j, NULL, 1);
	json_object(j, NULL);
	json_end(j);
	json_array(j, NULL);
	json_end(j);
	json_end(j);
	json_null(j, "e");
	json_end(j);
}

static void doubles(struct json *j)
{
	json_object(j, NULL);
	json_double(j, "g", "%g", 0.5);
	json_double(j, "f6", "%.6f", 2.0);
	json_double(j, "nan", "%g", NAN);
	json_double(j, "inf", "%.1f", INFINITY);
	json_double(j, "ninf", "%g", -INFINITY);
	json_end(j);
}

static void strings(struct json *j)
{
	json_array(j, NULL);
	json_string(j, NULL, "plain");
	json_string(j, NULL, "q\"b\\s/");
	json_string(j, NULL, "n\nt\tr\r\x01\x1f\x7f");
	json_string(j, NULL, "");
	json_string(j, NULL, "caf\xc3\xa9");
	json_end(j);
}

static void lines(struct json *j)
{
	json_object(j, NULL);
	json_array(j, "runs");
	for (int i = 0; i < 3; i++) {
		json_newline(j);
		json_object(j, NULL);
		json_i64(j, "i", i);
		json_end(j);
	}
	json_end(j);
	json_end(j);
}

static void empty(struct json *j)
{
	json_object(j, NULL);
	json_end(j);
	json_array(j, NULL);
	json_end(j);
}

int main(void)
{
	char *s;

	s = emit(nested);
	CHECK("nesting and commas", strcmp(s, "{\"a\":18446744073709551615,\"b\":-5,"
	    "\"c\":{\"t\":true,\"f\":false},\"d\":[1,{},[]],\"e\":null}\n") == 0);
	free(s);
	s = emit(doubles);
	CHECK("doubles, non-finite as null", strcmp(s, "{\"g\":0.5,\"f6\":2.000000,\"nan\":null,"
	    "\"inf\":null,\"ninf\":null}\n") == 0);
	free(s);
	s = emit(strings);
	CHECK("string escapes", strcmp(s, "[\"plain\",\"q\\\"b\\\\s/\","
	    "\"n\\nt\\tr\\r\\u0001\\u001f\\u007f\",\"\",\"caf\xc3\xa9\"]\n") == 0);
	free(s);
	s = emit(lines);
	CHECK("a line per array element", strcmp(s, "{\"runs\":[\n{\"i\":0},\n{\"i\":1},\n"
	    "{\"i\":2}]}\n") == 0);
	free(s);
	s = emit(empty);
	CHECK("two top-level values, a line each", strcmp(s, "{}\n[]\n") == 0);
	free(s);
	return check_done("json");
}
