/*
 * compare.c - --compare: the offline policies (oracle.c: LRU, FIFO and
 * Belady's OPT) on the replayed trace with vmsim's frame count, beside
 * vmsim's own faults; as a table after the summary, or a JSON member.
 */
#include <inttypes.h>
#include <stdlib.h>

#include "cli.h"
#include "json.h"
#include "oracle.h"

static uint64_t trace_distinct(const struct trace *t, uint64_t npages)
{
	uint8_t *seen = calloc(npages, 1);
	uint64_t n = 0;

	if (seen == NULL)
		return ORACLE_ERROR;
	for (size_t i = 0; i < t->t_n; i++) {
		n += !seen[t->t_refs[i].tr_vpn];
		seen[t->t_refs[i].tr_vpn] = 1;
	}
	free(seen);
	return n;
}

int compare_run(const struct opts *o, const struct vm_stats *s, struct compare *cm)
{
	const struct trace *t = &o->o_trace;

	cm->cm_refs = t->t_n;
	cm->cm_frames = o->o_vm.vc_machine.mc_physical / VM_PAGE_SIZE;
	cm->cm_distinct = trace_distinct(t, o->o_vm.vc_space.as_virtual / VM_PAGE_SIZE);
	cm->cm_dz = s->vs_faults_dz;
	cm->cm_soft = s->vs_faults_soft;
	cm->cm_hard = s->vs_faults_hard;
	cm->cm_vmsim = cm->cm_dz + cm->cm_soft + cm->cm_hard;
	cm->cm_lru = oracle_lru_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_fifo = oracle_fifo_faults(t->t_refs, t->t_n, cm->cm_frames);
	cm->cm_opt = oracle_opt_faults(t->t_refs, t->t_n, cm->cm_frames);
	if (cm->cm_distinct == ORACLE_ERROR || cm->cm_lru == ORACLE_ERROR ||
	    cm->cm_fifo == ORACLE_ERROR || cm->cm_opt == ORACLE_ERROR) {
		fprintf(stderr, "vmsim: --compare: out of memory for the oracles: no comparison\n");
		return -1;
	}
	return 0;
}

static void compare_row(const struct compare *cm, const char *name, uint64_t faults)
{
	printf("  %-22s %10" PRIu64 " %10.1f %12" PRIu64 "\n", name, faults,
	    1000.0 * (double)faults / (double)cm->cm_refs,
	    faults > cm->cm_distinct ? faults - cm->cm_distinct : 0);
}

void compare_print(const struct opts *o, const struct compare *cm)
{
	printf("compare:     %s: %" PRIu64 " references, %" PRIu64 " distinct pages, %" PRIu64
	    " frames\n", cli_q(o->o_trace_path), cm->cm_refs, cm->cm_distinct, cm->cm_frames);
	printf("  %-22s %10s %10s %12s\n", "", "faults", "per 1000", "beyond cold");
	compare_row(cm, "vmsim dz+soft+hard", cm->cm_vmsim);
	compare_row(cm, "vmsim hard", cm->cm_hard);
	compare_row(cm, "LRU", cm->cm_lru);
	compare_row(cm, "FIFO", cm->cm_fifo);
	compare_row(cm, "OPT (Belady)", cm->cm_opt);
	printf("  (a policy's faults include the %" PRIu64 " cold misses; vmsim's are its "
	    "demand-zero faults)\n", cm->cm_distinct);
}

void compare_json(struct json *j, const struct compare *cm)
{
	json_object(j, "compare");
	json_u64(j, "references", cm->cm_refs);
	json_u64(j, "distinct_pages", cm->cm_distinct);
	json_u64(j, "frames", cm->cm_frames);
	json_u64(j, "vmsim_faults", cm->cm_vmsim);
	json_u64(j, "vmsim_hard", cm->cm_hard);
	json_u64(j, "vmsim_soft", cm->cm_soft);
	json_u64(j, "vmsim_demand_zero", cm->cm_dz);
	json_u64(j, "lru", cm->cm_lru);
	json_u64(j, "fifo", cm->cm_fifo);
	json_u64(j, "opt", cm->cm_opt);
	json_end(j);
}
