/* SPDX-License-Identifier: MIT */
/*
 * Posted interrupts (vmm/dev/vlapic_pir.c; SDM 3C 30.6) on a vLAPIC with a
 * virtual-APIC page (vlapic_apicv.c): the input plays the guest and its
 * CPU, a poster on another host CPU and the notifications, against Keel's
 * exits. In the guest, as the CPU would: virtual-interrupt delivery, EOI
 * virtualization, TPR writes (as fuzz_apicv.c), and at any
 * moment the processing of a notification (ON cleared, PIR ORed into VIRR
 * and cleared, RVI raised). The poster posts any vector Keel's hook would
 * (vlapic_pir_postable), at any time the guest runs. An exit: the pull,
 * one model operation (a device interrupt, an APIC-write exit, IA32_APIC_
 * BASE off or on, time), the take Keel does before each entry, the push.
 * Invariants: a post asks for a notification exactly when ON was clear;
 * after a take or the CPU's processing PIR and ON are clear; every
 * interrupt that reached IRR or VIRR is requested until the CPU delivers
 * it, and is delivered once per request (none lost, none twice); RVI and
 * SVI are the highest requested and in-service vectors after the push.
 *
 * No self-IPIs here (fuzz_apicv.c plays them): like a processed post they
 * grow VIRR without an exit, and after a delivery and an EOI the guest
 * interrupt status can come back to what the pull last saw; vlapic_post()
 * makes the next pull compare the whole page, nothing does so for a
 * self-IPI (docs/vcpus.md, "Posted interrupts").
 */
#include <stddef.h>
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/dev/vlapic_pir.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vlapic lapic;
static struct vlapic_pir desc;
static uint8_t page[4096] __attribute__((aligned(4096)));
static uint16_t status;       /* the VMCS guest interrupt status: SVI 15:8, RVI 7:0 */
static uint64_t eoi_exit[4];  /* the VMCS EOI-exit bitmap */
static uint32_t requested[8]; /* in IRR or VIRR, not yet delivered */

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
	uint32_t *w = pg(base + 16 * (v / 32)), m = 1u << (v % 32);

	*w = on ? *w | m : *w & ~m;
}

static void check_pir_empty(const char *after)
{
	FUZZ_CHECK(!(desc.pir[0] | desc.pir[1] | desc.pir[2] | desc.pir[3]), after);
	FUZZ_CHECK(!(desc.on & VLAPIC_PIR_ON), after);
}

/* 30.2.2: RVI to VISR and SVI, RVI to the next request; the guest's IF is 1. */
static void cpu_deliver(void)
{
	unsigned rvi = status & 0xff, svi = status >> 8;
	unsigned vppr = (*pg(0x80) & 0xf0) >= (svi & 0xf0) ? *pg(0x80) & 0xff : svi & 0xf0;
	int next;

	if (!rvi || (rvi & 0xf0) <= (vppr & 0xf0))
		return;
	FUZZ_CHECK(requested[rvi / 32] >> (rvi % 32) & 1, "an interrupt is delivered once per request");
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

/* 30.6: a notification in the guest. */
static void cpu_process_posted(void)
{
	__atomic_fetch_and(&desc.on, ~VLAPIC_PIR_ON, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t w = __atomic_exchange_n(&desc.pir[i], 0, __ATOMIC_SEQ_CST);

		for (; w; w &= w - 1) {
			unsigned v = i * 64 + (unsigned)__builtin_ctzll(w);

			set_bit(0x200, v, true);
			requested[v / 32] |= 1u << (v % 32);
			if (v > (status & 0xffu))
				status = (uint16_t)((status & 0xff00) | v);
		}
	}
	check_pir_empty("the CPU's processing empties PIR and clears ON");
}

/* Another CPU's IPI or MSI, under the VM lock, as hvm_smp.c's hook posts it. */
static void post(uint8_t v, bool level)
{
	bool on = desc.on & VLAPIC_PIR_ON;
	enum vlapic_post r;

	r = vlapic_post(&lapic, v, level);
	if (r == VLAPIC_POST_REFUSED) {
		FUZZ_CHECK(!vlapic_pir_postable(&lapic, v, level), "what may be posted is");
		return; /* the model path: an exit (exit_op's device interrupt) */
	}
	FUZZ_CHECK(r == (on ? VLAPIC_POST_QUEUED : VLAPIC_POST_NOTIFY),
		   "a post notifies exactly when ON was clear");
	FUZZ_CHECK(desc.pir[v / 64] >> (v % 64) & 1, "a post sets its PIR bit");
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
		FUZZ_CHECK((eoi_exit[i / 2] >> (32 * (i % 2)) & 0xffffffffu) == lapic.tmr[i],
			   "the EOI-exit bitmap is TMR");
	}
	FUZZ_CHECK((status & 0xff) == (highest(0x200) < 0 ? 0 : highest(0x200)),
		   "RVI is the highest requested vector");
	FUZZ_CHECK(status >> 8 == (highest(0x100) < 0 ? 0 : highest(0x100)),
		   "SVI is the highest in-service vector");
}

/* One exit: the pull, one thing Keel does, the take before the entry, the push. */
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

		*pg(off) = (uint32_t)fuzz_le(in, 4);
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
	vlapic_pir_sync(&lapic);
	check_pir_empty("Keel's take empties PIR and clears ON");
	for (unsigned i = 0; i < 8; i++)
		requested[i] |= lapic.irr[i] & ~before[i];
	push();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	fuzz_now = 1000000;
	memset(page, 0, sizeof(page));
	memset(&desc, 0, sizeof(desc));
	memset(requested, 0, sizeof(requested));
	memset(eoi_exit, 0, sizeof(eoi_exit));
	status = 0;
	vlapic_init(&lapic, 0);
	lapic.vapic = page;
	lapic.pir = &desc;
	lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
	push();
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);

		switch (op % 8) {
		case 0:
			cpu_deliver();
			break;
		case 1:
			cpu_eoi();
			break;
		case 3:
			if (fuzz_u8(&in) & 1)
				*pg(0x80) = fuzz_u8(&in); /* TPR virtualization (30.1.2) */
			else /* ICR high: kept in the page, bytes 2:0 cleared, no exit (30.4.3.2) */
				*pg(0x310) = (uint32_t)fuzz_le(&in, 4) & 0xff000000u;
			break;
		case 2:
		case 4:
		case 5:
			post(fuzz_u8(&in), op & 0x80);
			break;
		case 6:
			cpu_process_posted();
			break;
		default:
			exit_op(&in);
			break;
		}
	}
	return 0;
}
