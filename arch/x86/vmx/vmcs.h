/* SPDX-License-Identifier: MIT */
/*
 * VMCS field encodings, named after SDM Vol. 3D Appendix B, and the typed
 * accessors. Private to arch/x86/vmx (STYLE.md 1, 6).
 */
#ifndef ARCH_X86_VMX_VMCS_H
#define ARCH_X86_VMX_VMCS_H

#include <stdint.h>

enum vmcs_field {
	/* 16-bit */
	VMCS_VPID = 0x0000, VMCS_POSTED_INTR_NV = 0x0002,
	VMCS_GUEST_ES_SEL = 0x0800, VMCS_GUEST_CS_SEL = 0x0802, VMCS_GUEST_SS_SEL = 0x0804,
	VMCS_GUEST_DS_SEL = 0x0806, VMCS_GUEST_FS_SEL = 0x0808, VMCS_GUEST_GS_SEL = 0x080a,
	VMCS_GUEST_LDTR_SEL = 0x080c, VMCS_GUEST_TR_SEL = 0x080e,
	VMCS_GUEST_INTR_STATUS = 0x0810,
	VMCS_HOST_ES_SEL = 0x0c00, VMCS_HOST_CS_SEL = 0x0c02, VMCS_HOST_SS_SEL = 0x0c04,
	VMCS_HOST_DS_SEL = 0x0c06, VMCS_HOST_FS_SEL = 0x0c08, VMCS_HOST_GS_SEL = 0x0c0a,
	VMCS_HOST_TR_SEL = 0x0c0c,
	/* 64-bit */
	VMCS_IO_BITMAP_A = 0x2000, VMCS_IO_BITMAP_B = 0x2002, VMCS_MSR_BITMAP = 0x2004,
	VMCS_TSC_OFFSET = 0x2010, VMCS_EPT_POINTER = 0x201a,
	VMCS_VIRTUAL_APIC_PAGE = 0x2012, VMCS_APIC_ACCESS_ADDR = 0x2014,
	VMCS_POSTED_INTR_DESC = 0x2016,
	VMCS_EOI_EXIT_BITMAP0 = 0x201c, /* 1-3 follow, 2 apart */
	VMCS_GUEST_PHYSICAL_ADDRESS = 0x2400,
	VMCS_LINK_POINTER = 0x2800, VMCS_GUEST_IA32_DEBUGCTL = 0x2802,
	VMCS_GUEST_IA32_PAT = 0x2804, VMCS_GUEST_IA32_EFER = 0x2806,
	VMCS_HOST_IA32_PAT = 0x2c00, VMCS_HOST_IA32_EFER = 0x2c02,
	/* 32-bit */
	VMCS_PIN_CONTROLS = 0x4000, VMCS_PROC_CONTROLS = 0x4002, VMCS_EXCEPTION_BITMAP = 0x4004,
	VMCS_PF_ERROR_MASK = 0x4006, VMCS_PF_ERROR_MATCH = 0x4008, VMCS_CR3_TARGET_COUNT = 0x400a,
	VMCS_EXIT_CONTROLS = 0x400c, VMCS_EXIT_MSR_STORE_COUNT = 0x400e,
	VMCS_EXIT_MSR_LOAD_COUNT = 0x4010, VMCS_ENTRY_CONTROLS = 0x4012,
	VMCS_ENTRY_MSR_LOAD_COUNT = 0x4014, VMCS_ENTRY_INTR_INFO = 0x4016,
	VMCS_ENTRY_EXCEPTION_ERROR = 0x4018, VMCS_ENTRY_INSTR_LEN = 0x401a,
	VMCS_TPR_THRESHOLD = 0x401c, VMCS_PROC2_CONTROLS = 0x401e,
	VMCS_VM_INSTRUCTION_ERROR = 0x4400, VMCS_EXIT_REASON = 0x4402,
	VMCS_EXIT_INTR_INFO = 0x4404, VMCS_EXIT_INTR_ERROR = 0x4406,
	VMCS_IDT_VECTORING_INFO = 0x4408, VMCS_IDT_VECTORING_ERROR = 0x440a,
	VMCS_EXIT_INSTR_LEN = 0x440c, VMCS_EXIT_INSTR_INFO = 0x440e,
	VMCS_GUEST_ES_LIMIT = 0x4800, VMCS_GUEST_CS_LIMIT = 0x4802, VMCS_GUEST_SS_LIMIT = 0x4804,
	VMCS_GUEST_DS_LIMIT = 0x4806, VMCS_GUEST_FS_LIMIT = 0x4808, VMCS_GUEST_GS_LIMIT = 0x480a,
	VMCS_GUEST_LDTR_LIMIT = 0x480c, VMCS_GUEST_TR_LIMIT = 0x480e,
	VMCS_GUEST_GDTR_LIMIT = 0x4810, VMCS_GUEST_IDTR_LIMIT = 0x4812,
	VMCS_GUEST_ES_AR = 0x4814, VMCS_GUEST_CS_AR = 0x4816, VMCS_GUEST_SS_AR = 0x4818,
	VMCS_GUEST_DS_AR = 0x481a, VMCS_GUEST_FS_AR = 0x481c, VMCS_GUEST_GS_AR = 0x481e,
	VMCS_GUEST_LDTR_AR = 0x4820, VMCS_GUEST_TR_AR = 0x4822,
	VMCS_GUEST_INTERRUPTIBILITY = 0x4824, VMCS_GUEST_ACTIVITY_STATE = 0x4826,
	VMCS_GUEST_SYSENTER_CS = 0x482a, VMCS_PREEMPTION_TIMER = 0x482e,
	VMCS_HOST_SYSENTER_CS = 0x4c00,
	/* natural width */
	VMCS_CR0_GUEST_HOST_MASK = 0x6000, VMCS_CR4_GUEST_HOST_MASK = 0x6002,
	VMCS_CR0_READ_SHADOW = 0x6004, VMCS_CR4_READ_SHADOW = 0x6006,
	VMCS_EXIT_QUALIFICATION = 0x6400, VMCS_GUEST_LINEAR_ADDRESS = 0x640a,
	VMCS_GUEST_CR0 = 0x6800, VMCS_GUEST_CR3 = 0x6802, VMCS_GUEST_CR4 = 0x6804,
	VMCS_GUEST_ES_BASE = 0x6806, VMCS_GUEST_CS_BASE = 0x6808, VMCS_GUEST_SS_BASE = 0x680a,
	VMCS_GUEST_DS_BASE = 0x680c, VMCS_GUEST_FS_BASE = 0x680e, VMCS_GUEST_GS_BASE = 0x6810,
	VMCS_GUEST_LDTR_BASE = 0x6812, VMCS_GUEST_TR_BASE = 0x6814,
	VMCS_GUEST_GDTR_BASE = 0x6816, VMCS_GUEST_IDTR_BASE = 0x6818,
	VMCS_GUEST_DR7 = 0x681a, VMCS_GUEST_RSP = 0x681c, VMCS_GUEST_RIP = 0x681e,
	VMCS_GUEST_RFLAGS = 0x6820, VMCS_GUEST_PENDING_DBG = 0x6822,
	VMCS_GUEST_SYSENTER_ESP = 0x6824, VMCS_GUEST_SYSENTER_EIP = 0x6826,
	VMCS_HOST_CR0 = 0x6c00, VMCS_HOST_CR3 = 0x6c02, VMCS_HOST_CR4 = 0x6c04,
	VMCS_HOST_FS_BASE = 0x6c06, VMCS_HOST_GS_BASE = 0x6c08, VMCS_HOST_TR_BASE = 0x6c0a,
	VMCS_HOST_GDTR_BASE = 0x6c0c, VMCS_HOST_IDTR_BASE = 0x6c0e,
	VMCS_HOST_SYSENTER_ESP = 0x6c10, VMCS_HOST_SYSENTER_EIP = 0x6c12,
	VMCS_HOST_RSP = 0x6c14, VMCS_HOST_RIP = 0x6c16,
};

