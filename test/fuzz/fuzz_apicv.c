/* SPDX-License-Identifier: MIT */
/*
 * The vLAPIC with a virtual-APIC page (vmm/dev/vlapic_apicv.c; SDM 3C
 * chapter 30): the guest and a CPU played against Keel's pull and push.
 * In the guest, as the CPU would (30.1, 30.2): virtual-interrupt delivery
 * of RVI when its class beats VPPR, EOI virtualization (an EOI-induced exit
 * for a vector in the EOI-exit bitmap), self-IPIs, TPR writes, writes that
 * land in the page and exit as APIC-write exits (any offset, any value).
 * At each exit Keel pulls with the guest interrupt status, runs one model
 * operation (an interrupt from a device, an APIC-write exit, an IA32_APIC_
 * BASE move, time), and pushes. Invariants after each push: no interrupt
 * the vLAPIC accepted or the guest self-IPIed is lost before it is
 * delivered; the page's ISR and IRR and RVI/SVI are the model's; the
 * EOI-exit bitmap is TMR.
 */
#include <stddef.h>
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vlapic lapic;
static uint8_t page[4096] __attribute__((aligned(4096)));
static uint16_t status;      /* the VMCS guest interrupt status: SVI 15:8, RVI 7:0 */
static uint64_t eoi_exit[4]; /* the VMCS EOI-exit bitmap */
static uint32_t requested[8]; /* accepted or self-IPIed, not yet delivered */

static uint32_t *pg(unsigned off)
{
	return (uint32_t *)(page + off);
}

static int highest(unsigned base)
{
	for (int i = 7; i >= 0; i--)
		if (*pg(base + 16 * i))
			return i * 32 + 31 - __builtin_clz(*pg(base + 16 * i));
	return -1;
}

static void set_bit(unsigned base, unsigned v, bool on)
{
	uint32_t m = 1u << (v % 32);

	*pg(base + 16 * (v / 32)) = on ? *pg(base + 16 * (v / 32)) | m : *pg(base + 16 * (v / 32)) & ~m;
}

/* 30.2.2: RVI to VISR and SVI, RVI to the next request; the guest's IF is 1. */
static void cpu_deliver(void)
{
	unsigned rvi = status & 0xff, svi = status >> 8;
	unsigned vppr = (*pg(0x80) & 0xf0) >= (svi & 0xf0) ? *pg(0x80) & 0xff : svi & 0xf0;
	int next;

	if (!rvi || (rvi & 0xf0) <= (vppr & 0xf0))
		return;
	set_bit(0x200, rvi, false);
	set_bit(0x100, rvi, true);
	requested[rvi / 32] &= ~(1u << (rvi % 32));
	next = highest(0x200);
	status = (uint16_t)(rvi << 8 | (next < 0 ? 0 : next));
}

/* 30.1.4: EOI virtualization; an exit for a vector in the EOI-exit bitmap. */
static void cpu_eoi(void)
{
	unsigned svi = status >> 8;
	int next;

	if (!svi)
		return;
	set_bit(0x100, svi, false);
	next = highest(0x100);
	status = (uint16_t)((next < 0 ? 0 : next) << 8 | (status & 0xff));
	if (eoi_exit[svi / 64] >> (svi % 64) & 1) {
		vlapic_apicv_pull(&lapic, status);
		vlapic_apicv_eoi(&lapic, (uint8_t)svi);
	}
}

/* 30.1.5: self-IPI virtualization. */
static void cpu_self_ipi(uint8_t v)
{
	if (v < 16 || !lapic.hw_enabled)
		return;
	set_bit(0x200, v, true);
	requested[v / 32] |= 1u << (v % 32);
	if (v > (status & 0xff))
		status = (uint16_t)((status & 0xff00) | v);
}

