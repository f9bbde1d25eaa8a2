/* SPDX-License-Identifier: MIT */
/*
 * The guest MSR model (vmm/vmsr.c, vmsr_mtrr.c) played random RDMSR/WRMSR
 * sequences, with what a write changes applied to a real vLAPIC as
 * exit_msr.c applies it. The input's first bytes choose the virtual CPU
 * (address width, x2APIC, PAT, MTRR, NX, TSC offsetting); then each op is
 *   byte & 7   0-2 WRMSR: MSR (index into msrs[] or, op bit 3, a raw
 *                  32-bit number), value: raw 64 bits, or the MSR's value
 *                  with one bit flipped, or with one byte replaced
 *              3   RDMSR of an MSR chosen the same way
 *              4   host time passes (32-bit count)
 *              5   the guest toggles CR0.PG (EFER.LMA follows LME, as on entry)
 *              6   RESET (vmsr_reset, the vLAPIC to power-up)
 *              7   the guest reads its APIC page
 * After every op the invariants below are checked: what reads back is what
 * the SDM's rules allow, every value read can be written back unchanged,
 * a #GP changed nothing, the APIC never leaves 0xfee00000 (inside the MMIO
 * hole) and the vLAPIC is enabled exactly when IA32_APIC_BASE says so.
 */
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/vm.h>
#include <keel/vmsr.h>

#include "fuzz.h"

static const uint32_t msrs[] = {
	0x10, 0x17, 0x1b, 0x3a, 0x3b, 0x48, 0x49, 0x8b, 0xfe, 0x10a, 0x10b, 0x1a0,
	0x200, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207, 0x208, 0x209, 0x20a, 0x20b,
	0x20c, 0x20d, 0x20e, 0x20f, 0x210, 0x250, 0x258, 0x259, 0x268, 0x269, 0x26a, 0x26b,
	0x26c, 0x26d, 0x26e, 0x26f, 0x270, 0x277, 0x2ff, 0x6e0, 0x802, 0xc0000080,
};
#define NR_MSRS (sizeof(msrs) / sizeof(msrs[0]))

static struct vm vm;
static struct vlapic lapic;
static struct vmsr s;
static struct vmsr_ctx ctx;
static struct vmsr_cpu cpu;
static uint64_t offset_minus_adjust; /* SDM 18.17.3: fixed from RESET on */

static void reset(void)
{
	vmsr_reset(&s, &cpu, 0x123456789ULL);
	offset_minus_adjust = s.tsc_offset - s.tsc_adjust;
	vlapic_init(&lapic, 0);
	ctx.efer = ctx.paging ? EFER_LME_BIT | EFER_LMA_BIT : 0;
}

static uint32_t pick_msr(struct fuzz_in *in, uint8_t op)
{
	return (op & 8) ? (uint32_t)fuzz_le(in, 4) : msrs[fuzz_u8(in) % NR_MSRS];
}

/* As exit_msr.c's apply(): the vLAPIC follows IA32_APIC_BASE[11] and [10]. */
static void apply(int changed)
{
	if (changed & VMSR_CHG_APIC) {
		vlapic_set_hw_enabled(&lapic, s.apic_base & APIC_BASE_EN);
		vlapic_set_x2apic(&lapic, s.apic_base & APIC_BASE_EXTD);
	}
}

/* What a successful write must read back as. */
static void check_read_back(uint32_t msr, uint64_t val, uint64_t misc_before)
{
	uint64_t got;

	FUZZ_CHECK(!vmsr_read(&s, msr, &ctx, &got), "an MSR that took a write can be read");
	switch (msr) {
	case MSR_IA32_BIOS_SIGN_ID:
		FUZZ_CHECK(got == 0, "BIOS_SIGN_ID reads 0");
		break;
	case MSR_IA32_MISC_ENABLE:
		FUZZ_CHECK((got & ~(MISC_PERFMON | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)) ==
				   (val & ~(MISC_PERFMON | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)) &&
			   ((got ^ misc_before) & (MISC_PERFMON | MISC_BTS_UNAVAIL |
						   MISC_PEBS_UNAVAIL)) == 0,
			   "MISC_ENABLE: R/W bits read as written, RO bits as they were");
		break;
	case MSR_IA32_EFER:
		FUZZ_CHECK((got & ~EFER_LMA_BIT) == (val & ~EFER_LMA_BIT), "EFER reads back");
		break;
	default: /* TSC at the same host time included */
		FUZZ_CHECK(got == val, "a written MSR reads back as written");
	}
}

