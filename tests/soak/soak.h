/*
 * soak.h - the soak: named configurations run in rotation, each slice a
 * fresh instance, verified and validated (tests/soak/soak.c); the
 * configurations (soak_configs.c); and the locked-pages kernel-I/O thread
 * (soak_io.c).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* ---- soak_configs.c ---- */

/*
 * One configuration: scenario words (tests/common/scenario.h) plus the
 * soak's own: pgf-file=1 puts the page file on a temporary file;
 * io=1 adds the locked-pages kernel-I/O thread (soak_io.c) beside the
 * user threads, its buffer in SOAK_IO_PAGES pages past theirs.
 */
struct soak_def {
	const char *sd_name;
	const char *sd_what;		/* one line, for --list */
	const char *sd_words;		/* space-separated KEY=VALUE */
};

extern const struct soak_def soak_defs[];
extern const int soak_ndefs;

/* ---- soak_io.c ---- */

#define SOAK_IO_PAGES 16		/* the locked buffer: 64K */

struct soak_io_counts {
	uint64_t ic_reads, ic_writes;	/* vm_pread / vm_pwrite calls that moved the whole buffer */
	uint64_t ic_direct;		/* ... of them through O_DIRECT */
	uint64_t ic_checked;		/* bytes compared with what the file must hold */
	uint64_t ic_bad;		/* 8-byte words that differed: failures */
	uint64_t ic_errors;		/* calls that failed or moved less: failures */
	int ic_no_direct;		/* the filesystem refused O_DIRECT */
};

struct soak_io;

/*
 * Make a data file of known contents in dir (unlinked at once, kept open
 * buffered and, where the filesystem allows, O_DIRECT) for an I/O thread
 * working on buf: SOAK_IO_PAGES pages of vm's region that no other thread
 * touches.  Returns NULL with a reason in err.
 */
struct soak_io *soak_io_create(struct vm *vm, void *buf, const char *dir, uint64_t seed,
    char *err, size_t errlen);

/* Start the I/O thread / stop it and wait for it.  Returns 0 or -1. */
int soak_io_start(struct soak_io *io);
void soak_io_stop(struct soak_io *io);

/* Add what the thread did so far to *c. */
void soak_io_counts(const struct soak_io *io, struct soak_io_counts *c);

/* *to += *c. */
void soak_io_add(struct soak_io_counts *to, const struct soak_io_counts *c);

/* Close the file and free io (stopped). */
void soak_io_destroy(struct soak_io *io);
