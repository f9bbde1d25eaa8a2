/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the guest MSR model (vmm/vmsr.c, vmsr_mtrr.c) against the
 * Intel SDM: Vol. 4 Table 2-2 for the MSRs, Vol. 3A 11.4.4/11.12.5.1 for
 * IA32_APIC_BASE, 12.11 for the MTRRs, 12.12.2 for PAT, 18.17.3 for the
 * TSC. MSR numbers and values are written out here from the SDM, not taken
 * from the model's header. Every faulting write must leave the state as it
 * was: wr_gp() checks that on every #GP it expects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/vmsr.h>

#define GP (-1)

static struct vmsr s;
static struct vmsr_ctx ctx;

/* A Skylake-like CPU: 46 physical address bits, everything but x2APIC. */
static const struct vmsr_cpu full = {
	.maxphyaddr = 46, .pat = true, .mtrr = true, .tsc_adjust = true, .x2apic = false,
	.nx = true, .lm = true, .tsc_writable = true,
};

static void reset_with(struct vmsr_cpu cpu)
{
	vmsr_reset(&s, &cpu, 0x1000);
	ctx = (struct vmsr_ctx){ .host_tsc = 5000000, .efer = 0x500 /* LME, LMA */, .paging = true };
}

static int setup(void **state)
{
	(void)state;
	reset_with(full);
	return 0;
}

static uint64_t rd(uint32_t msr)
{
	uint64_t v = 0xdeadbeefdeadbeefULL;

	assert_int_equal(vmsr_read(&s, msr, &ctx, &v), 0);
	return v;
}

static void rd_gp(uint32_t msr)
{
	uint64_t v = 0x1234;

	assert_int_equal(vmsr_read(&s, msr, &ctx, &v), GP);
	assert_int_equal(v, 0x1234); /* nothing returned */
}

static int wr(uint32_t msr, uint64_t val)
{
	int r = vmsr_write(&s, msr, val, &ctx);

	assert_true(r >= 0);
	return r;
}

/* The write faults and changes nothing at all. */
static void wr_gp(uint32_t msr, uint64_t val)
{
	struct vmsr before = s;
	struct vmsr_ctx cbefore = ctx;

	assert_int_equal(vmsr_write(&s, msr, val, &ctx), GP);
	assert_memory_equal(&s, &before, sizeof(s));
	assert_memory_equal(&ctx, &cbefore, sizeof(ctx));
}

/* ---- power-on values ---- */

static void test_power_on(void **state)
{
	(void)state;
	assert_int_equal(rd(0x1b), 0xfee00900); /* base FEE00000, EN, BSP (SDM 3A 11.4.4) */
	assert_int_equal(rd(0x1a0), 0x1801);    /* fast strings, BTS and PEBS unavailable */
	assert_int_equal(rd(0x277), 0x0007040600070406ULL); /* SDM 3A 12.12.4 */
	assert_int_equal(rd(0xfe), 0x508);      /* 8 variable ranges, fixed, WC */
	assert_int_equal(rd(0x2ff), 0);         /* MTRRs off: all UC (12.11.5) */
	assert_int_equal(rd(0x10), 5000000 + 0x1000);
	assert_int_equal(rd(0x3b), 0);
	assert_int_equal(rd(0x3a), 1);          /* FEATURE_CONTROL locked, VMX off */
	assert_int_equal(rd(0x17), 0);
	assert_int_equal(rd(0x8b), 0);
	assert_int_equal(rd(0xc0000080), 0x500);
	for (uint32_t m = 0x200; m < 0x210; m++)
		assert_int_equal(rd(m), 0);
}

/* ---- IA32_APIC_BASE ---- */

