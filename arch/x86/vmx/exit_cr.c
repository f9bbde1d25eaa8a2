/* SPDX-License-Identifier: MIT */
/*
 * Control-register exits (qualification: SDM Vol. 3C Table 28-3). The CR0
 * bits Keel owns (NE, which VMX forces on, and CD/NW, which stay clear so
 * guest memory is cached) and CR4.VMXE are in the guest/host masks: the
 * guest sees its own values in the read shadows, the CPU runs with Keel's.
 * CR3 exits only happen on CPUs that force CR3 exiting. CR8 always exits:
 * without that a guest's MOV to CR8 would set the host's own local APIC TPR
 * and the next guest would read it (issue 8). CR8 is the hvm guest's
 * virtual local APIC TPR (SDM 3A 11.8.6), for other guests a per-vCPU value.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <keel/hvm.h>
#include <keel/vm.h>

#define CR_QUAL_NUM(q)  ((q) & 15)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 3) /* 0 mov to, 1 mov from, 2 clts, 3 lmsw */
#define CR_QUAL_REG(q)  (((q) >> 8) & 15)
#define CR_QUAL_LMSW(q) (((q) >> 16) & 0xffff)

/* Bits a guest may set in CR0 (others raise #GP, as on hardware). */
#define CR0_GUEST_OK (CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | BIT(16) | BIT(18) | \
		      CR0_NW | CR0_CD | CR0_PG)

static uint64_t reg_get(struct vcpu *v, unsigned r)
{
	return r == REG_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->gpr.r[r];
}

static void reg_set(struct vcpu *v, unsigned r, uint64_t val)
{
	if (r == REG_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->gpr.r[r] = val;
}

/*
 * Paging switched with EFER.LME set enters or leaves IA-32e mode (SDM 3A
 * 10.8.5): when the write exits, Keel does what the CPU would, setting
 * EFER.LMA and the "IA-32e mode guest" entry control to match.
 */
static bool long_mode_switch(uint64_t old, uint64_t val)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_IA32_EFER);
	uint32_t entry = vmcs_read32(VMCS_ENTRY_CONTROLS);

	if (!((old ^ val) & CR0_PG) || !(efer & EFER_LME))
		return true;
	if (val & CR0_PG) {
		if (!(vmcs_read(VMCS_GUEST_CR4) & CR4_PAE))
			return false; /* long mode needs PAE: #GP */
		efer |= EFER_LMA;
		entry |= ENTRY_IA32E_GUEST;
	} else {
		/* IA-32e mode is left from compatibility mode only: in 64-bit code, #GP. */
		if ((efer & EFER_LMA) && (vmcs_read32(VMCS_GUEST_CS_AR) & BIT(13) /* CS.L */))
			return false;
		efer &= ~(uint64_t)EFER_LMA;
		entry &= ~(uint32_t)ENTRY_IA32E_GUEST;
	}
	vmcs_write(VMCS_GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CONTROLS, entry);
	return true;
}

/* The CR0 the CPU runs with, for the value the guest asked for. */
static bool guest_write_cr0(uint64_t val)
{
	uint64_t fixed0 = vmx.caps.cr0_fixed0;

	if ((val & ~CR0_GUEST_OK) || ((val & CR0_PG) && !(val & CR0_PE)) ||
	    ((val & CR0_NW) && !(val & CR0_CD)))
		return false;
	if (!long_mode_switch(vmcs_read(VMCS_GUEST_CR0), val))
		return false;
	if (vmx.ctl.unrestricted)
		fixed0 &= ~(uint64_t)(CR0_PE | CR0_PG);
	vmcs_write(VMCS_CR0_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, ((val & ~(uint64_t)(CR0_CD | CR0_NW)) | fixed0) &
					   vmx.caps.cr0_fixed1);
	return true;
}

static bool guest_write_cr4(uint64_t val)
{
	/* Leaving IA-32e mode by clearing PAE is a #GP (SDM 2B "MOV to CR"). */
	if ((val & ~vmx_guest_cr4_allowed()) ||
	    (!(val & CR4_PAE) && (vmcs_read(VMCS_GUEST_IA32_EFER) & EFER_LMA)))
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, (val | vmx.caps.cr4_fixed0) & vmx.caps.cr4_fixed1);
	return true;
}

static bool mov_to_cr(struct vcpu *v, unsigned cr, uint64_t val)
{
	switch (cr) {
	case 0:
		return guest_write_cr0(val);
	case 3:
		vmcs_write(VMCS_GUEST_CR3, val);
		return true;
	case 4:
		return guest_write_cr4(val);
	case 8:
		if (val & ~15ULL)
			return false;
		if (v->vm->hvm)
			vlapic_set_tpr(hvm_lapic(v), (uint8_t)(val << 4));
		else
			v->arch.cr8 = val;
		return true;
	}
	return false;
}

static uint64_t mov_from_cr(struct vcpu *v, unsigned cr)
{
	if (cr == 3)
		return vmcs_read(VMCS_GUEST_CR3);
	return v->vm->hvm ? (hvm_lapic(v)->tpr >> 4) & 15 : v->arch.cr8;
}

struct vcpu *exit_cr_access(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	unsigned cr = CR_QUAL_NUM(q);
	bool ok = true;

	switch (CR_QUAL_TYPE(q)) {
	case 0:
		ok = mov_to_cr(v, cr, reg_get(v, CR_QUAL_REG(q)));
		break;
	case 1:
		reg_set(v, CR_QUAL_REG(q), mov_from_cr(v, cr));
		break;
	case 2: /* CLTS */
		ok = guest_write_cr0(vmcs_read(VMCS_CR0_READ_SHADOW) & ~(uint64_t)CR0_TS);
		break;
	case 3: /* LMSW: loads PE, MP, EM, TS; cannot clear PE */
		ok = guest_write_cr0((vmcs_read(VMCS_CR0_READ_SHADOW) & ~0xeULL) |
			       (CR_QUAL_LMSW(q) & 0xf) | (vmcs_read(VMCS_CR0_READ_SHADOW) & CR0_PE));
		break;
	}
	if (!ok) {
		vmx_inject_exception(v, X86_GP, true, 0);
		return v;
	}
	vmx_skip_instruction();
	return v;
}
