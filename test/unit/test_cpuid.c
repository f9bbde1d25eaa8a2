/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the guest CPUID model (vmm/cpuid.c), fed the CPUID of
 * Bochs's CPU models (cpuid_models.h). Bit numbers are the SDM's (Vol. 2A
 * CPUID, Vol. 1 chapter 13), written out here rather than taken from the
 * model: what must be hidden everywhere it shows, what follows XSAVE and
 * AVX, what follows the vCPU, and XSETBV's rules for XCR0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/abi.h>
#include <keel/cpuid.h>
#include <keel/vmsr.h>
#include "cpuid_models.h"

enum { EAX, EBX, ECX, EDX };
#define B(n) (1u << (n))

static const struct cpuid_row *table;
static uint32_t clear_l1_ecx; /* bits taken out of the table's leaf 1 ECX */

static struct cpuid_regs host(uint32_t leaf, uint32_t sub)
{
	for (const struct cpuid_row *r = table; r->leaf != ~0u; r++)
		if (r->leaf == leaf && r->sub == sub) {
			struct cpuid_regs c = { r->r[0], r->r[1], r->r[2], r->r[3] };

			if (leaf == 1)
				c.ecx &= ~clear_l1_ecx;
			return c;
		}
	return (struct cpuid_regs){ 0, 0, 0, 0 };
}

static struct cpuid_model m;
static struct vmsr msr;

static void use(const struct cpuid_row *t, uint32_t clear)
{
	struct vmsr_cpu cpu = { .maxphyaddr = 40, .pat = true, .mtrr = true, .x2apic = true,
				.tsc_deadline = true, .nx = true, .lm = true, .tsc_writable = true };

	table = t;
	clear_l1_ecx = clear;
	cpuid_model_init(&m, host, true);
	vmsr_reset(&msr, &cpu, 0);
}

static uint32_t reg(uint32_t leaf, uint32_t sub, const struct cpuid_vcpu *s, int r)
{
	struct cpuid_regs c = cpuid_guest(&m, leaf, sub, host(leaf, sub), s);
	uint32_t v[4] = { c.eax, c.ebx, c.ecx, c.edx };

	return v[r];
}

/* Leaf 1 ECX bits that must never show: DTES64 MONITOR DS-CPL VMX SMX EST TM2 xTPR PDCM DCA. */
#define L1_ECX_NEVER (B(2) | B(3) | B(4) | B(5) | B(6) | B(7) | B(8) | B(14) | B(15) | B(18))
/* Leaf 1 EDX: MCE MCA DS ACPI TM PBE. */
#define L1_EDX_NEVER (B(7) | B(14) | B(21) | B(22) | B(29) | B(31))
/* Leaf 7 EBX: SGX HLE RTM PQM MPX PQE PT; ECX: PKU OSPKE WAITPKG CET_SS TME SGX_LC. */
#define L7_EBX_NEVER (B(2) | B(4) | B(11) | B(12) | B(14) | B(15) | B(25))
#define L7_ECX_NEVER (B(3) | B(4) | B(5) | B(7) | B(13) | B(30))

