/*
 * test_pgf.c - unit tests of the page file: the bitmap's tail bits, whole-row
 * and single-bit claims, the free count, the last free slot, the writer's
 * stash and its overflow, reads and writes in memory and in a file, injected
 * write and read failures, and the double-free panic; the reverse map
 * (slot -> owner vpn) and claiming a particular slot, which page-file
 * defragmentation uses.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "vmtest.h"

static struct pgf pg;

static void pg_init(uint64_t nslots)
{
	char err[256];

	if (pgf_init(&pg, &(struct pgf_params){ .pp_nslots = nslots, .pp_rows = 1, .pp_stash = 1 },
	    err, sizeof(err)) != 0) {
		fprintf(stderr, "pgf_init: %s\n", err);
		exit(2);
	}
}

/* Are slots[0..n) distinct, in range and in use? */
static bool all_in_use(const uint64_t *slots, int n)
{
	for (int i = 0; i < n; i++) {
		if (slots[i] >= pg.pg_nslots || !pgf_slot_in_use(&pg, slots[i]))
			return false;
		for (int j = 0; j < i; j++)
			if (slots[j] == slots[i])
				return false;
	}
	return true;
}

/* Count the free slots the slow way, from the bitmap. */
static uint64_t bitmap_free(void)
{
	uint64_t n = 0;

	for (uint64_t s = 0; s < pg.pg_nslots; s++)
		n += !pgf_slot_in_use(&pg, s);
	return n;
}

static void test_init_tail(void)
{
	pg_init(150);
	CHECK("init: words", pg.pg_nwords == 3);
	CHECK("init: free count", pgf_free_count(&pg) == 150 && bitmap_free() == 150);
	CHECK("init: whole words free", atomic_load(&pg.pg_bitmap[0]) == 0 &&
	    atomic_load(&pg.pg_bitmap[1]) == 0);
	CHECK("init: tail bits set", atomic_load(&pg.pg_bitmap[2]) == ~0ULL << 22);
	CHECK("init: last slot free", !pgf_slot_in_use(&pg, 149));
	CHECK("init: first slot past the end in use", pgf_slot_in_use(&pg, 150) &&
	    pgf_slot_in_use(&pg, 191));
	CHECK("init: in memory", pg.pg_mem != NULL && pg.pg_fd == -1);
	CHECK("init: rows and stash on", pg.pg_rows_enabled && pg.pg_stash_enabled && pg.pg_nstash == 0);
	pgf_destroy(&pg);

	pg_init(128);
	CHECK("init: multiple of 64 has no tail", pg.pg_nwords == 2 &&
	    atomic_load(&pg.pg_bitmap[1]) == 0);
	pgf_destroy(&pg);
}

/* Take everything, slot by slot and in big bites; the last slot; one more. */
static void test_alloc_all(void)
{
	uint64_t out[256], one;
	int got;

	pg_init(150);
	got = pgf_slot_alloc(&pg, 10, out);
	CHECK("alloc: 10 single bits", got == 10 && vm_read(pg.pg_bit_claims) == 10 &&
	    vm_read(pg.pg_row_claims) == 0 && all_in_use(out, got));
	CHECK("alloc: free count after 10", pgf_free_count(&pg) == 140 && bitmap_free() == 140);
	pgf_slot_free(&pg, out[3]);
	pgf_slot_free(&pg, out[7]);
	CHECK("alloc: free count after 2 frees", pgf_free_count(&pg) == 142 && bitmap_free() == 142 &&
	    !pgf_slot_in_use(&pg, out[3]) && !pgf_slot_in_use(&pg, out[7]));

	/* Ask for more than is left: get exactly what is left. */
	got = pgf_slot_alloc(&pg, 200, out);
	CHECK("alloc: one call gets all 142 left", got == 142);
	for (int n; got < 142 && (n = pgf_slot_alloc(&pg, 200 - got, out + got)) > 0; )
		got += n;
	CHECK("alloc: the rest", got == 142 && all_in_use(out, got));
	CHECK("alloc: none free", pgf_free_count(&pg) == 0 && bitmap_free() == 0);
	bool none_past_end = true;
	for (int i = 0; i < got; i++)
		none_past_end &= out[i] < 150;
	CHECK("alloc: no slot past the end", none_past_end);
	CHECK("alloc: full returns 0", pgf_slot_alloc(&pg, 1, &one) == 0);
	CHECK("alloc: full returns 0 for many", pgf_slot_alloc(&pg, 64, out) == 0);
	CHECK("alloc: still none free", pgf_free_count(&pg) == 0);

	/* The last free slot: free 149, get it back, then nothing. */
	pgf_slot_free(&pg, 149);
	CHECK("last: one free", pgf_free_count(&pg) == 1 && !pgf_slot_in_use(&pg, 149));
	one = PGF_SLOT_NONE;
	CHECK("last: alloc gets it", pgf_slot_alloc(&pg, 1, &one) == 1 && one == 149);
	CHECK("last: then full", pgf_free_count(&pg) == 0 && pgf_slot_alloc(&pg, 1, &one) == 0);
	/* The first slot too: the hint must wrap round to word 0. */
	pgf_slot_free(&pg, 0);
	CHECK("last: slot 0 found from a later hint", pgf_slot_alloc(&pg, 4, out) == 1 && out[0] == 0);
	pgf_destroy(&pg);
}

