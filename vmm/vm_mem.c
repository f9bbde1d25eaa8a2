/* SPDX-License-Identifier: MIT */
/*
 * Guest-physical memory as Keel sees it: where a guest address lies in
 * host memory, and whether the guest could write it there. Keel writes
 * guest memory for the guest (string I/O, hypercall results, callback
 * frames); such a write must obey what the guest itself may write, or a
 * guest could use Keel to patch its ROM or its write-protected BIOS area.
 */
#include <keel/hvm.h>
#include <keel/vm.h>

static const struct vm_mem_region *region_of(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < vm->nr_mem; i++) {
		const struct vm_mem_region *r = &vm->mem[i];

		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	const struct vm_mem_region *r = region_of(vm, gpa, len);

	return r ? (void *)(r->hpa + (gpa - r->gpa)) : NULL;
}

void *vm_gpa_to_hva_write(struct vm *vm, uint64_t gpa, uint64_t len)
{
	const struct vm_mem_region *r = region_of(vm, gpa, len);

	if (!r || !r->writable || (vm->hvm && hvm_shadow_readonly(vm->hvm, gpa, len)))
		return NULL;
	return (void *)(r->hpa + (gpa - r->gpa));
}
