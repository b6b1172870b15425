/*
 * trace_src.c - a trace's bytes from a file, a FIFO or standard input,
 * decompressed when they are xz or zstd (interface in trace_src.h).
 *
 * One decoded-byte buffer (TSRC_CAP) and, for compressed data, one input
 * buffer: a line longer than the caller's maximum is reported as such
 * without reading further, so endless or binary input costs no more.
 */
#include "trace_src.h"
#include "vm_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TSRC_CAP	(256 * 1024)	/* decoded bytes buffered (> 2 lines of TRACE_LINE_MAX) */
#define TSRC_IN_CAP	(64 * 1024)	/* compressed bytes per read() */
#define TSRC_PEEK_MAX	4096
#define TSRC_XZ_MEMLIMIT (1ULL << 30)	/* what the xz decoder may allocate */

static void __attribute__((format(printf, 2, 3)))
tsrc_fail(struct tsrc *s, const char *fmt, ...)
{
	char pq[256], msg[256];
	va_list ap;

	if (s->ts_err == NULL || s->ts_errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(s->ts_err, s->ts_errlen, "%s: %s",
	    vm_str_escape(pq, sizeof(pq), s->ts_path, strlen(s->ts_path)), msg);
}

/* read() that retries on EINTR. */
static ssize_t tsrc_sysread(int fd, void *p, size_t n)
{
	ssize_t r;

	do
		r = read(fd, p, n);
	while (r < 0 && errno == EINTR);
	return r;
}

/* More compressed bytes into ts_in (which is empty).  0, or -1 with err. */
static int tsrc_in_fill(struct tsrc *s)
{
	ssize_t r = tsrc_sysread(s->ts_fd, s->ts_in, TSRC_IN_CAP);

	if (r < 0) {
		tsrc_fail(s, "read error: %s", strerror(errno));
		return -1;
	}
	s->ts_in_pos = 0;
	s->ts_in_len = (size_t)r;
	s->ts_in_eof = r == 0;
	return 0;
}

static const char *tsrc_xz_why(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR: return "out of memory";
	case LZMA_MEMLIMIT_ERROR: return "needs more than 1G of memory to decode";
	case LZMA_FORMAT_ERROR: return "not an xz stream";
	case LZMA_OPTIONS_ERROR: return "unsupported options";
	case LZMA_DATA_ERROR: return "the data is corrupt";
	case LZMA_BUF_ERROR: return "the data ends early (a truncated file?)";
	default: return "decoder error";
	}
}

/* Decode into [ts_len, ts_cap): at least one byte, or the end.  0 or -1. */
static int tsrc_xz_fill(struct tsrc *s)
{
	size_t before = s->ts_len;

	while (s->ts_len == before && !s->ts_eof) {
		lzma_ret r;

		if (s->ts_in_pos == s->ts_in_len && !s->ts_in_eof && tsrc_in_fill(s) != 0)
			return -1;
		s->ts_xz.next_in = s->ts_in + s->ts_in_pos;
		s->ts_xz.avail_in = s->ts_in_len - s->ts_in_pos;
		s->ts_xz.next_out = s->ts_buf + s->ts_len;
		s->ts_xz.avail_out = s->ts_cap - s->ts_len;
		r = lzma_code(&s->ts_xz, s->ts_in_eof ? LZMA_FINISH : LZMA_RUN);
		s->ts_in_pos = s->ts_in_len - s->ts_xz.avail_in;
		s->ts_len = s->ts_cap - s->ts_xz.avail_out;
		if (r == LZMA_STREAM_END)
			s->ts_eof = true;
		else if (r != LZMA_OK) {
			tsrc_fail(s, "xz: %s", tsrc_xz_why(r));
			return -1;
		}
	}
	return 0;
}

/* The same for zstd (every frame of the stream, one after another). */
static int tsrc_zstd_fill(struct tsrc *s)
{
	size_t before = s->ts_len;

	while (s->ts_len == before && !s->ts_eof) {
		ZSTD_inBuffer in;
		ZSTD_outBuffer out = { s->ts_buf, s->ts_cap, s->ts_len };
		size_t r;

		if (s->ts_in_pos == s->ts_in_len) {
			if (!s->ts_in_eof && tsrc_in_fill(s) != 0)
				return -1;
			if (s->ts_in_eof) {
				if (s->ts_zstd_left != 0) {
					tsrc_fail(s, "zstd: the data ends early (a truncated file?)");
					return -1;
				}
				s->ts_eof = true;
				break;
			}
		}
		in = (ZSTD_inBuffer){ s->ts_in, s->ts_in_len, s->ts_in_pos };
		r = ZSTD_decompressStream(s->ts_zstd, &out, &in);
		if (ZSTD_isError(r)) {
			tsrc_fail(s, "zstd: %s", ZSTD_getErrorName(r));
			return -1;
		}
		s->ts_zstd_left = r;
		s->ts_in_pos = in.pos;
		s->ts_len = out.pos;
	}
	return 0;
}

/* Move the unread bytes to the front, then decode more.  0 or -1. */
static int tsrc_fill(struct tsrc *s)
{
	ssize_t r;

	if (s->ts_pos > 0) {
		memmove(s->ts_buf, s->ts_buf + s->ts_pos, s->ts_len - s->ts_pos);
		s->ts_len -= s->ts_pos;
		s->ts_pos = 0;
	}
	if (s->ts_eof || s->ts_len == s->ts_cap)
		return 0;
	switch (s->ts_codec) {
	case TSRC_XZ:
		return tsrc_xz_fill(s);
	case TSRC_ZSTD:
		return tsrc_zstd_fill(s);
	case TSRC_PLAIN:
		break;
	}
	r = tsrc_sysread(s->ts_fd, s->ts_buf + s->ts_len, s->ts_cap - s->ts_len);
	if (r < 0) {
		tsrc_fail(s, "read error: %s", strerror(errno));
		return -1;
	}
	s->ts_len += (size_t)r;
	s->ts_eof = r == 0;
	return 0;
}

