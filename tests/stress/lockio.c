/*
 * lockio.c - the kernel reading and writing region memory under trim
 * pressure, through locked pages (issue 7).  A small instance (128 frames,
 * 2048 pages) with its system threads running; two "hammer" threads fault
 * random pages of the region's upper half, verifying their own words, so
 * the trimmer never rests; meanwhile, in the lower half:
 *
 * The trim policy is aging for odirect, fifo for buffered, random for futex.
 *
 *   odirect   two I/O threads: O_DIRECT pread into a 64K region buffer they
 *             had just filled, under vm_lock_pages; every byte checked
 *             against the file; one in four is an O_DIRECT pwrite from a
 *             locked region buffer, read back and checked
 *   buffered  the same without O_DIRECT, through vm_pread / vm_pwrite
 *   futex     a pthread mutex, two condition variables and a ring buffer
 *             in locked region memory; two producers, two consumers; every
 *             item arrives once, in each producer's order
 *
 * usage: lockio MODE SECONDS [nolock]
 *   nolock leaves the buffers unlocked, to show what the locks prevent
 *   (errors, silent losses, glibc's futex abort); make check never uses it.
 * Prints the counts, then "lockio-MODE: N passed, N failed".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "vm.h"
#include "vm_sim.h"

#define FRAMES 128
#define PAGES 2048
#define HALF (PAGES / 2)
#define BUFPAGES 16			/* 64K I/O buffers */
#define BUFLEN (BUFPAGES * VM_PAGE_SIZE)
#define FILEPAGES 1024			/* 4M file */
#define NHAMMER 2
#define NIO 2
#define RING 64

enum mode { M_ODIRECT, M_BUFFERED, M_FUTEX };

static struct vm *vm;
static char *base;
static enum mode mode;
static bool nolock;
static int fd = -1;
static _Atomic int stop;
static char name[64];

static _Atomic uint64_t n_reads, n_writes, n_errors, n_short, n_wrong, n_efault, n_stale;
static _Atomic uint64_t h_accesses, h_wrong;

/* The file's contents: a word that names its own offset. */
static uint64_t fword(uint64_t off)
{
	return (off * 0x9E3779B97F4A7C15ULL) ^ 0x5A5A5A5A5A5A5A5AULL;
}

/* Bytes of buf (len bytes of the file from off) that differ from the file. */
static uint64_t wrong_bytes(const char *buf, size_t len, uint64_t off)
{
	uint64_t bad = 0;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t want = fword(off + i), got;
		memcpy(&got, buf + i, 8);
		if (got == want)
			continue;
		for (int k = 0; k < 8; k++)
			bad += ((got ^ want) >> (8 * k) & 0xff) != 0;
	}
	return bad;
}

/* ---- trim pressure: random faults on the upper half, self-verifying ---- */

static void *hammer_main(void *arg)
{
	int t = (int)(intptr_t)arg;
	uint64_t *mine = calloc(HALF, sizeof(*mine));
	uint64_t rng = vm_seed_mix(7, (uint64_t)t), n = 0, bad = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t pg = vm_rand(&rng) % HALF;
		uint64_t *w = (uint64_t *)(base + (HALF + pg) * VM_PAGE_SIZE) + t;
		vm_touch(vm, w);
		bad += *w != mine[pg];
		if (vm_rand(&rng) & 1)
			*w = ++mine[pg];
		n++;
	}
	atomic_fetch_add(&h_accesses, n);
	atomic_fetch_add(&h_wrong, bad);
	free(mine);
	return NULL;
}

/* ---- odirect and buffered ---- */

static int lock(void *p, size_t len)
{
	return nolock ? 0 : vm_lock_pages(vm, p, len);
}

static void unlock(void *p, size_t len)
{
	if (!nolock)
		vm_unlock_pages(vm, p, len);
}

static ssize_t io_read(char *buf, uint64_t off)
{
	if (mode == M_BUFFERED && !nolock)
		return vm_pread(vm, fd, buf, BUFLEN, (off_t)off);
	return pread(fd, buf, BUFLEN, (off_t)off);
}

static ssize_t io_write(const char *buf, uint64_t off)
{
	if (mode == M_BUFFERED && !nolock)
		return vm_pwrite(vm, fd, buf, BUFLEN, (off_t)off);
	return pwrite(fd, buf, BUFLEN, (off_t)off);
}

