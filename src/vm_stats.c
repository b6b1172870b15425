/*
 * vm_stats.c - an instance's statistics, from the one table of counters
 * (vm_counters.h): the field tables, and reading the counters; and the
 * page-file fault-injection hooks.  Layer 3 (vm_inst.h): calls layers 0-1.
 */
#include <stddef.h>
#include <string.h>

#include "vm_inst.h"

#define VM_STAT_ROW(name, key, kind, desc) \
	{ #name, key, kind, desc, offsetof(struct vm_stats, vs_##name) },
const struct vm_stat_field vm_stat_fields[] = { VM_COUNTERS(VM_STAT_ROW) };
const int vm_stat_nfields = sizeof(vm_stat_fields) / sizeof(vm_stat_fields[0]);
#undef VM_STAT_ROW
#define VM_STAT_ROW(name, key, kind, desc) \
	{ #name, key, kind, desc, offsetof(struct vm_lock_stats, ls_##name) },
const struct vm_stat_field vm_lock_stat_fields[] = { VM_LOCK_COUNTERS(VM_STAT_ROW) };
const int vm_lock_stat_nfields = sizeof(vm_lock_stat_fields) / sizeof(vm_lock_stat_fields[0]);
#undef VM_STAT_ROW
#define VM_STAT_ROW(name, key, kind, desc) \
	{ #name, key, kind, desc, offsetof(struct vm_process_stats, ps_##name) },
const struct vm_stat_field vm_process_stat_fields[] = { VM_PROCESS_COUNTERS(VM_STAT_ROW) };
const int vm_process_stat_nfields =
    sizeof(vm_process_stat_fields) / sizeof(vm_process_stat_fields[0]);
#undef VM_STAT_ROW

_Static_assert(VM_PRIORITIES == 8, "vm_counters.h has a standby count per priority");

/* The event counters as they are; then the VM_COUNTERS_STATE values,
 * each computed here and only here. */
void vm_stats_read(struct vm *vm, struct vm_stats *st)
{
	struct pgf *pg = &vm->vm_pgf;

	memset(st, 0, sizeof(*st));
#define VM_STAT_READ(name, key, kind, desc) st->vs_##name = vm_read(vm->vm_st.st_##name);
	VM_COUNTERS_EVENT(VM_STAT_READ)
#undef VM_STAT_READ
	st->vs_faults_soft = st->vs_faults_soft_standby + st->vs_faults_soft_modified;
	st->vs_trimmed_clean = st->vs_trimmed - st->vs_trimmed_dirty;
	st->vs_trim_calls = map_trim_calls(vm);
	st->vs_nzeroed = plist_count(vm_list(vm, PFN_STATE_ZEROED));
	st->vs_nfree = plist_count(vm_list(vm, PFN_STATE_FREE));
	st->vs_nstandby = plist_count(vm_list(vm, PFN_STATE_STANDBY));
	st->vs_nstandby_p0 = plist_standby_count(vm, 0);
	st->vs_nstandby_p1 = plist_standby_count(vm, 1);
	st->vs_nstandby_p2 = plist_standby_count(vm, 2);
	st->vs_nstandby_p3 = plist_standby_count(vm, 3);
	st->vs_nstandby_p4 = plist_standby_count(vm, 4);
	st->vs_nstandby_p5 = plist_standby_count(vm, 5);
	st->vs_nstandby_p6 = plist_standby_count(vm, 6);
	st->vs_nstandby_p7 = plist_standby_count(vm, 7);
	st->vs_nmodified = plist_count(vm_list(vm, PFN_STATE_MODIFIED));
	st->vs_nactive = vm->vm_nframes - st->vs_nzeroed - st->vs_nfree - st->vs_nstandby -
	    st->vs_nmodified;
	st->vs_nlocked = atomic_load(&vm->vm_nlocked);
	st->vs_pgf_free = pgf_free_count(pg);
	st->vs_pgf_used = pg->pg_nslots - st->vs_pgf_free;
	st->vs_pgf_free_rows = pgf_free_rows(pg);
	st->vs_pgf_row_claims = vm_read(pg->pg_row_claims);
	st->vs_pgf_bit_claims = vm_read(pg->pg_bit_claims);
	st->vs_pgf_scan_words = vm_read(pg->pg_scan_words);
	st->vs_readonly_pages = vm->vm_default != NULL ? vm->vm_default->ps_ro_end : 0;
}

/* A process's counters as they are; then its VM_PROCESS_COUNTERS_STATE
 * values, each computed here and only here.  Lock-free: safe while it runs. */
void vm_process_get_stats(struct vm_process *p, struct vm_process_stats *st)
{
	memset(st, 0, sizeof(*st));
#define VM_STAT_READ(name, key, kind, desc) st->ps_##name = vm_read(p->ps_st.pc_##name);
	VM_PROCESS_COUNTERS_EVENT(VM_STAT_READ)
#undef VM_STAT_READ
	st->ps_faults_soft = st->ps_faults_soft_standby + st->ps_faults_soft_modified;
	st->ps_resident = atomic_load_explicit(&p->ps_resident, memory_order_relaxed);
	st->ps_resident_peak = atomic_load_explicit(&p->ps_resident_peak, memory_order_relaxed);
	st->ps_priority = atomic_load_explicit(&p->ps_priority, memory_order_relaxed);
	st->ps_virtual_pages = p->ps_npages;
	st->ps_committed_bytes = p->ps_commit;
	st->ps_readonly_pages = p->ps_ro_end;
	st->ps_ws_min = atomic_load_explicit(&p->ps_ws_min, memory_order_relaxed);
	st->ps_ws_max = atomic_load_explicit(&p->ps_ws_max, memory_order_relaxed);
	st->ps_ws_hard_max = (atomic_load_explicit(&p->ps_ws_flags, memory_order_relaxed) &
	    VM_WS_HARD_MAX) != 0;
}

void vm_inject_io(struct vm *vm, int reads, int writes)
{
	atomic_store(&vm->vm_pgf.pg_fail_reads, reads);
	atomic_store(&vm->vm_pgf.pg_fail_writes, writes);
}

void vm_inject_io_left(struct vm *vm, int *reads, int *writes)
{
	*reads = atomic_load(&vm->vm_pgf.pg_fail_reads);
	*writes = atomic_load(&vm->vm_pgf.pg_fail_writes);
}
