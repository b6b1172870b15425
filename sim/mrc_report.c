/*
 * mrc_report.c - vmsim --mrc's output: two tables (faults, then dirty
 * write-backs) with a row per frame count, or one JSON object whose "mrc"
 * maps each policy to its list of points.
 */
#include <inttypes.h>
#include <stdio.h>

#include "json.h"
#include "mrc_cmd.h"
#include "trace_fmt.h"

/* vmsim policy k's run at frames, or NULL (below 8 frames). */
static const struct mrc_vpoint *mrc_vfind(const struct mrc_result *r, size_t k, uint64_t frames)
{
	for (size_t i = 0; i < r->mr_nv; i++)
		if (r->mr_vm[k][i].mv_frames == frames)
			return &r->mr_vm[k][i];
	return NULL;
}

static void mrc_cell(const struct mrc_vpoint *v, uint64_t x)
{
	if (v != NULL)
		printf(" %12" PRIu64, x);
	else
		printf(" %12s", "-");
}

/* One table: faults (wb = false) or write-backs. */
static void mrc_table(const struct mrc_result *r, bool wb)
{
	char name[32];

	printf("%-12s %8s", wb ? "write-backs" : "faults", "frames");
	for (int p = 0; p < MRC_NPOL; p++)
		printf(" %12s", mrc_policy_names[p]);
	for (size_t k = 0; k < r->mr_nvpol; k++) {
		snprintf(name, sizeof(name), "vmsim %s", opts_trim_policy_names[r->mr_vpol[k]]);
		printf(" %12s", name);
		if (!wb)
			printf(" %12s", "(hard)");
	}
	printf("\n");
	for (size_t i = 0; i < r->mr_n; i++) {
		uint64_t f = r->mr_pts[0][i].mp_frames;

		printf("%-12s %8" PRIu64, "", f);
		for (int p = 0; p < MRC_NPOL; p++)
			printf(" %12" PRIu64, wb ? r->mr_pts[p][i].mp_writebacks :
			    r->mr_pts[p][i].mp_faults);
		for (size_t k = 0; k < r->mr_nvpol; k++) {
			const struct mrc_vpoint *v = mrc_vfind(r, k, f);

			mrc_cell(v, v == NULL ? 0 : wb ? v->mv_writebacks : v->mv_faults);
			if (!wb)
				mrc_cell(v, v == NULL ? 0 : v->mv_hard);
		}
		printf("\n");
	}
}

void mrc_print(const struct opts *o, const struct mrc_result *r)
{
	const struct trace *t = &o->o_trace;

	printf("mrc:         %s: %s%s%s, %zu references (%" PRIu64 " writes), %" PRIu64
	    " distinct pages\n", cli_q(o->o_trace_path), tfmt_names[t->t_format],
	    t->t_codec ? ", " : "", t->t_codec ? t->t_codec : "", t->t_n, t->t_writes,
	    t->t_distinct);
	mrc_table(r, false);
	mrc_table(r, true);
	printf("(every policy starts empty, so its faults include the %" PRIu64 " cold misses; "
	    "a write-back is a dirty page evicted; oracles %.2f s", t->t_distinct, r->mr_oracle_s);
	if (r->mr_nvpol)
		printf("; vmsim: all faults (demand-zero + soft + hard) and hard ones, pages "
		    "written to its page file, %zu runs in %.2f s", r->mr_nvpol * r->mr_nv,
		    r->mr_vmsim_s);
	printf(")\n");
}

static void mrc_json_trace(struct json *j, const struct opts *o)
{
	const struct trace *t = &o->o_trace;

	json_object(j, "trace");
	json_string(j, "path", o->o_trace_path);
	json_string(j, "format", tfmt_names[t->t_format]);
	if (t->t_codec)
		json_string(j, "compression", t->t_codec);
	else
		json_null(j, "compression");
	json_u64(j, "references", t->t_n);
	json_u64(j, "writes", t->t_writes);
	json_u64(j, "distinct_pages", t->t_distinct);
	json_end(j);
}

void mrc_print_json(const struct opts *o, const struct mrc_result *r)
{
	struct json j;
	char name[32];

	json_begin(&j, stdout);
	json_object(&j, NULL);
	mrc_json_trace(&j, o);
	json_object(&j, "mrc");
	for (int p = 0; p < MRC_NPOL; p++) {
		json_array(&j, mrc_policy_names[p]);
		for (size_t i = 0; i < r->mr_n; i++) {
			json_object(&j, NULL);
			json_u64(&j, "frames", r->mr_pts[p][i].mp_frames);
			json_u64(&j, "faults", r->mr_pts[p][i].mp_faults);
			json_u64(&j, "writebacks", r->mr_pts[p][i].mp_writebacks);
			json_end(&j);
		}
		json_end(&j);
	}
	for (size_t k = 0; k < r->mr_nvpol; k++) {
		snprintf(name, sizeof(name), "vmsim_%s", opts_trim_policy_names[r->mr_vpol[k]]);
		json_array(&j, name);
		for (size_t i = 0; i < r->mr_nv; i++) {
			const struct mrc_vpoint *v = &r->mr_vm[k][i];

			json_object(&j, NULL);
			json_u64(&j, "frames", v->mv_frames);
			json_u64(&j, "faults", v->mv_faults);
			json_u64(&j, "hard", v->mv_hard);
			json_u64(&j, "writebacks", v->mv_writebacks);
			json_u64(&j, "verify_failures", v->mv_failures);
			json_double(&j, "elapsed_s", "%.4f", v->mv_seconds);
			json_end(&j);
		}
		json_end(&j);
	}
	json_end(&j);
	json_double(&j, "oracle_s", "%.4f", r->mr_oracle_s);
	json_double(&j, "vmsim_s", "%.4f", r->mr_vmsim_s);
	json_u64(&j, "threads", (uint64_t)o->o_wl.wc_threads);
	json_end(&j);
}