static void push(void)
{
	struct vlapic_apicv_entry e;

	vlapic_apicv_push(&lapic, &e);
	if (e.intr_status_changed)
		status = e.intr_status;
	if (e.eoi_exit_changed)
		memcpy(eoi_exit, e.eoi_exit, sizeof(eoi_exit));
	for (unsigned i = 0; i < 8; i++) {
		FUZZ_CHECK((*pg(0x200 + 16 * i) & requested[i]) == requested[i],
			   "no requested interrupt is lost before the CPU delivers it");
		FUZZ_CHECK(*pg(0x180 + 16 * i) == lapic.tmr[i], "the page's TMR is the model's");
		FUZZ_CHECK((eoi_exit[i / 2] >> (32 * (i % 2)) & 0xffffffffu) == lapic.tmr[i],
			   "the EOI-exit bitmap is TMR");
	}
	FUZZ_CHECK((status & 0xff) == (highest(0x200) < 0 ? 0 : highest(0x200)),
		   "RVI is the highest requested vector");
	FUZZ_CHECK(status >> 8 == (highest(0x100) < 0 ? 0 : highest(0x100)),
		   "SVI is the highest in-service vector");
}

/* One exit: the pull, one thing Keel does, the push. */
static void exit_op(struct fuzz_in *in)
{
	uint32_t before[8];
	uint8_t what = fuzz_u8(in);

	vlapic_apicv_pull(&lapic, status);
	memcpy(before, lapic.irr, sizeof(before));
	switch (what % 5) {
	case 0:
		vlapic_set_irq(&lapic, fuzz_u8(in), fuzz_u8(in) & 1);
		break;
	case 1: {
		/* The offsets whose writes land in the page and exit (30.4.3.1, 30.4.3.2). */
		static const uint16_t offs[] = { 0x20,	0xd0,  0xe0,  0xf0,  0x280, 0x300, 0x320,
						 0x330, 0x340, 0x350, 0x360, 0x370, 0x380, 0x3e0 };
		unsigned off = offs[fuzz_u8(in) % (sizeof(offs) / sizeof(offs[0]))];

		*pg(off) = (uint32_t)fuzz_le(in, 4); /* the guest's write, then the APIC-write exit */
		vlapic_apicv_write(&lapic, off, fuzz_now);
		break;
	}
	case 2: {
		bool en = fuzz_u8(in) & 1;

		vlapic_set_hw_enabled(&lapic, en);
		if (!en)
			memset(requested, 0, sizeof(requested)); /* SDM 3A 11.4.7.2: nothing survives */
		break;
	}
	case 3:
		fuzz_now += fuzz_le(in, 3);
		if (fuzz_now > FUZZ_TIME_MAX)
			fuzz_now = FUZZ_TIME_MAX;
		vlapic_update(&lapic, fuzz_now);
		break;
	default:
		break; /* an exit that reaches no APIC state */
	}
	for (unsigned i = 0; i < 8; i++)
		requested[i] |= lapic.irr[i] & ~before[i];
	push();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	fuzz_now = 1000000;
	memset(page, 0, sizeof(page));
	memset(requested, 0, sizeof(requested));
	memset(eoi_exit, 0, sizeof(eoi_exit));
	status = 0;
	vlapic_init(&lapic, 0);
	lapic.vapic = page;
	lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
	push();
	while (fuzz_more(&in)) {
		switch (fuzz_u8(&in) % 6) {
		case 0:
			cpu_deliver();
			break;
		case 1:
			cpu_eoi();
			break;
		case 2:
			cpu_self_ipi(fuzz_u8(&in));
			break;
		case 3:
			if (fuzz_u8(&in) & 1)
				*pg(0x80) = fuzz_u8(&in); /* TPR virtualization (30.1.2) */
			else /* ICR high: kept in the page, bytes 2:0 cleared, no exit (30.4.3.2) */
				*pg(0x310) = (uint32_t)fuzz_le(&in, 4) & 0xff000000u;
			break;
		default:
			exit_op(&in);
			break;
		}
	}
	return 0;
}