/* Count one call's outcome; true if it moved the whole buffer. */
static bool io_count(ssize_t n)
{
	if (n == BUFLEN)
		return true;
	if (n < 0) {
		atomic_fetch_add(&n_errors, 1);
		if (errno == EFAULT)
			atomic_fetch_add(&n_efault, 1);
	} else {
		atomic_fetch_add(&n_short, 1);
	}
	return false;
}

/* Count a call that returned the full count: its wrong bytes, and the
 * call itself if it had any (a silent loss). */
static void io_check(const char *buf, uint64_t off)
{
	uint64_t bad = wrong_bytes(buf, BUFLEN, off);

	atomic_fetch_add(&n_wrong, bad);
	if (bad != 0)
		atomic_fetch_add(&n_stale, 1);
}

/* Read into a buffer just filled with 0xA5, check every byte. */
static void io_one_read(char *buf, uint64_t off)
{
	bool direct = mode == M_ODIRECT;
	ssize_t n;

	memset(buf, 0xA5, BUFLEN);
	if (direct && lock(buf, BUFLEN) != 0) {
		atomic_fetch_add(&n_errors, 1);
		return;
	}
	n = io_read(buf, off);
	atomic_fetch_add(&n_reads, 1);
	if (io_count(n))
		io_check(buf, off);
	if (direct)
		unlock(buf, BUFLEN);
}

/* Write the file's own contents from a region buffer, read them back
 * into private memory, check every byte. */
static void io_one_write(char *buf, char *priv, uint64_t off)
{
	bool direct = mode == M_ODIRECT;
	ssize_t n;

	for (size_t i = 0; i < BUFLEN; i += 8) {
		uint64_t w = fword(off + i);
		memcpy(buf + i, &w, 8);
	}
	if (direct && lock(buf, BUFLEN) != 0) {
		atomic_fetch_add(&n_errors, 1);
		return;
	}
	n = io_write(buf, off);
	if (direct)
		unlock(buf, BUFLEN);
	atomic_fetch_add(&n_writes, 1);
	if (!io_count(n))
		return;
	if (!io_count(pread(fd, priv, BUFLEN, (off_t)off)))
		return;
	io_check(priv, off);
}

static void *io_main(void *arg)
{
	int t = (int)(intptr_t)arg;
	uint64_t rng = vm_seed_mix(11, (uint64_t)t);
	uint64_t area = (uint64_t)t * (HALF / NIO);
	char *priv = NULL;

	if (posix_memalign((void **)&priv, VM_PAGE_SIZE, BUFLEN) != 0)
		return NULL;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		uint64_t pg = area + vm_rand(&rng) % (HALF / NIO - BUFPAGES);
		uint64_t off = (vm_rand(&rng) % (FILEPAGES - BUFPAGES)) * VM_PAGE_SIZE;
		char *buf = base + pg * VM_PAGE_SIZE;

		if (vm_rand(&rng) % 4 == 0)
			io_one_write(buf, priv, off);
		else
			io_one_read(buf, off);
	}
	free(priv);
	return NULL;
}

/* The file: FILEPAGES pages of fword(), then fd opened for the mode.
 * Returns 1 if O_DIRECT is unsupported there (skip), -1 on error. */
static int file_open(void)
{
	const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char path[4096];
	char *page = NULL;
	int w;

	snprintf(path, sizeof(path), "%s/vmsim-lockio.XXXXXX", dir);
	if ((w = mkstemp(path)) < 0 || posix_memalign((void **)&page, VM_PAGE_SIZE, VM_PAGE_SIZE))
		return -1;
	for (uint64_t p = 0; p < FILEPAGES; p++) {
		for (size_t i = 0; i < VM_PAGE_SIZE; i += 8) {
			uint64_t v = fword(p * VM_PAGE_SIZE + i);
			memcpy(page + i, &v, 8);
		}
		if (pwrite(w, page, VM_PAGE_SIZE, (off_t)(p * VM_PAGE_SIZE)) != (ssize_t)VM_PAGE_SIZE)
			return -1;
	}
	fsync(w);
	fd = open(path, O_RDWR | (mode == M_ODIRECT ? O_DIRECT : 0));
	unlink(path);
	close(w);
	if (fd >= 0 && mode == M_ODIRECT && pread(fd, page, VM_PAGE_SIZE, 0) != (ssize_t)VM_PAGE_SIZE)
		fd = -2;
	if (fd < 0) {
		printf("%s: O_DIRECT is not supported in %s (%s): skipped\n", name, dir,
		    strerror(errno));
		free(page);
		return 1;
	}
	free(page);
	return 0;
}

