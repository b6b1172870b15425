/*
 * validate.c - whole-structure invariants of one vmsim instance.
 *
 *  lists   each list's links are consistent, its count equals the pages on
 *          it, every page on it has the list's state and is marked on-list;
 *          each of the eight standby lists holds only frames of its
 *          priority, and their counts add up to the standby total;
 *  frames  an owned frame's owner is a live process (pf_proc) and a page
 *          of it (pf_vpn); an active frame's owner PTE is valid and names
 *          it; a standby or modified frame's owner PTE is transition and
 *          names it; standby
 *          frames have a slot; free and zeroed frames have no owner and no
 *          slot; zeroed frames are all zero (expensive); only active
 *          frames are locked, and the locked frames number vm_nlocked, at
 *          most vm_lock_limit;
 *  procs   each table entry is a process of this machine at its index,
 *          its memory priority 0-7;
 *          the live count and the commit charge add up;
 *  PTEs    of every process: every valid or transition PTE names a frame
 *          that names it (process and page) back; the valid ones number
 *          the process's resident count;
 *          no PTE is mid-trim or in-page (except, once the instance has
 *          failed, a bounced fault's page, whose bounce buffer is held);
 *  slots   every slot in use is referenced exactly once (a page-file PTE, a
 *          frame's pf_slot, or the stash), every slot referenced is in
 *          use, and the free count matches the bitmap; the reverse map
 *          (pg_owner) names each slot's owner (process and page).  A slot
 *          or frame of a process that is gone is caught on the way: no
 *          live PTE refers to it (leaked), or it names no process.
 *
 * Call with nothing running: no thread touching the region, system threads
 * paused (vm_pause) or never started.  Layer 2 (vm_work.h): reads layer 1.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vm_work.h"

#define VALIDATE_REPORT_MAX 10

struct vcheck {
	FILE *vk_f;
	long vk_bad;
};

static void vbad(struct vcheck *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void vbad(struct vcheck *v, const char *fmt, ...)
{
	va_list ap;

	if (v->vk_bad++ >= VALIDATE_REPORT_MAX || v->vk_f == NULL)
		return;
	fprintf(v->vk_f, "validate: ");
	va_start(ap, fmt);
	vfprintf(v->vk_f, fmt, ap);
	va_end(ap);
	fputc('\n', v->vk_f);
}

/* One list: its links, count, and every page on it of its state (and, a
 * standby list, of its priority prio; -1 for the others); how many. */
static uint64_t validate_list(struct vm *vm, struct vcheck *v, struct plist *pl, int prio)
{
	uint32_t prev = PFN_NONE;
	uint64_t n = 0;
	char name[32];

	if (prio < 0)
		snprintf(name, sizeof(name), "%s list", pfn_state_name((enum pfn_state)pl->pl_state));
	else
		snprintf(name, sizeof(name), "standby list %d", prio);

	for (uint32_t i = pl->pl_head; i != PFN_NONE; i = vm->vm_pfns[i].pf_flink) {
		struct pfn *pf = &vm->vm_pfns[i];
		if (i >= vm->vm_nframes || n > vm->vm_nframes) {
			vbad(v, "%s: bad link %u (loop or corruption)", name, i);
			break;
		}
		if (pf->pf_state != pl->pl_state || !pf->pf_onlist)
			vbad(v, "%s: pfn %u has state %s onlist %u", name, i,
			    pfn_state_name(pf->pf_state), pf->pf_onlist);
		if (prio >= 0 && pf->pf_priority != prio)
			vbad(v, "%s: pfn %u has priority %u", name, i,
			    pf->pf_priority);
		if (pf->pf_blink != prev)
			vbad(v, "%s: pfn %u blink %d, expected %d", name, i,
			    (int)pf->pf_blink, (int)prev);
		prev = i;
		n++;
	}
	if (pl->pl_tail != prev)
		vbad(v, "%s: tail %d, last page %d", name, (int)pl->pl_tail, (int)prev);
	if (plist_count(pl) != n)
		vbad(v, "%s: count %llu, %llu pages linked", name,
		    (unsigned long long)plist_count(pl), (unsigned long long)n);
	return n;
}