static void test_apic_base_disable_enable(void **state)
{
	(void)state;
	assert_int_equal(wr(0x1b, 0xfee00100), VMSR_CHG_APIC); /* EN off */
	assert_int_equal(rd(0x1b), 0xfee00100);
	assert_int_equal(wr(0x1b, 0xfee00100), 0); /* unchanged: nothing to apply */
	assert_int_equal(wr(0x1b, 0xfee00900), VMSR_CHG_APIC); /* on again */
	assert_int_equal(rd(0x1b), 0xfee00900);
	/* BSP is R/W and moves nothing. */
	assert_int_equal(wr(0x1b, 0xfee00800), 0);
	assert_int_equal(rd(0x1b), 0xfee00800);
	assert_int_equal(wr(0x1b, 0xfee00900), 0);
}

static void test_apic_base_reserved(void **state)
{
	(void)state;
	for (unsigned b = 0; b < 8; b++)
		wr_gp(0x1b, 0xfee00900 | 1ULL << b);
	wr_gp(0x1b, 0xfee00900 | 1ULL << 9);
	wr_gp(0x1b, 0xfee00900 | 1ULL << 10); /* x2APIC: not in this model's CPUID */
	for (unsigned b = 46; b < 64; b++)
		wr_gp(0x1b, 0xfee00900 | 1ULL << b);
	/* With 39 physical address bits, bit 39 is reserved and bit 38 is base. */
	reset_with((struct vmsr_cpu){ .maxphyaddr = 39 });
	wr_gp(0x1b, 0xfee00900 | 1ULL << 39);
	wr_gp(0x1b, 0xfee00900 | 1ULL << 38); /* a valid base, but a move */
}

static void test_apic_base_never_moves(void **state)
{
	(void)state;
	wr_gp(0x1b, 0xfed00900);
	wr_gp(0x1b, 0xfee01900);
	wr_gp(0x1b, 0x100000900);
	wr(0x1b, 0xfee00100);
	wr_gp(0x1b, 0xfec00100); /* not while disabled either */
	wr_gp(0x1b, 0xfec00900);
	assert_int_equal(rd(0x1b) & ~0xfffULL, 0xfee00000);
}

/* The x2APIC transitions of SDM 3A 11.12.5.1, on a model that has x2APIC. */
static void test_apic_base_x2apic_transitions(void **state)
{
	struct vmsr_cpu x2 = full;

	(void)state;
	x2.x2apic = true;
	reset_with(x2);
	wr_gp(0x1b, 0xfee00500);                 /* xAPIC -> invalid (EN=0, EXTD=1) */
	assert_int_equal(wr(0x1b, 0xfee00d00), VMSR_CHG_APIC); /* xAPIC -> x2APIC */
	wr_gp(0x1b, 0xfee00900);                 /* x2APIC -> xAPIC */
	wr_gp(0x1b, 0xfee00500);                 /* x2APIC -> invalid */
	assert_int_equal(wr(0x1b, 0xfee00d00), 0);
	assert_int_equal(wr(0x1b, 0xfee00100), VMSR_CHG_APIC); /* x2APIC -> disabled */
	wr_gp(0x1b, 0xfee00d00);                 /* disabled -> x2APIC */
	wr_gp(0x1b, 0xfee00500);                 /* disabled -> invalid */
	assert_int_equal(wr(0x1b, 0xfee00900), VMSR_CHG_APIC); /* disabled -> xAPIC */
	assert_int_equal(wr(0x1b, 0xfee00d00), VMSR_CHG_APIC); /* and on to x2APIC */
}

/* ---- TSC and TSC_ADJUST (SDM 3A 18.17.3) ---- */

static void test_tsc_write_moves_adjust(void **state)
{
	(void)state;
	assert_int_equal(wr(0x10, 9000000), VMSR_CHG_TSC);
	assert_int_equal(rd(0x10), 9000000); /* at the same host time */
	assert_int_equal(rd(0x3b), 9000000 - (5000000 + 0x1000));
	assert_int_equal(s.tsc_offset + (uint64_t)5000000, 9000000);
	ctx.host_tsc += 777;
	assert_int_equal(rd(0x10), 9000777); /* and it runs on */
	/* Backwards: TSC_ADJUST goes negative by as much. */
	wr(0x10, 0);
	assert_int_equal(rd(0x10), 0);
	assert_int_equal(rd(0x3b), -(uint64_t)(5000777 + 0x1000));
}

