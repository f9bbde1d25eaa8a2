/* SPDX-License-Identifier: MIT */
/*
 * PV callbacks, the same in a VM and in ring 3: an upcall when an unmasked
 * event is pending, and a fault entry for the guest's exceptions. Both are
 * entered as if the guest had called them at the interrupted instruction:
 * Keel pushes RIP and RFLAGS (and for a fault the frame before them) on the
 * guest's stack, which has no red zone in the PV ABI, and moves RIP.
 */
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <arch/guest_mem.h>
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/vm.h>

static bool in_ram(const struct vm *vm, uint64_t gva)
{
	return gva < vm->ram_size;
}

uint64_t hcall_set_callbacks(struct vcpu *v, uint64_t upcall, uint64_t fault, uint64_t a2,
			     uint64_t a3, uint64_t a4)
{
	struct vm *vm = v->vm;

	(void)a2, (void)a3, (void)a4;
	if (!vm->pv || (upcall && !in_ram(vm, upcall)) || (fault && !in_ram(vm, fault)))
		return (uint64_t)-EINVAL;
	vm->pv_upcall = upcall;
	vm->pv->fault = fault;
	return 0;
}

/* Push words (lowest address first) below the guest's RSP and enter `entry`. */
static bool enter_callback(struct vcpu *v, uint64_t entry, const uint64_t *words, unsigned n)
{
	uint64_t rip, rsp, rflags, size = n * sizeof(uint64_t);

	arch_vcpu_get_frame(v, &rip, &rsp, &rflags);
	if (rsp < size || arch_guest_write(v, rsp - size, words, (unsigned)size) != size)
		return false;
	/* A C entry must not inherit DF (string direction) or TF. */
	arch_vcpu_set_frame(v, entry, rsp - size, rflags & ~(RFLAGS_DF | RFLAGS_TF));
	return true;
}

void pv_deliver_upcall(struct vcpu *v)
{
	struct vm *vm = v->vm;
	volatile struct keel_shared_info *sh = vm->pv_shared;
	uint64_t rip, rsp, rflags, words[2];

	if (!vm->pv || !vm->pv_upcall || sh->upcall_mask ||
	    !(sh->evtchn_pending & ~sh->evtchn_mask))
		return;
	arch_vcpu_get_frame(v, &rip, &rsp, &rflags);
	words[0] = rflags;
	words[1] = rip;
	if (!enter_callback(v, vm->pv_upcall, words, 2))
		vm_stop(vm, "its stack at 0x%lx cannot take an upcall", rsp);
	sh->upcall_mask = 1;
}

bool pv_bounce_fault(struct vcpu *v, unsigned vector, uint64_t error, uint64_t address)
{
	struct vm *vm = v->vm;
	uint64_t rip, rsp, rflags;

	if (!vm->pv || !vm->pv->fault)
		return false;
	arch_vcpu_get_frame(v, &rip, &rsp, &rflags);
	uint64_t frame[6] = { vector, error, address, rsp, rflags, rip };

	if (!enter_callback(v, vm->pv->fault, frame, 6))
		vm_stop(vm, "exception %u at rip 0x%lx, and its stack at 0x%lx cannot take the "
			"fault frame", vector, rip, rsp);
	return true;
}
