/*
 * trace_fmt.c - the trace formats: names, detection, and each record's
 * page references (formats in trace_fmt.h; vmsim's own line parser is
 * trace_line_parse in trace.c).
 */
#include "trace_fmt.h"
#include "trace.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const tfmt_names[TFMT_N] = {
	[TFMT_AUTO] = "auto", [TFMT_VMSIM] = "vmsim", [TFMT_LACKEY] = "lackey",
	[TFMT_ADDR_RW] = "addr-rw", [TFMT_RW_ADDR] = "rw-addr", [TFMT_ADDR] = "addr",
	[TFMT_OG_BIN] = "oraclegeneral", [TFMT_OG_CSV] = "oraclegeneral-csv",
};

/* A lackey access spans at most this many bytes (a larger size is malformed). */
#define TFMT_LACKEY_SIZE_MAX	(1u << 20)
/* A next-access field beyond this is no request count: not oraclegeneral. */
#define TFMT_OG_NEXT_MAX	(1LL << 48)

int tfmt_spec_parse(const char *s, struct tfmt_spec *sp, char *err, size_t errlen)
{
	char buf[64], *save = NULL, *tok;
	bool no_ifetch = sp->tf_no_ifetch;

	if (strlen(s) >= sizeof(buf))
		goto bad_name;
	strcpy(buf, s);
	memset(sp, 0, sizeof(*sp));
	sp->tf_no_ifetch = no_ifetch;
	tok = strtok_r(buf, ":", &save);
	for (int k = TFMT_VMSIM; tok != NULL && k < TFMT_N; k++)
		if (strcasecmp(tok, tfmt_names[k]) == 0)
			sp->tf_kind = (enum tfmt_kind)k;
	if (sp->tf_kind == TFMT_AUTO)
		goto bad_name;
	while ((tok = strtok_r(NULL, ":", &save)) != NULL) {
		bool cls = sp->tf_kind == TFMT_ADDR_RW || sp->tf_kind == TFMT_RW_ADDR ||
		    sp->tf_kind == TFMT_ADDR;

		if (cls && strcmp(tok, "hex") == 0) {
			sp->tf_hex = true;
		} else if (cls && strcmp(tok, "pages") == 0) {
			sp->tf_pages = true;
		} else {
			snprintf(err, errlen, "'%.20s' is no modifier of %s%s", tok,
			    tfmt_names[sp->tf_kind], cls ? " (hex, pages)" :
			    ": only addr-rw, rw-addr and addr take modifiers");
			return -1;
		}
	}
	return 0;
bad_name:
	snprintf(err, errlen, "unknown format (vmsim, lackey, addr-rw, rw-addr, addr, "
	    "oraclegeneral, oraclegeneral-csv; addr-rw, rw-addr and addr take :hex, :pages)");
	return -1;
}

static uint64_t tfmt_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* A next-access field as libCacheSim writes it: -1 (none) or a later request. */
static bool tfmt_og_next_ok(int64_t next)
{
	return next == -1 || next == INT64_MAX || (next > 0 && next < TFMT_OG_NEXT_MAX);
}

bool tfmt_is_binary(const unsigned char *p, size_t n)
{
	return n >= TFMT_OG_RECORD && memchr(p, '\0', TFMT_OG_RECORD) != NULL &&
	    tfmt_og_next_ok((int64_t)tfmt_le(p + 16, 8));
}

enum tfmt_status tfmt_record(const unsigned char rec[TFMT_OG_RECORD], tfmt_emit_fn *emit,
    void *ctx)
{
	if (!tfmt_og_next_ok((int64_t)tfmt_le(rec + 16, 8)))
		return TFMT_BAD;
	if (tfmt_le(rec + 12, 4) == 0)
		return TFMT_SKIP;
	return emit(ctx, tfmt_le(rec + 4, 8), false) == 0 ? TFMT_OK : TFMT_STOP;
}

/*
 * An unsigned number at *pp: hex after 0x, else decimal (hex = bare hex,
 * 0x optional).  Advances *pp.  0, or -1 if no digits or over 64 bits.
 */
static int tfmt_num(const char **pp, bool hex, uint64_t *val)
{
	const char *p = *pp;
	char *end;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		hex = true;
		p += 2;
	}
	if (hex ? !isxdigit((unsigned char)*p) : !isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	*val = strtoull(p, &end, hex ? 16 : 10);
	if (errno == ERANGE)
		return -1;
	*pp = end;
	return 0;
}