/* Every list; the eight standby lists add up to the standby count, and
 * vm_lists[PFN_STATE_STANDBY], which holds that count, links nothing. */
static void validate_lists(struct vm *vm, struct vcheck *v, uint64_t *onlist)
{
	struct plist *total = vm_list(vm, PFN_STATE_STANDBY);
	uint64_t nstandby = 0;

	for (int s = 0; s < PLIST_N; s++)
		if (s != PFN_STATE_STANDBY)
			*onlist += validate_list(vm, v, vm_list(vm, (enum pfn_state)s), -1);
	for (int prio = 0; prio < VM_PRIORITIES; prio++) {
		uint64_t n = validate_list(vm, v, &vm->vm_standby[prio], prio);
		if ((n != 0) != !!(atomic_load(&vm->vm_standby_mask) & (1u << prio)))
			vbad(v, "standby list %d: %llu pages, non-empty mask %#x", prio,
			    (unsigned long long)n, atomic_load(&vm->vm_standby_mask));
		nstandby += n;
	}
	if (total->pl_head != PFN_NONE || total->pl_tail != PFN_NONE || plist_count(total) != nstandby)
		vbad(v, "standby list: count %llu (the total), %llu pages on the eight lists "
		    "(head %d tail %d)",
		    (unsigned long long)plist_count(total), (unsigned long long)nstandby,
		    (int)total->pl_head, (int)total->pl_tail);
	*onlist += nstandby;
}

static bool frame_is_zero(struct vm *vm, uint32_t f)
{
	const uint64_t *w = (const uint64_t *)vm_frame(vm, f);

	for (size_t i = 0; i < VM_PAGE_SIZE / 8; i++)
		if (w[i] != 0)
			return false;
	return true;
}

static void validate_frame(struct vm *vm, struct vcheck *v, uint32_t f, int expensive,
    uint8_t *slotref)
{
	struct pfn *pf = &vm->vm_pfns[f];
	enum pfn_state s = (enum pfn_state)pf->pf_state;
	struct vm_process *owner;
	pte_t p;

	if (pf->pf_flags & PFN_F_WRITING)
		vbad(v, "pfn %u: write in flight while quiescent", f);
	if (s != PFN_STATE_ACTIVE && !pf->pf_onlist)
		vbad(v, "pfn %u: %s but on no list", f, pfn_state_name(s));
	if (s == PFN_STATE_ACTIVE && pf->pf_onlist)
		vbad(v, "pfn %u: active but on a list", f);
	if (atomic_load(&pf->pf_wsproc) != (s == PFN_STATE_ACTIVE ? pf->pf_proc + 1u : 0u))
		vbad(v, "pfn %u: %s, on the working-set list of process %d", f, pfn_state_name(s),
		    (int)atomic_load(&pf->pf_wsproc) - 1);
	if (s != PFN_STATE_ACTIVE && pfn_lockcnt(pf) != 0)
		vbad(v, "pfn %u: %s but locked %u times", f, pfn_state_name(s), pfn_lockcnt(pf));
	if (pf->pf_slot != PGF_SLOT_NONE) {
		if (pf->pf_slot >= vm->vm_pgf.pg_nslots)
			vbad(v, "pfn %u: slot %llu out of range", f, (unsigned long long)pf->pf_slot);
		else if (slotref[pf->pf_slot] < 255)
			slotref[pf->pf_slot]++;
		if (pf->pf_slot < vm->vm_pgf.pg_nslots &&
		    pgf_slot_owner(&vm->vm_pgf, pf->pf_slot) != vm_owner_key(pf->pf_proc, pf->pf_vpn))
			vbad(v, "pfn %u: slot %llu's reverse map names %#llx, not process %u vpn %u",
			    f, (unsigned long long)pf->pf_slot,
			    (unsigned long long)pgf_slot_owner(&vm->vm_pgf, pf->pf_slot),
			    pf->pf_proc, pf->pf_vpn);
	}
	switch (s) {
	case PFN_STATE_ZEROED:
	case PFN_STATE_FREE:
		if (pf->pf_vpn != PFN_VPN_NONE || pf->pf_slot != PGF_SLOT_NONE)
			vbad(v, "pfn %u: %s with an owner or a slot", f, pfn_state_name(s));
		if (s == PFN_STATE_ZEROED && expensive && !frame_is_zero(vm, f))
			vbad(v, "pfn %u: on the zeroed list but not zero", f);
		return;
	case PFN_STATE_STANDBY:
		if (pf->pf_slot == PGF_SLOT_NONE)
			vbad(v, "pfn %u: standby without a page-file copy", f);
		/* fall through */
	case PFN_STATE_MODIFIED:
	case PFN_STATE_ACTIVE:
		/* The owner link: a live process, a page of it, whose PTE
		 * names this frame in the state's format. */
		owner = pf->pf_proc < VM_MAX_PROCESSES ? vm_proc(vm, pf->pf_proc) : NULL;
		if (owner == NULL) {
			vbad(v, "pfn %u: %s, owned by process %u, which does not exist", f,
			    pfn_state_name(s), pf->pf_proc);
			return;
		}
		if (pf->pf_vpn >= owner->ps_npages) {
			vbad(v, "pfn %u: %s with no owner page in process %u", f, pfn_state_name(s),
			    pf->pf_proc);
			return;
		}
		p = pte_read(owner, pf->pf_vpn);
		if (pte_format(p) != (s == PFN_STATE_ACTIVE ? PTE_FMT_VALID : PTE_FMT_TRANS) ||
		    pte_payload(p) != f)
			vbad(v, "pfn %u: %s, but its owner (process %u, vpn %u) has a %s PTE naming "
			    "%llu", f, pfn_state_name(s), pf->pf_proc, pf->pf_vpn,
			    pte_format_name(pte_format(p)), (unsigned long long)pte_payload(p));
		return;
	default:
		vbad(v, "pfn %u: bad state %d", f, s);
	}
}

