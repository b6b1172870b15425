/*
 * report_json.c - vmsim-bench's figures as one JSON object (bench.json):
 * the floor, the fault kinds, parallel soft faults and every workload run
 * with its rounds, and the trim-scale section (trimscale.c writes that
 * part; sim/json.c writes it all).
 */
#include <math.h>

#include "bench.h"
#include "json.h"

static void jnum(struct json *j, const char *key, double v)
{
	json_double(j, key, "%.6g", v);
}

static void json_run(struct json *j, const struct bench_run *r)
{
	json_object(j, NULL);
	json_string(j, "workload", r->br_name);
	json_string(j, "variant", r->br_variant);
	json_i64(j, "threads", r->br_threads);
	jnum(j, "seconds", r->br_seconds);
	jnum(j, "accesses_per_s", r->br_acc_s);
	jnum(j, "faults_per_s", r->br_faults_s);
	json_object(j, "fault_mix");
	jnum(j, "demand_zero", r->br_fault_mix[0]);
	jnum(j, "soft_standby", r->br_fault_mix[1]);
	jnum(j, "soft_modified", r->br_fault_mix[2]);
	jnum(j, "hard", r->br_fault_mix[3]);
	json_end(j);
	jnum(j, "trimmed", r->br_trimmed);
	jnum(j, "trim_batches", r->br_trim_batches);
	jnum(j, "trim_calls", r->br_trim_calls);
	jnum(j, "tlb_shootdowns", r->br_tlb);
	jnum(j, "trim_calls_per_page", r->br_trim_calls / r->br_trimmed);
	jnum(j, "tlb_per_trimmed_page", r->br_tlb / r->br_trimmed);
	jnum(j, "written", r->br_written);
	jnum(j, "write_batches", r->br_write_batches);
	jnum(j, "pgf_scan_words", r->br_scan_words);
	jnum(j, "pgf_row_claims", r->br_row_claims);
	jnum(j, "pgf_bit_claims", r->br_bit_claims);
	jnum(j, "fault_time_frac", r->br_fault_frac);
	jnum(j, "handler_ns_per_fault", r->br_handler_ns);
	jnum(j, "wait_avail_frac", r->br_wait_avail_frac);
	jnum(j, "wait_other_frac", r->br_wait_other_frac);
	json_object(j, "lock_wait_frac");
	for (int c = 0; c < 4; c++)
		jnum(j, bench_lock_name[c], r->br_lock_frac[c]);
	json_end(j);
	jnum(j, "trimmer_busy_frac", r->br_trimmer_busy);
	jnum(j, "writer_busy_frac", r->br_writer_busy);
	jnum(j, "zero_busy_frac", r->br_zero_busy);
	jnum(j, "trimmer_ns_per_page", r->br_trimmer_ns_per_page);
	jnum(j, "writer_ns_per_page", r->br_writer_ns_per_page);
	jnum(j, "cpu_user", r->br_cpu_user);
	jnum(j, "cpu_trimmer", r->br_cpu_sys[0]);
	jnum(j, "cpu_writer", r->br_cpu_sys[1]);
	jnum(j, "cpu_zero", r->br_cpu_sys[2]);
	if (r->br_tl_events_s > 0) {	/* the timeline section's "on" runs */
		jnum(j, "timeline_events_per_s", r->br_tl_events_s);
		jnum(j, "timeline_dropped", r->br_tl_dropped);
	}
	json_array(j, "rounds_faults_per_s");
	for (int i = 0; i < r->br_nrounds; i++)
		json_double(j, NULL, "%.0f", r->br_r_faults[i]);
	json_end(j);
	json_array(j, "rounds_accesses_per_s");
	for (int i = 0; i < r->br_nrounds; i++)
		json_double(j, NULL, "%.0f", r->br_r_acc[i]);
	json_end(j);
	json_i64(j, "verify_errors", r->br_errors);
	json_end(j);
}

static void json_kinds(struct json *j, const struct bench_all *a)
{
	const struct bench_kinds *k = &a->kinds;

	json_object(j, "kinds");
	json_i64(j, "pages", k->bk_pages);
	json_i64(j, "rounds", k->bk_rounds);
	json_i64(j, "errors", k->bk_errors);
	jnum(j, "loop_write_ns", k->bk_loop_w_ns);
	jnum(j, "loop_read_ns", k->bk_loop_r_ns);
	for (int i = 0; i < BK_N; i++) {
		json_object(j, bench_kind_key[i]);
		jnum(j, "ns_per_fault", k->bk_touch_ns[i]);
		jnum(j, "handler_ns_per_fault", k->bk_handler_ns[i]);
		json_string(j, "access", bench_kind_write[i] ? "write" : "read");
		jnum(j, "floor_ns", k->bk_floor_ns[i]);
		jnum(j, "floor_wp_ns", k->bk_floor_wp_ns[i]);
		jnum(j, "ratio_to_floor", k->bk_ratio[i]);
		jnum(j, "ratio_min", k->bk_ratio_lo[i]);
		jnum(j, "ratio_max", k->bk_ratio_hi[i]);
		jnum(j, "ratio_to_wp_floor", k->bk_ratio_wp[i]);
		jnum(j, "ratio_to_write_floor",
		    a->floor_ok ? k->bk_touch_ns[i] / a->floor.sigbus_copy_ns : NAN);
		jnum(j, "target", bench_kind_target[i]);
		json_end(j);
	}
	json_end(j);
}

void bench_json(FILE *f, const struct bench_all *a)
{
	struct json j;

	json_begin(&j, f);
	json_object(&j, NULL);
	json_i64(&j, "quick", a->quick);
	if (a->floor_ok)
		floor_json(&j, "floor", &a->floor);
	else
		json_null(&j, "floor");
	json_kinds(&j, a);
	json_array(&j, "parallel_soft");
	for (int i = 0; i < a->nparsoft; i++) {
		const struct bench_parsoft *p = &a->parsoft[i];

		json_object(&j, NULL);
		json_i64(&j, "shared", p->ps_shared);
		json_i64(&j, "threads", p->ps_threads);
		json_i64(&j, "pages", p->ps_pages);
		json_i64(&j, "errors", p->ps_errors);
		jnum(&j, "ns_per_fault", p->ps_ns_per_fault);
		jnum(&j, "faults_per_s", p->ps_faults_per_s);
		jnum(&j, "list_wait_ns_per_fault", p->ps_list_wait_ns);
		json_end(&j);
	}
	json_end(&j);
	jnum(&j, "tlb_idle_per_s", a->tlb_idle_per_s);
	json_array(&j, "runs");
	for (int i = 0; i < a->nruns; i++) {
		json_newline(&j);
		json_run(&j, &a->runs[i]);
	}
	json_end(&j);
	bench_cycle_json(&j, a);
	bench_trimscale_json(&j, a);
	json_end(&j);
}