static void test_rows(void)
{
	uint64_t out[256];
	int got;
	bool row;

	pg_init(256);
	got = pgf_slot_alloc(&pg, 64, out);
	row = got == 64 && out[0] % 64 == 0;
	for (int i = 0; row && i < 64; i++)
		row = out[i] == out[0] + (uint64_t)i;
	CHECK("row: 64 slots", got == 64);
	CHECK("row: one aligned row", row);
	CHECK("row: one row claim, no bits", vm_read(pg.pg_row_claims) == 1 && vm_read(pg.pg_bit_claims) == 0);
	CHECK("row: word full", atomic_load(&pg.pg_bitmap[out[0] / 64]) == ~0ULL);
	CHECK("row: free count", pgf_free_count(&pg) == 192 && bitmap_free() == 192);

	/* 100 from an empty bitmap: one row and 36 bits. */
	got = pgf_slot_alloc(&pg, 100, out);
	CHECK("row+bits: 100", got == 100 && all_in_use(out, got));
	CHECK("row+bits: counters", vm_read(pg.pg_row_claims) == 2 && vm_read(pg.pg_bit_claims) == 36);
	CHECK("row+bits: free count", pgf_free_count(&pg) == 92 && bitmap_free() == 92);

	/* A partly used word is never claimed as a row. */
	got = pgf_slot_alloc(&pg, 64, out);
	CHECK("partial word: 64 from 28 + 36", got == 64 && all_in_use(out, got));
	CHECK("partial word: 36 wanted from an empty word is bits",
	    vm_read(pg.pg_row_claims) == 2 && vm_read(pg.pg_bit_claims) == 100);
	CHECK("partial word: free count", pgf_free_count(&pg) == 28 && bitmap_free() == 28);
	pgf_destroy(&pg);

	/* Rows disabled: 64 single bits. */
	pg_init(256);
	pg.pg_rows_enabled = 0;
	got = pgf_slot_alloc(&pg, 64, out);
	CHECK("no rows: 64 slots", got == 64 && all_in_use(out, got));
	CHECK("no rows: 64 bit claims", vm_read(pg.pg_row_claims) == 0 && vm_read(pg.pg_bit_claims) == 64);
	CHECK("no rows: free count", pgf_free_count(&pg) == 192 && bitmap_free() == 192);
	pgf_destroy(&pg);

	/* One call must visit every word: after a claim from word 0, words 1
	 * and 2 are both still searched (192 slots, all but one free). */
	pg_init(192);
	got = pgf_slot_alloc(&pg, 1, out);
	got = pgf_slot_alloc(&pg, 191, out);
	CHECK("scan: one call gets every free slot", got == 191 && pgf_free_count(&pg) == 0);
	pgf_destroy(&pg);

	/* Fewer than 64 wanted: bits even from an empty word. */
	pg_init(256);
	got = pgf_slot_alloc(&pg, 63, out);
	CHECK("63: bits, no row", got == 63 && vm_read(pg.pg_row_claims) == 0 &&
	    vm_read(pg.pg_bit_claims) == 63);
	pgf_destroy(&pg);
}

