/* SPDX-License-Identifier: MIT */
/*
 * The guest's CPU with virtual-interrupt delivery, played on a vLAPIC's
 * virtual-APIC page (SDM 3C chapter 30), and Keel's side of an exit, as
 * fuzz_apicv.c and fuzz_vlapic_pir.c share them: the page, the VMCS guest
 * interrupt status and EOI-exit bitmap, what was requested and not yet
 * delivered; the CPU's delivery, EOI and self-IPI virtualization; the
 * push with its invariants; one model operation of an exit.
 */
#ifndef TEST_FUZZ_VAPIC_CPU_H
#define TEST_FUZZ_VAPIC_CPU_H

#include <stddef.h>
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vlapic lapic;
static uint8_t page[4096] __attribute__((aligned(4096)));
static uint16_t status;       /* the VMCS guest interrupt status: SVI 15:8, RVI 7:0 */
static uint64_t eoi_exit[4];  /* the VMCS EOI-exit bitmap */
static uint32_t requested[8]; /* accepted or self-IPIed, not yet delivered */
static bool deliver_once;     /* check that each request is delivered at most once */
static uint32_t in_service[8]; /* delivered to the guest and not EOIed by it */
static uint32_t may_twice[8];  /* raised again while requested: a second delivery is no fault */

static inline uint32_t *pg(unsigned off)
{
	return (uint32_t *)(page + off);
}

static inline int highest(unsigned base)
{
	for (int i = 7; i >= 0; i--)
		if (*pg(base + 16 * i))
			return i * 32 + 31 - __builtin_clz(*pg(base + 16 * i));
	return -1;
}

static inline void set_bit(unsigned base, unsigned v, bool on)
{
	uint32_t *w = pg(base + 16 * (v / 32)), m = 1u << (v % 32);

	*w = on ? *w | m : *w & ~m;
}

/* Power-up, software-enabled, nothing requested, the page pushed once. */
static inline void vapic_cpu_reset(void)
{
	fuzz_now = 1000000;
	memset(page, 0, sizeof(page));
	memset(requested, 0, sizeof(requested));
	memset(in_service, 0, sizeof(in_service));
	memset(may_twice, 0, sizeof(may_twice));
	memset(eoi_exit, 0, sizeof(eoi_exit));
	status = 0;
	vlapic_init(&lapic, 0);
	lapic.vapic = page;
	lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
}

/* 30.2.2: RVI to VISR and SVI, RVI to the next request; the guest's IF is 1. */
static inline void cpu_deliver(void)
{
	unsigned rvi = status & 0xff, svi = status >> 8;
	unsigned vppr = (*pg(0x80) & 0xf0) >= (svi & 0xf0) ? *pg(0x80) & 0xff : svi & 0xf0;
	int next;

	if (!rvi || (rvi & 0xf0) <= (vppr & 0xf0))
		return;
	if (deliver_once && !(requested[rvi / 32] >> (rvi % 32) & 1)) {
		FUZZ_CHECK(may_twice[rvi / 32] >> (rvi % 32) & 1,
			   "an interrupt is delivered once per request");
		may_twice[rvi / 32] &= ~(1u << (rvi % 32));
	}
	set_bit(0x200, rvi, false);
	set_bit(0x100, rvi, true);
	requested[rvi / 32] &= ~(1u << (rvi % 32));
	in_service[rvi / 32] |= 1u << (rvi % 32);
	next = highest(0x200);
	status = (uint16_t)(rvi << 8 | (next < 0 ? 0 : next));
}

/* 30.1.4: EOI virtualization. Returns the vector whose EOI exits (EOI-exit bitmap), or -1. */
static inline int cpu_eoi(void)
{
	unsigned svi = status >> 8;
	int next;

	if (!svi)
		return -1;
	set_bit(0x100, svi, false);
	in_service[svi / 32] &= ~(1u << (svi % 32));
	next = highest(0x100);
	status = (uint16_t)((next < 0 ? 0 : next) << 8 | (status & 0xff));
	return eoi_exit[svi / 64] >> (svi % 64) & 1 ? (int)svi : -1;
}

/* 30.1.5: self-IPI virtualization. */
static inline void cpu_self_ipi(uint8_t v)
{
	if (v < 16 || !lapic.hw_enabled)
		return;
	/* Requested in the model only (remote_irq): the two may come apart or merge. */
	if (requested[v / 32] >> (v % 32) & 1 && !(*pg(0x200 + 16 * (v / 32)) >> (v % 32) & 1))
		may_twice[v / 32] |= 1u << (v % 32);
	set_bit(0x200, v, true);
	requested[v / 32] |= 1u << (v % 32);
	if (v > (status & 0xff))
		status = (uint16_t)((status & 0xff00) | v);
}

/*
 * Another host CPU raises v in the model while the vCPU is in the guest
 * (a split guest, under its lock): Keel cannot know whether the CPU has
 * delivered an earlier request of v yet, so one that was still requested
 * may come twice (the pull keeps the new one, test_pull_keeps_a_second_
 * request); none may be lost.
 */
static inline void remote_irq(uint8_t v)
{
	uint32_t m = 1u << (v % 32);

	if (v < 16 || !vlapic_enabled(&lapic))
		return;
	if (requested[v / 32] & m)
		may_twice[v / 32] |= m;
	vlapic_set_irq(&lapic, v, false);
	requested[v / 32] |= lapic.irr[v / 32] & m;
}

/* TPR virtualization (30.1.2), or an ICR-high write kept in the page (30.4.3.2): no exit. */
static inline void cpu_write(struct fuzz_in *in)
{
	if (fuzz_u8(in) & 1)
		*pg(0x80) = fuzz_u8(in);
	else /* bytes 2:0 cleared */
		*pg(0x310) = (uint32_t)fuzz_le(in, 4) & 0xff000000u;
}

static inline void push(void)
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
		FUZZ_CHECK(*pg(0x100 + 16 * i) == in_service[i],
			   "the page's ISR is what the guest took and did not EOI");
		FUZZ_CHECK((eoi_exit[i / 2] >> (32 * (i % 2)) & 0xffffffffu) == lapic.tmr[i],
			   "the EOI-exit bitmap is TMR");
	}
	FUZZ_CHECK((status & 0xff) == (highest(0x200) < 0 ? 0 : highest(0x200)),
		   "RVI is the highest requested vector");
	FUZZ_CHECK(status >> 8 == (highest(0x100) < 0 ? 0 : highest(0x100)),
		   "SVI is the highest in-service vector");
}

/*
 * The one thing an exit does to the model (after the pull, before the
 * push): an interrupt from a device, an APIC-write exit, IA32_APIC_BASE
 * off or on, time, or nothing. What it put in IRR is requested.
 */
static inline void model_op(struct fuzz_in *in, uint8_t what)
{
	uint32_t before[8];

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
		if (!en) { /* SDM 3A 11.4.7.2: nothing survives */
			memset(requested, 0, sizeof(requested));
			memset(in_service, 0, sizeof(in_service));
		}
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
}

#endif