/* ---- futex: a mutex and condition variables in region memory ---- */

struct ring {
	pthread_mutex_t r_mtx;
	pthread_cond_t r_nonempty, r_nonfull;
	uint64_t r_head, r_tail;	/* taken, put */
	int r_producers;		/* still producing */
	uint64_t r_item[RING];
};

static struct ring *ring;
static _Atomic uint64_t f_sent[2], f_recv[2], f_sum[2], f_order;

static void *producer_main(void *arg)
{
	uint64_t p = (uint64_t)(intptr_t)arg, seq = 0;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		pthread_mutex_lock(&ring->r_mtx);
		while (ring->r_tail - ring->r_head == RING)
			pthread_cond_wait(&ring->r_nonfull, &ring->r_mtx);
		ring->r_item[ring->r_tail++ % RING] = p << 32 | ++seq;
		pthread_cond_signal(&ring->r_nonempty);
		pthread_mutex_unlock(&ring->r_mtx);
	}
	pthread_mutex_lock(&ring->r_mtx);
	ring->r_producers--;
	pthread_cond_broadcast(&ring->r_nonempty);
	pthread_mutex_unlock(&ring->r_mtx);
	atomic_store(&f_sent[p], seq);
	return NULL;
}

static void *consumer_main(void *arg)
{
	uint64_t last[2] = { 0, 0 };

	(void)arg;
	for (;;) {
		uint64_t it;
		pthread_mutex_lock(&ring->r_mtx);
		while (ring->r_tail == ring->r_head && ring->r_producers > 0)
			pthread_cond_wait(&ring->r_nonempty, &ring->r_mtx);
		if (ring->r_tail == ring->r_head) {
			pthread_mutex_unlock(&ring->r_mtx);
			break;
		}
		it = ring->r_item[ring->r_head++ % RING];
		pthread_cond_signal(&ring->r_nonfull);
		pthread_mutex_unlock(&ring->r_mtx);
		uint64_t p = it >> 32 & 1, seq = it & 0xffffffff;
		if (seq <= last[p])
			atomic_fetch_add(&f_order, 1);
		last[p] = seq;
		atomic_fetch_add(&f_recv[p], 1);
		atomic_fetch_add(&f_sum[p], seq);
	}
	return NULL;
}

static void futex_start(pthread_t *tid)
{
	ring = (struct ring *)base;
	if (lock(ring, sizeof(*ring)) != 0) {
		fprintf(stderr, "%s: cannot lock the ring\n", name);
		exit(1);
	}
	pthread_mutex_init(&ring->r_mtx, NULL);
	pthread_cond_init(&ring->r_nonempty, NULL);
	pthread_cond_init(&ring->r_nonfull, NULL);
	ring->r_head = ring->r_tail = 0;
	ring->r_producers = 2;
	for (int i = 0; i < 2; i++) {
		pthread_create(&tid[i], NULL, producer_main, (void *)(intptr_t)i);
		pthread_create(&tid[2 + i], NULL, consumer_main, NULL);
	}
}

static void futex_report(void)
{
	bool all = true;

	for (int p = 0; p < 2; p++) {
		uint64_t n = atomic_load(&f_sent[p]);
		all &= atomic_load(&f_recv[p]) == n && atomic_load(&f_sum[p]) == n * (n + 1) / 2;
	}
	printf("%s: %llu + %llu items sent, %llu + %llu received, %llu out of order\n", name,
	    (unsigned long long)f_sent[0], (unsigned long long)f_sent[1],
	    (unsigned long long)f_recv[0], (unsigned long long)f_recv[1],
	    (unsigned long long)f_order);
	CHECK("futex: items passed", f_sent[0] > 0 && f_sent[1] > 0);
	CHECK("futex: every item received once", all);
	CHECK("futex: in each producer's order", f_order == 0);
	pthread_cond_destroy(&ring->r_nonempty);
	pthread_cond_destroy(&ring->r_nonfull);
	pthread_mutex_destroy(&ring->r_mtx);
	unlock(ring, sizeof(*ring));
}