static void test_tsc_adjust_write_moves_tsc(void **state)
{
	(void)state;
	assert_int_equal(wr(0x3b, 250), VMSR_CHG_TSC);
	assert_int_equal(rd(0x3b), 250);
	assert_int_equal(rd(0x10), 5000000 + 0x1000 + 250);
	wr(0x3b, -(uint64_t)50);
	assert_int_equal(rd(0x10), 5000000 + 0x1000 - 50);
	/* The two stay apart by the same amount whatever is written. */
	wr(0x10, 123456789);
	wr(0x3b, 42);
	wr(0x10, ~0ULL);
	assert_int_equal(s.tsc_offset - s.tsc_adjust, 0x1000);
}

static void test_tsc_cpu_limits(void **state)
{
	struct vmsr_cpu c = full;

	(void)state;
	c.tsc_adjust = false;
	reset_with(c);
	rd_gp(0x3b);
	wr_gp(0x3b, 0);
	wr(0x10, 77);
	assert_int_equal(rd(0x10), 77);
	c.tsc_writable = false; /* no TSC offsetting: the TSC reads but cannot be set */
	c.tsc_adjust = true;    /* and TSC_ADJUST, which would have to move it, is not there */
	reset_with(c);
	assert_int_equal(rd(0x10), 5000000 + 0x1000);
	wr_gp(0x10, 77);
	rd_gp(0x3b);
	wr_gp(0x3b, 0);
}

/* ---- MTRRs (SDM 3A 12.11) ---- */

static const uint32_t fixed_msrs[] = { 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a,
				       0x26b, 0x26c, 0x26d, 0x26e, 0x26f };

static void test_mtrr_cap_and_def_type(void **state)
{
	static const uint64_t bad_types[] = { 2, 3, 7, 8, 0x10, 0xff };

	(void)state;
	wr_gp(0xfe, 0x508); /* read-only */
	wr_gp(0xfe, 0);
	for (uint64_t t = 0; t < 7; t++)
		if (t != 2 && t != 3) {
			assert_int_equal(wr(0x2ff, 0xc00 | t), VMSR_CHG_MTRR);
			assert_int_equal(rd(0x2ff), 0xc00 | t);
		}
	for (unsigned i = 0; i < sizeof(bad_types) / sizeof(bad_types[0]); i++)
		wr_gp(0x2ff, 0xc00 | bad_types[i]);
	for (unsigned b = 8; b < 64; b++)
		if (b != 10 && b != 11)
			wr_gp(0x2ff, 0x6 | 1ULL << b);
	wr(0x2ff, 0x400);
	assert_int_equal(rd(0x2ff), 0x400);
}

static void test_mtrr_fixed(void **state)
{
	static const uint64_t types[] = { 0, 1, 4, 5, 6 };

	(void)state;
	for (unsigned i = 0; i < 11; i++) {
		uint64_t v = 0x0605040100060504ULL; /* every valid type */

		assert_int_equal(wr(fixed_msrs[i], v), VMSR_CHG_MTRR);
		assert_int_equal(rd(fixed_msrs[i]), v);
		/* One bad byte anywhere faults the whole write. */
		for (unsigned byte = 0; byte < 8; byte++) {
			wr_gp(fixed_msrs[i], (v & ~(0xffULL << 8 * byte)) | 2ULL << 8 * byte);
			wr_gp(fixed_msrs[i], (v & ~(0xffULL << 8 * byte)) | 7ULL << 8 * byte);
			wr_gp(fixed_msrs[i], (v & ~(0xffULL << 8 * byte)) | 0x86ULL << 8 * byte);
		}
	}
	/* Distinct registers: each keeps its own value (two bytes of valid types). */
	for (unsigned i = 0; i < 11; i++)
		wr(fixed_msrs[i], types[i % 5] | types[i / 5] << 8);
	for (unsigned i = 0; i < 11; i++)
		assert_int_equal(rd(fixed_msrs[i]), types[i % 5] | types[i / 5] << 8);
	/* Numbers between them are not MTRRs. */
	rd_gp(0x251);
	rd_gp(0x257);
	rd_gp(0x25a);
	rd_gp(0x267);
	rd_gp(0x270);
	wr_gp(0x251, 0);
	wr_gp(0x270, 0);
}

