/*
 * soak_io.c - the locked-io configuration's kernel-I/O thread.
 *
 * The kernel cannot fault pages in for vmsim (README: a buffer in the
 * region passed to read(2) gets EFAULT unless it is mapped), so kernel I/O
 * into the region goes through locked pages: vm_lock_pages() keeps them
 * mapped, whatever the trimmer does, until vm_unlock_pages().  The thread
 * repeats, on a 64K buffer of the region that no user thread touches:
 *
 *   check the buffer still holds what it last wrote (unlocked, it may have
 *     been trimmed, written out and faulted back in the meantime);
 *   lock it; vm_pread() a random 64K chunk of a data file with known
 *     contents into it, buffered or O_DIRECT by turns; check every byte;
 *   write the chunk's next contents into the buffer; vm_pwrite() it back
 *     (the next read of that chunk checks it arrived); unlock.
 *
 * Chunk c at generation g holds soak_io_word(c, k, g) in word k.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "soak.h"
#include "vm_sim.h"

void soak_io_add(struct soak_io_counts *to, const struct soak_io_counts *c)
{
	to->ic_reads += c->ic_reads;
	to->ic_writes += c->ic_writes;
	to->ic_direct += c->ic_direct;
	to->ic_checked += c->ic_checked;
	to->ic_bad += c->ic_bad;
	to->ic_errors += c->ic_errors;
	to->ic_no_direct |= c->ic_no_direct;
}

#define SOAK_IO_LEN ((size_t)SOAK_IO_PAGES * VM_PAGE_SIZE)
#define SOAK_IO_WORDS (SOAK_IO_LEN / sizeof(uint64_t))
#define SOAK_IO_CHUNKS 64		/* the data file: 4M */
#define SOAK_IO_REPORTS 5		/* problems printed per instance */

struct soak_io {
	struct vm *io_vm;		/* (c) */
	uint64_t *io_buf;		/* SOAK_IO_PAGES pages of the region (c) */
	int io_fd, io_dfd;		/* buffered; O_DIRECT or -1 (c) */
	uint64_t io_seed;		/* (c) */
	/* the I/O thread's own, read by others only while it is stopped */
	uint64_t io_rng;
	uint32_t io_gen[SOAK_IO_CHUNKS];	/* each chunk's generation in the file */
	int io_last;			/* chunk whose contents the buffer holds, or -1 */
	int io_reports;
	struct soak_io_counts io_c;
	pthread_t io_tid;
	int io_running;			/* (the controlling thread) */
	_Atomic int io_stop;
};

static inline uint64_t soak_io_word(const struct soak_io *io, int c, uint64_t k, uint32_t g)
{
	return vm_seed_mix(io->io_seed ^ ((uint64_t)c << 48) ^ ((uint64_t)g << 20), k);
}

/* Fill w with chunk c's contents at generation g. */
static void soak_io_fill(const struct soak_io *io, uint64_t *w, int c, uint32_t g)
{
	for (uint64_t k = 0; k < SOAK_IO_WORDS; k++)
		w[k] = soak_io_word(io, c, k, g);
}

/* Compare the buffer with chunk c at generation g; count what differs. */
static void soak_io_check(struct soak_io *io, int c, uint32_t g, const char *when)
{
	uint64_t bad = 0, first = 0;

	for (uint64_t k = 0; k < SOAK_IO_WORDS; k++) {
		if (io->io_buf[k] != soak_io_word(io, c, k, g) && bad++ == 0)
			first = k;
	}
	io->io_c.ic_checked += SOAK_IO_LEN;
	io->io_c.ic_bad += bad;
	if (bad != 0 && io->io_reports++ < SOAK_IO_REPORTS)
		fprintf(stderr, "locked-io: %s: chunk %d generation %u: %llu of %zu words differ, "
		    "the first at byte %llu\n", when, c, g, (unsigned long long)bad,
		    (size_t)SOAK_IO_WORDS, (unsigned long long)(first * 8));
}

/* A call that failed (rc < 0: a VM_E* or -errno) or moved less than asked. */
static void soak_io_error(struct soak_io *io, const char *what, long rc)
{
	io->io_c.ic_errors++;
	if (io->io_reports++ < SOAK_IO_REPORTS)
		fprintf(stderr, "locked-io: %s returned %ld%s%s\n", what, rc, rc < 0 ? ": " : "",
		    rc < 0 ? strerror((int)-rc) : "");
}

