/* SPDX-License-Identifier: MIT */
/*
 * The IOAPIC (vmm/dev/vioapic.c) alone at 0xfec00000: MMIO from the guest,
 * pins driven as ISA and PCI lines drive them (pins past 23 included, which
 * it must ignore), and the LAPIC's EOIs of level vectors.
 */
#include <string.h>

#include <keel/dev/apic_bus.h>
#include <keel/dev/vioapic.h>
#include <keel/vm.h>

#include "fuzz.h"

#define RTE_REMOTE_IRR (1ULL << 14)
#define RTE_LEVEL      (1ULL << 15)

static struct vm vm;
static struct vioapic ioapic;
static uint8_t last_level_vector;

static void deliver(void *ctx, const struct apic_msg *m)
{
	(void)ctx;
	if (m->level)
		last_level_vector = m->vector;
}

static void build(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	vioapic_init(&ioapic, VIOAPIC_ID_DEFAULT);
	ioapic.deliver = deliver;
	FUZZ_CHECK(!vioapic_register(v, &ioapic, VIOAPIC_BASE_DEFAULT), "the IOAPIC registers its page");
}

static void drive(struct vm *v, struct fuzz_in *in)
{
	unsigned pin = fuzz_u8(in) % (VIOAPIC_PINS + 2);

	(void)v;
	vioapic_set_irq(&ioapic, pin, fuzz_u8(in) & 1);
}

/* The LAPIC's EOI: of the last level vector delivered (a odd), or of vector a. */
static void eoi(struct vm *v, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);

	(void)v;
	vioapic_eoi(&ioapic, a & 1 ? last_level_vector : a);
}

static void after_op(struct vm *v)
{
	(void)v;
	FUZZ_CHECK(!(ioapic.line >> VIOAPIC_PINS), "IOAPIC: only its 24 pins have a level");
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		FUZZ_CHECK(!(ioapic.rte[pin] & RTE_REMOTE_IRR) || (ioapic.rte[pin] & RTE_LEVEL),
			   "IOAPIC: Remote IRR only on a level-triggered pin");
}

static const struct fuzz_target target = { .after_op = after_op, .ack = eoi, .extra = drive,
					   .reset = build };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	last_level_vector = 0;
	build(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
