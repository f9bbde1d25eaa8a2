/* SPDX-License-Identifier: MIT */
/*
 * pvxsa's CPU probes. Each instruction's outcome is what the SDM gives at
 * the guest's privilege level, with Keel's answers where it takes the exit:
 * in ring 3 (deprivileged, IOPL 0) every privileged instruction raises #GP
 * (SDM 3A 5.9: LGDT, LIDT, LTR, LLDT, MOV to/from CR and DR, INVD, WBINVD,
 * INVLPG, HLT, RDMSR, WRMSR, CLTS, RDPMC with CR4.PCE clear, and SWAPGS and
 * SYSRET, which check CPL; CLI, STI, IN and OUT by IOPL, 3A 19.5.1). In a VM
 * a PV guest runs at CPL 0: they work, except what Keel refuses (MSRs it
 * does not emulate: #GP; VMX instructions: #UD; HLT: the guest is stopped,
 * mode "hlt") and what raises a fault anyway (LTR of a null selector,
 * SYSRET with EFER.SCE clear, SYSENTER/SYSEXIT with IA32_SYSENTER_CS 0).
 */
#include <keel_pv.h>
#include <probe.h>
#include <stdio.h>
#include "pvxsa.h"

#define NONE PROBE_NONE
#define DB 1
#define BP 3
#define UD 6
#define GP 13
#define SKIP (-2) /* not probed in this mode */
#define RFLAGS_IF   (1ULL << 9)
#define RFLAGS_IOPL (3ULL << 12)

#define TRY PROBE_TRY
#define PC  PROBE_CLOBBERS

static uint64_t efer;  /* read in a VM (Keel emulates it) */
static bool intel;     /* CPUID vendor: SYSENTER/SYSEXIT in 64-bit mode are #UD on AMD */

