/* SPDX-License-Identifier: MIT */
/*
 * VMX control bits (SDM Vol. 3C 25.6, 25.7, 25.8) and the capability MSRs
 * that say which of them this CPU allows (Appendix A). Everything Keel sets
 * is negotiated here; nothing is assumed present (STYLE.md 8).
 */
#ifndef ARCH_X86_VMX_VMX_CTLS_H
#define ARCH_X86_VMX_VMX_CTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <keel/bits.h>

#define PIN_EXT_INTR_EXITING BIT(0)
#define PIN_NMI_EXITING      BIT(3)
#define PIN_VIRTUAL_NMIS     BIT(5)
#define PIN_PREEMPT_TIMER    BIT(6)
#define PIN_POSTED_INTR      BIT(7) /* process posted interrupts (SDM 3C 25.6.1, 30.6) */

#define CPU_INTR_WINDOW     BIT(2)
#define CPU_TSC_OFFSETTING  BIT(3)
#define CPU_HLT_EXITING     BIT(7)
#define CPU_INVLPG_EXITING  BIT(9)
#define CPU_MWAIT_EXITING   BIT(10)
#define CPU_RDPMC_EXITING   BIT(11)
#define CPU_RDTSC_EXITING   BIT(12)
#define CPU_CR3_LOAD        BIT(15)
#define CPU_CR3_STORE       BIT(16)
#define CPU_CR8_LOAD        BIT(19)
#define CPU_CR8_STORE       BIT(20)
#define CPU_TPR_SHADOW      BIT(21)
#define CPU_NMI_WINDOW      BIT(22)
#define CPU_MOV_DR_EXITING  BIT(23)
#define CPU_UNCOND_IO       BIT(24)
#define CPU_IO_BITMAPS      BIT(25)
#define CPU_MSR_BITMAPS     BIT(28)
#define CPU_MONITOR_EXITING BIT(29)
#define CPU_PAUSE_EXITING   BIT(30)
#define CPU_SECONDARY       BIT(31)

#define CPU2_VIRT_APIC_ACCESS   BIT(0)
#define CPU2_EPT                BIT(1)
#define CPU2_RDTSCP             BIT(3)
#define CPU2_VIRT_X2APIC        BIT(4)
#define CPU2_VPID               BIT(5)
#define CPU2_UNRESTRICTED_GUEST BIT(7)
#define CPU2_APIC_REG_VIRT      BIT(8)
#define CPU2_VINTR_DELIVERY     BIT(9)
#define CPU2_INVPCID            BIT(12)
#define CPU2_XSAVES             BIT(20)

#define EXIT_HOST_64BIT   BIT(9)
#define EXIT_ACK_INTR     BIT(15)
#define EXIT_SAVE_PAT     BIT(18)
#define EXIT_LOAD_PAT     BIT(19)
#define EXIT_SAVE_EFER    BIT(20)
#define EXIT_LOAD_EFER    BIT(21)
#define EXIT_SAVE_PREEMPT_TIMER BIT(22)

#define ENTRY_IA32E_GUEST BIT(9)
#define ENTRY_LOAD_PAT    BIT(14)
#define ENTRY_LOAD_EFER   BIT(15)

#define VMX_BASIC_TRUE_CTLS BIT(55)

/* IA32_VMX_EPT_VPID_CAP (SDM 3D A.10). */
#define EPT_CAP_WALK4   BIT(6)
#define EPT_CAP_WB      BIT(14)
#define EPT_CAP_2M      BIT(16)
#define EPT_CAP_INVEPT  BIT(20)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL    BIT(26)
#define VPID_CAP_INVVPID      BIT(32)

/* The capability MSRs, read once (or recorded from a CPU model for tests). */
struct vmx_caps {
	uint64_t basic;
	uint64_t pin, proc, proc2, exit, entry; /* TRUE_* where the CPU has them */
	uint64_t misc, ept_vpid;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* The control words Keel will program, and what it could run. */
struct vmx_controls {
	uint32_t pin, proc, proc2, exit, entry;
	bool ept;          /* EPT with 4-level walk and write-back tables */
	bool unrestricted; /* real mode and unpaged protected mode guests */
	bool vpid;
	bool ept_2m;       /* 2 MiB EPT leaves */
	bool pat;          /* guest PAT switched by the VMCS */
	bool preempt_timer; /* the VMX-preemption timer may be turned on per entry */
	bool save_timer;    /* its count survives VM exits ("save VMX-preemption timer value") */
	bool proc_window_ok; /* interrupt-window exiting may be turned on */
	uint8_t invept;     /* INVEPT type for a changed EPT: 1 single-context, 2 all, 0 none */
	/*
	 * APIC virtualization for vCPUs with a vLAPIC (arch/x86/vmx/apicv.c):
	 * their primary controls (TPR shadow, no CR8 exits) and the secondary
	 * bits always on (APIC-register virtualization, virtual-interrupt
	 * delivery); APIC-access or x2APIC-mode virtualization follow the
	 * guest's APIC mode. apicv_x2apic: x2APIC mode can be virtualized.
	 */
	bool apicv, apicv_x2apic;
	uint32_t apicv_proc, apicv_proc2;
	/*
	 * Posted interrupts (SDM 3C 30.6) for those vCPUs: "process posted
	 * interrupts" joins their pin-based word (arch/x86/vmx/posted.c).
	 * Only with apicv (it needs virtual-interrupt delivery) and
	 * "acknowledge interrupt on exit" (26.2.1.1).
	 */
	bool posted;
};

/*
 * Apply one capability MSR: bits 31:0 must be 1 ("allowed-0"), bits 63:32
 * may be 1 ("allowed-1"). Returns the control word with every allowed
 * bit of want, and sets *missing to the bits of need that are not allowed.
 */
uint32_t vmx_ctl_adjust(uint64_t cap, uint32_t want, uint32_t need, uint32_t *missing);

/*
 * Negotiate every control. Returns 0, or -1 with why[] naming what this CPU
 * lacks for any guest at all. HVM-specific lacks (EPT, unrestricted guest)
 * only clear the ept/unrestricted flags: callers refuse those guests.
 */
int vmx_negotiate(const struct vmx_caps *c, struct vmx_controls *out, char *why, size_t whylen);
/* keel.cfg "vmx apicv=off" after a negotiation: the emulated vLAPIC, and so no posting either. */
void vmx_ctl_no_apicv(struct vmx_controls *k);

#endif