/*
 * VMREAD/VMWRITE. A field Keel names is always supported, so a failure is a
 * host bug; debug builds (make DEBUG=1) check the value's width and CF/ZF
 * and report the field.
 */
void vmcs_fail(const char *op, uint32_t field);

static inline uint64_t vmcs_read(enum vmcs_field f)
{
	uint64_t v;
#ifdef KEEL_DEBUG
	uint8_t bad;
	__asm__ volatile("vmread %2, %0; setbe %1" : "=r"(v), "=qm"(bad) : "r"((uint64_t)f) : "cc");
	if (bad)
		vmcs_fail("vmread", f);
#else
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)f) : "cc");
#endif
	return v;
}

/* Field width from the encoding (SDM 3D B.1): 0 16-bit, 1 64-bit, 2 32-bit, 3 natural. */
static inline unsigned vmcs_field_width(enum vmcs_field f) { return (f >> 13) & 3; }

static inline void vmcs_write(enum vmcs_field f, uint64_t v)
{
#ifdef KEEL_DEBUG
	uint8_t bad;

	if ((vmcs_field_width(f) == 0 && v > 0xffff) || (vmcs_field_width(f) == 2 && v > 0xffffffff))
		vmcs_fail("vmwrite (value wider than the field)", f);
	__asm__ volatile("vmwrite %1, %2; setbe %0" : "=qm"(bad) : "r"(v), "r"((uint64_t)f) : "cc");
	if (bad)
		vmcs_fail("vmwrite", f);
#else
	__asm__ volatile("vmwrite %0, %1" ::"r"(v), "r"((uint64_t)f) : "cc");
#endif
}

static inline uint32_t vmcs_read32(enum vmcs_field f) { return (uint32_t)vmcs_read(f); }
static inline uint16_t vmcs_read16(enum vmcs_field f) { return (uint16_t)vmcs_read(f); }

#endif
