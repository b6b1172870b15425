/*
 * pgf.c - the page file and its slot bitmap.
 *
 * The bitmap is updated with atomic operations only, so the modified writer
 * (allocating), faulters and the trimmer (freeing) never share a lock.  A
 * free 64-slot row is claimed whole with one CAS; otherwise slots are
 * claimed one bit at a time, each with a CAS, from a rotating hint.
 *
 * Its space is reserved at creation (pgf_reserve_file, pgf_reserve_mem), so
 * a write never finds the device full; an I/O error that happens anyway is
 * returned to the caller as -errno (the writer and the fault path decide
 * when it has persisted long enough to fail the instance: vm_fail.c).
 *
 * Layer 1 (pgf.h): knows no struct vm; calls layer 0 only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "pgf.h"
#include "vm.h"

/* Bytes of memory the host can still give: MemAvailable plus free swap
 * (/proc/meminfo), or UINT64_MAX if unknown. */
uint64_t pgf_host_available(void)
{
	char buf[4096], *p;
	uint64_t kb = 0, v;
	int fd, n, found = 0;

	if ((fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC)) < 0)
		return UINT64_MAX;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return UINT64_MAX;
	buf[n] = '\0';
	for (p = buf; p != NULL && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (sscanf(p, "MemAvailable: %lu kB", &v) == 1 || sscanf(p, "SwapFree: %lu kB", &v) == 1) {
			kb += v;
			found++;
		}
	}
	return found ? kb * 1024 : UINT64_MAX;
}

/*
 * An in-memory page file: it must fit in what the host can still give
 * (the frames, allocated and filled before this, are already counted
 * out), and it is mapped with commit accounting (no MAP_NORESERVE), so a
 * host that enforces its commit limit reserves it now.
 */
static int pgf_reserve_mem(struct pgf *pg, char *err, size_t errlen)
{
	uint64_t need = pg->pg_nslots * VM_PAGE_SIZE;
	uint64_t avail = pg->pg_mem_available ? pg->pg_mem_available : pgf_host_available();
	char a[32], b[32];

	if (need > avail) {
		snprintf(err, errlen, "cannot reserve %s for the in-memory page file: this machine "
		    "has %s available (MemAvailable + free swap); use a smaller page file, or a "
		    "file-backed one", vm_size_str(a, sizeof(a), need), vm_size_str(b, sizeof(b), avail));
		return VM_ENOSPC;
	}
	pg->pg_mem = vm_inject_fail() ? MAP_FAILED : mmap(NULL, need, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg->pg_mem == MAP_FAILED) {
		pg->pg_mem = NULL;
		snprintf(err, errlen, "cannot reserve %s for the in-memory page file: %s",
		    vm_size_str(a, sizeof(a), need), strerror(errno));
		return VM_ENOSPC;
	}
	madvise(pg->pg_mem, need, MADV_DONTFORK);	/* like the region and the frames */
	return 0;
}

/* Open (or create) path without truncating it; remembers whether we made it. */
static int pgf_open(struct pgf *pg, const char *path, char *err, size_t errlen)
{
	if (!vm_inject_fail())
		pg->pg_path = strdup(path);
	if (pg->pg_path == NULL) {
		snprintf(err, errlen, "out of memory");
		return VM_ENOMEM;
	}
	pg->pg_fd = vm_inject_fail() ? -1 : open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (pg->pg_fd >= 0)
		pg->pg_created = 1;
	else if (errno == EEXIST)
		pg->pg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (pg->pg_fd < 0) {
		snprintf(err, errlen, "cannot create page file %s: %s", path, strerror(errno));
		return VM_EINVAL;
	}
	return 0;
}

/*
 * A file-backed page file: allocate all of it on its device now, so no
 * write can find the device full later.  An existing file is cut only once
 * its filesystem is known to have the room (its own blocks count, since
 * cutting it frees them).  Refuses with the sizes.
 */
