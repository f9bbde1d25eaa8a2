/* SPDX-License-Identifier: MIT */
#ifndef ARCH_VCPU_ARCH_H
#define ARCH_VCPU_ARCH_H

#include <stdbool.h>
#include <stdint.h>

/* MSRs the guest owns but the VMCS does not switch (vm_setup.c). */
#define VMX_SWITCHED_MSRS 6
/* Up to the end of the AVX-512 state (keel/cpuid.h XSAVE_MAX_SIZE). */
#define VCPU_FPU_SIZE 2688

struct vcpu;
struct percpu;

struct vcpu_arch {
	struct vcpu *(*exit_fn)(struct vcpu *v); /* the C dispatcher the exit stub calls */
	uint64_t vmcs_pa;
	uint8_t launched;
	uint8_t long_mode; /* entered in 64-bit mode (not real mode) */
	uint16_t vpid;
	uint32_t host_cpu; /* the CPU whose host state its VMCS holds */
	struct percpu *pc; /* the CPU it runs on (v->cpu's; set up by vcpu_cpu_init) */
	uint64_t msrs[VMX_SWITCHED_MSRS];
	uint64_t cr8; /* MOV to/from CR8 of a guest without a virtual local APIC */
	uint32_t pin, proc; /* the controls as now written in the VMCS */
	uint32_t proc2;     /* secondary controls as now written (APIC virtualization changes them) */
	uint8_t *vapic;     /* its vLAPIC's virtual-APIC page (arch/x86/vmx/apicv.c), once made */
	/* Deprivileged PV mode (no VT-x): its page tables, and where it resumes in ring 3. */
	uint64_t pv_cr3;
	struct pv_frame {
		uint64_t rip, cs, rflags, rsp, ss;
	} pv;
	/*
	 * x87/SSE/AVX state while another vCPU owns the FPU: an XSAVE area in
	 * the standard format (SDM 1 13.4), whose first 512 bytes are the
	 * FXSAVE image (10.5.1), and the vCPU's XCR0 (arch/x86/fpu.c).
	 */
	uint8_t fpu[VCPU_FPU_SIZE] __attribute__((aligned(64)));
	uint64_t xcr0;
	uint64_t timer_tsc; /* the armed deadline, where each entry must re-arm it */
};

struct vm_arch {
	uint64_t eptp;
	uint64_t ept_root;
	uint8_t *io_bitmap;  /* 8 KiB: ports 0-0xffff, 1 = exit */
	uint8_t *msr_bitmap; /* 4 KiB: read/write x low/high ranges */
	bool depriv; /* a PV guest in ring 3 (no VT-x): no EPT, no VMCS */
	uint64_t *pv_grant_pt; /* its grant window's page table */
	uint64_t ept_cpus; /* CPUs its vCPUs are placed on: they may cache its EPT (ept_shootdown.c) */
	uint64_t ept_shootdowns_remote; /* shootdowns that had to reach another CPU */
	/* APIC virtualization (arch/x86/vmx/apicv.c): the APIC-access page and where EPT has it. */
	uint64_t apic_access_pa;
	bool apic_access_mapped;
	uint8_t *msr_bitmap_x2apic; /* msr_bitmap with the x2APIC reads the CPU serves let through */
};

#endif