static const char *tfmt_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* The end of a record: nothing, or a trailing "# comment". */
static bool tfmt_end(const char *p)
{
	p = tfmt_blanks(p);
	return *p == '\0' || *p == '#';
}

static bool tfmt_rw(char c, bool *write)
{
	c = (char)toupper((unsigned char)c);
	*write = c == 'W';
	return c == 'R' || c == 'W';
}

/* A lackey access line: its kind letter, address and size.  0 or -1. */
static int tfmt_lackey_parse(const char *raw, char *kind, uint64_t *addr, uint64_t *size)
{
	const char *p = tfmt_blanks(raw);

	*kind = *p++;
	if (strchr("ILSM", *kind) == NULL || *kind == '\0' || (*p != ' ' && *p != '\t'))
		return -1;
	p = tfmt_blanks(p);
	if (tfmt_num(&p, true, addr) != 0 || *p++ != ',' || tfmt_num(&p, false, size) != 0)
		return -1;
	if (!tfmt_end(p) || *size == 0 || *size > TFMT_LACKEY_SIZE_MAX ||
	    *addr > UINT64_MAX - (*size - 1))
		return -1;
	return 0;
}

/* Each page of [addr, addr + size) in order, read or written. */
static bool tfmt_span(uint64_t addr, uint64_t size, uint64_t ps, bool write,
    tfmt_emit_fn *emit, void *ctx)
{
	for (uint64_t pg = addr / ps; pg <= (addr + size - 1) / ps; pg++)
		if (emit(ctx, pg, write) != 0)
			return false;
	return true;
}

static enum tfmt_status tfmt_lackey(const struct tfmt_spec *sp, const char *raw,
    uint64_t ps, tfmt_emit_fn *emit, void *ctx)
{
	uint64_t addr, size;
	char kind;

	if (raw[0] == '=' && raw[1] == '=')
		return TFMT_SKIP;
	if (tfmt_lackey_parse(raw, &kind, &addr, &size) != 0)
		return TFMT_BAD;
	if (kind == 'I' && sp->tf_no_ifetch)
		return TFMT_SKIP;
	if (kind != 'S' && !tfmt_span(addr, size, ps, false, emit, ctx))
		return TFMT_STOP;
	if ((kind == 'S' || kind == 'M') && !tfmt_span(addr, size, ps, true, emit, ctx))
		return TFMT_STOP;
	return TFMT_OK;
}

/* The class forms: ADDRESS R|W, R|W ADDRESS, ADDRESS. */
static enum tfmt_status tfmt_class(const struct tfmt_spec *sp, const char *s, uint64_t ps,
    tfmt_emit_fn *emit, void *ctx)
{
	uint64_t a;
	bool write = false;

	if (sp->tf_kind == TFMT_RW_ADDR) {
		if (!tfmt_rw(*s, &write) || (s[1] != ' ' && s[1] != '\t'))
			return TFMT_BAD;
		s = tfmt_blanks(s + 1);
	}
	if (tfmt_num(&s, sp->tf_hex, &a) != 0)
		return TFMT_BAD;
	if (sp->tf_kind == TFMT_ADDR_RW) {
		if (*s != ' ' && *s != '\t')
			return TFMT_BAD;
		s = tfmt_blanks(s);
		if (!tfmt_rw(*s++, &write))
			return TFMT_BAD;
	}
	if (!tfmt_end(s))
		return TFMT_BAD;
	return emit(ctx, sp->tf_pages ? a : a / ps, write) == 0 ? TFMT_OK : TFMT_STOP;
}

/* A csv header: letters, digits, '_', blanks, and at least two commas. */
static bool tfmt_csv_header(const char *s)
{
	int commas = 0, letters = 0;

	for (; *s; s++) {
		commas += *s == ',';
		letters += isalpha((unsigned char)*s) != 0;
		if (!isalnum((unsigned char)*s) && strchr("_ ,\t", *s) == NULL)
			return false;
	}
	return commas >= 2 && letters > 0;
}

/* "time,obj_id,size[,next]": 3 or 4 integers (only next may be negative).
 * The id into *id, the others into v.  0 or -1. */