static void io_report(void)
{
	printf("%s: %llu reads, %llu writes, %llu errors (%llu EFAULT), %llu short, "
	    "%llu wrong bytes (in %llu calls that returned the full count)\n", name,
	    (unsigned long long)n_reads, (unsigned long long)n_writes,
	    (unsigned long long)n_errors, (unsigned long long)n_efault,
	    (unsigned long long)n_short, (unsigned long long)n_wrong, (unsigned long long)n_stale);
	CHECK("io: reads and writes done", n_reads > 0 && n_writes > 0);
	CHECK("io: no errors", n_errors == 0);
	CHECK("io: no short counts", n_short == 0);
	CHECK("io: every byte right", n_wrong == 0);
}

static void usage(void)
{
	fprintf(stderr, "usage: lockio odirect|buffered|futex SECONDS [nolock]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const char *const modes[] = { "odirect", "buffered", "futex" };
	struct vm_config cfg = VM_CONFIG_DEFAULT;
	pthread_t hammer[NHAMMER], work[4];
	struct vm_stats st;
	char err[256];
	double secs;
	int nwork = 0, m = -1;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "nolock") != 0))
		usage();
	for (int i = 0; i < 3; i++)
		if (strcmp(argv[1], modes[i]) == 0)
			m = i;
	secs = strtod(argv[2], NULL);
	if (m < 0 || !(secs > 0 && secs <= 3600))
		usage();
	mode = (enum mode)m;
	nolock = argc == 4;
	snprintf(name, sizeof(name), "lockio-%s%s", modes[m], nolock ? "-nolock" : "");
	if (mode != M_FUTEX) {
		int rc = file_open();
		if (rc != 0)
			return rc < 0 ? 2 : check_done(name);
	}
	cfg = vm_config_pages(FRAMES, PAGES, PAGES, NULL);
	/* A policy per mode, so each selection path meets locked pages.
	 * Random trims take hot pages too: the ring's page goes often. */
	cfg.vc_space.as_trim_policy = mode == M_FUTEX ? VM_TRIM_RANDOM :
	    mode == M_BUFFERED ? VM_TRIM_FIFO : VM_TRIM_AGING;
	if (vm_create(&cfg, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: %s\n", name, err);
		return 2;
	}
	base = vm_base(vm);
	for (int i = 0; i < NHAMMER; i++)
		pthread_create(&hammer[i], NULL, hammer_main, (void *)(intptr_t)i);
	if (mode == M_FUTEX) {
		futex_start(work);
		nwork = 4;
	} else {
		for (; nwork < NIO; nwork++)
			pthread_create(&work[nwork], NULL, io_main, (void *)(intptr_t)nwork);
	}
	usleep((useconds_t)(secs * 1e6));
	atomic_store(&stop, 1);
	for (int i = 0; i < nwork; i++)
		pthread_join(work[i], NULL);
	for (int i = 0; i < NHAMMER; i++)
		pthread_join(hammer[i], NULL);
	if (mode == M_FUTEX)
		futex_report();
	else
		io_report();
	vm_get_stats(vm, &st);
	printf("%s: hammer %llu accesses, %llu wrong; %llu pages trimmed, %llu lock window waits\n",
	    name, (unsigned long long)h_accesses, (unsigned long long)h_wrong,
	    (unsigned long long)st.vs_trimmed, (unsigned long long)st.vs_lock_window_waits);
	CHECK("pressure: pages were trimmed", st.vs_trimmed >= FRAMES);
	CHECK("hammer: every word right", h_wrong == 0 && h_accesses > 0);
	CHECK("nothing left locked", st.vs_nlocked == 0);
	vm_pause(vm);
	CHECK("validates", vm_validate(vm, stderr, 1) == 0);
	vm_resume(vm);
	vm_destroy(vm);
	if (fd >= 0)
		close(fd);
	return check_done(name);
}
