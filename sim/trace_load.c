/*
 * trace_load.c - load a trace in any format (trace_fmt.h) from any source
 * (trace_src.h) into memory, with the limits of struct trace_load_opts, and
 * renumber a foreign trace's pages densely in address order.
 *
 * One pass over the input, a line or a record at a time: the references
 * (16 bytes each: struct trace_ref) and a hash map of the distinct pages
 * (16 bytes a slot, at most half full) are all the memory it takes.  A
 * foreign trace's references hold first-seen ids while loading; at the
 * end the distinct keys are sorted and each id is replaced by its key's
 * rank, so neighbouring addresses stay neighbouring pages.
 */
#include "trace.h"
#include "trace_fmt.h"
#include "trace_src.h"
#include "vm_sim.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define TLOAD_QUOTE_MAX	60	/* longest excerpt of a bad line quoted back */
#define TLOAD_MAP_INIT	4096	/* initial hash slots (a power of two) */
#define TLOAD_NONE	UINT32_MAX

/* One hash slot: a page key and its first-seen id (TLOAD_NONE: free). */
struct tload_slot {
	uint64_t tm_key;
	uint32_t tm_id;
};

/* The loader's state while reading one trace. */
struct tload {
	const struct trace_load_opts *tl_o;
	struct tfmt_spec tl_spec;
	const char *tl_path;
	bool tl_binary;
	size_t tl_pos;			/* line or record number */
	size_t tl_detected;		/* the line the format was detected on (0: given) */
	struct trace_ref *tl_refs;
	size_t tl_n, tl_cap;
	uint64_t tl_writes, tl_max;
	struct tload_slot *tl_map;
	size_t tl_mask, tl_distinct;
	char *tl_err;
	size_t tl_errlen;
};