static int tfmt_csv_fields(const char *p, int64_t v[4], uint64_t *id)
{
	for (int n = 0; n < 4; n++) {
		char *end;

		p = tfmt_blanks(p);
		if (n == 1) {
			if (tfmt_num(&p, false, id) != 0)
				return -1;
		} else {
			if (!isdigit((unsigned char)p[p[0] == '-' && n == 3]))
				return -1;
			errno = 0;
			v[n] = strtoll(p, &end, 10);
			if (errno == ERANGE)
				return -1;
			p = end;
		}
		p = tfmt_blanks(p);
		if (*p != ',')
			return n >= 2 && tfmt_end(p) ? 0 : -1;
		p++;
	}
	return -1;
}

static enum tfmt_status tfmt_csv(const char *s, bool first, tfmt_emit_fn *emit, void *ctx)
{
	int64_t v[4] = { 0, 0, 0, -1 };
	uint64_t id;

	if (tfmt_csv_fields(s, v, &id) != 0)
		return first && tfmt_csv_header(s) ? TFMT_SKIP : TFMT_BAD;
	if (v[2] < 0 || v[3] < -1)
		return TFMT_BAD;
	if (v[2] == 0)
		return TFMT_SKIP;
	return emit(ctx, id, false) == 0 ? TFMT_OK : TFMT_STOP;
}

static int tfmt_nop(void *ctx, uint64_t key, bool write)
{
	(void)ctx, (void)key, (void)write;
	return 0;
}

enum tfmt_kind tfmt_detect_line(const char *raw, const char *s)
{
	static const enum tfmt_kind order[] = { TFMT_ADDR_RW, TFMT_ADDR, TFMT_OG_CSV };
	struct trace_ref ref;
	char kind;
	uint64_t a, b;

	if ((raw[0] == '=' && raw[1] == '=') ||
	    ((strncmp(raw, "I  ", 3) == 0 || (raw[0] == ' ' && strchr("LSM", raw[1]) &&
	    raw[1] != '\0' && raw[2] == ' ')) && tfmt_lackey_parse(raw, &kind, &a, &b) == 0))
		return TFMT_LACKEY;
	if (trace_line_parse(s, 4096, &ref) == 0)
		return TFMT_VMSIM;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		struct tfmt_spec sp = { .tf_kind = order[i] };

		if (tfmt_line(&sp, raw, s, true, 4096, tfmt_nop, NULL) != TFMT_BAD)
			return order[i];
	}
	return TFMT_VMSIM;	/* its message says what is wrong */
}

enum tfmt_status tfmt_line(const struct tfmt_spec *sp, const char *raw, const char *s,
    bool first, uint64_t page_size, tfmt_emit_fn *emit, void *ctx)
{
	struct trace_ref ref;

	if (*s == '\0' || *s == '#')
		return TFMT_SKIP;
	switch (sp->tf_kind) {
	case TFMT_VMSIM:
		if (trace_line_parse(s, page_size, &ref) != 0)
			return TFMT_BAD;
		return emit(ctx, ref.tr_vpn, ref.tr_write) == 0 ? TFMT_OK : TFMT_STOP;
	case TFMT_LACKEY:
		return tfmt_lackey(sp, raw, page_size, emit, ctx);
	case TFMT_ADDR_RW:
	case TFMT_RW_ADDR:
	case TFMT_ADDR:
		return tfmt_class(sp, s, page_size, emit, ctx);
	case TFMT_OG_CSV:
		return tfmt_csv(s, first, emit, ctx);
	case TFMT_AUTO:
	case TFMT_OG_BIN:
	case TFMT_N:
		break;
	}
	return TFMT_BAD;
}

const char *tfmt_expect(enum tfmt_kind k)
{
	switch (k) {
	case TFMT_LACKEY:
		return "a lackey line ('I  addr,size', ' L addr,size', ' S addr,size', "
		    "' M addr,size' or '==pid== ...')";
	case TFMT_ADDR_RW:
		return "'ADDRESS R' or 'ADDRESS W'";
	case TFMT_RW_ADDR:
		return "'R ADDRESS' or 'W ADDRESS'";
	case TFMT_ADDR:
		return "an address";
	case TFMT_OG_CSV:
		return "'time,obj_id,size[,next_access_vtime]' (integers; size 0 is skipped)";
	default:
		return "'R' or 'W' followed by a page number";
	}
}
