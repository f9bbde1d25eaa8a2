/* SPDX-License-Identifier: MIT */
/*
 * exits64: exercises every exit Keel handles from a 64-bit guest and
 * prints what it observed. Ends with the number of failed checks on the
 * debug-exit port (0 = all passed).
 */
#include "lib/guest.h"
#include "exits64.h"

static uint64_t rdmsr_safe(uint32_t msr, int *vector)
{
	uint32_t lo = 0, hi = 0;

	guest_fault_vector = -1;
	guest_fault_skip = 2; /* rdmsr is 0f 32 */
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	guest_fault_skip = 0;
	*vector = guest_fault_vector;
	return (uint64_t)hi << 32 | lo;
}

static int wrmsr_safe(uint32_t msr, uint64_t v)
{
	guest_fault_vector = -1;
	guest_fault_skip = 2; /* wrmsr is 0f 30 */
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
	guest_fault_skip = 0;
	return guest_fault_vector;
}

static void test_cpuid(void)
{
	uint32_t r[4];

	cpuid(KEEL_CPUID_BASE, 0, r);
	check(r[1] == KEEL_CPUID_SIG_EBX && r[2] == KEEL_CPUID_SIG_ECX && r[3] == KEEL_CPUID_SIG_EDX,
	      "cpuid 0x40000000 signature KeelKeelKeel", r[1], KEEL_CPUID_SIG_EBX);
	check(r[0] == KEEL_CPUID_FEATURES, "cpuid 0x40000000 max leaf", r[0], KEEL_CPUID_FEATURES);
	cpuid(KEEL_CPUID_FEATURES, 0, r);
	check(r[0] == KEEL_ABI_VERSION, "cpuid 0x40000001 ABI version", r[0], KEEL_ABI_VERSION);
	/* KVM's signature block, no feature (docs/cpuid.md). */
	cpuid(0x40000100, 0, r);
	check(r[0] == 0x40000101 && r[1] == 0x4b4d564b && r[2] == 0x564b4d56 && r[3] == 0x4d,
	      "cpuid 0x40000100 signature KVMKVMKVM", r[1], 0x4b4d564b);
	cpuid(0x40000101, 0, r);
	check((r[0] | r[3]) == 0, "cpuid 0x40000101 no KVM features", r[0], 0);
	cpuid(1, 0, r);
	check(r[2] >> 31, "cpuid 1 hypervisor bit set", r[2], 1u << 31);
	check(!(r[2] & (1 << 5)), "cpuid 1 VMX hidden", r[2], 0);
	cpuid(0, 0, r);
	check(r[0] >= 1, "cpuid 0 max basic leaf", r[0], 1);
}

static void test_vmcall(void)
{
	static const char msg[] = "hello through KEEL_HC_CONSOLE_WRITE\n";
	long v = hypercall3(KEEL_HC_VERSION, 0, 0, 0);

	check(v == KEEL_ABI_VERSION, "vmcall version", (uint64_t)v, KEEL_ABI_VERSION);
	v = hypercall3(9999, 0, 0, 0);
	check(v == -38, "vmcall unknown number -> -ENOSYS", (uint64_t)v, (uint64_t)-38);
	v = hypercall3(KEEL_HC_CONSOLE_WRITE, (long)msg, sizeof(msg) - 1, 0);
	check(v == sizeof(msg) - 1, "vmcall console write", (uint64_t)v, sizeof(msg) - 1);
	v = hypercall3(KEEL_HC_CONSOLE_WRITE, 0x7ff00000000L, 16, 0);
	check(v == -14, "vmcall console write bad pointer -> -EFAULT", (uint64_t)v, (uint64_t)-14);
	v = hypercall3(KEEL_HC_YIELD, 0, 0, 0);
	check(v == 0, "vmcall yield", (uint64_t)v, 0);
	/*
	 * The PV-only calls, with arguments that once reached Keel's page 0
	 * through a NULL pv_domain (issue 8): each is refused before it runs.
	 */
	static const long pv_only[] = { KEEL_HC_CONSOLE_READ, KEEL_HC_BLOCK, KEEL_HC_SET_TIMER,
					KEEL_HC_EVTCHN_ALLOC, KEEL_HC_EVTCHN_BIND,
					KEEL_HC_EVTCHN_SEND, KEEL_HC_EVTCHN_CLOSE,
					KEEL_HC_GRANT_OFFER, KEEL_HC_GRANT_MAP,
					KEEL_HC_GRANT_UNMAP, KEEL_HC_SET_CALLBACKS };
	unsigned refused = 0;

	for (unsigned i = 0; i < sizeof(pv_only) / sizeof(pv_only[0]); i++)
		refused += hypercall3(pv_only[i], 0, 0xffff, KEEL_GRANT_BASE) == -KEEL_EPERM;
	check(refused == sizeof(pv_only) / sizeof(pv_only[0]), "vmcall PV-only calls -> -EPERM",
	      refused, sizeof(pv_only) / sizeof(pv_only[0]));
}