/* "PATH:LINE: " or "PATH: record N: " + the message, into err. */
static void __attribute__((format(printf, 2, 3)))
tload_fail(struct tload *l, const char *fmt, ...)
{
	char pq[256], msg[512];
	va_list ap;

	if (l->tl_err == NULL || l->tl_errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm_str_escape(pq, sizeof(pq), l->tl_path, strlen(l->tl_path));
	if (l->tl_pos == 0)
		snprintf(l->tl_err, l->tl_errlen, "%s: %s", pq, msg);
	else if (l->tl_binary)
		snprintf(l->tl_err, l->tl_errlen, "%s: record %zu: %s", pq, l->tl_pos, msg);
	else
		snprintf(l->tl_err, l->tl_errlen, "%s:%zu: %s", pq, l->tl_pos, msg);
}

static inline uint64_t tload_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static struct tload_slot *tload_slot(struct tload_slot *map, size_t mask, uint64_t key)
{
	for (size_t i = tload_hash(key) & mask;; i = (i + 1) & mask)
		if (map[i].tm_id == TLOAD_NONE || map[i].tm_key == key)
			return &map[i];
}

static int tload_map_alloc(struct tload *l, size_t cap)
{
	struct tload_slot *m = malloc(cap * sizeof(*m));

	if (m == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m[i].tm_id = TLOAD_NONE;
	for (size_t i = 0; l->tl_map != NULL && i <= l->tl_mask; i++)
		if (l->tl_map[i].tm_id != TLOAD_NONE)
			*tload_slot(m, cap - 1, l->tl_map[i].tm_key) = l->tl_map[i];
	free(l->tl_map);
	l->tl_map = m;
	l->tl_mask = cap - 1;
	return 0;
}

/* key's id, handing out the next if new (*fresh set).  TLOAD_NONE: no memory. */
static uint32_t tload_id(struct tload *l, uint64_t key, bool *fresh)
{
	struct tload_slot *s = tload_slot(l->tl_map, l->tl_mask, key);

	*fresh = s->tm_id == TLOAD_NONE;
	if (!*fresh)
		return s->tm_id;
	if (l->tl_distinct + 1 >= TLOAD_NONE)
		return TLOAD_NONE;
	if ((l->tl_distinct + 1) * 2 > l->tl_mask + 1) {
		if (tload_map_alloc(l, (l->tl_mask + 1) * 2) != 0)
			return TLOAD_NONE;
		s = tload_slot(l->tl_map, l->tl_mask, key);
	}
	s->tm_key = key;
	s->tm_id = (uint32_t)l->tl_distinct++;
	return s->tm_id;
}

static int tload_push(struct tload *l, uint64_t vpn, bool write)
{
	if (l->tl_n == l->tl_cap) {
		size_t cap = l->tl_cap ? l->tl_cap * 2 : 4096;
		struct trace_ref *p;

		if (cap > SIZE_MAX / sizeof(*p) || (p = realloc(l->tl_refs, cap * sizeof(*p))) == NULL)
			return -1;
		l->tl_refs = p;
		l->tl_cap = cap;
	}
	l->tl_refs[l->tl_n++] = (struct trace_ref){ .tr_vpn = vpn, .tr_write = write };
	l->tl_writes += write;
	return 0;
}

/* tfmt_emit_fn: one page reference, checked against the limits. */
static int tload_emit(void *ctx, uint64_t key, bool write)
{
	struct tload *l = ctx;
	const struct trace_load_opts *o = l->tl_o;
	bool foreign = tfmt_foreign(l->tl_spec.tf_kind), fresh;
	uint32_t id;

	if (!foreign && o->tl_npages != 0 && key >= o->tl_npages) {
		tload_fail(l, "page %" PRIu64 " is beyond the %" PRIu64 "-page region", key,
		    o->tl_npages);
		return -1;
	}
	if (o->tl_max_refs != 0 && l->tl_n >= o->tl_max_refs) {
		tload_fail(l, "more than %zu references (%s)", o->tl_max_refs,
		    o->tl_why ? o->tl_why : "the limit");
		return -1;
	}
	if ((id = tload_id(l, key, &fresh)) == TLOAD_NONE)
		goto out_nomem;
	if (foreign && fresh && o->tl_ndistinct != 0 && l->tl_distinct > o->tl_ndistinct) {
		tload_fail(l, "more than %" PRIu64 " distinct pages: beyond the %" PRIu64
		    "-page region", o->tl_ndistinct, o->tl_ndistinct);
		return -1;
	}
	if (tload_push(l, foreign ? id : key, write) != 0)
		goto out_nomem;
	if (!foreign && key > l->tl_max)
		l->tl_max = key;
	return 0;
out_nomem:
	tload_fail(l, "%s", l->tl_distinct + 1 >= TLOAD_NONE ?
	    "more than 2^32 - 2 distinct pages" : strerror(ENOMEM));
	return -1;
}

/* A malformed line: what the format expects, and the line, escaped. */
static void tload_bad_line(struct tload *l, const char *s, size_t len)
{
	char q[4 * TLOAD_QUOTE_MAX + 8], how[96] = "";
	bool cut = len > TLOAD_QUOTE_MAX;

	vm_str_escape(q, sizeof(q), s, cut ? TLOAD_QUOTE_MAX : len);
	if (l->tl_detected != 0 && l->tl_spec.tf_kind != TFMT_VMSIM)
		snprintf(how, sizeof(how), " (the trace reads as %s from its line %zu; "
		    "--trace-format overrides)", tfmt_names[l->tl_spec.tf_kind], l->tl_detected);
	tload_fail(l, "expected %s, got '%s%s'%s", tfmt_expect(l->tl_spec.tf_kind), q,
	    cut ? "..." : "", how);
}

/* Every line of a text trace.  0, or -1 with err set. */
static int tload_text(struct tload *l, struct tsrc *src)
{
	enum tsrc_line_status st;
	bool first = true;
	char *line;
	size_t len;

	while ((st = tsrc_line(src, TRACE_LINE_MAX, &line, &len)) == TSRC_LINE) {
		char *s;
		enum tfmt_status fs;

		l->tl_pos++;
		if (memchr(line, '\0', len) != NULL) {
			tload_bad_line(l, line, len);
			return -1;
		}
		while (len > 0 && isspace((unsigned char)line[len - 1]))
			line[--len] = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (*s == '\0' || *s == '#')
			continue;
		if (l->tl_spec.tf_kind == TFMT_AUTO) {
			l->tl_spec.tf_kind = tfmt_detect_line(line, s);
			l->tl_detected = l->tl_pos;
		}
		fs = tfmt_line(&l->tl_spec, line, s, first, l->tl_o->tl_page_size, tload_emit, l);
		first = false;
		if (fs == TFMT_BAD)
			tload_bad_line(l, s, strlen(s));
		if (fs == TFMT_BAD || fs == TFMT_STOP)
			return -1;
	}
	if (st == TSRC_LONG) {
		l->tl_pos++;
		tload_fail(l, "line longer than %d bytes (is this a trace?)", TRACE_LINE_MAX);
	}
	return st == TSRC_EOF ? 0 : -1;
}

/* Every oraclegeneral record.  0, or -1 with err set. */
static int tload_binary(struct tload *l, struct tsrc *src)
{
	unsigned char rec[TFMT_OG_RECORD];
	long got;

	l->tl_binary = true;
	while ((got = tsrc_read(src, rec, sizeof(rec))) == (long)sizeof(rec)) {
		enum tfmt_status fs;

		l->tl_pos++;
		fs = tfmt_record(rec, tload_emit, l);
		if (fs == TFMT_BAD) {
			int64_t next;

			memcpy(&next, rec + 16, sizeof(next));	/* little-endian host */
			tload_fail(l, "next access %" PRId64 " is neither -1 nor a later request "
			    "(is this an oraclegeneral trace?)", next);
		}
		if (fs == TFMT_BAD || fs == TFMT_STOP)
			return -1;
	}
	if (got > 0) {
		l->tl_pos++;
		tload_fail(l, "truncated: %ld of %d bytes", got, TFMT_OG_RECORD);
	}
	return got == 0 ? 0 : -1;
}

static int tload_key_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct tload_slot *)a)->tm_key;
	uint64_t y = ((const struct tload_slot *)b)->tm_key;

	return x < y ? -1 : x > y;
}

