/*
 * test_trace.c - unit tests of the trace format: parsing decimal pages, 0x
 * byte offsets, comments and whitespace; errors naming file:line; round trips
 * through trace_write and trace_load; hostile input (lines too long, NUL
 * bytes, binary bytes quoted back) and the loader's limits; write errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "trace.h"

#define PAGE	4096

/* Write text to a fresh temp file; its name goes to path (>= 64 bytes). */
static int tmp_write(char *path, const char *text)
{
	size_t len = strlen(text);
	int fd;

	strcpy(path, "/tmp/vmsim_test_trace_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len) {
		close(fd);
		unlink(path);
		return -1;
	}
	return close(fd);
}

/* Load text as a trace file (kept in path until the caller unlinks it). */
static int text_load(const char *text, char *path, struct trace *t,
		     char *err, size_t errlen)
{
	err[0] = '\0';
	if (tmp_write(path, text) != 0) {
		snprintf(err, errlen, "tmp_write: %s", strerror(errno));
		return -2;
	}
	return trace_load(path, PAGE, t, err, errlen);
}

/* Does refs[i] hold vpn and write? */
static bool ref_is(const struct trace *t, size_t i, uint64_t vpn, bool write)
{
	return i < t->t_n && t->t_refs[i].tr_vpn == vpn &&
	       t->t_refs[i].tr_write == write;
}

/* Decimal page numbers and the highest vpn. */
static void test_decimal(void)
{
	char path[64], err[256];
	struct trace t;
	int rc = text_load("R 1\nW 2\nR 300\nW 0\nR 18446744073709551615\n",
			   path, &t, err, sizeof(err));

	CHECK("decimal rc", rc == 0);
	CHECK("decimal n", t.t_n == 5);
	CHECK("decimal refs", ref_is(&t, 0, 1, false) && ref_is(&t, 1, 2, true) &&
	      ref_is(&t, 2, 300, false) && ref_is(&t, 3, 0, true));
	CHECK("decimal u64 max", ref_is(&t, 4, UINT64_MAX, false));
	CHECK("decimal max vpn", t.t_max_vpn == UINT64_MAX);
	trace_free(&t);
	CHECK("free resets", t.t_refs == NULL && t.t_n == 0 && t.t_max_vpn == 0);
	unlink(path);
}

/* 0x byte offsets become offset / page_size. */
static void test_hex(void)
{
	char path[64], err[256];
	struct trace t;
	int rc = text_load("R 0x0\nW 0x1f000\nR 0x1FFF\nw 0X2000\nR 0xfff\n",
			   path, &t, err, sizeof(err));

	CHECK("hex rc", rc == 0);
	CHECK("hex n", t.t_n == 5);
	CHECK("hex refs", ref_is(&t, 0, 0, false) && ref_is(&t, 1, 31, true) &&
	      ref_is(&t, 2, 1, false) && ref_is(&t, 3, 2, true) &&
	      ref_is(&t, 4, 0, false));
	CHECK("hex max vpn", t.t_max_vpn == 31);
	trace_free(&t);
	CHECK("hex page size 1", trace_load(path, 1, &t, err, sizeof(err)) == 0 &&
	      ref_is(&t, 1, 0x1f000, true));
	trace_free(&t);
	CHECK("page size 0", trace_load(path, 0, &t, err, sizeof(err)) == -1);
	unlink(path);
}

/* Comments, blank lines, lowercase, tabs, CRLF and trailing comments. */
static void test_comments(void)
{
	char path[64], err[256];
	struct trace t;
	int rc = text_load("# header\n\n   \n  r 5  \n\tw\t7\t# trailing\n"
			   "  # indented comment\nR 9 #c\r\nW 4# tight\n#R 1\n",
			   path, &t, err, sizeof(err));

	CHECK("comments rc", rc == 0);
	CHECK("comments n", t.t_n == 4);
	CHECK("comments refs", ref_is(&t, 0, 5, false) && ref_is(&t, 1, 7, true) &&
	      ref_is(&t, 2, 9, false) && ref_is(&t, 3, 4, true));
	CHECK("comments max vpn", t.t_max_vpn == 9);
	trace_free(&t);
	unlink(path);
}