static uint64_t rflags(void)
{
	uint64_t f;

	__asm__ volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

static int p_cli(void) { return TRY("cli", : : : PC); }
static int p_sti(void)
{
	uint64_t f = rflags();
	int v = TRY("sti", : : : PC);

	if (!(f & RFLAGS_IF) && v == NONE)
		__asm__ volatile("cli"); /* a VM starts with IF clear: keep it so */
	return v;
}
static int p_hlt(void) { return TRY("hlt", : : : PC); }
static int p_inb(void) { uint8_t v = 0; return TRY("inb $0x80, %0", : "+a"(v) : : PC); }
static int p_outb(void) { return TRY("outb %0, $0x80", : : "a"((uint8_t)0) : PC); }
static int p_inl(void)
{
	uint32_t v = 0;

	return TRY("inl %%dx, %0", : "+a"(v) : "d"(0xcf8) : PC);
}
static int p_outl(void)
{
	return TRY("outl %0, %%dx", : : "a"(0x80000000u), "d"(0xcf8) : PC);
}
static int p_insb(void)
{
	return TRY("insb", : : "D"(pvxsa_scratch), "d"(0x80) : PC);
}
/* Control registers: read (0 if that faults), then write the same value back. */
#define CR_PROBES(n)                                                                     \
	static uint64_t cr##n;                                                           \
	static int p_rd_cr##n(void)                                                      \
	{                                                                                \
		return TRY("mov %%cr" #n ", %0", : "+r"(cr##n) : : PC);      \
	}                                                                                \
	static int p_wr_cr##n(void) { return TRY("mov %0, %%cr" #n, : : "r"(cr##n) : PC); }
CR_PROBES(0)
CR_PROBES(3)
CR_PROBES(4)
CR_PROBES(8)
static struct __attribute__((packed)) { uint16_t limit; uint64_t base; } gdtr, idtr;
static int p_lgdt(void)
{
	__asm__ volatile("sgdt %0" : "=m"(gdtr)); /* not privileged without CR4.UMIP */
	return TRY("lgdt %0", : : "m"(gdtr) : PC);
}
static int p_lidt(void)
{
	__asm__ volatile("sidt %0" : "=m"(idtr));
	return TRY("lidt %0", : : "m"(idtr) : PC);
}
static int p_ltr(void) { return TRY("ltr %w0", : : "r"(0) : PC); }
static int p_lldt(void) { return TRY("lldt %w0", : : "r"(0) : PC); }
static int p_invlpg(void) { return TRY("invlpg %0", : : "m"(pvxsa_scratch[0]) : PC); }
static int p_rd_efer(void) { return probe_rdmsr(0xc0000080, &efer); }
static int p_wr_efer(void) { return probe_wrmsr(0xc0000080, efer); }
static int p_wr_unknown(void) { return probe_wrmsr(0x12345, 0); }
static int p_wr_apic(void) { return probe_wrmsr(0x1b, 0xfed00900); /* move the APIC */ }
static int p_wbinvd(void) { return TRY("wbinvd", : : : PC); }
static int p_invd(void) { return TRY("invd", : : : PC); }
static int p_swapgs(void) { return TRY("swapgs\n\tswapgs", : : : PC); }
/* A non-canonical RCX: SYSRET at CPL 0 raises #GP(0) before it changes anything (SDM 2B). */
static int p_sysret(void)
{
	return TRY("sysretq", : : "c"(0x8000000000000000ULL) : PC);
}
static int p_sysenter(void) { return TRY("sysenter", : : : PC); }
static int p_sysexit(void) { return TRY("sysexitq", : : "c"(0), "d"(0) : PC); }
static uint64_t dr7;
static int p_rd_dr7(void) { return TRY("mov %%dr7, %0", : "+r"(dr7) : : PC); }
static int p_wr_dr7(void) { return TRY("mov %0, %%dr7", : : "r"(dr7) : PC); }
static int p_clts(void) { return TRY("clts", : : : PC); }
static int p_rdpmc(void)
{
	uint32_t lo = 0, hi = 0;

	return TRY("rdpmc", : "+a"(lo), "+d"(hi) : "c"(0) : PC);
}
static int p_into(void) { return TRY(".byte 0xce", : : : PC); }
static int p_ud2(void) { return TRY("ud2", : : : PC); }
/*
 * INT3 and INT1 (ICEBP) are traps (SDM 3A 6.15): the frame's RIP should be
 * the next instruction. Printed for the report, not checked: in ring 3
 * INT3 is a #GP fault instead, and docs/abi.md says "the faulting instruction".
 */
static int trap_at(const char *name, int which)
{
	uint64_t insn = 0;

	probe_vector = PROBE_NONE;
	probe_rip = 0;
	if (which == 3)
		__asm__ volatile(PROBE_BEGIN "lea 2f(%%rip), %0\n2:\tint3" PROBE_END
				 : "+r"(insn) : : PC);
	else
		__asm__ volatile(PROBE_BEGIN "lea 2f(%%rip), %0\n2:\t.byte 0xf1" PROBE_END
				 : "+r"(insn) : : PC);
	printf("pvxsa: %s: vector %d, frame rip = instruction + %ld\n", name, probe_vector,
	       (long)(probe_rip - insn));
	return probe_vector;
}
static int p_int3(void) { return trap_at("int3", 3); }
static int p_icebp(void) { return trap_at("icebp", 1); }
static int p_xsetbv(void) { return TRY("xsetbv", : : "a"(1), "d"(0), "c"(0) : PC); }
static int p_vmcall(void) { return TRY("vmcall", : : "a"(0) : PC); }
static int p_vmmcall(void) { return TRY("vmmcall", : : "a"(0) : PC); }
static uint64_t vmx_region[2] __attribute__((aligned(16)));
static int p_vmxon(void) { return TRY("vmxon %0", : : "m"(vmx_region) : PC); }
static int p_vmxoff(void) { return TRY("vmxoff", : : : PC); }
static int p_vmclear(void) { return TRY("vmclear %0", : : "m"(vmx_region) : PC); }
static int p_vmptrld(void) { return TRY("vmptrld %0", : : "m"(vmx_region) : PC); }
static int p_vmptrst(void) { return TRY("vmptrst %0", : "=m"(vmx_region[0]) : : PC); }
static int p_vmread(void)
{
	uint64_t v = 0;

	return TRY("vmread %1, %0", : "+r"(v) : "r"(0x4400ULL) : PC);
}
static int p_vmwrite(void) { return TRY("vmwrite %0, %1", : : "r"(0ULL), "r"(0x4400ULL) : PC); }
static int p_vmlaunch(void) { return TRY("vmlaunch", : : : PC); }
static int p_vmresume(void) { return TRY("vmresume", : : : PC); }
static int p_invept(void) { return TRY("invept %0, %1", : : "m"(vmx_region), "r"(1ULL) : PC); }
static int p_invvpid(void) { return TRY("invvpid %0, %1", : : "m"(vmx_region), "r"(1ULL) : PC); }
static int p_vmfunc(void) { return TRY("vmfunc", : : "a"(0), "c"(0) : PC); }
static uint16_t ds;
static int p_ds(void)
{
	__asm__ volatile("mov %%ds, %0" : "=r"(ds));
	int v = TRY("mov %w0, %%ds", : : "r"(0x10) : PC); /* Keel's SEL_KDATA */

	__asm__ volatile("mov %w0, %%ds" : : "r"(ds));
	return v;
}

/* POPF may change IF and IOPL at CPL 0 only; in ring 3 they silently stay (SDM 2B POPF). */
static int p_popf(void)
{
	uint64_t f = rflags(), got;
	uint64_t want = pvxsa_vmx ? (f & ~(RFLAGS_IF | RFLAGS_IOPL)) | RFLAGS_IOPL : f;

	__asm__ volatile("push %1; popfq; pushfq; pop %0; push %2; popfq" : "=&r"(got)
			 : "r"((f & ~RFLAGS_IF) | RFLAGS_IOPL), "r"(f) : "memory", "cc");
	return got == want ? NONE : 99;
}

/* Ring 3: a hypercall made with RSP in Keel's half and non-canonical: Keel must not use it. */
static int p_syscall_rsp(void)
{
	static const uint64_t bad[] = { 0xffff800000000000ULL, 0x8000000000000000ULL, 0 };
	unsigned ok = 0;

	if (pvxsa_vmx) /* with EFER.SCE clear it is #UD; set, it would jump to LSTAR */
		return (efer & 1) ? 98 : TRY("syscall", : : "a"(0) : "rcx", PROBE_CLOBBERS);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t rax = KEEL_HC_VERSION;

		__asm__ volatile("mov %%rsp, %%r12\n\tmov %1, %%rsp\n\tsyscall\n\tmov %%r12, %%rsp"
				 : "+a"(rax) : "r"(bad[i]) : "rcx", "r11", "r12", "memory");
		ok += rax == KEEL_ABI_VERSION;
	}
	return ok == 3 ? NONE : 99;
}

struct priv {
	const char *name;
	int (*run)(void);
	int vm, ring3; /* the vector each mode must give, NONE, or SKIP */
};

#define VENDOR (-3) /* #GP on Intel, #UD on AMD (SYSENTER/SYSEXIT in 64-bit mode) */
#define SCE    (-4) /* SYSRET: #UD if EFER.SCE is clear, else #GP (non-canonical RCX) */
#define ICEBP  (-5) /* ring 3: #DB (SDM 3A 6.15); QEMU's TCG raises #UD */

static const struct priv probes[] = {
	{ "cli", p_cli, NONE, GP }, { "sti", p_sti, NONE, GP },
	/* In a VM Keel stops a PV guest for HLT: mode "hlt" shows it. */
	{ "hlt", p_hlt, SKIP, GP },
	{ "in 0x80", p_inb, NONE, GP }, { "out 0x80", p_outb, NONE, GP },
	{ "in 0xcf8", p_inl, NONE, GP }, { "out 0xcf8", p_outl, NONE, GP },
	{ "insb 0x80", p_insb, NONE, GP },
	{ "mov from cr0", p_rd_cr0, NONE, GP }, { "mov to cr0", p_wr_cr0, NONE, GP },
	{ "mov from cr3", p_rd_cr3, NONE, GP }, { "mov to cr3", p_wr_cr3, NONE, GP },
	{ "mov from cr4", p_rd_cr4, NONE, GP }, { "mov to cr4", p_wr_cr4, NONE, GP },
	{ "mov from cr8", p_rd_cr8, NONE, GP }, { "mov to cr8", p_wr_cr8, NONE, GP },
	{ "lgdt", p_lgdt, NONE, GP }, { "lidt", p_lidt, NONE, GP },
	{ "ltr 0", p_ltr, GP, GP }, { "lldt 0", p_lldt, NONE, GP },
	{ "invlpg", p_invlpg, NONE, GP },
	{ "rdmsr efer", p_rd_efer, NONE, GP }, { "wrmsr efer", p_wr_efer, NONE, GP },
	{ "wrmsr 0x12345", p_wr_unknown, GP, GP }, { "wrmsr apic base moved", p_wr_apic, GP, GP },
	{ "wbinvd", p_wbinvd, NONE, GP }, { "invd", p_invd, NONE, GP },
	{ "swapgs", p_swapgs, NONE, GP },
	{ "sysret", p_sysret, SCE, GP },
	{ "sysenter", p_sysenter, GP, VENDOR }, { "sysexit", p_sysexit, GP, VENDOR },
	{ "mov from dr7", p_rd_dr7, NONE, GP }, { "mov to dr7", p_wr_dr7, NONE, GP },
	{ "clts", p_clts, NONE, GP },
	/* In a VM RDPMC runs on the CPU's counters, which Keel does not describe: not probed. */
	{ "rdpmc", p_rdpmc, SKIP, GP },
	{ "into", p_into, UD, UD }, { "ud2", p_ud2, UD, UD },
	/* Gates are DPL 0 in ring 3 (#GP); in a VM the exception itself exits. */
	{ "int3", p_int3, BP, GP }, { "icebp", p_icebp, DB, ICEBP },
	{ "xsetbv", p_xsetbv, UD, UD },
	/* In a VM VMCALL is the hypercall; in ring 3 there is no VMX at all. */
	{ "vmcall", p_vmcall, SKIP, UD }, { "vmmcall", p_vmmcall, UD, UD },
	{ "vmxon", p_vmxon, UD, UD }, { "vmxoff", p_vmxoff, UD, UD },
	{ "vmclear", p_vmclear, UD, UD }, { "vmptrld", p_vmptrld, UD, UD },
	{ "vmptrst", p_vmptrst, UD, UD }, { "vmread", p_vmread, UD, UD },
	{ "vmwrite", p_vmwrite, UD, UD }, { "vmlaunch", p_vmlaunch, UD, UD },
	{ "vmresume", p_vmresume, UD, UD }, { "invept", p_invept, UD, UD },
	{ "invvpid", p_invvpid, UD, UD }, { "vmfunc", p_vmfunc, UD, UD },
	{ "mov Keel's data selector to ds", p_ds, NONE, GP },
	{ "popf of IF and IOPL", p_popf, NONE, NONE },
	/* In a VM EFER.SCE is clear (#UD); in ring 3 SYSCALL is the hypercall, whatever RSP is. */
	{ "syscall with a hostile rsp", p_syscall_rsp, UD, NONE },
};

static int want_of(const struct priv *p)
{
	int w = pvxsa_vmx ? p->vm : p->ring3;

	if (w == VENDOR)
		return intel ? GP : UD;
	if (w == ICEBP)
		return ICEBP;
	if (w == SCE)
		return (efer & 1) ? GP : UD;
	return w;
}

unsigned pvxsa_privileged(void)
{
	uint32_t r[4];
	unsigned n = 0, bad = 0;

	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(0), "c"(0));
	intel = r[1] == 0x756e6547; /* "Genu" */
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		int want = want_of(&probes[i]), got;

		if (want == SKIP)
			continue;
		got = probes[i].run();
		n++;
		if (got == want || (want == ICEBP && (got == DB || got == UD)))
			continue;
		bad++;
		printf("pvxsa: UNEXPECTED %s: vector %d, want %d\n", probes[i].name, got, want);
	}
	printf("pvxsa: privileged: %u probes, %u unexpected\n", n, bad);
	return bad;
}