/* One round: check, lock, read, check, rewrite, write, unlock. */
static void soak_io_once(struct soak_io *io)
{
	uint64_t r = vm_rand(&io->io_rng);
	int c = (int)(r % SOAK_IO_CHUNKS), rc;
	bool direct = io->io_dfd >= 0 && (r >> 32 & 1);
	int fd = direct ? io->io_dfd : io->io_fd;
	off_t off = (off_t)c * (off_t)SOAK_IO_LEN;
	ssize_t n;

	if (io->io_last >= 0)
		soak_io_check(io, io->io_last, io->io_gen[io->io_last], "unlocked buffer");
	io->io_last = -1;
	rc = vm_lock_pages(io->io_vm, io->io_buf, SOAK_IO_LEN);
	if (rc != 0) {
		soak_io_error(io, "vm_lock_pages", rc);
		return;
	}
	n = vm_pread(io->io_vm, fd, io->io_buf, SOAK_IO_LEN, off);
	if (n != (ssize_t)SOAK_IO_LEN) {
		soak_io_error(io, direct ? "vm_pread (O_DIRECT)" : "vm_pread", (long)n);
		goto out_unlock;
	}
	io->io_c.ic_reads++;
	io->io_c.ic_direct += direct;
	soak_io_check(io, c, io->io_gen[c], direct ? "vm_pread (O_DIRECT)" : "vm_pread");
	soak_io_fill(io, io->io_buf, c, io->io_gen[c] + 1);
	direct = io->io_dfd >= 0 && (r >> 33 & 1);
	n = vm_pwrite(io->io_vm, direct ? io->io_dfd : io->io_fd, io->io_buf, SOAK_IO_LEN, off);
	if (n != (ssize_t)SOAK_IO_LEN) {
		/* the chunk's contents are unknown now: stop rather than misreport */
		soak_io_error(io, direct ? "vm_pwrite (O_DIRECT)" : "vm_pwrite", (long)n);
		atomic_store(&io->io_stop, 1);
		goto out_unlock;
	}
	io->io_c.ic_writes++;
	io->io_c.ic_direct += direct;
	io->io_gen[c]++;
	io->io_last = c;
out_unlock:
	vm_unlock_pages(io->io_vm, io->io_buf, SOAK_IO_LEN);
}

static void *soak_io_main(void *arg)
{
	struct soak_io *io = arg;

	while (!atomic_load_explicit(&io->io_stop, memory_order_relaxed))
		soak_io_once(io);
	return NULL;
}

/* The data file's first contents, generation 0, written with plain pwrite. */
static int soak_io_file_init(struct soak_io *io)
{
	uint64_t *w = malloc(SOAK_IO_LEN);
	int rc = 0;

	if (w == NULL)
		return -1;
	for (int c = 0; c < SOAK_IO_CHUNKS && rc == 0; c++) {
		soak_io_fill(io, w, c, 0);
		if (pwrite(io->io_fd, w, SOAK_IO_LEN, (off_t)c * (off_t)SOAK_IO_LEN) !=
		    (ssize_t)SOAK_IO_LEN)
			rc = -1;
	}
	free(w);
	return rc;
}

struct soak_io *soak_io_create(struct vm *vm, void *buf, const char *dir, uint64_t seed,
    char *err, size_t errlen)
{
	struct soak_io *io = calloc(1, sizeof(*io));
	char path[PATH_MAX];

	if (io == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	io->io_vm = vm;
	io->io_buf = buf;
	io->io_seed = seed;
	io->io_rng = vm_seed_mix(seed, 0x10);
	io->io_last = -1;
	io->io_dfd = -1;
	snprintf(path, sizeof(path), "%s/vmsim-soak-io.XXXXXX", dir);
	io->io_fd = mkostemp(path, O_CLOEXEC);
	if (io->io_fd < 0) {
		snprintf(err, errlen, "cannot create a data file in %s: %s", dir, strerror(errno));
		goto out_free;
	}
	io->io_dfd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
	io->io_c.ic_no_direct = io->io_dfd < 0;
	unlink(path);
	if (soak_io_file_init(io) != 0) {
		snprintf(err, errlen, "cannot write the data file in %s: %s", dir, strerror(errno));
		goto out_close;
	}
	return io;
out_close:
	if (io->io_dfd >= 0)
		close(io->io_dfd);
	close(io->io_fd);
out_free:
	free(io);
	return NULL;
}

int soak_io_start(struct soak_io *io)
{
	atomic_store(&io->io_stop, 0);
	if (pthread_create(&io->io_tid, NULL, soak_io_main, io) != 0)
		return -1;
	io->io_running = 1;
	return 0;
}

void soak_io_stop(struct soak_io *io)
{
	if (!io->io_running)
		return;
	atomic_store(&io->io_stop, 1);
	pthread_join(io->io_tid, NULL);
	io->io_running = 0;
}

void soak_io_counts(const struct soak_io *io, struct soak_io_counts *c)
{
	soak_io_add(c, &io->io_c);
}

void soak_io_destroy(struct soak_io *io)
{
	soak_io_stop(io);
	if (io->io_dfd >= 0)
		close(io->io_dfd);
	close(io->io_fd);
	free(io);
}
