/*
 * stats.c - vmsim's counter tables (vm_counters.h, vm_sim.h) as output:
 * JSON members by key, and the counters a summary left unnamed.
 */
#include <inttypes.h>
#include <string.h>

#include "json.h"
#include "stats.h"

/* The length of key's group prefix ("faults" of "faults.hard"), 0 if none. */
static size_t key_group(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? (size_t)(dot - key) : 0;
}

static bool same_group(const char *a, const char *b, size_t n)
{
	return key_group(b) == n && strncmp(a, b, n) == 0;
}

void stats_json(struct json *j, const struct vm_stat_field *fields, int n, const void *stats)
{
	for (int i = 0; i < n; i++) {
		const char *key = fields[i].sf_key;
		size_t g = key_group(key);
		bool done = false;
		char name[64];

		if (g == 0) {
			json_u64(j, key, vm_stat_value(stats, &fields[i]));
			continue;
		}
		for (int k = 0; k < i && !done; k++)
			done = same_group(key, fields[k].sf_key, g);
		if (done)		/* its group was written with its first member */
			continue;
		snprintf(name, sizeof(name), "%.*s", (int)g, key);
		json_object(j, name);
		for (int k = i; k < n; k++)
			if (same_group(key, fields[k].sf_key, g))
				json_u64(j, fields[k].sf_key + g + 1, vm_stat_value(stats, &fields[k]));
		json_end(j);
	}
}

static bool is_named(const char *name, const char *const *named)
{
	for (; *named != NULL; named++)
		if (strcmp(*named, name) == 0)
			return true;
	return false;
}

void stats_print_rest(FILE *f, const char *label, int indent, const struct vm_stat_field *fields,
    int n, const void *stats, const char *const *named)
{
	int col = 0;

	for (int i = 0; i < n; i++) {
		char item[96];
		int w;

		if (is_named(fields[i].sf_name, named))
			continue;
		w = snprintf(item, sizeof(item), "%s %" PRIu64, fields[i].sf_key,
		    vm_stat_value(stats, &fields[i]));
		if (col == 0)
			col = fprintf(f, "%-*s%s", indent, label, item);
		else if (col + 2 + w > 79)
			col = fprintf(f, ",\n%*s%s", indent, "", item) - 2;
		else
			col += fprintf(f, ", %s", item);
	}
	if (col > 0)
		fputc('\n', f);
}
