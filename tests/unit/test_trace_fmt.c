/*
 * test_trace_fmt.c - the trace formats (sim/trace_fmt.c), their detection,
 * the loader's renumbering (sim/trace_load.c) and the compressed sources
 * (sim/trace_src.c): lackey accesses across page boundaries, M as a read
 * then a write, instruction fetches left out on request, the class forms,
 * libCacheSim's records (size 0 skipped), xz and zstd data decoded to the
 * same references, and malformed input named by line or record.
 */
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "check.h"
#include "trace.h"
#include "trace_fmt.h"

#define PAGE	4096

static char path[64];

static int tmp_bytes(const void *buf, size_t len)
{
	int fd;

	strcpy(path, "/tmp/vmsim_test_fmt_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		return -1;
	return close(fd);
}

/* Load bytes as a trace of format fmt (TFMT_AUTO: detected). */
static int load(const void *buf, size_t len, int fmt, bool noifetch, struct trace *t,
    char *err, size_t errlen)
{
	struct trace_load_opts lo = { .tl_format = fmt, .tl_no_ifetch = noifetch,
		.tl_page_size = PAGE };
	int rc;

	if (tmp_bytes(buf, len) != 0)
		return -2;
	rc = trace_load_opts(path, &lo, t, err, errlen);
	unlink(path);
	return rc;
}

static int load_s(const char *s, int fmt, struct trace *t, char *err)
{
	return load(s, strlen(s), fmt, false, t, err, 256);
}

/* Do t's references read as pages/writes "v,w v,w ..."? */
static bool refs_are(const struct trace *t, const uint64_t *vpn, const char *rw)
{
	if (t->t_n != strlen(rw))
		return false;
	for (size_t i = 0; i < t->t_n; i++)
		if (t->t_refs[i].tr_vpn != vpn[i] || t->t_refs[i].tr_write != (rw[i] == 'W'))
			return false;
	return true;
}

static void test_detect(void)
{
	CHECK("vmsim", tfmt_detect_line("R 12", "R 12") == TFMT_VMSIM);
	CHECK("R 0x... is vmsim", tfmt_detect_line("W 0x1000", "W 0x1000") == TFMT_VMSIM);
	CHECK("lackey I", tfmt_detect_line("I  0401ab70,3", "I  0401ab70,3") == TFMT_LACKEY);
	CHECK("lackey L", tfmt_detect_line(" L 1ffefffd78,8", "L 1ffefffd78,8") == TFMT_LACKEY);
	CHECK("lackey pid", tfmt_detect_line("==12== x", "==12== x") == TFMT_LACKEY);
	CHECK("addr-rw", tfmt_detect_line("0x7f00 W", "0x7f00 W") == TFMT_ADDR_RW);
	CHECK("addr", tfmt_detect_line("4096", "4096") == TFMT_ADDR);
	CHECK("csv", tfmt_detect_line("1,2,4096,-1", "1,2,4096,-1") == TFMT_OG_CSV);
	CHECK("csv header", tfmt_detect_line("time,obj_id,obj_size", "time,obj_id,obj_size") ==
	    TFMT_OG_CSV);
	CHECK("unknown reads as vmsim", tfmt_detect_line("X 1", "X 1") == TFMT_VMSIM);
}

static void test_lackey(void)
{
	static const char log[] = "==7== Lackey\nI  00000ffe,4\n L 00001000,8\n"
	    " M 00002ffc,8\n S 00005000,1\n==7== done\n";
	/* pages 0 (0xffe), 1, 2, 3 (the fetch spans 0,1) -> ranks 0..4 of {0,1,2,3,5} */
	static const uint64_t all[] = { 0, 1, 1, 2, 3, 2, 3, 4 };
	static const uint64_t data[] = { 0, 1, 2, 1, 2, 3 };
	char err[256] = "";
	struct trace t;

	CHECK("lackey loads", load_s(log, TFMT_AUTO, &t, err) == 0);
	CHECK("lackey: fetch spans 2 pages, M reads then writes each page", refs_are(&t, all, "RRRRRWWW"));
	CHECK("lackey detected, renumbered", t.t_format == TFMT_LACKEY && t.t_distinct == 5 &&
	    t.t_max_vpn == 4 && t.t_writes == 3);
	trace_free(&t);
	CHECK("no-ifetch loads", load(log, strlen(log), TFMT_AUTO, true, &t, err, 256) == 0);
	CHECK("no-ifetch leaves out I", refs_are(&t, data, "RRRWWW") && t.t_distinct == 4);
	trace_free(&t);
	CHECK("only pid lines: no accesses", load_s("==1== a\n==1== b\n", TFMT_AUTO, &t, err) == -1 &&
	    strstr(err, ": no accesses") != NULL);
	CHECK("bad lackey line named", load_s("I  0401ab70,3\n L 12,0\n", TFMT_AUTO, &t, err) == -1 &&
	    strstr(err, ":2: expected a lackey line") != NULL);
}

static void test_class(void)
{
	static const uint64_t rk[] = { 2, 1, 2, 0 };
	char err[256] = "";
	struct trace t;

	CHECK("addr-rw", load_s("0x10000 R\n20480 w\n0x10fff W\n# c\n0x3000 r\n", TFMT_AUTO, &t,
	    err) == 0 && refs_are(&t, rk, "RWWR") && t.t_format == TFMT_ADDR_RW);
	trace_free(&t);
	CHECK("rw-addr named", load_s("R 65536\nW 0x5000\nR 0x10001\nW 12288\n", TFMT_RW_ADDR, &t,
	    err) == 0 && refs_are(&t, rk, "RWRW"));
	trace_free(&t);
	CHECK("R 65536 auto is vmsim's page", load_s("R 65536\n", TFMT_AUTO, &t, err) == 0 &&
	    t.t_format == TFMT_VMSIM && t.t_refs[0].tr_vpn == 65536);
	trace_free(&t);
	CHECK("addr", load_s("65536\n20480\n65537\n12288\n", TFMT_AUTO, &t, err) == 0 &&
	    refs_are(&t, rk, "RRRR") && t.t_format == TFMT_ADDR);
	trace_free(&t);
	{
		struct trace_load_opts lo = { .tl_format = TFMT_ADDR, .tl_hex = true,
			.tl_pages = true, .tl_page_size = PAGE };
		static const uint64_t hp[] = { 1, 0 };

		tmp_bytes("ff\n10\n", 6);
		CHECK("addr:hex:pages", trace_load_opts(path, &lo, &t, err, sizeof(err)) == 0 &&
		    refs_are(&t, hp, "RR"));
		unlink(path);
		trace_free(&t);
	}
}

/* One oraclegeneral record. */
static void og_rec(unsigned char *p, uint32_t time, uint64_t id, uint32_t size, int64_t next)
{
	memcpy(p, &time, 4);
	memcpy(p + 4, &id, 8);
	memcpy(p + 12, &size, 4);
	memcpy(p + 16, &next, 8);
}

static void test_oraclegeneral(void)
{
	unsigned char buf[5 * 24];
	static const uint64_t want[] = { 1, 0, 1 };
	char err[256] = "";
	struct trace t;

	og_rec(buf, 1, 900, 4096, 3);
	og_rec(buf + 24, 2, 5, 512, -1);
	og_rec(buf + 48, 3, 77, 0, -1);		/* size 0: skipped */
	og_rec(buf + 72, 4, 900, 4096, -1);
	CHECK("binary detected", tfmt_is_binary(buf, 24) && !tfmt_is_binary((const unsigned char *)
	    "R 1\nR 2\nR 3\nR 4\nR 5\nR 6\n", 24));
	CHECK("oraclegeneral", load(buf, 96, TFMT_AUTO, false, &t, err, 256) == 0 &&
	    t.t_format == TFMT_OG_BIN && refs_are(&t, want, "RRR"));
	trace_free(&t);
	CHECK("truncated record", load(buf, 96 + 10, TFMT_AUTO, false, &t, err, 256) == -1 &&
	    strstr(err, ": record 5: truncated: 10 of 24 bytes") != NULL);
	og_rec(buf + 96, 5, 1, 1, -2);
	CHECK("bad next access", load(buf, 120, TFMT_AUTO, false, &t, err, 256) == -1 &&
	    strstr(err, ": record 5: next access -2") != NULL);
	CHECK("csv", load_s("time,obj_id,obj_size,next\n1, 900, 4096, 3\n2,5,512,-1\n3,77,0,-1\n"
	    "4,900,4096,-1\n", TFMT_AUTO, &t, err) == 0 && t.t_format == TFMT_OG_CSV &&
	    refs_are(&t, want, "RRR"));
	trace_free(&t);
	CHECK("csv bad line", load_s("1,2,3\n1,2\n", TFMT_AUTO, &t, err) == -1 &&
	    strstr(err, ":2: expected 'time,obj_id") != NULL);
}

/* xz and zstd data load as their plain contents; damaged data is named. */
static void test_compressed(void)
{
	static const char text[] = "# c\nR 1\nW 7\nR 0x3000\n";
	static const uint64_t want[] = { 1, 7, 3 };
	unsigned char xz[512], zs[512];
	size_t xzn = 0, zsn;
	char err[256] = "";
	struct trace t;

	CHECK("xz encode", lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, NULL,
	    (const uint8_t *)text, strlen(text), xz, &xzn, sizeof(xz)) == LZMA_OK);
	zsn = ZSTD_compress(zs, sizeof(zs), text, strlen(text), 3);
	CHECK("zstd encode", !ZSTD_isError(zsn));
	CHECK("xz loads", load(xz, xzn, TFMT_AUTO, false, &t, err, 256) == 0 &&
	    refs_are(&t, want, "RWR") && t.t_codec != NULL && strcmp(t.t_codec, "xz") == 0);
	trace_free(&t);
	CHECK("zstd loads", load(zs, zsn, TFMT_AUTO, false, &t, err, 256) == 0 &&
	    refs_are(&t, want, "RWR") && strcmp(t.t_codec, "zstd") == 0);
	trace_free(&t);
	CHECK("xz cut short", load(xz, xzn - 8, TFMT_AUTO, false, &t, err, 256) == -1 &&
	    strstr(err, "xz:") != NULL);
	CHECK("zstd cut short", load(zs, zsn - 3, TFMT_AUTO, false, &t, err, 256) == -1 &&
	    strstr(err, "zstd: the data ends early") != NULL);
}

static void test_spec(void)
{
	struct tfmt_spec sp = { 0 };
	char err[128];

	CHECK("spec lackey", tfmt_spec_parse("lackey", &sp, err, sizeof(err)) == 0 &&
	    sp.tf_kind == TFMT_LACKEY);
	CHECK("spec case", tfmt_spec_parse("OracleGeneral", &sp, err, sizeof(err)) == 0 &&
	    sp.tf_kind == TFMT_OG_BIN);
	CHECK("spec mods", tfmt_spec_parse("addr-rw:hex:pages", &sp, err, sizeof(err)) == 0 &&
	    sp.tf_hex && sp.tf_pages);
	CHECK("spec bad mod", tfmt_spec_parse("lackey:hex", &sp, err, sizeof(err)) == -1);
	CHECK("spec unknown", tfmt_spec_parse("auto", &sp, err, sizeof(err)) == -1 &&
	    strstr(err, "unknown format") != NULL);
}

int main(void)
{
	test_detect();
	test_lackey();
	test_class();
	test_oraclegeneral();
	test_compressed();
	test_spec();
	return check_done("test_trace_fmt");
}
