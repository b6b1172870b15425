/*
 * cli.h - the vmsim command's own declarations: its options, and the
 * checks made before anything is created or run.
 *
 * The command's order of work, and what each step may do:
 *   1. cli_fds_check        stdin/stdout/stderr open (or refuse)
 *   2. opts_parse           options, their ranges, the rules between them,
 *                           and vm_config_check: no file touched
 *   3. preflight            inputs and outputs compared by identity, the
 *                           trace read (bounded), the memory estimate, the
 *                           page file's disk space, --record created
 *   4. vm_create, wl_init   the page file created
 *   5. the run, the report, the recording written
 * A refusal in 1-4 is one line on stderr and exit status 2, and removes
 * any file steps 3-4 created (cli_refuse).  A lost output in 5 is one line
 * and exit status 1.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "trace.h"
#include "vm_sim.h"
#include "workload.h"

/* Every option, a bit each in o_given. */
enum opt_id {
	OPT_PHYSICAL, OPT_VIRTUAL, OPT_PAGEFILE, OPT_PAGEFILE_PATH, OPT_THREADS,
	OPT_SECONDS, OPT_ACCESSES, OPT_SEED, OPT_WRITE_RATIO, OPT_WORKLOAD,
	OPT_MAX_RUN, OPT_TRIM_BATCH, OPT_WRITE_BATCH, OPT_ZIPF_S, OPT_SCAN_SIZE,
	OPT_PHASE_LEN, OPT_PHASE_SIZE, OPT_TRACE, OPT_TRIM_POLICY, OPT_RECORD,
	OPT_COMPARE, OPT_READONLY, OPT_PREFETCH, OPT_DEFRAG, OPT_TRIM_HINTS,
	OPT_JSON, OPT_QUIET, OPT_HELP, OPT_N
};

struct opts {
	struct vm_config o_vm;
	struct vm_tunables o_tun;		/* o_vm's mc_tunables */
	struct wl_config o_wl;
	uint64_t o_given;		/* bit (1 << OPT_x): given on the command line */
	int o_json, o_quiet, o_live, o_compare;
	const char *o_workload;
	const char *o_trace_path;	/* --workload trace */
	const char *o_record;		/* --record FILE */
	struct trace o_trace;
	FILE *o_record_f;		/* --record, opened by preflight, written after the run */
	bool o_pagefile_new;		/* --pagefile-path did not exist before vm_create */
};

extern const char *const opts_trim_policy_names[];

/* "options.c" */
/* Parse and check argv into o; refuses (exit 2) anything wrong. */
void opts_parse(int argc, char **argv, struct opts *o);

/* "preflight.c" */
/* One line "vmsim: ..." on stderr, remove the files created so far, exit 2. */
_Noreturn void cli_refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One line "vmsim: warning: ..." on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* s escaped for a one-line message (non-printable bytes as \xNN); the
 * result lives until the fourth call after. */
const char *cli_q(const char *s);
/* Remove path if the command is refused before the run starts. */
void cli_created(const char *path);
/* The run starts: nothing is removed after this. */
void cli_keep(void);
/* Make sure fds 0-2 are open; refuse if stdout is closed. */
void cli_fds_check(void);
/* Step 3 above. */
void preflight(struct opts *o);