static void test_mtrr_variable(void **state)
{
	(void)state;
	/* PHYSBASEn: type 7:0, 11:8 reserved, base 45:12 on a 46-bit CPU. */
	assert_int_equal(wr(0x200, 0x3ffffffff000ULL | 6), VMSR_CHG_MTRR);
	assert_int_equal(rd(0x200), 0x3ffffffff006ULL);
	for (unsigned b = 8; b < 12; b++)
		wr_gp(0x202, 1ULL << b);
	for (unsigned b = 46; b < 64; b++)
		wr_gp(0x202, 1ULL << b);
	wr_gp(0x202, 2);
	wr_gp(0x202, 7);
	/* PHYSMASKn: 10:0 reserved, V 11, mask 45:12. */
	assert_int_equal(wr(0x201, 0x3fffc0000800ULL), VMSR_CHG_MTRR);
	assert_int_equal(rd(0x201), 0x3fffc0000800ULL);
	for (unsigned b = 0; b < 11; b++)
		wr_gp(0x203, 0x800 | 1ULL << b);
	for (unsigned b = 46; b < 64; b++)
		wr_gp(0x203, 0x800 | 1ULL << b);
	/* Eight pairs, each its own. */
	for (uint32_t m = 0x200; m < 0x210; m++)
		wr(m, m % 2 ? 0xfff0000800ULL : (uint64_t)(m - 0x200) << 12 | 4);
	for (uint32_t m = 0x200; m < 0x210; m++)
		assert_int_equal(rd(m), m % 2 ? 0xfff0000800ULL : (uint64_t)(m - 0x200) << 12 | 4);
	rd_gp(0x210); /* there is no ninth pair */
	wr_gp(0x210, 0);
	/* A 36-bit CPU: bit 36 is reserved in both. */
	reset_with((struct vmsr_cpu){ .maxphyaddr = 36, .mtrr = true });
	wr_gp(0x200, 1ULL << 36);
	wr_gp(0x201, 1ULL << 36 | 0x800);
	wr(0x201, 0xf00000800ULL);
}

static void test_mtrr_absent(void **state)
{
	struct vmsr_cpu c = full;
	static const uint32_t all[] = { 0xfe, 0x2ff, 0x200, 0x20f, 0x250, 0x258, 0x259, 0x26f };

	(void)state;
	c.mtrr = false;
	reset_with(c);
	for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		rd_gp(all[i]);
		wr_gp(all[i], 0);
	}
}

