/*
 * soak_configs.c - the soak's configurations, in rotation order.  Sizes are
 * in pages (4K); every one keeps the region several times its frames, so
 * the trimmer, the writer and hard faults never rest.  The words are
 * tests/common/scenario.h's, plus pgf-file=1 and io=1 (soak.h).
 */
#include "soak.h"

const struct soak_def soak_defs[] = {
	{ "tiny", "8 threads on 16 frames, the page file exactly at the commit limit",
	  "threads=8 frames=16 pages=64 pgf=48 run=8" },
	{ "oversubscribed", "16 threads (on however few CPUs), uniform pages",
	  "threads=16 frames=256 pages=4096 pgf=4096 workload=uniform" },
	{ "commit-limit", "virtual = physical + page file: bounce buffers when it fills",
	  "threads=4 frames=64 pages=512 pgf=448" },
	{ "file-pagefile", "the page file on a temporary file (removed)",
	  "threads=4 frames=128 pages=2048 pgf=2048 pgf-file=1" },
	{ "read-only", "a quarter of the region read-only: image contents, writes refused",
	  "threads=4 frames=128 pages=2048 pgf=2048 write=0.3 ro=0.25" },
	{ "prefetch", "sequential sweeps, hard faults read 8 pages ahead",
	  "threads=2 frames=128 pages=2048 pgf=2048 write=0.3 workload=scan prefetch=8" },
	{ "defrag", "zipf pages, page file twice the region, slots defragmented",
	  "threads=2 frames=128 pages=2048 pgf=4096 workload=zipf defrag=1" },
	{ "trim-aging", "runs, trimmed by accessed bits aged by a clock hand",
	  "threads=4 frames=128 pages=2048 pgf=2048 policy=aging" },
	{ "trim-fifo", "runs, oldest mapping trimmed first",
	  "threads=4 frames=128 pages=2048 pgf=2048 policy=fifo" },
	{ "trim-random", "runs, random victims",
	  "threads=4 frames=128 pages=2048 pgf=2048 policy=random" },
	{ "trim-hints", "long runs hand the pages behind them to the trimmer",
	  "threads=2 frames=128 pages=2048 pgf=2048 run=512 hints=1" },
	{ "write-heavy", "every access writes",
	  "threads=4 frames=256 pages=4096 pgf=4096 write=1" },
	{ "read-heavy", "5% of accesses write: clean trims, standby reuse",
	  "threads=4 frames=256 pages=4096 pgf=4096 write=0.05" },
	{ "scan", "sequential sweeps over 16 times the frames",
	  "threads=2 frames=512 pages=8192 pgf=8192 workload=scan" },
	{ "zipf", "skewed popularity, hot pages scattered",
	  "threads=3 frames=128 pages=2048 pgf=2048 workload=zipf" },
	{ "phases", "a working set of half the frames that moves every 2000 accesses",
	  "threads=2 frames=128 pages=2048 pgf=2048 workload=phases" },
	{ "locked-io", "a thread locks 64K, preads/pwrites a file through it (buffered "
	  "and O_DIRECT) beside uniform faulters",
	  "threads=4 frames=128 pages=2048 pgf=2048 workload=uniform io=1" },
	{ "everything", "read-only, prefetch, defrag, fifo and hints at once on 64 frames",
	  "threads=4 frames=64 pages=1024 pgf=1024 write=0.4 ro=0.2 prefetch=4 defrag=1 "
	  "policy=fifo hints=1" },
};

const int soak_ndefs = (int)(sizeof(soak_defs) / sizeof(soak_defs[0]));