/* Each bad line, placed on line 4, must fail naming path:4 and the line. */
static void test_malformed(void)
{
	static const char *const bad[] = {
		"X 12", "R", "R -1", "R +5", "R 12abc", "R1", "RW 1", "R 0x",
		"R 0xg", "R 1 2", "R 1.5", "R 99999999999999999999999",
		"R 0x10000000000000000", "read 1", "W 1 // c",
	};
	char path[64], err[256], text[128], want[96];
	struct trace t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc;

		snprintf(text, sizeof(text), "R 1\n# ok\n\n  %s  \nR 2\n", bad[i]);
		rc = text_load(text, path, &t, err, sizeof(err));
		snprintf(want, sizeof(want), "%s:4: ", path);
		CHECK("malformed rc", rc == -1);
		CHECK("malformed file:line", strncmp(err, want, strlen(want)) == 0);
		CHECK("malformed quotes line", strstr(err, bad[i]) != NULL);
		CHECK("malformed leaves empty", t.t_refs == NULL && t.t_n == 0);
		if (rc != -1 || strncmp(err, want, strlen(want)) != 0)
			fprintf(stderr, "  line '%s' -> rc %d, err '%s'\n",
				bad[i], rc, err);
		unlink(path);
	}
}

/* The exact message of the brief's example, and a tiny err buffer. */
static void test_message(void)
{
	char path[64], err[256], want[256], small[8];
	struct trace t;
	int rc = text_load("R 1\nX 12\n", path, &t, err, sizeof(err));

	snprintf(want, sizeof(want),
		 "%s:2: expected 'R' or 'W' followed by a page number, got 'X 12'",
		 path);
	CHECK("message rc", rc == -1);
	CHECK("message text", strcmp(err, want) == 0);
	memset(small, 'z', sizeof(small));
	rc = trace_load(path, PAGE, &t, small, sizeof(small));
	CHECK("small err", rc == -1 && strlen(small) == sizeof(small) - 1);
	CHECK("no err buffer", trace_load(path, PAGE, &t, NULL, 0) == -1);
	unlink(path);
}

/* A missing file and a file with no accesses are errors. */
static void test_missing_empty(void)
{
	char path[64], err[256], want[128];
	struct trace t;
	const char *missing = "/tmp/vmsim_no_such_dir/none.trace";
	int rc;

	rc = trace_load(missing, PAGE, &t, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: cannot open: %s", missing,
		 strerror(ENOENT));
	CHECK("missing rc", rc == -1);
	CHECK("missing text", strcmp(err, want) == 0);

	rc = text_load("# nothing here\n\n   \n", path, &t, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: no accesses", path);
	CHECK("empty rc", rc == -1);
	CHECK("empty text", strcmp(err, want) == 0);
	unlink(path);

	rc = text_load("", path, &t, err, sizeof(err));
	CHECK("zero bytes rc", rc == -1 && strstr(err, "no accesses") != NULL);
	unlink(path);
}

/* A last line without a newline still counts. */
static void test_no_final_newline(void)
{
	char path[64], err[256];
	struct trace t;
	int rc = text_load("R 1\nW 0x3000", path, &t, err, sizeof(err));

	CHECK("no newline rc", rc == 0);
	CHECK("no newline refs", t.t_n == 2 && ref_is(&t, 1, 3, true));
	trace_free(&t);
	unlink(path);
}

/* trace_write then trace_load gives back the same references. */
static void test_round_trip(void)
{
	size_t n = 5000;
	struct trace_ref *refs = malloc(n * sizeof(*refs));
	char path[64], err[256], first[64] = "";
	struct trace t;
	uint64_t x = 88172645463325252ULL, max = 0;
	bool same = true;
	FILE *f;
	int rc;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		refs[i].tr_vpn = i % 3 ? x % 10000 : x >> (i % 64);
		refs[i].tr_write = x & 1;
		if (refs[i].tr_vpn > max)
			max = refs[i].tr_vpn;
	}
	CHECK("tmp", tmp_write(path, "") == 0);
	CHECK("write rc", trace_write(path, "round trip\nsecond line", refs, n) == 0);
	f = fopen(path, "r");
	if (f != NULL) {
		if (fgets(first, sizeof(first), f) == NULL)
			first[0] = '\0';
		fclose(f);
	}
	CHECK("write header", strcmp(first, "# round trip\n") == 0);
	rc = trace_load(path, PAGE, &t, err, sizeof(err));
	CHECK("round trip rc", rc == 0);
	CHECK("round trip n", t.t_n == n);
	for (size_t i = 0; rc == 0 && i < n && i < t.t_n; i++)
		same &= ref_is(&t, i, refs[i].tr_vpn, refs[i].tr_write);
	CHECK("round trip refs", same);
	CHECK("round trip max", t.t_max_vpn == max);
	trace_free(&t);
	CHECK("write NULL comment", trace_write(path, NULL, refs, 3) == 0 &&
	      trace_load(path, PAGE, &t, err, sizeof(err)) == 0 && t.t_n == 3);
	trace_free(&t);
	unlink(path);
	errno = 0;
	CHECK("write bad path", trace_write("/tmp/vmsim_no_such_dir/x.trace",
					    "c", refs, n) == -1 && errno == ENOENT);
	free(refs);
}

