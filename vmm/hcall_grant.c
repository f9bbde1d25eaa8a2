/* SPDX-License-Identifier: MIT */
/*
 * Grant hypercalls: a PV guest offers one page of its RAM to one named
 * guest, which maps it into its grant window (KEEL_GRANT_BASE) and unmaps
 * it again. Only that guest can map it; a read-only grant maps read-only.
 */
#include <arch/vmx.h>
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/vm.h>

uint64_t hcall_grant_offer(struct vcpu *v, uint64_t gva, uint64_t domid, uint64_t flags,
			   uint64_t a3, uint64_t a4)
{
	struct vm *vm = v->vm;

	(void)a3, (void)a4;
	return (uint64_t)(int64_t)grant_offer(&vm->pv->grants, vm->id, gva, vm->ram_size, domid,
					      pv_domain_vm(domid) != NULL, flags);
}

uint64_t hcall_grant_map(struct vcpu *v, uint64_t domid, uint64_t ref, uint64_t at, uint64_t a3,
			 uint64_t a4)
{
	struct vm *vm = v->vm, *owner = pv_domain_vm(domid);
	uint64_t gpa;
	bool ro;
	int err;

	(void)a3, (void)a4;
	err = grant_map(owner ? &owner->pv->grants : NULL, (unsigned)domid, ref, vm->id,
			&vm->pv->maps, at, &gpa, &ro);
	if (err)
		return (uint64_t)(int64_t)err;
	err = arch_vm_map_page(vm, at, owner->ram_hpa + gpa, !ro);
	if (err) {
		unsigned d, r;

		grant_unmap(&vm->pv->maps, at, &d, &r);
		grant_release(&owner->pv->grants, r);
	}
	return (uint64_t)(int64_t)err;
}

uint64_t hcall_grant_unmap(struct vcpu *v, uint64_t at, uint64_t a1, uint64_t a2, uint64_t a3,
			   uint64_t a4)
{
	struct vm *vm = v->vm, *owner;
	unsigned dom, ref;
	int err = grant_unmap(&vm->pv->maps, at, &dom, &ref);

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)(int64_t)err;
	owner = pv_domain_vm(dom);
	if (owner)
		grant_release(&owner->pv->grants, ref);
	return (uint64_t)(int64_t)arch_vm_unmap_page(vm, at);
}