static void test_mtrr_type_lookup(void **state)
{
	(void)state;
	/* MTRRs disabled: UC everywhere, whatever the ranges say. */
	wr(0x200, 6);
	wr(0x201, 0x3fff00000800ULL); /* 0-4 GiB WB */
	assert_int_equal(vmsr_mtrr_type(&s, 0x100000), 0);
	wr(0x2ff, 0x800); /* E, default UC, fixed ranges off */
	assert_int_equal(vmsr_mtrr_type(&s, 0x100000), 6);
	assert_int_equal(vmsr_mtrr_type(&s, 0x0), 6); /* FE=0: below 1 MiB too */
	assert_int_equal(vmsr_mtrr_type(&s, 0x100000000ULL), 0); /* no match: default */
	/* Fixed ranges, at the edges of their units (Table 12-9). */
	wr(0x250, 0x0605040100060504ULL);
	wr(0x258, 0x0000000000000005ULL);
	wr(0x259, 0x0100000000000000ULL);
	wr(0x268, 0x0000000000000004ULL);
	wr(0x26f, 0x0500000000000000ULL);
	wr(0x2ff, 0xc00);
	assert_int_equal(vmsr_mtrr_type(&s, 0x0), 4);
	assert_int_equal(vmsr_mtrr_type(&s, 0xffff), 4);
	assert_int_equal(vmsr_mtrr_type(&s, 0x10000), 5);
	assert_int_equal(vmsr_mtrr_type(&s, 0x7ffff), 6);
	assert_int_equal(vmsr_mtrr_type(&s, 0x80000), 5);
	assert_int_equal(vmsr_mtrr_type(&s, 0x83fff), 5);
	assert_int_equal(vmsr_mtrr_type(&s, 0x84000), 0);
	assert_int_equal(vmsr_mtrr_type(&s, 0xbc000), 1);
	assert_int_equal(vmsr_mtrr_type(&s, 0xbffff), 1);
	assert_int_equal(vmsr_mtrr_type(&s, 0xc0000), 4);
	assert_int_equal(vmsr_mtrr_type(&s, 0xc1000), 0);
	assert_int_equal(vmsr_mtrr_type(&s, 0xff000), 5);
	assert_int_equal(vmsr_mtrr_type(&s, 0xfffff), 5);
	assert_int_equal(vmsr_mtrr_type(&s, 0x100000), 6); /* above 1 MiB: the variable range */
}

/* SDM 3A 12.11.4.1: overlapping variable ranges. */
static void test_mtrr_overlaps(void **state)
{
	(void)state;
	wr(0x2ff, 0x806);                 /* E, default WB */
	wr(0x200, 0x80000000ULL | 6);     /* 2-4 GiB WB */
	wr(0x201, 0x3fff80000800ULL);
	wr(0x202, 0xc0000000ULL | 4);     /* 3-4 GiB WT */
	wr(0x203, 0x3fffc0000800ULL);
	wr(0x204, 0xfee00000ULL | 0);     /* the LAPIC page UC */
	wr(0x205, 0x3ffffffff800ULL);
	assert_int_equal(vmsr_mtrr_type(&s, 0x90000000), 6);
	assert_int_equal(vmsr_mtrr_type(&s, 0xd0000000), 4); /* WT over WB: WT */
	assert_int_equal(vmsr_mtrr_type(&s, 0xfee00000), 0); /* UC over both: UC */
	assert_int_equal(vmsr_mtrr_type(&s, 0xfee01000), 4);
	wr(0x206, 0xd0000000ULL | 1);     /* WC over WT and WB: undefined */
	wr(0x207, 0x3ffff0000800ULL);
	assert_int_equal(vmsr_mtrr_type(&s, 0xd0000000), -1);
	wr(0x204, 0xd0000000ULL | 0);     /* ... unless UC is there too */
	assert_int_equal(vmsr_mtrr_type(&s, 0xd0000000), 0);
	wr(0x201, 0x3fff80000000ULL);     /* V clear: the range is off */
	assert_int_equal(vmsr_mtrr_type(&s, 0x90000000), 6);
	wr(0x2ff, 0x800);
	assert_int_equal(vmsr_mtrr_type(&s, 0x90000000), 0);
}

/* ---- IA32_MISC_ENABLE (Vol. 4 Table 2-2) ---- */