/*
 * One process's working-set list: linked both ways, every entry ACTIVE,
 * owned by the process, on this list (pf_wsproc), its PTE valid and naming
 * it; as many entries as the resident count and as nvalid, the valid PTEs
 * (each of which names a frame of this process that names it back,
 * validate_ptes): so the list holds exactly the valid pages.
 */
static void validate_wsl(struct vm_process *ps, struct vcheck *v, uint64_t nvalid)
{
	struct vm *vm = ps->ps_vm;
	uint32_t prev = PFN_NONE, f = ps->ps_ws_head;
	uint64_t n = 0;

	for (; f != PFN_NONE && n <= vm->vm_nframes; prev = f, f = vm->vm_pfns[f].pf_wsnext, n++) {
		struct pfn *pf;
		pte_t p;

		if (f >= vm->vm_nframes) {
			vbad(v, "process %u: working-set list names frame %u", ps->ps_id, f);
			return;
		}
		pf = &vm->vm_pfns[f];
		p = pf->pf_vpn < ps->ps_npages ? pte_read(ps, pf->pf_vpn) : 0;
		if (pf->pf_wsprev != prev)
			vbad(v, "process %u: working-set entry %llu, frame %u: back link %d, not %d",
			    ps->ps_id, (unsigned long long)n, f, (int)pf->pf_wsprev, (int)prev);
		if (pf->pf_state != PFN_STATE_ACTIVE ||
		    pf->pf_proc != ps->ps_id || atomic_load(&pf->pf_wsproc) != ps->ps_id + 1u ||
		    pte_format(p) != PTE_FMT_VALID || pte_payload(p) != f)
			vbad(v, "process %u: working-set entry %llu, frame %u (%s, process %u, vpn "
			    "%u), is not a valid page of it", ps->ps_id, (unsigned long long)n, f,
			    pfn_state_name((enum pfn_state)pf->pf_state), pf->pf_proc, pf->pf_vpn);
	}
	if (prev != ps->ps_ws_tail || n != nvalid || n != atomic_load(&ps->ps_resident))
		vbad(v, "process %u: working-set list of %llu entries (tail %d, last %d), %llu "
		    "valid PTEs, resident count %llu", ps->ps_id, (unsigned long long)n,
		    (int)ps->ps_ws_tail, (int)prev, (unsigned long long)nvalid,
		    (unsigned long long)atomic_load(&ps->ps_resident));
}