static void test_stash(void)
{
	uint64_t a[8], out[16];
	int got;
	bool ok;

	pg_init(256);
	got = pgf_slot_alloc(&pg, 8, a);
	pgf_stash_put(&pg, a, 8);
	CHECK("stash: holds 8", got == 8 && pg.pg_nstash == 8);
	CHECK("stash: slots stay in use", all_in_use(a, 8) && pgf_free_count(&pg) == 248 &&
	    bitmap_free() == 248);

	/* Alloc takes the stash first, without touching the bitmap. */
	got = pgf_slot_alloc(&pg, 3, out);
	ok = got == 3;
	for (int i = 0; ok && i < 3; i++) {
		ok = false;
		for (int j = 0; j < 8; j++)
			ok |= out[i] == a[j];
	}
	CHECK("stash: alloc returns stashed slots", ok);
	CHECK("stash: 5 left", pg.pg_nstash == 5);
	CHECK("stash: free count unchanged", pgf_free_count(&pg) == 248 && bitmap_free() == 248);

	/* More than the stash holds: the 5 stashed, then 5 from the bitmap. */
	got = pgf_slot_alloc(&pg, 10, out);
	ok = got == 10 && all_in_use(out, 10);
	int from_stash = 0;
	for (int i = 0; i < got; i++)
		for (int j = 0; j < 8; j++)
			from_stash += out[i] == a[j];
	CHECK("stash: drained then bitmap", ok && from_stash == 5 && pg.pg_nstash == 0);
	CHECK("stash: bitmap paid the rest", pgf_free_count(&pg) == 243 && bitmap_free() == 243);
	pgf_destroy(&pg);
}

static void test_stash_overflow(void)
{
	uint64_t s[PGF_STASH_MAX + 10];
	int n = PGF_STASH_MAX + 10, got;
	bool freed = true, kept = true;

	pg_init(256);
	got = pgf_slot_alloc(&pg, n, s);
	CHECK("overflow: allocated", got == n && pgf_free_count(&pg) == 256 - (uint64_t)n);
	pgf_stash_put(&pg, s, n);
	CHECK("overflow: stash full", pg.pg_nstash == PGF_STASH_MAX);
	for (int i = 0; i < PGF_STASH_MAX; i++)
		kept &= pgf_slot_in_use(&pg, s[i]) && pg.pg_stash[i] == s[i];
	for (int i = PGF_STASH_MAX; i < n; i++)
		freed &= !pgf_slot_in_use(&pg, s[i]);
	CHECK("overflow: the first 128 stashed", kept);
	CHECK("overflow: the rest freed", freed);
	CHECK("overflow: free count", pgf_free_count(&pg) == 256 - PGF_STASH_MAX &&
	    bitmap_free() == 256 - PGF_STASH_MAX);

	/* A put into a full stash frees everything it is given. */
	uint64_t t[2], v[3];
	pg.pg_stash_enabled = 0;		/* so the alloc comes from the bitmap */
	got = pgf_slot_alloc(&pg, 2, t);
	pg.pg_stash_enabled = 1;
	CHECK("full stash: 2 from the bitmap", got == 2 && all_in_use(t, 2) &&
	    pgf_free_count(&pg) == 256 - PGF_STASH_MAX - 2);
	pgf_stash_put(&pg, t, 2);
	CHECK("full stash: put frees both", !pgf_slot_in_use(&pg, t[0]) && !pgf_slot_in_use(&pg, t[1]) &&
	    pg.pg_nstash == PGF_STASH_MAX && pgf_free_count(&pg) == 256 - PGF_STASH_MAX);

	/* The stash off: put frees all, and the stash is left alone. */
	pg.pg_stash_enabled = 0;
	got = pgf_slot_alloc(&pg, 3, v);
	pgf_stash_put(&pg, v, 3);
	CHECK("stash off: put frees", got == 3 && !pgf_slot_in_use(&pg, v[0]) &&
	    !pgf_slot_in_use(&pg, v[1]) && !pgf_slot_in_use(&pg, v[2]) &&
	    pg.pg_nstash == PGF_STASH_MAX && pgf_free_count(&pg) == 256 - PGF_STASH_MAX);
	pgf_destroy(&pg);
}