static void hidden_everywhere(void)
{
	assert_int_equal(reg(1, 0, NULL, ECX) & L1_ECX_NEVER, 0);
	assert_int_equal(reg(1, 0, NULL, EDX) & L1_EDX_NEVER, 0);
	assert_int_equal(reg(7, 0, NULL, EBX) & L7_EBX_NEVER, 0);
	assert_int_equal(reg(7, 0, NULL, ECX) & L7_ECX_NEVER, 0);
	assert_int_equal(reg(7, 0, NULL, EDX), 0); /* no speculation-control MSRs */
	assert_int_equal(reg(7, 0, NULL, EAX), 0); /* no sub-leaf 1 */
	assert_int_equal(reg(7, 1, NULL, EAX), 0);
	for (uint32_t l = 5; l <= 0x16; l++) {
		if (l != 5 && l != 6 && l != 0xa && l != 0x15 && l != 0x16)
			continue;
		for (int r = EAX; r <= EDX; r++)
			assert_int_equal(reg(l, 0, NULL, r), 0);
	}
	/* XSAVES (0xd.1 EAX[3]) and supervisor state (0xd.1 ECX/EDX): no IA32_XSS. */
	assert_int_equal(reg(0xd, 1, NULL, EAX) & B(3), 0);
	assert_int_equal(reg(0xd, 1, NULL, ECX), 0);
	/* MPX and PKRU components never offered. */
	assert_int_equal(reg(0xd, 0, NULL, EAX) & (B(3) | B(4) | B(9)), 0);
	assert_int_equal(reg(0xd, 3, NULL, EAX), 0);
	/* Always: hypervisor, MTRR, TSC_ADJUST (with TSC offsetting), one logical CPU, ID 0. */
	assert_true(reg(1, 0, NULL, ECX) & B(31));
	assert_true(reg(1, 0, NULL, EDX) & B(12));
	assert_true(reg(7, 0, NULL, EBX) & B(1));
	assert_int_equal(reg(1, 0, NULL, EBX) >> 16, 1);
	assert_int_equal(reg(0xb, 0, NULL, EDX), 0);
}

static void skylake_x(void **state)
{
	(void)state;
	use(skylake_x_tab, 0);
	hidden_everywhere();
	/* XSAVE, AVX, FMA, F16C, x2APIC, TSC-deadline; OSXSAVE only with the guest's CR4. */
	assert_int_equal(reg(1, 0, NULL, ECX) & (B(12) | B(21) | B(24) | B(26) | B(27) | B(28) | B(29)),
			 B(12) | B(21) | B(24) | B(26) | B(28) | B(29));
	/* Leaf 7: AVX2, AVX512F, DQ, CD, BW, VL as Bochs's Skylake-X has them. */
	assert_int_equal(reg(7, 0, NULL, EBX) & (B(5) | B(16) | B(17) | B(28) | B(30) | B(31)),
			 B(5) | B(16) | B(17) | B(28) | B(30) | B(31));
	/* x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM: 0xe7; all of them 2688 bytes. */
	assert_int_equal(m.xcr0_mask, 0xe7);
	assert_int_equal(reg(0xd, 0, NULL, EAX), 0xe7);
	assert_int_equal(reg(0xd, 0, NULL, EDX), 0);
	assert_int_equal(reg(0xd, 0, NULL, ECX), 2688);
	assert_int_equal(reg(0xd, 0, NULL, EBX), 576); /* XCR0 = 1 at power-on */
	assert_int_equal(reg(0xd, 1, NULL, EAX), 7);    /* XSAVEOPT XSAVEC XGETBV1 */
	assert_int_equal(reg(0xd, 2, NULL, EAX), 256);
	assert_int_equal(reg(0xd, 2, NULL, EBX), 576);
	assert_int_equal(reg(0xd, 7, NULL, EAX), 1024);
	assert_int_equal(reg(0xd, 7, NULL, EBX), 1664);
	assert_int_equal(cpuid_xsave_size(&m, 7), 832);
	assert_int_equal(cpuid_xsave_size(&m, 0xe7), 2688);
	/* XSAVEC's compacted size (0xd.1 EBX): packed, no component asks for alignment here. */
	assert_int_equal(reg(0xd, 1, NULL, EBX), 576);
	assert_int_equal(cpuid_xsave_compacted_size(&m, 0xe7), 576 + 256 + 64 + 512 + 1024);
}