/* One process's PTEs; the valid ones must number its resident count. */
static void validate_ptes(struct vm_process *ps, struct vcheck *v, uint8_t *slotref)
{
	struct vm *vm = ps->ps_vm;
	uint64_t nvalid = 0;

	for (uint64_t vpn = 0; vpn < ps->ps_npages; vpn++) {
		pte_t p = pte_read(ps, vpn);
		uint64_t x = pte_payload(p);

		switch (pte_format(p)) {
		case PTE_FMT_DZ:
			if (x != 0)
				vbad(v, "process %u vpn %llu: demand-zero PTE with payload", ps->ps_id,
				    (unsigned long long)vpn);
			break;
		case PTE_FMT_VALID:
		case PTE_FMT_TRANS:
			nvalid += pte_format(p) == PTE_FMT_VALID;
			if (pte_is_trimming(p))
				vbad(v, "process %u vpn %llu: TRIMMING while quiescent", ps->ps_id,
				    (unsigned long long)vpn);
			if (x >= vm->vm_nframes || vm->vm_pfns[x].pf_vpn != vpn ||
			    vm->vm_pfns[x].pf_proc != ps->ps_id)
				vbad(v, "process %u vpn %llu: %s PTE names frame %llu, which does not "
				    "name it back", ps->ps_id, (unsigned long long)vpn,
				    pte_format_name(pte_format(p)), (unsigned long long)x);
			break;
		case PTE_FMT_PGF:
			if (x >= vm->vm_pgf.pg_nslots)
				vbad(v, "process %u vpn %llu: slot %llu out of range", ps->ps_id,
				    (unsigned long long)vpn, (unsigned long long)x);
			else if (slotref[x] < 255)
				slotref[x]++;
			if (x < vm->vm_pgf.pg_nslots &&
			    pgf_slot_owner(&vm->vm_pgf, x) != vm_owner_key(ps->ps_id, vpn))
				vbad(v, "process %u vpn %llu: slot %llu's reverse map names %#llx",
				    ps->ps_id, (unsigned long long)vpn, (unsigned long long)x,
				    (unsigned long long)pgf_slot_owner(&vm->vm_pgf, x));
			break;
		case PTE_FMT_INPAGE:
			if (vm_is_failed(vm) && x < (uint64_t)vm->vm_nbounce &&
			    (atomic_load(&vm->vm_bounce_busy[x / 64]) & (1ULL << (x % 64))))
				break;	/* abandoned when the instance failed: the bytes are in x */
			/* fall through */
		default:
			vbad(v, "process %u vpn %llu: %s PTE while quiescent", ps->ps_id,
			    (unsigned long long)vpn, pte_format_name(pte_format(p)));
		}
	}
	if (nvalid != atomic_load(&ps->ps_resident))
		vbad(v, "process %u: resident count %llu, %llu valid PTEs", ps->ps_id,
		    (unsigned long long)atomic_load(&ps->ps_resident), (unsigned long long)nvalid);
	validate_wsl(ps, v, nvalid);
	if (atomic_load(&ps->ps_ws_min) < 1 || atomic_load(&ps->ps_ws_min) > atomic_load(&ps->ps_ws_max))
		vbad(v, "process %u: working-set limits %llu-%llu", ps->ps_id,
		    (unsigned long long)atomic_load(&ps->ps_ws_min),
		    (unsigned long long)atomic_load(&ps->ps_ws_max));
}

/* The process table: each entry knows its index and machine; the count
 * and the commit charge add up; nothing past the high-water mark. */
static void validate_procs(struct vm *vm, struct vcheck *v, uint8_t *slotref)
{
	uint32_t hw = atomic_load(&vm->vm_nprocs_hw), n = 0;
	uint64_t charged = 0;

	lk_assert_none_held();
	pthread_mutex_lock(&vm->vm_proc_mtx);	/* the table holds still */
	for (uint32_t i = 0; i < VM_MAX_PROCESSES; i++) {
		struct vm_process *ps = vm_proc(vm, i);
		if (ps == NULL)
			continue;
		if (i >= hw || ps->ps_id != i || ps->ps_vm != vm) {
			vbad(v, "process table: entry %u holds process %u of another table", i,
			    ps->ps_id);
			continue;
		}
		n++;
		charged += ps->ps_commit;
		if (atomic_load(&ps->ps_priority) >= VM_PRIORITIES)
			vbad(v, "process %u: memory priority %u", i, atomic_load(&ps->ps_priority));
		validate_ptes(ps, v, slotref);
	}
	if (n != vm->vm_nprocs || charged != vm->vm_committed)
		vbad(v, "process table: %u processes charging %llu bytes, counted %u and %llu", n,
		    (unsigned long long)charged, vm->vm_nprocs, (unsigned long long)vm->vm_committed);
	pthread_mutex_unlock(&vm->vm_proc_mtx);
}

