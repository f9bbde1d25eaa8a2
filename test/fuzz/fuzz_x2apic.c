/* SPDX-License-Identifier: MIT */
/*
 * The vLAPIC as a guest reaches it through MSRs (vmm/dev/vlapic_x2apic.c,
 * the TSC-deadline timer in vlapic_timer.c): RDMSR/WRMSR of 0x800-0x8ff
 * with any value, IA32_TSC_DEADLINE writes at any guest time, IA32_APIC_BASE
 * moves (EN, EXTD) as exit_msr.c applies them, interrupts arriving, Keel's
 * injections and EOIs, time passing. Invariants: a #GP changes nothing;
 * outside x2APIC mode every MSR is #GP; write-only MSRs never read and
 * read-only ones never write; IA32_TSC_DEADLINE reads 0 outside its mode;
 * a pending vector is legal and beats PPR; the next timer event is never
 * in the past; the MMIO page reads all ones in x2APIC mode.
 */
#include <stddef.h>
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vm vm;
static struct vlapic lapic;

/* Register state: everything a #GP must leave alone. */
static bool same(const struct vlapic *a, const struct vlapic *b)
{
	return !memcmp(a, b, offsetof(struct vlapic, eoi_level));
}

static void msr_read(struct fuzz_in *in)
{
	uint32_t msr = 0x800 + fuzz_u8(in);
	uint64_t val = 0;
	struct vlapic before = lapic;
	int r = vlapic_msr_read(&lapic, msr, fuzz_now, &val);

	if (!lapic.x2apic || !lapic.hw_enabled)
		FUZZ_CHECK(r == -1 && same(&before, &lapic), "x2APIC MSRs #GP outside x2APIC mode");
	if (msr == 0x80b || msr == 0x83f)
		FUZZ_CHECK(r == -1, "EOI and SELF IPI are write-only");
	if (r == 0 && msr != 0x830)
		FUZZ_CHECK(!(val >> 32), "only the ICR reads 64 bits");
}

static void msr_write(struct fuzz_in *in)
{
	uint32_t msr = 0x800 + fuzz_u8(in);
	uint8_t how = fuzz_u8(in);
	uint64_t val = fuzz_le(in, how & 1 ? 8 : 4);
	struct vlapic before = lapic;
	int r = vlapic_msr_write(&lapic, msr, val, fuzz_now);

	if (r)
		FUZZ_CHECK(same(&before, &lapic), "a #GP write changes nothing");
	if (!lapic.x2apic || msr == 0x802 || msr == 0x803 || msr == 0x80a || msr == 0x80d ||
	    (msr >= 0x810 && msr <= 0x827) || msr == 0x839 || msr == 0x80e || msr == 0x831)
		FUZZ_CHECK(r == -1, "read-only, reserved or out-of-mode x2APIC writes #GP");
	if (msr != 0x830 && (val >> 32))
		FUZZ_CHECK(r == -1, "bits 63:32 set outside the ICR #GP");
}

static void apic_base(struct fuzz_in *in)
{
	uint8_t b = fuzz_u8(in);
	bool en = b & 1, x2 = (b >> 1) & 1;

	/* The MSR model's legal moves only (SDM 3A 11.12.5.1), as vmsr.c lets them through. */
	if (x2 && !en)
		return;
	if (lapic.x2apic && en && !x2)
		return;
	if (!lapic.hw_enabled && x2)
		return;
	vlapic_set_hw_enabled(&lapic, en);
	vlapic_set_x2apic(&lapic, x2);
}

static void deadline(struct fuzz_in *in)
{
	uint64_t tsc = fuzz_le(in, 8), at = fuzz_now + fuzz_le(in, 4);

	if (fuzz_u8(in) & 1)
		at = fuzz_now - (fuzz_now ? fuzz_u8(in) % (fuzz_now + 1) : 0); /* already passed */
	vlapic_update(&lapic, fuzz_now);
	vlapic_tsc_deadline_write(&lapic, tsc, tsc ? at : 0);
	vlapic_update(&lapic, fuzz_now);
}

static void inject(void)
{
	int vec = vlapic_pending(&lapic);

	if (vec >= 0)
		vlapic_ack(&lapic, (uint8_t)vec);
}

static void check_state(void)
{
	uint64_t next = vlapic_next_event_ns(&lapic, fuzz_now);
	int vec = vlapic_pending(&lapic);

	FUZZ_CHECK(next >= fuzz_now, "the next timer interrupt is not in the past");
	FUZZ_CHECK(vec < 0 || (vec >= 16 && (vec & 0xf0) > (vlapic_ppr(&lapic) & 0xf0)),
		   "a pending vector is legal and beats the processor priority");
	if ((lapic.lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_MODE) != VLAPIC_LVT_DEADLINE)
		FUZZ_CHECK(vlapic_tsc_deadline_read(&lapic) == 0,
			   "IA32_TSC_DEADLINE reads 0 outside TSC-deadline mode");
	FUZZ_CHECK(lapic.hw_enabled || !lapic.x2apic, "no x2APIC mode while disabled");
	if (lapic.x2apic) {
		struct io_access a = { VLAPIC_BASE_DEFAULT + 0x30, 4, false, 0 };

		FUZZ_CHECK(!io_mmio(&vm, &a) && a.value == 0xffffffff,
			   "the MMIO page reads all ones in x2APIC mode");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	memset(&vm, 0, sizeof(vm));
	fuzz_now = 1000000;
	vlapic_init(&lapic, 0);
	FUZZ_CHECK(!vlapic_register(&vm, &lapic, VLAPIC_BASE_DEFAULT), "the LAPIC registers its page");
	vlapic_set_x2apic(&lapic, true);
	while (fuzz_more(&in)) {
		switch (fuzz_u8(&in) % 8) {
		case 0:
			msr_read(&in);
			break;
		case 1:
		case 2:
			msr_write(&in);
			break;
		case 3:
			apic_base(&in);
			break;
		case 4:
			deadline(&in);
			break;
		case 5:
			fuzz_now += fuzz_le(&in, 3);
			if (fuzz_now > FUZZ_TIME_MAX)
				fuzz_now = FUZZ_TIME_MAX;
			vlapic_update(&lapic, fuzz_now);
			break;
		case 6:
			inject();
			break;
		case 7:
			vlapic_set_irq(&lapic, fuzz_u8(&in), fuzz_u8(&in) & 1);
			break;
		}
		check_state();
	}
	return 0;
}
