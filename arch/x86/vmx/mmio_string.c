/* SPDX-License-Identifier: MIT */
/*
 * STOS and MOVS on MMIO, one element per exit (SDM Vol. 2B "MOVS", "STOS",
 * "REP"): the element moves, rDI (and rSI) step by its size, downwards
 * when RFLAGS.DF is set, and under REP rCX counts down. While rCX is not 0
 * RIP stays on the instruction, which re-executes: elements in RAM run
 * natively and the next one on the device exits again, so a long REP
 * stays interruptible. The other side of a MOVS may be RAM, reached
 * through the guest's page tables, or a device too.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/decode.h>
#include <keel/io.h>
#include <keel/vm.h>

/* In 64-bit mode only FS and GS have bases (SDM Vol. 3A 3.2.4). Limits are not checked. */
static uint64_t seg_base(unsigned seg, bool long64)
{
	static const enum vmcs_field base[] = {
		[SEG_ES] = VMCS_GUEST_ES_BASE, [SEG_CS] = VMCS_GUEST_CS_BASE,
		[SEG_SS] = VMCS_GUEST_SS_BASE, [SEG_DS] = VMCS_GUEST_DS_BASE,
		[SEG_FS] = VMCS_GUEST_FS_BASE, [SEG_GS] = VMCS_GUEST_GS_BASE,
	};

	return long64 && seg < SEG_FS ? 0 : vmcs_read(base[seg]);
}

/*
 * Read or write one element at guest linear address la, in memory or on a
 * device. An element may cross a page into other memory (RAM into ROM):
 * each page of it is checked, and a write's bytes in ROM or read-only
 * shadow RAM are dropped, as on a PC.
 */
static void element(struct vcpu *v, uint64_t la, unsigned size, bool write, uint64_t *val)
{
	struct io_access a = { .size = size, .write = write };
	struct vm *vm = v->vm;

	if (size < 8)
		*val &= (1ULL << (8 * size)) - 1;
	a.value = *val;
	if (vmx_guest_translate(v, la, &a.addr))
		vm_stop(vm, "MMIO string instruction: guest linear 0x%lx is not mapped", la);
	if (vm_gpa_to_hva(vm, a.addr, 1)) {
		if ((write ? vmx_guest_store_linear(v, la, val, size) :
			     vmx_guest_read_linear(v, la, val, size)) != size)
			vm_stop(vm, "MMIO string instruction: guest linear 0x%lx not all memory", la);
		return;
	}
	if (!vm->hvm && !io_find(vm->io.mmio, vm->io.nr_mmio, a.addr, size))
		vm_stop(vm, "EPT violation: string %s at guest-physical 0x%lx, outside the guest's "
			"memory", write ? "write" : "read", a.addr);
	if (io_mmio(vm, &a) && !write)
		a.value = ~0ULL;
	if (!write)
		*val = size < 8 ? a.value & ((1ULL << (8 * size)) - 1) : a.value;
}

/* rSI/rDI/rCX as wide as the address size: 32-bit writes zero-extend, 16-bit ones merge. */
static void set_areg(uint64_t *r, uint64_t val, unsigned asize)
{
	if (asize == 8)
		*r = val;
	else if (asize == 4)
		*r = (uint32_t)val;
	else
		*r = (*r & ~0xffffULL) | (val & 0xffff);
}

void vmx_mmio_string(struct vcpu *v, const struct mmio_insn *in, bool long64)
{
	uint64_t *r = v->gpr.r, rip = vmcs_read(VMCS_GUEST_RIP), val = 0;
	unsigned asz = in->addr_size;
	uint64_t amask = asz == 8 ? ~0ULL : (1ULL << (8 * asz)) - 1;
	uint64_t lmask = long64 ? ~0ULL : 0xffffffff; /* linear addresses wrap at 4 GiB */
	uint64_t step = (vmcs_read(VMCS_GUEST_RFLAGS) & RFLAGS_DF) ? -(uint64_t)in->size : in->size;

	/* REP with rCX = 0 does nothing (it would not have exited; be exact anyway). */
	if (in->rep && !(r[REG_RCX] & amask)) {
		vmcs_write(VMCS_GUEST_RIP, rip + in->len);
		return;
	}
	if (in->op == MMIO_MOVS) {
		element(v, (seg_base(in->seg, long64) + (r[REG_RSI] & amask)) & lmask, in->size,
			false, &val);
		set_areg(&r[REG_RSI], r[REG_RSI] + step, asz);
	} else {
		val = r[REG_RAX];
	}
	/* The destination is always ES:rDI; a segment prefix does not change it. */
	element(v, (seg_base(SEG_ES, long64) + (r[REG_RDI] & amask)) & lmask, in->size, true, &val);
	set_areg(&r[REG_RDI], r[REG_RDI] + step, asz);
	if (in->rep) {
		set_areg(&r[REG_RCX], r[REG_RCX] - 1, asz);
		if (r[REG_RCX] & amask)
			return;
	}
	vmcs_write(VMCS_GUEST_RIP, rip + in->len);
}