/* Write len bytes of buf to a fresh temp file (named into path). */
static int tmp_write_bytes(char *path, const char *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/vmsim_test_trace_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, buf, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* A line of exactly TRACE_LINE_MAX bytes loads; one byte more fails,
 * naming its line, whatever follows. */
static void test_long_lines(void)
{
	size_t len = TRACE_LINE_MAX + 64;
	char *buf = malloc(len + 16), path[64], err[256], want[128];
	struct trace t;
	int rc;

	memcpy(buf, "R 1\nR 2", 7);
	memset(buf + 7, ' ', TRACE_LINE_MAX - 3);	/* line 2: exactly the limit */
	memcpy(buf + 4 + TRACE_LINE_MAX, "\nW 3\n", 5);
	CHECK("max line tmp", tmp_write_bytes(path, buf, 9 + TRACE_LINE_MAX) == 0);
	rc = trace_load(path, PAGE, &t, err, sizeof(err));
	CHECK("max line loads", rc == 0 && t.t_n == 3 && ref_is(&t, 1, 2, false));
	trace_free(&t);
	unlink(path);

	memset(buf + 4, '#', len - 4);		/* line 2: a comment past the limit, no end */
	CHECK("long line tmp", tmp_write_bytes(path, buf, len) == 0);
	rc = trace_load(path, PAGE, &t, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:2: line longer than %d bytes", path, TRACE_LINE_MAX);
	CHECK("long line fails", rc == -1 && strncmp(err, want, strlen(want)) == 0);
	CHECK("long line leaves empty", t.t_refs == NULL && t.t_n == 0);
	unlink(path);
	free(buf);
}

/* Binary bytes never reach the message raw; a NUL inside a line is an
 * error, not the line's end. */
static void test_binary(void)
{
	static const char bin[] = "R 0\n\x01\x1b[2J\xff\x7f\\\n";
	static const char nul[] = "R 5\0 junk\nW 1\n";
	char path[64], err[256];
	struct trace t;
	bool printable = true;
	int rc;

	CHECK("binary tmp", tmp_write_bytes(path, bin, sizeof(bin) - 1) == 0);
	rc = trace_load(path, PAGE, &t, err, sizeof(err));
	for (const char *p = err; *p; p++)
		printable &= *p >= 0x20 && *p < 0x7f;
	CHECK("binary fails", rc == -1);
	CHECK("binary message printable", printable);
	CHECK("binary escaped", strstr(err, "got '\\x01\\x1b[2J\\xff\\x7f\\\\'") != NULL);
	unlink(path);
	CHECK("nul tmp", tmp_write_bytes(path, nul, sizeof(nul) - 1) == 0);
	rc = trace_load(path, PAGE, &t, err, sizeof(err));
	CHECK("nul fails on line 1", rc == -1 && strstr(err, ":1: expected") != NULL &&
	      strstr(err, "'R 5\\x00 junk'") != NULL);
	unlink(path);
}

/* The limits: pages past the region, and more references than allowed. */
static void test_limits(void)
{
	char path[64], err[256], want[160];
	struct trace t;
	int rc = text_load("R 1\n# c\nW 9\nR 10\n", path, &t, err, sizeof(err));

	trace_free(&t);
	rc = trace_load_limited(path, PAGE, 10, 0, NULL, &t, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:4: page 10 is beyond the 10-page region", path);
	CHECK("page limit", rc == -1 && strcmp(err, want) == 0);
	CHECK("page limit 11", trace_load_limited(path, PAGE, 11, 0, NULL, &t, err,
	      sizeof(err)) == 0 && t.t_n == 3);
	trace_free(&t);
	rc = trace_load_limited(path, PAGE, 0, 2, "the budget", &t, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:4: more than 2 references (the budget)", path);
	CHECK("ref limit", rc == -1 && strcmp(err, want) == 0 && t.t_n == 0);
	CHECK("ref limit 3", trace_load_limited(path, PAGE, 0, 3, NULL, &t, err,
	      sizeof(err)) == 0 && t.t_n == 3);
	trace_free(&t);
	unlink(path);
}

/* A write error (a full device) is reported, not swallowed. */
static void test_write_error(void)
{
	struct trace_ref refs[2] = { { 1, 0 }, { 2, 1 } };
	FILE *f = fopen("/dev/full", "w");

	errno = 0;
	CHECK("write to /dev/full", trace_write("/dev/full", "c", refs, 2) == -1 &&
	      errno == ENOSPC);
	if (f != NULL) {
		CHECK("fwrite to /dev/full", trace_fwrite(f, NULL, refs, 2) == -1 &&
		      errno == ENOSPC);
		fclose(f);
	}
}

int main(void)
{
	test_decimal();
	test_hex();
	test_comments();
	test_malformed();
	test_message();
	test_missing_empty();
	test_no_final_newline();
	test_round_trip();
	test_long_lines();
	test_binary();
	test_limits();
	test_write_error();
	return check_done("test_trace");
}
