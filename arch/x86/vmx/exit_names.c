/* SPDX-License-Identifier: MIT */
/* Exit reason names for reports and statistics (SDM Vol. 3D Appendix C). */
#include "exit_reason.h"
#include <keel/vcpu.h>

static const char *const names[EXIT_REASONS_MAX] = {
	[EXIT_EXCEPTION_NMI] = "exception/NMI", [EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault", [EXIT_INIT] = "INIT", [EXIT_SIPI] = "SIPI",
	[EXIT_INTERRUPT_WINDOW] = "interrupt window", [EXIT_NMI_WINDOW] = "NMI window",
	[EXIT_TASK_SWITCH] = "task switch", [EXIT_CPUID] = "CPUID", [EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT", [EXIT_INVD] = "INVD", [EXIT_INVLPG] = "INVLPG", [EXIT_RDPMC] = "RDPMC",
	[EXIT_RDTSC] = "RDTSC", [EXIT_RSM] = "RSM", [EXIT_VMCALL] = "VMCALL",
	[EXIT_VMCLEAR] = "VMCLEAR", [EXIT_VMLAUNCH] = "VMLAUNCH", [EXIT_VMPTRLD] = "VMPTRLD",
	[EXIT_VMPTRST] = "VMPTRST", [EXIT_VMREAD] = "VMREAD", [EXIT_VMRESUME] = "VMRESUME",
	[EXIT_VMWRITE] = "VMWRITE", [EXIT_VMXOFF] = "VMXOFF", [EXIT_VMXON] = "VMXON",
	[EXIT_CR_ACCESS] = "CR access", [EXIT_DR_ACCESS] = "DR access",
	[EXIT_IO_INSTRUCTION] = "I/O instruction", [EXIT_RDMSR] = "RDMSR", [EXIT_WRMSR] = "WRMSR",
	[EXIT_ENTRY_FAIL_GUEST_STATE] = "entry failure: invalid guest state",
	[EXIT_ENTRY_FAIL_MSR_LOAD] = "entry failure: MSR loading", [EXIT_MWAIT] = "MWAIT",
	[EXIT_MONITOR_TRAP] = "monitor trap flag", [EXIT_MONITOR] = "MONITOR",
	[EXIT_PAUSE] = "PAUSE", [EXIT_ENTRY_FAIL_MCE] = "entry failure: machine check",
	[EXIT_TPR_BELOW_THRESHOLD] = "TPR below threshold", [EXIT_APIC_ACCESS] = "APIC access",
	[EXIT_EOI_INDUCED] = "EOI-induced", [EXIT_APIC_WRITE] = "APIC write",
	[EXIT_GDTR_IDTR] = "GDTR/IDTR access", [EXIT_LDTR_TR] = "LDTR/TR access",
	[EXIT_EPT_VIOLATION] = "EPT violation", [EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_INVEPT] = "INVEPT", [EXIT_RDTSCP] = "RDTSCP",
	[EXIT_PREEMPTION_TIMER] = "preemption timer", [EXIT_INVVPID] = "INVVPID",
	[EXIT_WBINVD] = "WBINVD", [EXIT_XSETBV] = "XSETBV", [EXIT_RDRAND] = "RDRAND",
	[EXIT_INVPCID] = "INVPCID", [EXIT_VMFUNC] = "VMFUNC", [EXIT_RDSEED] = "RDSEED",
	[EXIT_XSAVES] = "XSAVES", [EXIT_XRSTORS] = "XRSTORS",
};

static const char *const r3_exceptions[32] = {
	"ring-3 #DE", "ring-3 #DB", "ring-3 NMI", "ring-3 #BP", "ring-3 #OF", "ring-3 #BR",
	"ring-3 #UD", "ring-3 #NM", "ring-3 #DF", NULL, "ring-3 #TS", "ring-3 #NP", "ring-3 #SS",
	"ring-3 #GP", "ring-3 #PF", NULL, "ring-3 #MF", "ring-3 #AC", "ring-3 #MC", "ring-3 #XM",
};

const char *exit_reason_name(unsigned reason)
{
	const char *name = NULL;

	if (reason < EXIT_REASONS_MAX)
		name = names[reason];
	else if (reason == EXIT_R3_SYSCALL)
		name = "ring-3 SYSCALL";
	else if (reason == EXIT_R3_TIMER)
		name = "ring-3 timer";
	else if (reason - EXIT_R3_EXCEPTION < 32)
		name = r3_exceptions[reason - EXIT_R3_EXCEPTION] ?: "ring-3 exception";
	else if (reason - EXIT_R3_EXCEPTION < 256)
		name = "ring-3 interrupt";
	return name ? name : "unknown";
}

const char *arch_exit_reason_name(unsigned reason)
{
	return exit_reason_name(reason);
}