static void haswell(void **state)
{
	(void)state;
	use(haswell_tab, 0);
	hidden_everywhere();
	assert_true(reg(1, 0, NULL, ECX) & B(28));
	assert_true(reg(7, 0, NULL, EBX) & B(5));           /* AVX2 */
	assert_int_equal(reg(7, 0, NULL, EBX) & B(16), 0); /* no AVX-512 */
	assert_int_equal(m.xcr0_mask, 7);
	assert_int_equal(reg(0xd, 0, NULL, ECX), 832);
	assert_int_equal(reg(0xd, 1, NULL, EAX), 1); /* XSAVEOPT only */
	assert_int_equal(reg(0xd, 1, NULL, EBX), 0); /* no XSAVEC: no compacted size */
	assert_int_equal(reg(0xd, 5, NULL, EAX), 0);
}

/* Sandy Bridge: AVX but no leaf 7 features, no x2APIC in the host; the vLAPIC has it anyway. */
static void sandy_bridge(void **state)
{
	(void)state;
	use(sandy_bridge_tab, 0);
	hidden_everywhere();
	assert_int_equal(host(1, 0).ecx & B(21), 0);
	assert_true(reg(1, 0, NULL, ECX) & B(21));
	assert_true(reg(1, 0, NULL, ECX) & B(24));
	assert_true(reg(1, 0, NULL, ECX) & B(28));
	assert_int_equal(reg(7, 0, NULL, EBX), B(1)); /* TSC_ADJUST only */
	assert_int_equal(m.xcr0_mask, 7);
}

/* A host without XSAVE: nothing that needs XSAVE state shows, anywhere. */
static void no_xsave(void **state)
{
	(void)state;
	use(skylake_x_tab, B(26));
	hidden_everywhere();
	assert_int_equal(m.xcr0_mask, 0);
	assert_int_equal(reg(1, 0, NULL, ECX) & (B(12) | B(26) | B(27) | B(28) | B(29)), 0);
	assert_int_equal(reg(7, 0, NULL, EBX) & (B(5) | B(16) | B(17) | B(30) | B(31)), 0);
	for (uint32_t sub = 0; sub < 8; sub++)
		for (int r = EAX; r <= EDX; r++)
			assert_int_equal(reg(0xd, sub, NULL, r), 0);
	assert_false(cpuid_xcr0_valid(&m, 1));
	/* XSAVE but no AVX: AVX's dependants go, SSE state stays. */
	use(skylake_x_tab, B(28));
	assert_int_equal(m.xcr0_mask, 3);
	assert_int_equal(reg(1, 0, NULL, ECX) & (B(12) | B(26) | B(28) | B(29)), B(26));
	assert_int_equal(reg(7, 0, NULL, EBX) & (B(5) | B(16)), 0);
}

static void follows_the_vcpu(void **state)
{
	struct cpuid_vcpu s = { .msr = &msr, .xcr0 = 1 };

	(void)state;
	use(skylake_x_tab, 0);
	assert_int_equal(reg(1, 0, &s, ECX) & B(27), 0);
	s.osxsave = true;
	assert_true(reg(1, 0, &s, ECX) & B(27));
	s.xcr0 = 7;
	assert_int_equal(reg(0xd, 0, &s, EBX), 832);
	assert_int_equal(reg(0xd, 1, &s, EBX), 832);
	s.xcr0 = 0xe7;
	assert_int_equal(reg(0xd, 0, &s, EBX), 2688);
	assert_int_equal(reg(0xd, 1, &s, EBX), 2432); /* what Linux 6.1 computes for its buffers */
	assert_int_equal(reg(0xd, 0, &s, ECX), 2688);
	/* A vCPU without a vLAPIC: no x2APIC, no TSC-deadline. */
	msr.cpu.x2apic = msr.cpu.tsc_deadline = false;
	assert_int_equal(reg(1, 0, &s, ECX) & (B(21) | B(24)), 0);
	/* APIC globally disabled: the APIC flag goes (SDM 3A 11.4.3). */
	assert_true(reg(1, 0, &s, EDX) & B(9));
	msr.apic_base &= ~(uint64_t)B(11);
	assert_int_equal(reg(1, 0, &s, EDX) & B(9), 0);
	/* MISC_ENABLE: limit CPUID to leaf 2, XD disable hides NX. */
	assert_int_equal(reg(0, 0, &s, EAX), 0x16);
	msr.misc_enable |= 1ULL << 22;
	assert_int_equal(reg(0, 0, &s, EAX), 2);
	assert_true(reg(0x80000001, 0, &s, EDX) & B(20));
	msr.misc_enable |= 1ULL << 34;
	assert_int_equal(reg(0x80000001, 0, &s, EDX) & B(20), 0);
}

