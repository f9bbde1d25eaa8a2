/* SPDX-License-Identifier: MIT */
/* Basic exit reasons, SDM Vol. 3D Appendix C. */
#ifndef ARCH_X86_VMX_EXIT_REASON_H
#define ARCH_X86_VMX_EXIT_REASON_H

enum exit_reason {
	EXIT_EXCEPTION_NMI = 0,
	EXIT_EXTERNAL_INTERRUPT = 1,
	EXIT_TRIPLE_FAULT = 2,
	EXIT_INIT = 3,
	EXIT_SIPI = 4,
	EXIT_INTERRUPT_WINDOW = 7,
	EXIT_NMI_WINDOW = 8,
	EXIT_TASK_SWITCH = 9,
	EXIT_CPUID = 10,
	EXIT_GETSEC = 11,
	EXIT_HLT = 12,
	EXIT_INVD = 13,
	EXIT_INVLPG = 14,
	EXIT_RDPMC = 15,
	EXIT_RDTSC = 16,
	EXIT_RSM = 17,
	EXIT_VMCALL = 18,
	EXIT_VMCLEAR = 19,
	EXIT_VMLAUNCH = 20,
	EXIT_VMPTRLD = 21,
	EXIT_VMPTRST = 22,
	EXIT_VMREAD = 23,
	EXIT_VMRESUME = 24,
	EXIT_VMWRITE = 25,
	EXIT_VMXOFF = 26,
	EXIT_VMXON = 27,
	EXIT_CR_ACCESS = 28,
	EXIT_DR_ACCESS = 29,
	EXIT_IO_INSTRUCTION = 30,
	EXIT_RDMSR = 31,
	EXIT_WRMSR = 32,
	EXIT_ENTRY_FAIL_GUEST_STATE = 33,
	EXIT_ENTRY_FAIL_MSR_LOAD = 34,
	EXIT_MWAIT = 36,
	EXIT_MONITOR_TRAP = 37,
	EXIT_MONITOR = 39,
	EXIT_PAUSE = 40,
	EXIT_ENTRY_FAIL_MCE = 41,
	EXIT_TPR_BELOW_THRESHOLD = 43,
	EXIT_APIC_ACCESS = 44,
	EXIT_EOI_INDUCED = 45,
	EXIT_GDTR_IDTR = 46,
	EXIT_LDTR_TR = 47,
	EXIT_EPT_VIOLATION = 48,
	EXIT_EPT_MISCONFIG = 49,
	EXIT_INVEPT = 50,
	EXIT_RDTSCP = 51,
	EXIT_PREEMPTION_TIMER = 52,
	EXIT_INVVPID = 53,
	EXIT_WBINVD = 54,
	EXIT_XSETBV = 55,
	EXIT_APIC_WRITE = 56,
	EXIT_RDRAND = 57,
	EXIT_INVPCID = 58,
	EXIT_VMFUNC = 59,
	EXIT_RDSEED = 61,
	EXIT_XSAVES = 63,
	EXIT_XRSTORS = 64,
};

/*
 * A ring-3 PV guest (no VT-x, arch/x86/pv) comes back to Keel without a VM
 * exit: its exit trace uses these codes, above every basic exit reason.
 */
enum r3_exit_reason {
	EXIT_R3_SYSCALL = 0x100,   /* a hypercall; qualification: its number (RAX) */
	EXIT_R3_TIMER = 0x101,     /* the slice timer's interrupt */
	EXIT_R3_EXCEPTION = 0x120, /* + the vector; qualification: CR2 for #PF, else the error code */
};

/* A basic exit reason's name, or a ring-3 code's. */
const char *exit_reason_name(unsigned reason);

#endif