/*
 * Open path without waiting for a FIFO's writer: one with none reads as
 * empty; one with a writer (a shell's <(...)) blocks for data as usual.
 */
static int tsrc_fd_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), saved;

	if (fd < 0)
		return -1;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Read the first bytes and pick the codec by their magic.  0 or -1. */
static int tsrc_codec_pick(struct tsrc *s)
{
	static const size_t need = sizeof(TSRC_XZ_MAGIC) - 1;

	while (s->ts_in_len < need && !s->ts_in_eof) {
		ssize_t r = tsrc_sysread(s->ts_fd, s->ts_in + s->ts_in_len, need - s->ts_in_len);

		if (r < 0) {
			tsrc_fail(s, "read error: %s", strerror(errno));
			return -1;
		}
		s->ts_in_len += (size_t)r;
		s->ts_in_eof = r == 0;
	}
	if (s->ts_in_len >= 6 && memcmp(s->ts_in, TSRC_XZ_MAGIC, 6) == 0) {
		s->ts_codec = TSRC_XZ;
		if (lzma_stream_decoder(&s->ts_xz, TSRC_XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
			tsrc_fail(s, "xz: cannot start the decoder");
			return -1;
		}
	} else if (s->ts_in_len >= 4 && memcmp(s->ts_in, TSRC_ZSTD_MAGIC, 4) == 0) {
		s->ts_codec = TSRC_ZSTD;
		if ((s->ts_zstd = ZSTD_createDStream()) == NULL) {
			tsrc_fail(s, "zstd: cannot start the decoder");
			return -1;
		}
		ZSTD_initDStream(s->ts_zstd);
	} else {
		memcpy(s->ts_buf, s->ts_in, s->ts_in_len);
		s->ts_len = s->ts_in_len;
		s->ts_eof = s->ts_in_eof;
		s->ts_in_len = 0;
	}
	return 0;
}

int tsrc_open(struct tsrc *s, const char *path, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->ts_xz = (lzma_stream)LZMA_STREAM_INIT;
	s->ts_path = path;
	s->ts_err = err;
	s->ts_errlen = errlen;
	s->ts_fd = -1;
	s->ts_cap = TSRC_CAP;
	s->ts_buf = malloc(TSRC_CAP + 1);
	s->ts_in = malloc(TSRC_IN_CAP);
	if (s->ts_buf == NULL || s->ts_in == NULL) {
		tsrc_fail(s, "cannot open: %s", strerror(ENOMEM));
		goto out_free;
	}
	if (strcmp(path, "-") == 0) {
		s->ts_fd = 0;
	} else {
		s->ts_fd = tsrc_fd_open(path);
		s->ts_close = true;
		if (s->ts_fd < 0) {
			tsrc_fail(s, "cannot open: %s", strerror(errno));
			goto out_free;
		}
	}
	if (tsrc_codec_pick(s) != 0)
		goto out_free;
	return 0;
out_free:
	tsrc_close(s);
	return -1;
}

void tsrc_close(struct tsrc *s)
{
	if (s->ts_close && s->ts_fd >= 0)
		close(s->ts_fd);
	s->ts_fd = -1;
	s->ts_close = false;
	lzma_end(&s->ts_xz);
	ZSTD_freeDStream(s->ts_zstd);
	s->ts_zstd = NULL;
	free(s->ts_buf);
	free(s->ts_in);
	s->ts_buf = s->ts_in = NULL;
}

enum tsrc_line_status tsrc_line(struct tsrc *s, size_t max, char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		unsigned char *start = s->ts_buf + s->ts_pos;
		size_t avail = s->ts_len - s->ts_pos;
		unsigned char *nl = memchr(start + scanned, '\n', avail - scanned);
		size_t n = nl != NULL ? (size_t)(nl - start) : avail;

		if (n > max)
			return TSRC_LONG;
		if (nl != NULL || (s->ts_eof && avail > 0)) {
			start[n] = '\0';	/* ts_buf has a spare byte past ts_cap */
			s->ts_pos += n + (nl != NULL);
			s->ts_consumed += n + (nl != NULL);
			*line = (char *)start;
			*len = n;
			return TSRC_LINE;
		}
		if (s->ts_eof)
			return TSRC_EOF;
		scanned = avail;
		if (tsrc_fill(s) != 0)
			return TSRC_ERROR;
	}
}

long tsrc_peek(struct tsrc *s, size_t n, const unsigned char **p)
{
	if (n > TSRC_PEEK_MAX)
		n = TSRC_PEEK_MAX;
	while (s->ts_len - s->ts_pos < n && !s->ts_eof)
		if (tsrc_fill(s) != 0)
			return -1;
	*p = s->ts_buf + s->ts_pos;
	return (long)(s->ts_len - s->ts_pos < n ? s->ts_len - s->ts_pos : n);
}

long tsrc_read(struct tsrc *s, void *dst, size_t n)
{
	const unsigned char *p;
	long got = tsrc_peek(s, n, &p);

	if (got > 0) {
		memcpy(dst, p, (size_t)got);
		s->ts_pos += (size_t)got;
		s->ts_consumed += (size_t)got;
	}
	return got;
}

const char *tsrc_codec_name(const struct tsrc *s)
{
	return s->ts_codec == TSRC_XZ ? "xz" : s->ts_codec == TSRC_ZSTD ? "zstd" : NULL;
}
