/* SPDX-License-Identifier: MIT */
/*
 * I/O APIC after the Intel 82093AA datasheet (order 290566), with the EOI
 * register of the version 0x20 parts that QEMU also models: IOREGSEL at
 * base + 0x00, IOWIN at + 0x10, EOI at + 0x40; 24 pins.
 *
 * Wiring (the integrator's job): ISA IRQ n drives pin n, except the PIT's
 * IRQ 0, which drives pin 2 (the interrupt source override QEMU's and
 * SeaBIOS's tables describe; pin 0 stays unconnected and ISA IRQ 2 is the
 * 8259 cascade). Lines are driven with their electrical level: a pin the
 * guest programs active-low is asserted while its line is low, so a source
 * described as active-low must drive its line high when idle. QEMU-style
 * tables describe every line as active-high (ISA edge, PCI level).
 *
 * Fixed and lowest-priority messages go to deliver() with the entry's
 * destination (bits 63:56, physical or logical by bit 11), which the
 * integrator connects to the APIC bus (keel/dev/apic_bus.h); the LAPIC's
 * EOI of a level vector comes back through vioapic_eoi().
 */
#ifndef KEEL_DEV_VIOAPIC_H
#define KEEL_DEV_VIOAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct apic_msg;
struct vm;

#define VIOAPIC_BASE_DEFAULT 0xfec00000ULL
#define VIOAPIC_MMIO_LEN     0x1000ULL
#define VIOAPIC_PINS         24
/*
 * The ID SeaBIOS's MP table and ACPI MADT (BUILD_IOAPIC_ID) and QEMU's MADT
 * (ACPI_BUILD_IOAPIC_ID) give the IOAPIC: 0, the same as CPU 0's LAPIC.
 * Harmless: only a 3-wire APIC bus needs IOAPIC and LAPIC IDs distinct,
 * and 64-bit Linux checks IOAPIC IDs only against each other.
 */
#define VIOAPIC_ID_DEFAULT   0

#define VIOAPIC_RTE_MASKED   (1ULL << 16)

struct vioapic {
	uint32_t regsel;
	uint8_t id;                     /* bits 27:24 of the ID register */
	uint32_t line;                  /* pin levels as driven, bit per pin */
	uint64_t rte[VIOAPIC_PINS];     /* redirection table */
	uint64_t delivered[VIOAPIC_PINS]; /* statistics */

	/* Wiring, set by the integrator after vioapic_init(); NULL hooks are skipped. */
	void (*deliver)(void *ctx, const struct apic_msg *m); /* fixed, lowest priority */
	void (*nmi)(void *ctx);    /* an RTE in NMI delivery mode fired */
	void (*extint)(void *ctx); /* an RTE in ExtINT mode fired: the 8259 supplies the vector */
	void *ctx;
};

/* Reset: every RTE masked, all lines low. */
void vioapic_init(struct vioapic *io, uint8_t id);
int vioapic_register(struct vm *vm, struct vioapic *io, uint64_t base);
/* Drive pin 0-23 (others are ignored); level is the line's electrical level. */
void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level);
/* For a struct irq_line { vioapic_line_set, io, pin }. */
void vioapic_line_set(void *ctx, unsigned pin, bool level);
/* A LAPIC EOI for vector: clear Remote IRR of the level pins using it. */
void vioapic_eoi(struct vioapic *io, uint8_t vector);

#endif