static void test_pio(void)
{
	uint8_t lsr = inb(0x3fd);

	check(lsr == 0x60, "port in 0x3fd (UART LSR)", lsr, 0x60);
	outb(0x3ff, 0x5a);
	check(inb(0x3ff) == 0x5a, "port out/in 0x3ff (UART scratch)", inb(0x3ff), 0x5a);
	check(inb(0x80) == 0xff, "port in 0x80 (no device) reads 0xff", inb(0x80), 0xff);
	check(inw(0x1234) == 0xffff, "port inw 0x1234 (no device)", inw(0x1234), 0xffff);
	check(inl(0xcfc) == 0xffffffff, "port inl 0xcfc (no device)", inl(0xcfc), 0xffffffff);
}

static void test_msr(void)
{
	int vec;
	uint64_t v = rdmsr_safe(0x1b, &vec);

	check(vec < 0 && v == 0xfee00900, "rdmsr IA32_APIC_BASE", v, 0xfee00900);
	v = rdmsr_safe(0x3a, &vec);
	check(vec < 0 && v == 1, "rdmsr IA32_FEATURE_CONTROL (locked, no VMX)", v, 1);
	rdmsr_safe(0x12345, &vec);
	check(vec == 13, "rdmsr unknown MSR 0x12345 -> #GP", (uint64_t)vec, 13);
	vec = wrmsr_safe(0x277, 0x0007010600070106ULL);
	v = rdmsr_safe(0x277, &vec);
	check(v == 0x0007010600070106ULL, "wrmsr/rdmsr IA32_PAT", v, 0x0007010600070106ULL);
	vec = wrmsr_safe(0x277, 0x0202020202020202ULL);
	check(vec == 13, "wrmsr IA32_PAT invalid type -> #GP", (uint64_t)vec, 13);
	vec = wrmsr_safe(0xc0000100, 0x12345000); /* FS_BASE passes through */
	v = rdmsr_safe(0xc0000100, &vec);
	check(v == 0x12345000, "wrmsr/rdmsr FS_BASE (pass-through)", v, 0x12345000);
}

static void test_mmio(void)
{
	volatile uint32_t *id = (volatile uint32_t *)(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_ID);
	volatile uint64_t *scratch = (volatile uint64_t *)(KEEL_TESTDEV_MMIO + KEEL_TESTDEV_SCRATCH);
	volatile uint8_t *scratch8 = (volatile uint8_t *)scratch;
	uint64_t v;

	check(*id == KEEL_TESTDEV_ID_VALUE, "mmio read testdev id", *id, KEEL_TESTDEV_ID_VALUE);
	*scratch = 0x1122334455667788ULL;
	v = *scratch;
	check(v == 0x1122334455667788ULL, "mmio 64-bit write/read scratch", v, 0x1122334455667788ULL);
	*scratch8 = 0xab;
	v = *scratch8;
	check(v == 0xab, "mmio byte write/read scratch", v, 0xab);
	__asm__ volatile("movzbl %1, %%eax; mov %%rax, %0" : "=r"(v) : "m"(*(volatile uint8_t *)id) : "rax");
	check(v == 0x4b, "mmio movzx byte read", v, 0x4b);
}

static void test_vmxon(void)
{
	static uint64_t region __attribute__((aligned(4096)));

	guest_fault_vector = -1;
	guest_fault_skip = 4; /* vmxon (%rax) is f3 0f c7 30 */
	__asm__ volatile("vmxon (%0)" ::"a"(&region) : "memory");
	check(guest_fault_vector == 6, "vmxon in guest -> #UD", (uint64_t)guest_fault_vector, 6);
}

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	gprintf("exits64: started with %lu KiB RAM, args '%s'\n", ram / 1024, args);
	test_cpuid();
	test_vmcall();
	test_pio();
	test_msr();
	test_mmio();
	test_mmio_strings();
	test_mmio_alu();
	test_vmxon();
	gprintf("exits64: %u checks, %u failed\n", guest_checks, guest_failures);
	return (int)guest_failures;
}