static void fill(unsigned char *buf, unsigned seed)
{
	for (size_t i = 0; i < VM_PAGE_SIZE; i++)
		buf[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

/* Write two slots, read both back; a failed write leaves the old bytes. */
static void io_round_trip(const char *tag)
{
	static unsigned char a[VM_PAGE_SIZE], b[VM_PAGE_SIZE], r[VM_PAGE_SIZE];
	uint64_t s[2];
	char name[96];

	fill(a, 1);
	fill(b, 2);
	pgf_slot_alloc(&pg, 2, s);
	snprintf(name, sizeof(name), "%s: write", tag);
	CHECK(name, pgf_write(&pg, s[0], a) == 0 && pgf_write(&pg, s[1], b) == 0);
	memset(r, 0, sizeof(r));
	snprintf(name, sizeof(name), "%s: read first", tag);
	CHECK(name, pgf_read(&pg, s[0], r) == 0 && memcmp(r, a, VM_PAGE_SIZE) == 0);
	snprintf(name, sizeof(name), "%s: read second", tag);
	CHECK(name, pgf_read(&pg, s[1], r) == 0 && memcmp(r, b, VM_PAGE_SIZE) == 0);

	/* Injected failures: the next two writes fail, then they work. */
	atomic_store(&pg.pg_fail_writes, 2);
	snprintf(name, sizeof(name), "%s: injected write failure 1", tag);
	CHECK(name, pgf_write(&pg, s[0], b) == -EIO);
	snprintf(name, sizeof(name), "%s: injected write failure 2", tag);
	CHECK(name, pgf_write(&pg, s[0], b) == -EIO);
	snprintf(name, sizeof(name), "%s: failed writes left the old bytes", tag);
	CHECK(name, pgf_read(&pg, s[0], r) == 0 && memcmp(r, a, VM_PAGE_SIZE) == 0);
	snprintf(name, sizeof(name), "%s: third write works", tag);
	CHECK(name, pgf_write(&pg, s[0], b) == 0 && atomic_load(&pg.pg_fail_writes) == 0);
	snprintf(name, sizeof(name), "%s: and reads back", tag);
	CHECK(name, pgf_read(&pg, s[0], r) == 0 && memcmp(r, b, VM_PAGE_SIZE) == 0);

	atomic_store(&pg.pg_fail_reads, 1);
	memset(r, 0, sizeof(r));
	snprintf(name, sizeof(name), "%s: injected read failure", tag);
	CHECK(name, pgf_read(&pg, s[1], r) == -EIO);
	snprintf(name, sizeof(name), "%s: next read works", tag);
	CHECK(name, pgf_read(&pg, s[1], r) == 0 && memcmp(r, b, VM_PAGE_SIZE) == 0);
	pgf_slot_free(&pg, s[0]);
	pgf_slot_free(&pg, s[1]);
}

static void test_io(void)
{
	static unsigned char a[VM_PAGE_SIZE], r[VM_PAGE_SIZE];
	char path[64], err[256];
	struct stat st;
	int fd;

	pg_init(150);
	io_round_trip("memory");
	pgf_destroy(&pg);

	strcpy(path, "/tmp/vmsim_test_pgf_XXXXXX");
	fd = mkstemp(path);
	CHECK("file: mkstemp", fd >= 0);
	if (fd < 0)
		return;
	close(fd);
	CHECK("file: init", pgf_init(&pg, &(struct pgf_params){ .pp_nslots = 150,
	    .pp_path = path, .pp_rows = 1, .pp_stash = 1 }, err, sizeof(err)) == 0);
	CHECK("file: file backed", pg.pg_mem == NULL && pg.pg_fd >= 0);
	CHECK("file: sized", stat(path, &st) == 0 && st.st_size == 150 * (off_t)VM_PAGE_SIZE);
	io_round_trip("file");

	/* The bytes are really in the file, at slot * page size. */
	uint64_t s;
	fill(a, 3);
	pgf_slot_alloc(&pg, 1, &s);
	CHECK("file: write slot", pgf_write(&pg, s, a) == 0);
	fd = open(path, O_RDONLY);
	CHECK("file: bytes at the slot's offset", fd >= 0 &&
	    pread(fd, r, VM_PAGE_SIZE, (off_t)(s * VM_PAGE_SIZE)) == (ssize_t)VM_PAGE_SIZE &&
	    memcmp(r, a, VM_PAGE_SIZE) == 0);
	if (fd >= 0)
		close(fd);
	pgf_destroy(&pg);
	unlink(path);

	CHECK("file: init fails on a bad path",
	    pgf_init(&pg, &(struct pgf_params){ .pp_nslots = 4,
	    .pp_path = "/nonexistent-dir/pagefile" }, err, sizeof(err)) == VM_EINVAL && err[0] != '\0');
	pgf_destroy(&pg);
}

static void child_double_free(void *arg)
{
	uint64_t s;

	(void)arg;
	pgf_slot_alloc(&pg, 1, &s);
	pgf_slot_free(&pg, s);
	pgf_slot_free(&pg, s);
}

static void child_free_never_allocated(void *arg)
{
	(void)arg;
	pgf_slot_free(&pg, 5);
}

static void child_single_free(void *arg)
{
	uint64_t s;

	(void)arg;
	pgf_slot_alloc(&pg, 1, &s);
	pgf_slot_free(&pg, s);
}

#if VM_DEBUG >= 1
static void child_free_past_end(void *arg)
{
	(void)arg;
	pgf_slot_free(&pg, 150);	/* a tail bit: set, but not a slot */
}

static void child_write_free_slot(void *arg)
{
	static unsigned char a[VM_PAGE_SIZE];

	(void)arg;
	pgf_write(&pg, 7, a);
}
#endif

static void test_panics(void)
{
	pg_init(150);
	CHECK("panic: one free is fine", vmtest_child(child_single_free, NULL) == 0);
	CHECK("panic: double free", vmtest_child(child_double_free, NULL) == SIGABRT);
	CHECK("panic: free of a slot never allocated", vmtest_child(child_free_never_allocated, NULL) == SIGABRT);
#if VM_DEBUG >= 1
	CHECK("assert: free past the last slot", vmtest_child(child_free_past_end, NULL) == SIGABRT);
	CHECK("assert: write to a free slot", vmtest_child(child_write_free_slot, NULL) == SIGABRT);
#endif
	CHECK("panic: the parent's bitmap untouched", pgf_free_count(&pg) == 150 && bitmap_free() == 150);
	pgf_destroy(&pg);
}

/* The reverse map follows each slot's owner; a particular slot can be claimed. */
static void test_reverse_map(void)
{
	uint64_t slots[64];
	int n;

	pg_init(200);	/* rows 0..2 full size, row 3 has 8 slots */
	n = pgf_slot_alloc(&pg, 3, slots);
	CHECK("rmap: allocated", n == 3);
	CHECK("rmap: a new slot has no owner", pgf_slot_owner(&pg, slots[0]) == PGF_OWNER_NONE);
	pgf_slot_set_owner(&pg, slots[0], 77);
	pgf_slot_set_owner(&pg, slots[1], 0);
	CHECK("rmap: owner set", pgf_slot_owner(&pg, slots[0]) == 77 && pgf_slot_owner(&pg, slots[1]) == 0);
	CHECK("rmap: others untouched", pgf_slot_owner(&pg, slots[2]) == PGF_OWNER_NONE);
	pgf_slot_free(&pg, slots[0]);
	CHECK("rmap: freeing clears the owner", pgf_slot_owner(&pg, slots[0]) == PGF_OWNER_NONE);
	n = pgf_slot_alloc(&pg, 1, slots + 3);
	CHECK("rmap: a reused slot starts ownerless", n == 1 && pgf_slot_owner(&pg, slots[3]) == PGF_OWNER_NONE);
	/* claim a particular slot */
	CHECK("claim: a free slot", pgf_slot_claim(&pg, 150) && pgf_slot_in_use(&pg, 150));
	CHECK("claim: counted", pgf_free_count(&pg) == bitmap_free());
	CHECK("claim: an in-use slot fails", !pgf_slot_claim(&pg, 150));
	CHECK("claim: still counted once", pgf_free_count(&pg) == bitmap_free());
	pgf_slot_claim(&pg, 199);	/* the last slot */
	CHECK("claim: the last slot", pgf_slot_in_use(&pg, 199) && !pgf_slot_claim(&pg, 199));
	/* a move, as defrag does it: claim d, own it, free s */
	pgf_slot_set_owner(&pg, 150, 5);
	pgf_slot_free(&pg, slots[1]);
	CHECK("move: new owner", pgf_slot_owner(&pg, 150) == 5);
	CHECK("move: old slot free, no owner",
	    !pgf_slot_in_use(&pg, slots[1]) && pgf_slot_owner(&pg, slots[1]) == PGF_OWNER_NONE);
	/* rows */
	CHECK("rows: row 2 has 1 in use", pgf_row_used(&pg, 2) == 1);
	CHECK("rows: the tail row counts its phantom slots", pgf_row_used(&pg, 3) == 56 + 1);
	CHECK("rows: one whole free row (row 1)", pgf_free_rows(&pg) == 1);
	pgf_slot_free(&pg, 150);
	CHECK("rows: row 2 free again", pgf_free_rows(&pg) == 2);
	pgf_destroy(&pg);
}

int main(void)
{
	vmtest_watchdog("test_pgf", 120);
	test_init_tail();
	test_alloc_all();
	test_rows();
	test_stash();
	test_stash_overflow();
	test_io();
	test_panics();
	test_reverse_map();
	return check_done("test_pgf");
}
