/* SPDX-License-Identifier: MIT */
/*
 * The local APIC and its timer (vmm/dev/vlapic.c, vlapic_timer.c) alone at
 * 0xfee00000: MMIO from the guest, fixed interrupts arriving as the IOAPIC
 * delivers them, acknowledges as Keel injects (hvm_events.c), and the
 * timer's deadline run after each op.
 */
#include <string.h>

#include <keel/dev/vlapic.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vm vm;
static struct vlapic lapic;
static uint64_t next_ns;

static void eoi_level(void *ctx, uint8_t vector)
{
	(void)ctx;
	FUZZ_CHECK(vector >= 16, "vLAPIC: only a legal vector is retired to the IOAPIC");
}

static void build(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	vlapic_init(&lapic, 0);
	lapic.eoi_level = eoi_level;
	FUZZ_CHECK(!vlapic_register(v, &lapic, VLAPIC_BASE_DEFAULT), "the LAPIC registers its page");
	next_ns = 0;
}

/* The IOAPIC delivers vector a, level-triggered if b & 1. */
static void deliver(struct vm *v, struct fuzz_in *in)
{
	uint8_t vec = fuzz_u8(in);

	(void)v;
	vlapic_set_irq(&lapic, vec, fuzz_u8(in) & 1);
}

static void ack(struct vm *v, struct fuzz_in *in)
{
	int vec = vlapic_pending(&lapic);

	(void)v, (void)in;
	if (vec < 0)
		return;
	vlapic_ack(&lapic, (uint8_t)vec);
	FUZZ_CHECK(lapic.isr[vec / 32] >> (vec % 32) & 1, "vLAPIC: an injected vector is in service");
}

static void after_op(struct vm *v)
{
	int vec;

	(void)v;
	if (fuzz_now >= next_ns)
		vlapic_update(&lapic, fuzz_now);
	next_ns = vlapic_next_event_ns(&lapic, fuzz_now);
	FUZZ_CHECK(next_ns >= fuzz_now, "vLAPIC: the next timer interrupt is not in the past");
	vec = vlapic_pending(&lapic);
	FUZZ_CHECK(vec < 0 || (vec >= 16 && vec <= 255 && (vec & 0xf0) > (vlapic_ppr(&lapic) & 0xf0)),
		   "vLAPIC: a pending vector is legal and beats the processor priority");
	FUZZ_CHECK(!(lapic.irr[0] & 0xffff) && !(lapic.isr[0] & 0xffff),
		   "vLAPIC: vectors 0-15 are never requested nor in service");
}

static const struct fuzz_target target = { .after_op = after_op, .ack = ack, .extra = deliver,
					   .reset = build };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	fuzz_now = 0;
	build(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