static int pgf_reserve_file(struct pgf *pg, const char *path, char *err, size_t errlen)
{
	uint64_t need = pg->pg_nslots * VM_PAGE_SIZE, avail = UINT64_MAX;
	struct statvfs vfs;
	struct stat st;
	char a[32], b[32];
	int rc = 0;

	if (fstatvfs(pg->pg_fd, &vfs) == 0 && fstat(pg->pg_fd, &st) == 0)
		avail = (uint64_t)vfs.f_bavail * vfs.f_frsize + (uint64_t)st.st_blocks * 512;
	if (need > avail)
		rc = ENOSPC;
	else if (vm_inject_fail())
		rc = ENOMEM;
	else if (ftruncate(pg->pg_fd, 0) != 0)
		rc = errno;
	else
		rc = posix_fallocate(pg->pg_fd, 0, (off_t)need);
	if (rc == 0)
		return 0;
	if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG) {
		snprintf(err, errlen, "cannot reserve %s for page file %s: its filesystem has %s "
		    "free", vm_size_str(a, sizeof(a), need), path,
		    avail == UINT64_MAX ? "less" : vm_size_str(b, sizeof(b), avail));
		return VM_ENOSPC;
	}
	snprintf(err, errlen, "cannot reserve %s for page file %s: %s",
	    vm_size_str(a, sizeof(a), need), path, strerror(rc));
	return VM_ENOSPC;
}

/*
 * Set up a page file of pp_nslots slots: in memory (pp_path NULL) or in
 * the file pp_path, created if missing, its space reserved either way.  Returns 0, or
 * VM_EINVAL (cannot open), VM_ENOMEM or VM_ENOSPC (the space cannot be
 * had) with err filled.  On failure pgf_destroy() releases what was got,
 * and pgf_unlink_created() removes a file this created.
 */
int pgf_init(struct pgf *pg, const struct pgf_params *pp, char *err, size_t errlen)
{
	uint64_t nslots = pp->pp_nslots;
	const char *path = pp->pp_path;
	int rc;

	memset(pg, 0, sizeof(*pg));
	pg->pg_fd = -1;
	pg->pg_nslots = nslots;
	pg->pg_nwords = (nslots + 63) / 64;
	pg->pg_rows_enabled = pp->pp_rows;
	pg->pg_stash_enabled = pp->pp_stash;
	pg->pg_mem_available = pp->pp_mem_available;
	lk_init(&pg->pg_stash_lock, LK_RANK_PGF);
	if (!vm_inject_fail())
		pg->pg_bitmap = calloc(pg->pg_nwords ? pg->pg_nwords : 1, sizeof(*pg->pg_bitmap));
	if (!vm_inject_fail())
		pg->pg_owner = malloc((nslots ? nslots : 1) * sizeof(*pg->pg_owner));
	if (pg->pg_bitmap == NULL || pg->pg_owner == NULL) {
		snprintf(err, errlen, "cannot allocate the page-file bitmap");
		return VM_ENOMEM;
	}
	/* The bits past the last slot are in use forever. */
	if (nslots % 64)
		atomic_store(&pg->pg_bitmap[pg->pg_nwords - 1], ~0ULL << (nslots % 64));
	for (uint64_t i = 0; i < nslots; i++)
		atomic_init(&pg->pg_owner[i], PGF_OWNER_NONE);
	atomic_store(&pg->pg_free, nslots);
	if (nslots == 0)
		return 0;
	if (path == NULL)
		return pgf_reserve_mem(pg, err, errlen);
	if ((rc = pgf_open(pg, path, err, errlen)) != 0)
		return rc;
	return pgf_reserve_file(pg, path, err, errlen);
}

/* Release the page file's memory and descriptor; idempotent.  The file
 * itself stays. */
void pgf_destroy(struct pgf *pg)
{
	if (pg->pg_mem != NULL)
		munmap(pg->pg_mem, pg->pg_nslots * VM_PAGE_SIZE);
	if (pg->pg_fd >= 0)
		close(pg->pg_fd);
	free(pg->pg_bitmap);
	free(pg->pg_owner);
	free(pg->pg_path);
	pg->pg_mem = NULL;
	pg->pg_fd = -1;
	pg->pg_bitmap = NULL;
	pg->pg_owner = NULL;
	pg->pg_path = NULL;
}

/* Creation failed: remove the file if pgf_init() created it. */
void pgf_unlink_created(struct pgf *pg)
{
	if (pg->pg_created && pg->pg_path != NULL)
		unlink(pg->pg_path);
	pg->pg_created = 0;
}

