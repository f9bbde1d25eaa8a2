/* SPDX-License-Identifier: MIT */
/*
 * How device models signal interrupts. A model never calls the PIC or
 * IOAPIC directly: it holds a struct irq_line, set up by whoever wires the
 * platform, and drives it. This keeps models host-testable (a test passes
 * a line that records what happened).
 */
#ifndef KEEL_IRQ_H
#define KEEL_IRQ_H

#include <stdbool.h>

struct irq_line {
	void (*set)(void *ctx, unsigned gsi, bool level); /* level: line high/low */
	void *ctx;
	unsigned gsi; /* ISA IRQ number for ISA devices (0-15) */
};

static inline void irq_set(const struct irq_line *l, bool level)
{
	if (l->set)
		l->set(l->ctx, l->gsi, level);
}

/* An edge: high then low. */
static inline void irq_pulse(const struct irq_line *l)
{
	irq_set(l, true);
	irq_set(l, false);
}

#endif