/* SDM 1 13.3 and XSETBV (SDM 2B): which XCR0 values are #GP. */
static void xcr0_rules(void **state)
{
	(void)state;
	use(skylake_x_tab, 0);
	assert_true(cpuid_xcr0_valid(&m, 1));
	assert_true(cpuid_xcr0_valid(&m, 3));
	assert_true(cpuid_xcr0_valid(&m, 7));
	assert_true(cpuid_xcr0_valid(&m, 0xe7));
	assert_false(cpuid_xcr0_valid(&m, 0));     /* x87 must stay set */
	assert_false(cpuid_xcr0_valid(&m, 2));
	assert_false(cpuid_xcr0_valid(&m, 5));     /* AVX without SSE */
	assert_false(cpuid_xcr0_valid(&m, 0x27));  /* AVX-512 components one by one */
	assert_false(cpuid_xcr0_valid(&m, 0x67));
	assert_false(cpuid_xcr0_valid(&m, 0xe3));  /* AVX-512 without AVX */
	assert_false(cpuid_xcr0_valid(&m, 0x1f));  /* MPX: not offered */
	assert_false(cpuid_xcr0_valid(&m, 0x207)); /* PKRU: not offered */
	assert_false(cpuid_xcr0_valid(&m, 1ULL << 63));
	use(haswell_tab, 0);
	assert_true(cpuid_xcr0_valid(&m, 7));
	assert_false(cpuid_xcr0_valid(&m, 0xe7)); /* the host has no AVX-512 */
}

/*
 * Linux's hypervisor_cpuid_base(): a signature at 0x40000000 + n * 0x100.
 * Keel's comes first, KVM's at 0x40000100 with no feature and no hint.
 */
static uint32_t sig_base(const char *sig)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		struct cpuid_regs c = cpuid_hv_leaf(base);
		uint32_t w[3] = { c.ebx, c.ecx, c.edx };

		if (!memcmp(w, sig, 12))
			return base;
	}
	return 0;
}

static void hypervisor_leaves(void **state)
{
	struct cpuid_regs c;

	(void)state;
	assert_int_equal(sig_base("KeelKeelKeel"), 0x40000000);
	assert_int_equal(sig_base("KVMKVMKVM\0\0\0"), 0x40000100);
	assert_int_equal(cpuid_hv_leaf(0x40000000).eax, 0x40000001);
	assert_int_equal(cpuid_hv_leaf(0x40000001).eax, KEEL_ABI_VERSION);
	assert_int_equal(cpuid_hv_leaf(0x40000100).eax, 0x40000101);
	c = cpuid_hv_leaf(0x40000101); /* KVM_CPUID_FEATURES: EAX features, EDX hints */
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	for (uint32_t l = 0x40000002; l < 0x40000100; l++)
		assert_int_equal(cpuid_hv_leaf(l).ebx, 0);
	c = cpuid_hv_leaf(0x40000200);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
	c = cpuid_hv_leaf(0x4fffffff);
	assert_int_equal(c.eax | c.ebx | c.ecx | c.edx, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(skylake_x),	    cmocka_unit_test(haswell),
		cmocka_unit_test(sandy_bridge),	    cmocka_unit_test(no_xsave),
		cmocka_unit_test(follows_the_vcpu), cmocka_unit_test(xcr0_rules),
		cmocka_unit_test(hypervisor_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
