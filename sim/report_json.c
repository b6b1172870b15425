/*
 * report_json.c - --json: the run as one JSON object on standard output
 * (the keys are listed in the README, "What a run shows").
 */
#include "cli.h"
#include "json.h"

static void json_config(struct json *j, const struct opts *o)
{
	const struct vm_config *v = &o->o_vm;

	json_object(j, "config");
	json_u64(j, "physical", v->vc_physical);
	json_u64(j, "virtual", v->vc_virtual);
	json_u64(j, "pagefile", v->vc_pagefile);
	json_i64(j, "threads", o->o_wl.wc_threads);
	json_string(j, "workload", o->o_workload);
	json_double(j, "write_ratio", "%g", o->o_wl.wc_write_ratio);
	json_u64(j, "seed", o->o_wl.wc_seed);
	json_string(j, "trim_policy", opts_trim_policy_names[v->vc_trim_policy]);
	json_double(j, "readonly_fraction", "%g", v->vc_readonly_fraction);
	json_i64(j, "prefetch", v->vc_prefetch);
	json_bool(j, "defrag", v->vc_defrag);
	json_bool(j, "trim_hints", v->vc_trim_hints);
	if (o->o_wl.wc_accesses)
		json_u64(j, "accesses", o->o_wl.wc_accesses);
	else
		json_double(j, "seconds", "%g", o->o_wl.wc_seconds);
	json_end(j);
}

/* Four lock classes: PTE, PFN, list, page file. */
static void json_locks(struct json *j, const char *key, const uint64_t v[4])
{
	static const char *const cls[4] = { "pte", "pfn", "list", "pgf" };

	json_object(j, key);
	for (int i = 0; i < 4; i++)
		json_u64(j, cls[i], v[i]);
	json_end(j);
}

void report_json(const struct opts *o, const struct run_result *r)
{
	const struct vm_stats *s = &r->r_stats;
	const struct wl_counts *c = &r->r_counts;
	double el = r->r_elapsed;
	struct json j;

	json_begin(&j, stdout);
	json_object(&j, NULL);
	json_config(&j, o);
	json_u64(&j, "accesses", c->wt_accesses);
	json_u64(&j, "writes", c->wt_writes);
	json_double(&j, "elapsed_s", "%.6f", el);
	json_double(&j, "accesses_per_s", "%.1f", (double)c->wt_accesses / el);
	json_object(&j, "faults");
	json_u64(&j, "demand_zero", s->vs_faults_dz);
	json_u64(&j, "soft", s->vs_faults_soft_standby + s->vs_faults_soft_modified);
	json_u64(&j, "soft_standby", s->vs_faults_soft_standby);
	json_u64(&j, "soft_modified", s->vs_faults_soft_modified);
	json_u64(&j, "hard", s->vs_faults_hard);
	json_u64(&j, "collided", s->vs_faults_collided);
	json_end(&j);
	json_u64(&j, "pages_trimmed", s->vs_trimmed);
	json_u64(&j, "pages_trimmed_clean", s->vs_trimmed_clean);
	json_u64(&j, "trim_batches", s->vs_trim_batches);
	json_u64(&j, "trim_calls", s->vs_trim_calls);
	json_u64(&j, "trimmed_by_hint", s->vs_trimmed_by_hint);
	json_u64(&j, "pages_written", s->vs_written);
	json_u64(&j, "write_batches", s->vs_write_batches);
	json_u64(&j, "pages_zeroed", s->vs_zeroed);
	json_u64(&j, "pages_zeroed_inline", s->vs_zeroed_inline);
	json_u64(&j, "pages_repurposed", s->vs_repurposed);
	json_u64(&j, "waits_for_pages", s->vs_waits_avail);
	json_u64(&j, "bounces", s->vs_bounces);
	json_u64(&j, "pages_trimmed_dirty", s->vs_trimmed_dirty);
	json_u64(&j, "pagefile_writes_saved", s->vs_trimmed_clean);
	json_u64(&j, "write_runs", s->vs_write_runs);
	json_u64(&j, "readonly_pages", s->vs_readonly_pages);
	json_u64(&j, "readonly_reads", c->wt_ro_reads);
	json_u64(&j, "access_violations", c->wt_av);
	json_object(&j, "prefetch");
	json_u64(&j, "pages", s->vs_prefetched);
	json_u64(&j, "used", s->vs_prefetch_used);
	json_u64(&j, "wasted", s->vs_prefetch_wasted);
	json_end(&j);
	json_u64(&j, "defrag_moves", s->vs_defrag_moves);
	json_u64(&j, "pagefile_free_rows", s->vs_pgf_free_rows);
	json_object(&j, "lists");
	json_u64(&j, "zeroed", s->vs_nzeroed);
	json_u64(&j, "free", s->vs_nfree);
	json_u64(&j, "standby", s->vs_nstandby);
	json_u64(&j, "modified", s->vs_nmodified);
	json_u64(&j, "active", s->vs_nactive);
	json_end(&j);
	json_u64(&j, "pagefile_used", s->vs_pgf_used);
	json_locks(&j, "lock_contended", s->vs_lock_contended);
	json_locks(&j, "lock_wait_ns", s->vs_lock_wait_ns);
	json_object(&j, "busy_fraction");
	json_double(&j, "trimmer", "%.4f", (double)s->vs_trimmer_busy_ns / (el * 1e9));
	json_double(&j, "writer", "%.4f", (double)s->vs_writer_busy_ns / (el * 1e9));
	json_double(&j, "zero", "%.4f", (double)s->vs_zero_busy_ns / (el * 1e9));
	json_end(&j);
	json_u64(&j, "verify_failures", wl_failures(c));
	json_object(&j, "verify");
	json_u64(&j, "wrong_page", c->wt_wrong_page);
	json_u64(&j, "zeroed", c->wt_zeroed);
	json_u64(&j, "lost_write", c->wt_lost_write);
	json_u64(&j, "readonly_written", c->wt_ro_written);
	json_end(&j);
	json_i64(&j, "validate_problems", r->r_bad);
	if (r->r_compared)
		compare_json(&j, &r->r_cmp);
	json_end(&j);
}