static void do_write(struct fuzz_in *in, uint8_t op)
{
	uint32_t msr = pick_msr(in, op);
	uint64_t val, cur = 0, misc = s.misc_enable;
	struct vmsr before = s;
	struct vmsr_ctx cbefore = ctx;
	int r;

	vmsr_read(&s, msr, &ctx, &cur);
	switch (op & 7) {
	case 0:
		val = fuzz_le(in, 8);
		break;
	case 1:
		val = cur ^ (1ULL << (fuzz_u8(in) & 63));
		break;
	default: {
		unsigned byte = fuzz_u8(in) & 7;

		val = (cur & ~(0xffULL << 8 * byte)) | (uint64_t)fuzz_u8(in) << 8 * byte;
	}
	}
	r = vmsr_write(&s, msr, val, &ctx);
	if (r == VMSR_GP) {
		FUZZ_CHECK(!memcmp(&s, &before, sizeof(s)) && !memcmp(&ctx, &cbefore, sizeof(ctx)),
			   "a write that faults changes nothing");
		return;
	}
	FUZZ_CHECK(r >= 0 && !(r & ~(int)(VMSR_CHG_TSC | VMSR_CHG_PAT | VMSR_CHG_APIC |
					   VMSR_CHG_EFER | VMSR_CHG_MTRR)),
		   "a write returns #GP or what it changed");
	FUZZ_CHECK(!(r & VMSR_CHG_APIC) == !((before.apic_base ^ s.apic_base) &
					      (APIC_BASE_EN | APIC_BASE_EXTD)),
		   "the vLAPIC is told exactly when its mode changes");
	apply(r);
	check_read_back(msr, val, misc);
}

/* Everything that reads can be written back as read, changing nothing. */
static void check_write_back(void)
{
	for (unsigned i = 0; i < NR_MSRS; i++) {
		struct vmsr before = s;
		struct vmsr_ctx cbefore = ctx;
		uint64_t v;

		if (vmsr_read(&s, msrs[i], &ctx, &v))
			continue;
		if (msrs[i] == MSR_IA32_PLATFORM_ID || msrs[i] == MSR_IA32_FEATURE_CONTROL ||
		    msrs[i] == MSR_IA32_MTRRCAP || (msrs[i] == MSR_IA32_TSC && !cpu.tsc_writable))
			continue; /* read-only: their writes are #GP */
		FUZZ_CHECK(vmsr_write(&s, msrs[i], v, &ctx) >= 0, "a value read writes back");
		FUZZ_CHECK(!memcmp(&s, &before, sizeof(s)) && !memcmp(&ctx, &cbefore, sizeof(ctx)),
			   "writing back what was read changes nothing");
	}
}

