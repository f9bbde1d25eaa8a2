/* SPDX-License-Identifier: MIT */
/* Hypercalls about the guest itself: yield, shutdown, memory, finding another guest. */
#include <arch/guest_mem.h>
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hcall_args.h>
#include <keel/hypercall.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/vm.h>

/* The result goes in first: when another vCPU runs, this call does not return. */
uint64_t hcall_yield(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		     uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	v->gpr.r[REG_RAX] = 0;
	sched_yield(v);
	return 0;
}

uint64_t hcall_shutdown(struct vcpu *v, uint64_t reason, uint64_t status, uint64_t a2,
			uint64_t a3, uint64_t a4)
{
	int err = hc_check_shutdown_reason(reason);

	(void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	if (reason == KEEL_SHUTDOWN_CRASH)
		vm_stop(v->vm, "crashed: the guest gave up with status %ld", (long)status);
	v->vm->orderly_stop = true;
	vm_stop(v->vm, "shut down: status %ld", (long)status);
}

uint64_t hcall_memory_query(struct vcpu *v, uint64_t gva, uint64_t a1, uint64_t a2, uint64_t a3,
			    uint64_t a4)
{
	const struct keel_start_info *si = v->vm->pv_start_info;
	struct keel_memory_info mi = { .ram_size = v->vm->ram_size };
	int err = hc_check_buffer(gva, sizeof(mi), sizeof(mi));

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	if (si) {
		mi.heap_start = si->heap_start;
		mi.heap_end = si->heap_end;
	}
	if (arch_guest_write(v, gva, &mi, sizeof(mi)) != sizeof(mi))
		return (uint64_t)-EFAULT;
	return 0;
}

uint64_t hcall_domain_find(struct vcpu *v, uint64_t gva, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	char name[CFG_NAME_MAX];
	unsigned got;
	int err = hc_check_buffer(gva, 1, 1);

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	/* The name may end near the end of guest memory: read what is there. */
	got = arch_guest_read(v, gva, name, sizeof(name));
	if (!got)
		return (uint64_t)-EFAULT;
	err = hc_check_name(name, got);
	if (err)
		return (uint64_t)err;
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (!strcmp(keel_vms[i].name, name))
			return keel_vms[i].id;
	return (uint64_t)-ENOENT;
}
