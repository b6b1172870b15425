/*
 * trace_fmt.h - the trace formats vmsim reads, how it tells them apart,
 * and how each record becomes page references.
 *
 *   vmsim          "R <page>" / "W <page>" (trace.h): pages are vmsim pages
 *   lackey         valgrind --tool=lackey --trace-mem=yes: "I  addr,size",
 *                  " L addr,size", " S addr,size", " M addr,size" (hex
 *                  addresses), "==pid==" lines skipped.  I and L read, S
 *                  writes, M reads then writes; an access touches every
 *                  page its bytes cover, in address order (an M: all of
 *                  them read, then all written).  tf_no_ifetch drops I.
 *   addr-rw        "ADDRESS R|W"      } class-assignment forms: byte
 *   rw-addr        "R|W ADDRESS"      } addresses, hex after 0x, decimal
 *   addr           "ADDRESS" (reads)  } without (modifiers: hex, pages)
 *   oraclegeneral  libCacheSim's binary records, little-endian: u32 time,
 *                  u64 object id, u32 size, i64 next access (-1: none);
 *                  one object = one page, all reads; size 0 is skipped, as
 *                  libCacheSim's reader does
 *   oraclegeneral-csv  its text form (libCacheSim's tracePrint):
 *                  "time,obj_id,size[,next_access_vtime]" per line, an
 *                  optional header line
 *
 * Detection reads the content, never the name: binary records when the
 * first 24 bytes hold a NUL and a plausible next-access field; otherwise
 * the first line that is not blank, a '#' comment or a lackey "==pid=="
 * line decides: lackey's shape, then vmsim's, then "ADDRESS R|W", a lone
 * address, then comma-separated numbers (or a csv header).  "R 12" reads
 * as vmsim's page 12, never as rw-addr's byte address 12, unless
 * --trace-format rw-addr says so.  Blank lines and '#' comments are
 * allowed in every text format.
 *
 * Every format but vmsim's names addresses or object ids: the loader
 * renumbers their distinct pages densely in address (id) order.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tfmt_kind {
	TFMT_AUTO, TFMT_VMSIM, TFMT_LACKEY, TFMT_ADDR_RW, TFMT_RW_ADDR, TFMT_ADDR,
	TFMT_OG_BIN, TFMT_OG_CSV, TFMT_N
};

/* How to read a trace: its format (or TFMT_AUTO) and the modifiers. */
struct tfmt_spec {
	enum tfmt_kind tf_kind;
	bool tf_hex;		/* class forms: bare numbers are hex */
	bool tf_pages;		/* class forms: numbers are page numbers, not byte addresses */
	bool tf_no_ifetch;	/* lackey: leave out instruction fetches */
};

/* The oraclegeneral record. */
#define TFMT_OG_RECORD	24

extern const char *const tfmt_names[TFMT_N];

/*
 * Parse a --trace-format value "NAME[:MOD...]" (NAME one of tfmt_names but
 * "auto"; MOD hex or pages, for the class forms) into sp (tf_no_ifetch
 * untouched).  Returns 0, or -1 with a one-line reason in err.
 */
int tfmt_spec_parse(const char *s, struct tfmt_spec *sp, char *err, size_t errlen);

/* Whether a format names addresses or ids (renumbered), not vmsim pages. */
static inline bool tfmt_foreign(enum tfmt_kind k)
{
	return k != TFMT_VMSIM && k != TFMT_AUTO;
}

/* Whether the first n bytes of a stream look like oraclegeneral records. */
bool tfmt_is_binary(const unsigned char *p, size_t n);

/* The format of a first data line s (trimmed of trailing blanks; raw is
 * the line before its leading blanks were skipped). */
enum tfmt_kind tfmt_detect_line(const char *raw, const char *s);

/* Called for each page reference a record makes: returns 0, or -1 to stop
 * (the callee has said why). */
typedef int tfmt_emit_fn(void *ctx, uint64_t key, bool write);

enum tfmt_status { TFMT_OK, TFMT_SKIP, TFMT_BAD, TFMT_STOP };

/*
 * One text line of format sp->tf_kind: raw as read (NUL-free, trailing
 * blanks trimmed), s the same past its leading blanks.  Comments and blank
 * lines are TFMT_SKIP, as are lackey's "==pid==" lines and a csv header
 * (first = this is the first data line).  A malformed line is TFMT_BAD;
 * TFMT_STOP when emit said stop.  page_size turns byte addresses into
 * page keys.
 */
enum tfmt_status tfmt_line(const struct tfmt_spec *sp, const char *raw, const char *s,
    bool first, uint64_t page_size, tfmt_emit_fn *emit, void *ctx);

/* One oraclegeneral record: TFMT_OK, TFMT_SKIP (size 0), TFMT_BAD (a next
 * access below -1) or TFMT_STOP. */
enum tfmt_status tfmt_record(const unsigned char rec[TFMT_OG_RECORD], tfmt_emit_fn *emit,
    void *ctx);

/* What a line of the format looks like, for "expected ..., got '...'". */
const char *tfmt_expect(enum tfmt_kind k);