static void test_misc_enable(void **state)
{
	(void)state;
	wr(0x1a0, 0x1800);                       /* fast strings off */
	assert_int_equal(rd(0x1a0), 0x1800);
	wr(0x1a0, 0x1);                          /* RO bits keep their value */
	assert_int_equal(rd(0x1a0), 0x1801);
	wr(0x1a0, 0x1881);                       /* perfmon available: RO 0 */
	assert_int_equal(rd(0x1a0), 0x1801);
	wr(0x1a0, 0x1801 | 1ULL << 22 | 1ULL << 23);
	assert_int_equal(rd(0x1a0), 0x1801 | 1ULL << 22 | 1ULL << 23);
	wr_gp(0x1a0, 0x1801 | 1ULL << 3);        /* thermal control: not in this model */
	wr_gp(0x1a0, 0x1801 | 1ULL << 16);       /* Enhanced SpeedStep */
	wr_gp(0x1a0, 0x1801 | 1ULL << 18);       /* MONITOR FSM: MONITOR is hidden */
	wr_gp(0x1a0, 0x1801 | 1ULL << 38);       /* turbo disable */
	wr_gp(0x1a0, 0x1801 | 1ULL << 63);
}

static void test_xd_disable(void **state)
{
	struct vmsr_cpu c = full;

	(void)state;
	ctx.efer = 0xd00; /* NXE on */
	wr_gp(0x1a0, 0x1801 | 1ULL << 34);
	ctx.efer = 0x500;
	wr(0x1a0, 0x1801 | 1ULL << 34);
	assert_int_equal(rd(0x1a0), 0x1801 | 1ULL << 34);
	wr_gp(0xc0000080, 0xd00); /* NXE is reserved now */
	wr(0x1a0, 0x1801);
	assert_int_equal(wr(0xc0000080, 0xd00), VMSR_CHG_EFER);
	assert_int_equal(ctx.efer, 0xd00);
	c.nx = false;
	reset_with(c);
	wr_gp(0x1a0, 0x1801 | 1ULL << 34); /* no XD to disable */
	wr_gp(0xc0000080, 0xd00);
}

/* ---- PAT (SDM 3A 12.12.2) ---- */

static void test_pat(void **state)
{
	(void)state;
	assert_int_equal(wr(0x277, 0x0007010600070106ULL), VMSR_CHG_PAT);
	assert_int_equal(rd(0x277), 0x0007010600070106ULL);
	assert_int_equal(wr(0x277, 0x0706050401000706ULL), VMSR_CHG_PAT);
	for (unsigned e = 0; e < 8; e++) {
		uint64_t keep = 0x0007010600070106ULL & ~(0xffULL << 8 * e);

		wr_gp(0x277, keep | 2ULL << 8 * e);
		wr_gp(0x277, keep | 3ULL << 8 * e);
		wr_gp(0x277, keep | 8ULL << 8 * e);
		wr_gp(0x277, keep | 0x80ULL << 8 * e);
	}
	assert_int_equal(rd(0x277), 0x0706050401000706ULL);
	reset_with((struct vmsr_cpu){ .maxphyaddr = 36 });
	rd_gp(0x277);
	wr_gp(0x277, 0x0007040600070406ULL);
}

/* ---- EFER (Vol. 4 Table 2-2) ---- */

static void test_efer(void **state)
{
	(void)state;
	assert_int_equal(wr(0xc0000080, 0x501), VMSR_CHG_EFER); /* SCE */
	assert_int_equal(ctx.efer, 0x501);
	assert_int_equal(rd(0xc0000080), 0x501);
	wr(0xc0000080, 0x101); /* LMA written 0: ignored, the CPU's */
	assert_int_equal(ctx.efer, 0x501);
	wr_gp(0xc0000080, 0x401); /* LME off with paging on */
	wr_gp(0xc0000080, 0x502); /* reserved */
	wr_gp(0xc0000080, 0x500 | 1ULL << 12); /* SVME: not on Intel */
	wr_gp(0xc0000080, 0x500 | 1ULL << 63);
	ctx.paging = false;
	ctx.efer = 0;
	wr(0xc0000080, 0x100);
	assert_int_equal(ctx.efer, 0x100);
	wr(0xc0000080, 0x400); /* LMA alone: nothing */
	assert_int_equal(ctx.efer, 0);
}

