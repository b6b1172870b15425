/*
 * test_report.c - every counter of the table (src/vm_counters.h) reaches
 * the vmsim command's output, whatever the table holds: --json
 * (report_json) has each field of struct vm_stats and struct vm_lock_stats
 * under its key with its value, and the summary (report_summary) prints
 * each one, on its own line (report_named[]) or on an "other:" line.  The
 * command's own report objects are linked in; each counter gets a value no
 * other has, so finding it proves it was printed.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "cli.h"

static char *capture(void (*fn)(FILE *, const struct opts *, const struct run_result *),
    const struct opts *o, const struct run_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fn(f, o, r);
	fclose(f);
	return buf;
}

/* "leaf":value inside the object of key's group (or anywhere at the top). */
static bool has_member(const char *text, const char *key, uint64_t v)
{
	const char *dot = strchr(key, '.'), *scope = text;
	size_t span;
	char want[128];

	if (dot != NULL) {
		snprintf(want, sizeof(want), "\"%.*s\":{", (int)(dot - key), key);
		if ((scope = strstr(text, want)) == NULL)
			return false;
		key = dot + 1;
	}
	span = dot ? strcspn(scope, "}") : strlen(scope);
	snprintf(want, sizeof(want), "\"%s\":%" PRIu64, key, v);
	for (const char *p = scope; (p = strstr(p, want)) != NULL && p < scope + span; p++)
		if (p[strlen(want)] == ',' || p[strlen(want)] == '}')
			return true;
	return false;
}

static bool named(const char *const *list, const char *name)
{
	for (; *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* Give every field of a table a value no other field has. */
static void fill(const struct vm_stat_field *fl, int n, void *stats, uint64_t base)
{
	for (int i = 0; i < n; i++)
		*(uint64_t *)((char *)stats + fl[i].sf_offset) = base + (uint64_t)i * 7919;
}

static void check_table(const char *what, const struct vm_stat_field *fl, int n,
    const void *stats, const char *const *on_line, const char *json, const char *summary)
{
	int nojson = 0, nosummary = 0;

	for (int i = 0; i < n; i++) {
		uint64_t v = vm_stat_value(stats, &fl[i]);
		char text[96];

		if (!has_member(json, fl[i].sf_key, v)) {
			fprintf(stderr, "%s: %s (\"%s\") not in the JSON\n", what, fl[i].sf_name,
			    fl[i].sf_key);
			nojson++;
		}
		/* on its own line (nanoseconds there as ms or %), or "key value" */
		if (named(on_line, fl[i].sf_name))
			snprintf(text, sizeof(text), "%" PRIu64, v);
		else
			snprintf(text, sizeof(text), "%s %" PRIu64, fl[i].sf_key, v);
		if (fl[i].sf_kind == VM_STAT_NS && named(on_line, fl[i].sf_name))
			continue;
		if (strstr(summary, text) == NULL) {
			fprintf(stderr, "%s: %s (%s) not in the summary\n", what, fl[i].sf_name, text);
			nosummary++;
		}
	}
	CHECK(what, nojson == 0);
	CHECK(what, nosummary == 0);
}

int main(void)
{
	char *argv[] = { "vmsim", "--physical", "256K", "--virtual", "1M", "--pagefile", "1M",
		"--prefetch", "4", "--defrag", "--quiet", NULL };
	static struct run_result r;
	struct opts o;
	char *json, *summary;

	memset(&o, 0, sizeof(o));
	opts_parse(11, argv, &o);
	fill(vm_stat_fields, vm_stat_nfields, &r.r_stats, 1000003);
	fill(vm_lock_stat_fields, vm_lock_stat_nfields, &r.r_locks, 5000011);
	r.r_elapsed = 1.0;
	r.r_counts.wt_accesses = 3;
	r.r_procs = calloc(1, sizeof(*r.r_procs));
	r.r_nprocs = 1;
	r.r_procs[0].pr_cfg = &o.o_procs[0];
	r.r_procs[0].pr_end = 1.0;
	fill(vm_process_stat_fields, vm_process_stat_nfields, &r.r_procs[0].pr_stats, 9000011);
	CHECK("the table fills struct vm_stats",
	    (size_t)vm_stat_nfields * sizeof(uint64_t) == sizeof(struct vm_stats));
	CHECK("the lock table fills struct vm_lock_stats",
	    (size_t)vm_lock_stat_nfields * sizeof(uint64_t) == sizeof(struct vm_lock_stats));
	json = capture(report_json, &o, &r);
	summary = capture(report_summary, &o, &r);
	check_table("every counter in --json and the summary", vm_stat_fields, vm_stat_nfields,
	    &r.r_stats, report_named, json, summary);
	check_table("every lock counter in --json and the summary", vm_lock_stat_fields,
	    vm_lock_stat_nfields, &r.r_locks, report_lock_named, json, summary);
	for (const char *const *p = report_named; *p != NULL; p++) {
		bool in_table = false;

		for (int i = 0; i < vm_stat_nfields; i++)
			in_table |= strcmp(vm_stat_fields[i].sf_name, *p) == 0;
		CHECK("report_named names counters of the table", in_table);
	}
	CHECK("the process table fills struct vm_process_stats",
	    (size_t)vm_process_stat_nfields * sizeof(uint64_t) == sizeof(struct vm_process_stats));
	for (int i = 0; i < vm_process_stat_nfields; i++) {
		const struct vm_stat_field *f = &vm_process_stat_fields[i];
		const char *procs = strstr(json, "\"processes\":[{\"name\":\"p1\"");

		if (procs == NULL || !has_member(procs, f->sf_key, vm_stat_value(&r.r_procs[0].pr_stats, f)))
			fprintf(stderr, "per-process %s (\"%s\") not in processes[0]\n", f->sf_name, f->sf_key);
		CHECK("every per-process counter in processes[0]", procs != NULL &&
		    has_member(procs, f->sf_key, vm_stat_value(&r.r_procs[0].pr_stats, f)));
	}
	CHECK("one process: line", strstr(summary, "\nprocess:     p1 0.00-1.00 s: ") != NULL);
	CHECK("today's keys kept", has_member(json, "pagefile_writes_saved",
	    r.r_stats.vs_trimmed_clean) && strstr(json, "\"busy_fraction\":{") != NULL &&
	    strstr(json, "\"verify\":{") != NULL && strstr(json, "\"config\":{") != NULL);
	for (char *line = summary; *line != '\0'; line += strcspn(line, "\n") + 1)
		if (strncmp(line, "other:", 6) == 0 || line[0] == ' ')
			CHECK("other: lines of at most 79 columns", strcspn(line, "\n") <= 79);
	free(json);
	free(summary);
	return check_done("report");
}
