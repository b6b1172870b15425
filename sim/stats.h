/*
 * stats.h - vmsim's counters (src/vm_counters.h) as output: every field
 * of struct vm_stats and struct vm_lock_stats into JSON under its key, and
 * the ones a summary did not name on a line of their own.  Adding a
 * counter to the table makes it appear in both with no change here.
 */
#pragma once
#include <stdio.h>

#include "vm_sim.h"

struct json;

/*
 * Each field of fields[0, n) of stats (a struct vm_stats or vm_lock_stats)
 * as a member of the open JSON object: "a.b" keys are grouped into an
 * object "a" with members "b", in the table's order of first appearance.
 */
void stats_json(struct json *j, const struct vm_stat_field *fields, int n, const void *stats);

/*
 * The fields whose names are not in named[] (NULL-terminated): "key N"
 * separated by commas, each line wrapped to 79 columns under a label of
 * `indent` columns.  Prints nothing (not even a newline) when none is left.
 */
void stats_print_rest(FILE *f, const char *label, int indent, const struct vm_stat_field *fields,
    int n, const void *stats, const char *const *named);
