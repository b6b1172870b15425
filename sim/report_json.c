/*
 * report_json.c - --json: the run as one JSON object (the README, "What a
 * run shows", lists the keys): the configuration, the workload's counts,
 * every counter of the table (src/vm_counters.h) under its key, and what
 * only the run knows (verification, validation, --compare).
 */
#include "cli.h"
#include "json.h"
#include "stats.h"

static void json_config(struct json *j, const struct opts *o)
{
	const struct vm_machine_config *m = &o->o_vm.vc_machine;
	const struct vm_space_config *v = &o->o_vm.vc_space;

	json_object(j, "config");
	json_u64(j, "physical", m->mc_physical);
	json_u64(j, "virtual", v->as_virtual);
	json_u64(j, "pagefile", m->mc_pagefile);
	json_i64(j, "threads", o->o_wl.wc_threads);
	json_string(j, "workload", o->o_workload);
	json_double(j, "write_ratio", "%g", o->o_wl.wc_write_ratio);
	json_u64(j, "seed", o->o_wl.wc_seed);
	json_string(j, "trim_policy", opts_trim_policy_names[v->as_trim_policy]);
	json_double(j, "readonly_fraction", "%g", v->as_readonly_fraction);
	json_i64(j, "prefetch", v->as_prefetch);
	json_bool(j, "defrag", m->mc_defrag);
	json_bool(j, "trim_hints", o->o_tun.vt_trim_hints);
	if (o->o_wl.wc_accesses)
		json_u64(j, "accesses", o->o_wl.wc_accesses);
	else
		json_double(j, "seconds", "%g", o->o_wl.wc_seconds);
	json_end(j);
}

static void json_verify(struct json *j, const struct wl_counts *c)
{
	json_u64(j, "verify_failures", wl_failures(c));
	json_object(j, "verify");
	json_u64(j, "wrong_page", c->wt_wrong_page);
	json_u64(j, "zeroed", c->wt_zeroed);
	json_u64(j, "lost_write", c->wt_lost_write);
	json_u64(j, "readonly_written", c->wt_ro_written);
	json_end(j);
}

/* "processes": one object per process, in --process order. */
static void json_processes(struct json *j, const struct run_result *r)
{
	json_array(j, "processes");
	for (int i = 0; i < r->r_nprocs; i++) {
		const struct proc_result *p = &r->r_procs[i];
		const struct cli_proc *cp = p->pr_cfg;

		json_object(j, NULL);
		json_string(j, "name", cp->cp_name);
		json_u64(j, "virtual", cp->cp_virtual);
		json_i64(j, "threads", cp->cp_wl.wc_threads);
		json_string(j, "workload", cp->cp_workload);
		if (p->pr_start < 0) {
			json_null(j, "start_s");
			json_null(j, "end_s");
		} else {
			json_double(j, "start_s", "%.3f", p->pr_start);
			json_double(j, "end_s", "%.3f", p->pr_end);
		}
		json_bool(j, "ended", p->pr_ended);
		json_u64(j, "accesses", p->pr_counts.wt_accesses);
		json_u64(j, "writes", p->pr_counts.wt_writes);
		/* every per-process counter of the table, under its key */
		stats_json(j, vm_process_stat_fields, vm_process_stat_nfields, &p->pr_stats);
		json_verify(j, &p->pr_counts);
		json_end(j);
	}
	json_end(j);
}

void report_json(FILE *f, const struct opts *o, const struct run_result *r)
{
	const struct vm_stats *s = &r->r_stats;
	const struct wl_counts *c = &r->r_counts;
	double el = r->r_elapsed;
	struct json j;

	json_begin(&j, f);
	json_object(&j, NULL);
	json_config(&j, o);
	json_u64(&j, "accesses", c->wt_accesses);
	json_u64(&j, "writes", c->wt_writes);
	json_double(&j, "elapsed_s", "%.6f", el);
	json_double(&j, "accesses_per_s", "%.1f", (double)c->wt_accesses / el);
	/* every counter of the table, under its key (src/vm_counters.h) */
	stats_json(&j, vm_stat_fields, vm_stat_nfields, s);
	stats_json(&j, vm_lock_stat_fields, vm_lock_stat_nfields, &r->r_locks);
	/* what the table's counters do not say */
	json_u64(&j, "pagefile_writes_saved", s->vs_trimmed_clean);
	json_u64(&j, "readonly_reads", c->wt_ro_reads);
	json_object(&j, "busy_fraction");
	json_double(&j, "trimmer", "%.4f", (double)s->vs_trimmer_busy_ns / (el * 1e9));
	json_double(&j, "writer", "%.4f", (double)s->vs_writer_busy_ns / (el * 1e9));
	json_double(&j, "zero", "%.4f", (double)s->vs_zero_busy_ns / (el * 1e9));
	json_end(&j);
	json_verify(&j, c);
	json_i64(&j, "validate_problems", r->r_bad);
	json_processes(&j, r);
	if (r->r_compared)
		compare_json(&j, &r->r_cmp);
	if (r->r_timeline != NULL)
		timeline_json(&j, r->r_timeline);
	json_end(&j);
}