/* Replace each first-seen id by its key's rank.  0 or -1 (no memory). */
static int tload_renumber(struct tload *l)
{
	struct tload_slot *keys = malloc((l->tl_distinct ? l->tl_distinct : 1) * sizeof(*keys));
	uint32_t *rank = malloc((l->tl_distinct ? l->tl_distinct : 1) * sizeof(*rank));
	size_t k = 0;

	if (keys == NULL || rank == NULL) {
		free(keys);
		free(rank);
		return -1;
	}
	for (size_t i = 0; i <= l->tl_mask; i++)
		if (l->tl_map[i].tm_id != TLOAD_NONE)
			keys[k++] = l->tl_map[i];
	qsort(keys, k, sizeof(*keys), tload_key_cmp);
	for (size_t i = 0; i < k; i++)
		rank[keys[i].tm_id] = (uint32_t)i;
	for (size_t i = 0; i < l->tl_n; i++)
		l->tl_refs[i].tr_vpn = rank[l->tl_refs[i].tr_vpn];
	l->tl_max = k ? k - 1 : 0;
	free(keys);
	free(rank);
	return 0;
}

/* Read src to its end in the chosen (or detected) format.  0 or -1. */
static int tload_read(struct tload *l, struct tsrc *src)
{
	const unsigned char *p;
	long got;

	if (l->tl_spec.tf_kind == TFMT_AUTO) {
		if ((got = tsrc_peek(src, TFMT_OG_RECORD, &p)) < 0)
			return -1;
		if (tfmt_is_binary(p, (size_t)got))
			l->tl_spec.tf_kind = TFMT_OG_BIN;
	}
	if (l->tl_spec.tf_kind == TFMT_OG_BIN)
		return tload_binary(l, src);
	return tload_text(l, src);
}

int trace_load_opts(const char *path, const struct trace_load_opts *lo, struct trace *out,
		    char *err, size_t errlen)
{
	struct tload l = {
		.tl_o = lo, .tl_path = path, .tl_err = err, .tl_errlen = errlen,
		.tl_spec = { .tf_kind = (enum tfmt_kind)lo->tl_format, .tf_hex = lo->tl_hex,
			.tf_pages = lo->tl_pages, .tf_no_ifetch = lo->tl_no_ifetch },
	};
	struct tsrc src;
	struct trace_ref *fit;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (lo->tl_page_size == 0) {
		tload_fail(&l, "page size must be nonzero");
		return -1;
	}
	if (tload_map_alloc(&l, TLOAD_MAP_INIT) != 0) {
		tload_fail(&l, "%s", strerror(ENOMEM));
		return -1;
	}
	if (tsrc_open(&src, path, err, errlen) != 0)
		goto out_free;
	rc = tload_read(&l, &src);
	out->t_codec = tsrc_codec_name(&src);
	tsrc_close(&src);
	l.tl_pos = 0;
	if (rc == 0 && l.tl_n == 0) {
		tload_fail(&l, "no accesses");
		rc = -1;
	}
	if (rc == 0 && tfmt_foreign(l.tl_spec.tf_kind) && tload_renumber(&l) != 0) {
		tload_fail(&l, "%s", strerror(ENOMEM));
		rc = -1;
	}
	if (rc != 0)
		goto out_free;
	fit = realloc(l.tl_refs, l.tl_n * sizeof(*fit));	/* give back the slack */
	out->t_refs = fit != NULL ? fit : l.tl_refs;
	out->t_n = l.tl_n;
	out->t_max_vpn = l.tl_max;
	out->t_distinct = l.tl_distinct;
	out->t_writes = l.tl_writes;
	out->t_format = l.tl_spec.tf_kind;
	l.tl_refs = NULL;
out_free:
	free(l.tl_refs);
	free(l.tl_map);
	if (rc != 0)
		out->t_codec = NULL;
	return rc;
}

int trace_load_limited(const char *path, uint64_t page_size, uint64_t lim_npages,
		       size_t lim_refs, const char *why, struct trace *out,
		       char *err, size_t errlen)
{
	struct trace_load_opts lo = {
		.tl_format = TFMT_AUTO, .tl_page_size = page_size, .tl_npages = lim_npages,
		.tl_ndistinct = lim_npages, .tl_max_refs = lim_refs, .tl_why = why,
	};

	return trace_load_opts(path, &lo, out, err, errlen);
}

int trace_load(const char *path, uint64_t page_size, struct trace *out,
	       char *err, size_t errlen)
{
	return trace_load_limited(path, page_size, 0, 0, NULL, out, err, errlen);
}