static int pgf_stash_take(struct pgf *pg, int want, uint64_t *out)
{
	int n;

	lk_acquire(&pg->pg_stash_lock);
	n = want < pg->pg_nstash ? want : pg->pg_nstash;
	pg->pg_nstash -= n;
	memcpy(out, &pg->pg_stash[pg->pg_nstash], (size_t)n * sizeof(*out));
	lk_release(&pg->pg_stash_lock);
	return n;
}

/* Claim free bits of word w into out; returns how many. */
static int pgf_claim_word(struct pgf *pg, uint64_t w, int want, uint64_t *out)
{
	uint64_t v = atomic_load_explicit(&pg->pg_bitmap[w], memory_order_relaxed);
	int got = 0;

	if (pg->pg_rows_enabled && v == 0 && want >= 64 &&
	    atomic_compare_exchange_strong(&pg->pg_bitmap[w], &v, ~0ULL)) {
		for (int b = 0; b < 64; b++)
			out[got++] = w * 64 + (uint64_t)b;
		vm_count(pg->pg_row_claims, 1);
		return got;
	}
	while (v != ~0ULL && got < want) {
		int b = __builtin_ctzll(~v);
		if (atomic_compare_exchange_weak(&pg->pg_bitmap[w], &v, v | (1ULL << b))) {
			out[got++] = w * 64 + (uint64_t)b;
			v |= 1ULL << b;
			vm_count(pg->pg_bit_claims, 1);
		}
	}
	return got;
}

/*
 * Reserve up to want slots (want <= 64 + PGF_STASH_MAX is not required;
 * out must have room for want).  Returns how many were reserved: fewer
 * than want when the page file is nearly full, 0 when it is full.
 */
int pgf_slot_alloc(struct pgf *pg, int want, uint64_t *out)
{
	int got = pg->pg_stash_enabled ? pgf_stash_take(pg, want, out) : 0;
	int from_bitmap = 0;
	uint64_t start = atomic_load_explicit(&pg->pg_hint, memory_order_relaxed), hint = start;

	for (uint64_t i = 0; i < pg->pg_nwords && got < want; i++) {
		uint64_t w = (start + i) % pg->pg_nwords;
		int n;

		vm_count(pg->pg_scan_words, 1);
		if (atomic_load_explicit(&pg->pg_bitmap[w], memory_order_relaxed) == ~0ULL)
			continue;
		n = pgf_claim_word(pg, w, want - got, out + got);
		got += n;
		from_bitmap += n;
		hint = w;
	}
	atomic_store_explicit(&pg->pg_hint, hint, memory_order_relaxed);
	if (from_bitmap)
		atomic_fetch_sub_explicit(&pg->pg_free, (uint64_t)from_bitmap, memory_order_relaxed);
	return got;
}

void pgf_slot_free(struct pgf *pg, uint64_t slot)
{
	uint64_t bit = 1ULL << (slot % 64);
	uint64_t old;

	if (slot >= pg->pg_nslots)
		vm_panic("page file: freeing slot %llu of %llu", (unsigned long long)slot,
		    (unsigned long long)pg->pg_nslots);
	atomic_store_explicit(&pg->pg_owner[slot], PGF_OWNER_NONE, memory_order_relaxed);
	old = atomic_fetch_and_explicit(&pg->pg_bitmap[slot / 64], ~bit, memory_order_release);
	if (!(old & bit))
		vm_panic("page file: slot %llu freed twice", (unsigned long long)slot);
	atomic_fetch_add_explicit(&pg->pg_free, 1, memory_order_relaxed);
}

/* Park reserved-but-unused slots for the next write; free what does not fit. */
void pgf_stash_put(struct pgf *pg, const uint64_t *slots, int n)
{
	int i = 0;

	if (pg->pg_stash_enabled) {
		lk_acquire(&pg->pg_stash_lock);
		for (; i < n && pg->pg_nstash < PGF_STASH_MAX; i++)
			pg->pg_stash[pg->pg_nstash++] = slots[i];
		lk_release(&pg->pg_stash_lock);
	}
	for (; i < n; i++)
		pgf_slot_free(pg, slots[i]);
}

