/*
 * record.c - --record: after the run, the reference string the threads
 * generated, in their order and the trace format (trace.h), into the file
 * preflight opened before the run.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

int record_write(const struct opts *o, const struct wl_shared *sh)
{
	FILE *f = o->o_record_f;
	char comment[512];
	struct stat st;
	size_t n;
	struct trace_ref *refs = wl_record_merge(sh, &n);
	bool reg = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	int rc = -1, saved = ENOMEM;

	snprintf(comment, sizeof(comment), "recorded by vmsim: workload %s, %d thread%s, seed %"
	    PRIu64 ", write ratio %.2f, virtual %" PRIu64 " pages", o->o_workload,
	    o->o_wl.wc_threads, o->o_wl.wc_threads == 1 ? "" : "s", o->o_wl.wc_seed,
	    o->o_wl.wc_write_ratio, o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE);
	if (refs != NULL && (!reg || ftruncate(fileno(f), 0) == 0))
		rc = trace_fwrite(f, comment, refs, n);
	if (refs != NULL && rc != 0)
		saved = errno;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		if (reg)
			unlink(o->o_record);
		fprintf(stderr, "vmsim: --record: cannot write %s: %s%s\n", cli_q(o->o_record),
		    strerror(saved), reg ? " (the incomplete file is removed)" : "");
	}
	free(refs);
	return rc;
}
