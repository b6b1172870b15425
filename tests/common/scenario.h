/*
 * scenario.h - what the stress test and the soak share: a named
 * configuration of one vmsim instance and its user threads, set by
 * KEY=VALUE words; running the threads for a phase (to a quota or for a
 * time); and the checks after a phase (every access verified, the whole
 * structure valid) and after a run (read-only writes refused, pages read
 * ahead, pages trimmed by hint).
 *
 * Keys (scn_opt):
 *   threads=N frames=N pages=N pgf=N    user threads, frames, region and
 *                                       page-file sizes in pages
 *   write=R run=N                       write ratio; runs: longest run
 *   workload=runs|uniform|zipf|scan|phases   policy=aging|fifo|random
 *   ro=FRACTION prefetch=N defrag=0|1 hints=0|1
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "vm_sim.h"
#include "workload.h"

struct scn {
	const char *sc_name;
	struct vm_config sc_vm;		/* its mc_tunables is &sc_tun */
	struct vm_tunables sc_tun;
	struct wl_config sc_wl;
};

/* Defaults: the simulator's (the library's, but the aging policy), 2 threads of `runs` (max run 16), write ratio
 * 0.5, phases of 2000 accesses, read-only pages filled by wl_image_fill. */
void scn_init(struct scn *sc, const char *name);

/* Apply one KEY=VALUE word.  Returns false, with sc unchanged, if the key
 * is unknown or the value malformed. */
bool scn_opt(struct scn *sc, const char *kv);

/* Derived settings, after the last scn_opt: faulters = threads; the phases
 * pattern's working set half the frames unless set. */
void scn_finish(struct scn *sc);

/*
 * Run every user thread of sh once: each to quota accesses if quota is
 * nonzero, else all of them until `seconds` have passed.  Returns when all
 * have stopped, with ws_stop clear again.  Returns 0, or -1 if a thread
 * could not be started (those started were stopped and joined).
 */
int scn_run_threads(struct wl_shared *sh, uint64_t quota, double seconds);

/*
 * After a phase, with no thread touching the region: pause the system
 * threads, validate (expensive if asked), resume; then check the threads'
 * verification counts so far.  On a failure prints what failed, naming
 * `name` and `phase`, to stderr.  Returns true if all is well.
 */
bool scn_check_phase(const char *name, int phase, struct vm *vm, struct wl_shared *sh,
    int expensive);

/*
 * After the last phase: the checks the configuration's features call for
 * (read-only: every write there was refused and vmsim counted each;
 * prefetch: pages were read ahead, used + wasted <= read; hints: hinted
 * pages were trimmed).  Adds one to *pass or *fail for each check made;
 * prints what failed to stderr.
 */
void scn_check_features(const struct scn *sc, struct vm *vm, const struct wl_shared *sh,
    int *pass, int *fail);
