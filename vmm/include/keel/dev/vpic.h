/* SPDX-License-Identifier: MIT */
/*
 * Two cascaded 8259A PICs as on a PC/AT (slave INT -> master IR2) plus the
 * PIIX3 ELCR that chooses edge or level per IRQ. Ports 0x20-0x21 (master),
 * 0xa0-0xa1 (slave), 0x4d0-0x4d1 (ELCR).
 */
#ifndef KEEL_DEV_VPIC_H
#define KEEL_DEV_VPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

struct vpic_chip {
	uint8_t irr, isr, imr;
	uint8_t last_irr;     /* input levels last seen, for edge detection */
	uint8_t priority_add; /* the IR with the highest priority (rotation) */
	uint8_t irq_base;     /* ICW2 & 0xf8 */
	uint8_t icw3;
	uint8_t init_state;   /* next ICW expected (1-3), 0 when operational */
	bool init4, single_mode, auto_eoi, rotate_on_auto_eoi, special_fully_nested;
	bool read_isr, poll, special_mask;
};

struct vpic {
	struct vpic_chip chip[2]; /* master, slave */
	uint8_t elcr[2];          /* 1 = level triggered */
	bool line[16];            /* input levels as the devices drive them */
};

void vpic_init(struct vpic *p);
/* Drive ISA IRQ 0-15; IRQ 2 is the cascade and is ignored (ISA IRQ 2 is IRQ 9). */
void vpic_set_irq(struct vpic *p, unsigned irq, bool level);
/* For a struct irq_line { vpic_line_set, p, irq }. */
void vpic_line_set(void *ctx, unsigned irq, bool level);
/* The master's INT output: a request would be acknowledged now. */
bool vpic_has_interrupt(const struct vpic *p);
/* The INTA cycle: the vector to deliver (the IR7/IR15 vector if spurious). */
int vpic_ack(struct vpic *p);
int vpic_register(struct vm *vm, struct vpic *p);

#endif
