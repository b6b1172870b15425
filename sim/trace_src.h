/*
 * trace_src.h - the bytes of a trace: a file, a FIFO or standard input
 * ("-"), read through a bounded buffer and, when the data starts with the
 * xz or zstd magic, decompressed on the way (liblzma, libzstd).  The trace
 * formats (trace_fmt.h) read it a line or a fixed-size record at a time, so
 * a trace of any length costs one buffer, never its whole text.
 *
 * Not thread-safe: one reader per source.  Errors are one line in the
 * caller's err buffer, the path escaped (vm_str_escape), never raw bytes.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lzma.h>
#include <zstd.h>

enum tsrc_codec { TSRC_PLAIN, TSRC_XZ, TSRC_ZSTD };

/* An open trace source; every field is the reader's own. */
struct tsrc {
	const char      *ts_path;	/* as given ("-": standard input) */
	int              ts_fd;
	bool             ts_close;	/* ts_fd is ours to close */
	enum tsrc_codec  ts_codec;
	lzma_stream      ts_xz;
	ZSTD_DStream    *ts_zstd;
	size_t           ts_zstd_left;	/* last ZSTD_decompressStream hint: 0 at a frame's end */
	unsigned char   *ts_in;		/* compressed bytes read, not yet decoded */
	size_t           ts_in_pos, ts_in_len;
	bool             ts_in_eof;	/* read() returned 0 */
	unsigned char   *ts_buf;	/* decoded bytes: [ts_pos, ts_len) unread */
	size_t           ts_pos, ts_len, ts_cap;
	bool             ts_eof;	/* no decoded byte will follow ts_len */
	uint64_t         ts_consumed;	/* decoded bytes handed out */
	char            *ts_err;	/* the caller's message buffer */
	size_t           ts_errlen;
};

enum tsrc_line_status { TSRC_LINE, TSRC_EOF, TSRC_LONG, TSRC_ERROR };

/* The magic numbers at the start of a compressed stream. */
#define TSRC_XZ_MAGIC	"\xfd" "7zXZ\0"
#define TSRC_ZSTD_MAGIC	"\x28\xb5\x2f\xfd"

/*
 * Open path for reading ("-" is standard input, left open at the end).
 * A FIFO with no writer reads as empty instead of hanging.  The first
 * bytes decide the codec.  Messages go to err (kept for later calls).
 * Returns 0, or -1 with "PATH: cannot open: REASON" in err.
 */
int tsrc_open(struct tsrc *s, const char *path, char *err, size_t errlen);

/* Close and free everything (safe on a source that failed to open). */
void tsrc_close(struct tsrc *s);

/*
 * The next line, without its '\n' and NUL-terminated in place (*line, its
 * length in *len, NUL bytes inside it included), valid until the next
 * call.  TSRC_LONG: more than max bytes before a line end (the rest is not
 * read); TSRC_EOF at the end; TSRC_ERROR with err set (a read error or
 * corrupt or truncated compressed data).
 */
enum tsrc_line_status tsrc_line(struct tsrc *s, size_t max, char **line, size_t *len);

/*
 * Copy the next n bytes (n <= 4096) into dst.  Returns n, fewer at the end
 * (0: nothing left), or -1 with err set.
 */
long tsrc_read(struct tsrc *s, void *dst, size_t n);

/* Make the next n bytes (n <= 4096) readable without consuming them:
 * *p points at them; returns how many there are (fewer at the end), -1 on
 * an error. */
long tsrc_peek(struct tsrc *s, size_t n, const unsigned char **p);

/* "xz", "zstd" or NULL for plain data. */
const char *tsrc_codec_name(const struct tsrc *s);
