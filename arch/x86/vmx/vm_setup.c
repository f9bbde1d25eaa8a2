/* SPDX-License-Identifier: MIT */
/*
 * Per-VM VT-x state: the I/O bitmap, the MSR bitmap and EPT. Every port
 * traps, because a port Keel does not emulate must never reach the host's
 * hardware; the bitmap is there so that a port can be passed through later.
 * MSRs that the VMCS already switches, or that only the guest uses, pass
 * through; every other MSR traps and is emulated or refused with #GP.
 */
#include "vmx_priv.h"
#include "ept.h"
#include <arch/pv.h>
#include <arch/cpu.h>
#include <arch/vmx.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define MSR_KERNEL_GS_BASE 0xc0000102
#define MSR_STAR           0xc0000081
#define MSR_LSTAR          0xc0000082
#define MSR_CSTAR          0xc0000083
#define MSR_SFMASK         0xc0000084
#define MSR_TSC_AUX        0xc0000103

/* Switched per vCPU by arch_vcpu_run (not part of the VMCS guest state). */
const uint32_t vmx_switched_msrs[VMX_SWITCHED_MSRS] = { MSR_KERNEL_GS_BASE, MSR_STAR,
							MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
							MSR_TSC_AUX };

static void msr_pass(uint8_t *bm, uint32_t msr)
{
	/* SDM 3C 25.6.9: read-low, read-high, write-low, write-high, 1 KiB each. */
	uint32_t base = msr >= 0xc0000000 ? 1024 : 0, bit = msr & 0x1fff;

	bm[base + bit / 8] &= ~(1 << (bit % 8));
	bm[2048 + base + bit / 8] &= ~(1 << (bit % 8));
}

static uint64_t ept_alloc_table(void *ctx)
{
	(void)ctx;
	return frame_try_alloc(PAGE_SIZE, PAGE_SIZE);
}

int arch_vm_init(struct vm *vm)
{
	static const uint32_t pass[] = { MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS,
					 MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP };
	struct ept e = { .large_ok = vmx.ctl.ept_2m, .alloc_table = ept_alloc_table };
	int err;

	vm->arch.io_bitmap = frame_alloc(2 * PAGE_SIZE, PAGE_SIZE);
	memset(vm->arch.io_bitmap, 0xff, 2 * PAGE_SIZE);
	vm->arch.msr_bitmap = frame_alloc(PAGE_SIZE, PAGE_SIZE);
	memset(vm->arch.msr_bitmap, 0xff, PAGE_SIZE);
	for (unsigned i = 0; i < sizeof(pass) / sizeof(pass[0]); i++)
		msr_pass(vm->arch.msr_bitmap, pass[i]);
	for (unsigned i = 0; i < VMX_SWITCHED_MSRS; i++)
		msr_pass(vm->arch.msr_bitmap, vmx_switched_msrs[i]);

	if (!vmx.ctl.ept)
		return -ENODEV;
	err = ept_init(&e);
	if (err)
		return err;
	vm->arch.ept_root = e.root;
	vm->arch.eptp = e.root | EPTP_WB_WALK4;
	return 0;
}

int arch_vm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable)
{
	if (vm->arch.depriv)
		return 0; /* its page tables come from arch_pv_vm_init(): no EPT */
	struct ept e = { .root = vm->arch.ept_root, .large_ok = vmx.ctl.ept_2m,
			 .alloc_table = ept_alloc_table };

	return ept_map(&e, gpa, hpa, size, EPT_R | EPT_X | (writable ? EPT_W : 0) | EPT_MT_WB);
}

/*
 * Drop the cached EPT translations for this VM (SDM 3C 30.3, INVEPT) on
 * every CPU that may hold them (ept_shootdown.c).
 */
static void invept(struct vm *vm)
{
	vmx_ept_shootdown(vm);
}

int arch_vm_map_page(struct vm *vm, uint64_t gpa, uint64_t hpa, bool writable)
{
	struct ept e = { .root = vm->arch.ept_root, .alloc_table = ept_alloc_table };

	if (vm->arch.depriv)
		return arch_pv_map_page(vm, gpa, hpa, writable);
	/* A new mapping needs no INVEPT: EPT caches no entry that was not present. */
	return ept_map(&e, gpa, hpa, PAGE_SIZE, EPT_R | EPT_X | (writable ? EPT_W : 0) | EPT_MT_WB);
}

int arch_vm_unmap_page(struct vm *vm, uint64_t gpa)
{
	struct ept e = { .root = vm->arch.ept_root, .alloc_table = ept_alloc_table };
	int err;

	if (vm->arch.depriv)
		return arch_pv_map_page(vm, gpa, 0, false);
	if (!vmx.ctl.invept)
		return -ENODEV;
	err = ept_protect(&e, gpa, PAGE_SIZE, 0);
	invept(vm);
	return err;
}

int arch_vm_protect(struct vm *vm, uint64_t gpa, uint64_t size, bool writable)
{
	struct ept e = { .root = vm->arch.ept_root, .large_ok = vmx.ctl.ept_2m,
			 .alloc_table = ept_alloc_table };
	int err;

	if (!vmx.ctl.invept)
		return -ENODEV;
	err = ept_protect(&e, gpa, size, EPT_R | EPT_X | (writable ? EPT_W : 0));
	invept(vm); /* also after a partial change */
	return err;
}