/* ---- the rest ---- */

static void test_fixed_msrs(void **state)
{
	(void)state;
	wr_gp(0x3a, 1);  /* FEATURE_CONTROL is locked */
	wr_gp(0x3a, 5);
	wr_gp(0x17, 0);  /* PLATFORM_ID is read-only */
	assert_int_equal(wr(0x8b, 0), 0); /* BIOS_SIGN_ID: a microcode loader's write */
	assert_int_equal(rd(0x8b), 0);
}

/* MSRs the model's CPUID does not advertise, and ones no CPU has: #GP both ways. */
static void test_absent_msrs(void **state)
{
	static const uint32_t absent[] = {
		0x6e0,      /* TSC_DEADLINE: CPUID.1:ECX[24] hidden */
		0x48, 0x49, /* SPEC_CTRL, PRED_CMD: CPUID.7.0:EDX is 0 */
		0x10a, 0x10b, /* ARCH_CAPABILITIES, FLUSH_CMD */
		0x122, 0x123, 0xcf,
		0x179, 0x17a, 0x400, /* MCA: hidden */
		0x802, 0x808, 0x830, /* x2APIC registers */
		0xda0, 0x6a0, 0xd90, /* XSS, U_CET, BNDCFGS */
		0x40000000, 0x12345, 0xc0000081 + 0x1000, 0xffffffff,
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		rd_gp(absent[i]);
		wr_gp(absent[i], 0);
		wr_gp(absent[i], ~0ULL);
	}
}

/* What reads can be written back unchanged (a guest saving and restoring MSRs). */
static void test_write_back(void **state)
{
	static const uint32_t rw[] = { 0x1b, 0x1a0, 0x277, 0x2ff, 0x200, 0x201, 0x250, 0x26f, 0x3b };

	(void)state;
	wr(0x2ff, 0xc06);
	wr(0x200, 0xc0000000);
	wr(0x201, 0x3fffc0000800ULL);
	wr(0x1a0, 0x1801 | 1ULL << 22);
	for (unsigned i = 0; i < sizeof(rw) / sizeof(rw[0]); i++) {
		uint64_t v = rd(rw[i]);
		struct vmsr before = s;

		wr(rw[i], v);
		assert_int_equal(rd(rw[i]), v);
		assert_memory_equal(&s, &before, sizeof(s));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_power_on, setup),
		cmocka_unit_test_setup(test_apic_base_disable_enable, setup),
		cmocka_unit_test_setup(test_apic_base_reserved, setup),
		cmocka_unit_test_setup(test_apic_base_never_moves, setup),
		cmocka_unit_test_setup(test_apic_base_x2apic_transitions, setup),
		cmocka_unit_test_setup(test_tsc_write_moves_adjust, setup),
		cmocka_unit_test_setup(test_tsc_adjust_write_moves_tsc, setup),
		cmocka_unit_test_setup(test_tsc_cpu_limits, setup),
		cmocka_unit_test_setup(test_mtrr_cap_and_def_type, setup),
		cmocka_unit_test_setup(test_mtrr_fixed, setup),
		cmocka_unit_test_setup(test_mtrr_variable, setup),
		cmocka_unit_test_setup(test_mtrr_absent, setup),
		cmocka_unit_test_setup(test_mtrr_type_lookup, setup),
		cmocka_unit_test_setup(test_mtrr_overlaps, setup),
		cmocka_unit_test_setup(test_misc_enable, setup),
		cmocka_unit_test_setup(test_xd_disable, setup),
		cmocka_unit_test_setup(test_pat, setup),
		cmocka_unit_test_setup(test_efer, setup),
		cmocka_unit_test_setup(test_fixed_msrs, setup),
		cmocka_unit_test_setup(test_absent_msrs, setup),
		cmocka_unit_test_setup(test_write_back, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
