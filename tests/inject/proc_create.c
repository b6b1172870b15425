/*
 * proc_create.c - a failed vm_process_create, at every step, leaves the
 * machine and its other processes as they were.
 *
 * A machine runs two processes whose pages hold known stamps.  Every step
 * of vm_process_create that can fail (an allocation, the region's mmap,
 * the userfaultfd, its registration, each read-only page written to the
 * page file, the registry) is failed in turn (vm_inject_arm(n), n = 1, 2,
 * ... until creation succeeds), for a process with read-only pages.  After
 * each failure: an error with a message, no process returned; the frames
 * on each list, the page-file slots in use, the commit charge and the
 * count of processes unchanged; both processes still read their own bytes
 * and fault; the machine validates; no file descriptor or mapping leaked.
 * Twice: with no system threads (every count exact), and with them running
 * (the other processes trimmed and faulting between steps).
 */
#include <string.h>

#include "check.h"
#include "vmtest.h"

#define LIVE_PAGES 48

static struct vm *vm;
static struct vm_process *live[2];
static int round_no;

/* Both live processes: every page holds (process, page, round); rewrite it
 * for the next round.  Returns whether all held what the last round wrote. */
static bool live_touch(void)
{
	bool ok = true;

	for (int p = 0; p < 2; p++) {
		volatile uint64_t *b = vm_process_base(live[p]);
		for (uint64_t i = 0; i < LIVE_PAGES; i++) {
			uint64_t want = ((uint64_t)p << 48) | (i << 16) | (uint64_t)round_no;
			if (round_no > 0 && b[i * VM_PAGE_SIZE / 8] != want)
				ok = false;
			b[i * VM_PAGE_SIZE / 8] = want + 1;
		}
	}
	round_no++;
	return ok;
}

/* What a failed creation must not change. */
struct shape {
	uint64_t lists[5], pgf_used, committed;
	int procs;
};

static void shape_of(struct shape *s)
{
	struct vm_stats st;

	memset(s, 0, sizeof(*s));	/* padding too: compared whole */
	vm_get_stats(vm, &st);
	s->lists[0] = st.vs_nzeroed;
	s->lists[1] = st.vs_nfree;
	s->lists[2] = st.vs_nstandby;
	s->lists[3] = st.vs_nmodified;
	s->lists[4] = st.vs_nactive;
	s->pgf_used = st.vs_pgf_used;
	s->committed = vm_committed(vm);
	s->procs = (int)vm->vm_nprocs;
}

static void inject_steps(const char *name, int threads, int min_steps)
{
	static struct vm_tunables tun;
	struct vm_space_config sp = VM_CONFIG_DEFAULT.vc_space;
	struct vm_config mc;
	struct vm_process *p;
	struct shape before, after;
	char err[256];
	int steps = 0, no_msg = 0, out_set = 0, shape_bad = 0, live_bad = 0, invalid = 0;
	int leaks = 0, fds, maps, rc;

	tun = VM_TUNABLES_DEFAULT;
	tun.vt_start_threads = threads;
	tun.vt_max_faulters = 4;
	mc = vm_config_pages(threads ? 32 : 128, 0, 256, &tun);
	if (vm_create(&mc, &vm, err, sizeof(err)) != 0) {
		fprintf(stderr, "proc_create: %s\n", err);
		exit(2);
	}
	sp.as_virtual = LIVE_PAGES * VM_PAGE_SIZE;
	for (int i = 0; i < 2; i++)
		if (vm_process_create(vm, &sp, &live[i], err, sizeof(err)) != 0)
			exit(2);
	live_touch();
	sp.as_virtual = 64 * VM_PAGE_SIZE;
	sp.as_readonly_fraction = 0.25;
	sp.as_name = "newcomer";
	/* Warm up one-time mappings (a creation's, a failed one's: the
	 * sanitizers' allocators map as they first meet a size). */
	if (vm_process_create(vm, &sp, &p, err, sizeof(err)) != 0)
		exit(2);
	vm_process_destroy(p);
	vm_inject_arm(1);
	if (vm_process_create(vm, &sp, &p, err, sizeof(err)) == 0)
		exit(2);
	vm_inject_arm(0);
	vm_pause(vm);
	shape_of(&before);
	vm_validate(vm, NULL, 1);
	vm_resume(vm);
	live_touch();
	fds = vmtest_count_fds();
	maps = vmtest_count_maps();
	for (int n = 1; n < 100; n++) {
		vm_pause(vm);
		shape_of(&before);
		vm_resume(vm);
		p = (struct vm_process *)&before;	/* must come back NULL */
		err[0] = '\0';
		vm_inject_arm(n);
		rc = vm_process_create(vm, &sp, &p, err, sizeof(err));
		if (vm_inject_left() != 0) {	/* past the last step: it succeeded */
			vm_inject_arm(0);
			steps = n - 1;
			if (rc == 0)
				vm_process_destroy(p);
			else
				no_msg++;
			break;
		}
		no_msg += rc == 0 || err[0] == '\0';
		out_set += p != NULL;
		vm_pause(vm);
		shape_of(&after);
		invalid += vm_validate(vm, stderr, 1) != 0;
		vm_resume(vm);
		if (threads == 0 && memcmp(&before, &after, sizeof(before)) != 0) {
			shape_bad++;
			fprintf(stderr, "proc_create: %s: step %d (%s) changed the machine\n", name, n, err);
		}
		if (threads != 0 && (after.committed != before.committed || after.procs != before.procs))
			shape_bad++;
		live_bad += !live_touch();
		if (vmtest_count_fds() != fds || (!VMTEST_TSAN && vmtest_count_maps() != maps)) {
			leaks++;
			fprintf(stderr, "proc_create: %s: step %d (%s) leaked: fds %d -> %d, maps %d -> "
			    "%d\n", name, n, err, fds, vmtest_count_fds(), maps, vmtest_count_maps());
			fds = vmtest_count_fds();
			maps = vmtest_count_maps();
		}
	}
	printf("proc_create: %s: %d failure points\n", name, steps);
	CHECK("steps: injection reached them all", steps >= min_steps);
	CHECK("steps: each failure an error with a message", no_msg == 0);
	CHECK("steps: no process returned", out_set == 0);
	CHECK("steps: the machine's lists, slots, charge and processes unchanged", shape_bad == 0);
	CHECK("steps: the machine validates", invalid == 0);
	CHECK("steps: the other processes read their own bytes", live_bad == 0);
	CHECK("steps: no fd or mapping leaked", leaks == 0);
	CHECK("steps: then creation works", vm_process_create(vm, &sp, &p, err, sizeof(err)) == 0 &&
	    strcmp(vm_process_name(p), "newcomer") == 0 && live_touch());
	vm_destroy(vm);
}

int main(void)
{
	vmtest_watchdog("proc_create", 300);
	inject_steps("no system threads", 0, 10);
	inject_steps("system threads running", 1, 10);
	return check_done("proc_create");
}