bool pgf_slot_in_use(const struct pgf *pg, uint64_t slot)
{
	return atomic_load_explicit(&pg->pg_bitmap[slot / 64], memory_order_relaxed) &
	    (1ULL << (slot % 64));
}

/* Claim one particular free slot (the defragmenter's destination).
 * Returns false if it is in use. */
bool pgf_slot_claim(struct pgf *pg, uint64_t slot)
{
	uint64_t bit = 1ULL << (slot % 64);

	VM_ASSERT(slot < pg->pg_nslots);
	if (atomic_fetch_or_explicit(&pg->pg_bitmap[slot / 64], bit, memory_order_acquire) & bit)
		return false;
	atomic_fetch_sub_explicit(&pg->pg_free, 1, memory_order_relaxed);
	return true;
}

/* The slot, in use, now holds the contents of the page key names.  Caller
 * holds the lock that guards the new owner (O). */
void pgf_slot_set_owner(struct pgf *pg, uint64_t slot, uint64_t key)
{
	VM_ASSERT(pgf_slot_in_use(pg, slot));
	atomic_store_explicit(&pg->pg_owner[slot], key, memory_order_relaxed);
}

/* Whose contents the slot holds; a hint unless the owner's lock is held. */
uint64_t pgf_slot_owner(const struct pgf *pg, uint64_t slot)
{
	return atomic_load_explicit(&pg->pg_owner[slot], memory_order_relaxed);
}

/* Slots in use in 64-slot row `row' (bits past the last slot count). */
int pgf_row_used(const struct pgf *pg, uint64_t row)
{
	return __builtin_popcountll(atomic_load_explicit(&pg->pg_bitmap[row], memory_order_relaxed));
}

/* Rows with every slot free: what a whole-row write claim needs. */
uint64_t pgf_free_rows(const struct pgf *pg)
{
	uint64_t n = 0;

	for (uint64_t w = 0; w < pg->pg_nwords; w++)
		n += atomic_load_explicit(&pg->pg_bitmap[w], memory_order_relaxed) == 0;
	return n;
}

/* An injected failure is due: the counter is N > 0 (the next N fail) or
 * negative (every one fails). */
static bool pgf_inject(_Atomic int *counter)
{
	int n = atomic_load_explicit(counter, memory_order_relaxed);

	while (n > 0) {
		if (atomic_compare_exchange_weak(counter, &n, n - 1))
			return true;
	}
	return n < 0;
}

/* One page of file I/O at slot, all of it: a short transfer continues; end
 * of file (the file was cut short under us) is EIO.  Returns 0 or -errno. */
static int pgf_file_io(struct pgf *pg, uint64_t slot, char *buf, bool write)
{
	off_t off = (off_t)(slot * VM_PAGE_SIZE);
	size_t done = 0;

	while (done < VM_PAGE_SIZE) {
		ssize_t n = write ? pwrite(pg->pg_fd, buf + done, VM_PAGE_SIZE - done, off + (off_t)done) :
		    pread(pg->pg_fd, buf + done, VM_PAGE_SIZE - done, off + (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* Write one page to slot.  Returns 0 or -errno (an I/O error, or injected: EIO). */
int pgf_write(struct pgf *pg, uint64_t slot, const void *src)
{
	VM_ASSERT(pgf_slot_in_use(pg, slot));
	if (pgf_inject(&pg->pg_fail_writes))
		return -EIO;
	if (pg->pg_mem != NULL) {
		memcpy(pg->pg_mem + slot * VM_PAGE_SIZE, src, VM_PAGE_SIZE);
		return 0;
	}
	return pgf_file_io(pg, slot, (char *)src, true);
}

/* Read one page from slot.  Async-signal-safe.  Returns 0 or -errno. */
int pgf_read(struct pgf *pg, uint64_t slot, void *dst)
{
	VM_ASSERT(pgf_slot_in_use(pg, slot));
	if (pgf_inject(&pg->pg_fail_reads))
		return -EIO;
	if (pg->pg_mem != NULL) {
		memcpy(dst, pg->pg_mem + slot * VM_PAGE_SIZE, VM_PAGE_SIZE);
		return 0;
	}
	return pgf_file_io(pg, slot, dst, false);
}