static void validate_slots(struct vm *vm, struct vcheck *v, uint8_t *slotref)
{
	struct pgf *pg = &vm->vm_pgf;
	uint64_t used = 0;

	for (int i = 0; i < pg->pg_nstash; i++) {
		if (pg->pg_stash[i] >= pg->pg_nslots)
			vbad(v, "stash: slot %llu out of range", (unsigned long long)pg->pg_stash[i]);
		else if (slotref[pg->pg_stash[i]] < 255)
			slotref[pg->pg_stash[i]]++;
	}
	for (uint64_t s = 0; s < pg->pg_nslots; s++) {
		bool inuse = pgf_slot_in_use(pg, s);
		uint64_t key = pgf_slot_owner(pg, s);
		used += inuse;
		if (key != PGF_OWNER_NONE && (vm_owner_proc(key) >= VM_MAX_PROCESSES ||
		    vm_proc(vm, vm_owner_proc(key)) == NULL))
			vbad(v, "slot %llu: owned by process %u, which does not exist",
			    (unsigned long long)s, vm_owner_proc(key));
		if (inuse && slotref[s] == 0)
			vbad(v, "slot %llu: in use but nothing refers to it (leaked)", (unsigned long long)s);
		else if (!inuse && slotref[s] != 0)
			vbad(v, "slot %llu: free but referred to %u times", (unsigned long long)s, slotref[s]);
		else if (slotref[s] > 1)
			vbad(v, "slot %llu: referred to %u times", (unsigned long long)s, slotref[s]);
	}
	if (pg->pg_nslots - used != pgf_free_count(pg))
		vbad(v, "page file: free count %llu, bitmap says %llu",
		    (unsigned long long)pgf_free_count(pg), (unsigned long long)(pg->pg_nslots - used));
}

/*
 * Check every invariant above; report the first problems to f (or none,
 * f NULL).  Takes no lock: nothing may run (see above).  Returns the number
 * of problems.
 */
long validate_all(struct vm *vm, FILE *f, int expensive)
{
	struct vcheck v = { f, 0 };
	uint64_t onlist = 0, offlist = 0, locked = 0;
	uint8_t *slotref = calloc(vm->vm_pgf.pg_nslots ? vm->vm_pgf.pg_nslots : 1, 1);

	if (slotref == NULL) {
		vbad(&v, "out of memory");
		return v.vk_bad;
	}
	validate_lists(vm, &v, &onlist);
	for (uint32_t i = 0; i < vm->vm_nframes; i++) {
		validate_frame(vm, &v, i, expensive, slotref);
		offlist += !vm->vm_pfns[i].pf_onlist;
		locked += pfn_lockcnt(&vm->vm_pfns[i]) != 0;
	}
	if (onlist + offlist != vm->vm_nframes)
		vbad(&v, "frames: %llu on lists + %llu active != %u", (unsigned long long)onlist,
		    (unsigned long long)offlist, vm->vm_nframes);
	if (locked != atomic_load(&vm->vm_nlocked) || locked > vm->vm_lock_limit)
		vbad(&v, "locked frames: %llu, counted %llu, limit %llu", (unsigned long long)locked,
		    (unsigned long long)atomic_load(&vm->vm_nlocked),
		    (unsigned long long)vm->vm_lock_limit);
	validate_procs(vm, &v, slotref);
	validate_slots(vm, &v, slotref);
	free(slotref);
	if (v.vk_bad > VALIDATE_REPORT_MAX && f != NULL)
		fprintf(f, "validate: ... %ld problems in all\n", v.vk_bad);
	return v.vk_bad;
}