static void check_state(void)
{
	uint64_t a = s.apic_base, rsvd = GENMASK(63, s.cpu.maxphyaddr);

	FUZZ_CHECK((a & ~0xfffULL) == APIC_BASE_ADDR,
		   "the APIC stays at 0xfee00000, inside the 4 GiB MMIO hole");
	FUZZ_CHECK(!(a & (GENMASK(7, 0) | BIT(9))), "APIC_BASE: reserved bits stay clear");
	FUZZ_CHECK(!(a & APIC_BASE_EXTD) || ((a & APIC_BASE_EN) && cpu.x2apic),
		   "APIC_BASE: x2APIC only when offered, never EXTD without EN");
	FUZZ_CHECK(lapic.hw_enabled == !!(a & APIC_BASE_EN), "the vLAPIC is on exactly when EN is");
	FUZZ_CHECK(lapic.x2apic == !!(a & APIC_BASE_EXTD), "the vLAPIC is in x2APIC mode exactly when EXTD is");
	FUZZ_CHECK(s.tsc_offset - s.tsc_adjust == offset_minus_adjust,
		   "TSC and TSC_ADJUST have moved by the same amounts");
	FUZZ_CHECK(vmsr_pat_ok(s.pat), "PAT holds only valid types");
	FUZZ_CHECK(vmsr_mtrr_type_ok(s.mtrr_def & 0xff) &&
			   !(s.mtrr_def & ~(GENMASK(7, 0) | MTRR_DEF_FE | MTRR_DEF_E)),
		   "MTRRdefType: a valid type, no reserved bit");
	for (unsigned i = 0; i < MTRR_FIXED; i++)
		for (unsigned b = 0; b < 8; b++)
			FUZZ_CHECK(vmsr_mtrr_type_ok(s.mtrr_fixed[i] >> 8 * b & 0xff),
				   "fixed MTRRs: every byte a valid type");
	for (unsigned i = 0; i < 2 * MTRR_VCNT; i++)
		FUZZ_CHECK(!(s.mtrr_var[i] & rsvd) &&
				   (i % 2 ? !(s.mtrr_var[i] & GENMASK(10, 0))
					  : vmsr_mtrr_type_ok(s.mtrr_var[i] & 0xff) &&
						    !(s.mtrr_var[i] & GENMASK(11, 8))),
			   "variable MTRRs: no reserved bit, a valid type");
	for (uint64_t pa = 0; pa < (1ULL << 32); pa += 0x3fef1000ULL) {
		int t = vmsr_mtrr_type(&s, pa);

		FUZZ_CHECK(t == -1 || vmsr_mtrr_type_ok((uint64_t)t), "an address's MTRR type is valid");
		FUZZ_CHECK((s.mtrr_def & MTRR_DEF_E) || t == MT_UC, "MTRRs off: everything UC");
	}
	FUZZ_CHECK((s.misc_enable & (MISC_PERFMON | MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL)) ==
			   (MISC_BTS_UNAVAIL | MISC_PEBS_UNAVAIL),
		   "MISC_ENABLE: the read-only bits never change");
	FUZZ_CHECK(!((s.misc_enable & MISC_XD_DISABLE) && (ctx.efer & EFER_NXE_BIT)),
		   "XD disabled and EFER.NXE are never both on");
	FUZZ_CHECK(!(ctx.efer & ~(EFER_SCE_BIT | EFER_LME_BIT | EFER_LMA_BIT | EFER_NXE_BIT)),
		   "EFER: no reserved bit");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	uint8_t flags;

	memset(&vm, 0, sizeof(vm));
	memset(&ctx, 0, sizeof(ctx));
	fuzz_now = 0;
	flags = fuzz_u8(&in);
	cpu = (struct vmsr_cpu){ .maxphyaddr = (uint8_t)(32 + fuzz_u8(&in) % 24),
				 .pat = !(flags & 1), .mtrr = !(flags & 2), .tsc_adjust = !(flags & 4),
				 .x2apic = flags & 8, .nx = !(flags & 16), .lm = true,
				 .tsc_writable = !(flags & 32) };
	ctx.host_tsc = fuzz_le(&in, 8);
	ctx.paging = flags & 64;
	FUZZ_CHECK(!vlapic_register(&vm, &lapic, APIC_BASE_ADDR), "the LAPIC registers its page");
	reset();
	cpu = s.cpu; /* as vmsr_reset clamped it */
	for (unsigned n = 0; fuzz_more(&in) && n < FUZZ_OPS_MAX; n++) {
		uint8_t op = fuzz_u8(&in);
		uint64_t v = fuzz_le(&in, 0);

		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			do_write(&in, op);
			break;
		case 3: {
			uint32_t msr = pick_msr(&in, op);

			FUZZ_CHECK(vmsr_read(&s, msr, &ctx, &v) == 0 || vmsr_write(&s, msr, v, &ctx) ==
										 VMSR_GP,
				   "an MSR that does not read does not take writes either");
			break;
		}
		case 4:
			ctx.host_tsc += fuzz_le(&in, 4);
			break;
		case 5:
			ctx.paging = !ctx.paging;
			ctx.efer = (ctx.efer & ~EFER_LMA_BIT) |
				   (ctx.paging && (ctx.efer & EFER_LME_BIT) ? EFER_LMA_BIT : 0);
			break;
		case 6:
			reset();
			break;
		default:
			v = fuzz_access(&vm, true, APIC_BASE_ADDR + (fuzz_u8(&in) & 0xff) * 16, 4,
					false, 0);
			FUZZ_CHECK(lapic.hw_enabled || v == 0xffffffff,
				   "a globally disabled APIC's page reads all ones");
		}
		check_state();
		check_write_back();
	}
	return 0;
}
