/* SPDX-License-Identifier: MIT */
/* A 64-bit IDT entry for the test guests' own IDTs (SDM 3A 6.14.1). */
#ifndef GUESTS_IDT_GATE_H
#define GUESTS_IDT_GATE_H

#include <stdint.h>

struct idt_gate {
	uint16_t lo, sel;
	uint8_t ist, type;
	uint16_t mid;
	uint32_t hi, rsvd;
} __attribute__((packed));

/* A present DPL-0 interrupt gate to handler through code selector sel. */
static inline struct idt_gate idt_gate(uint64_t handler, uint16_t sel)
{
	return (struct idt_gate){ (uint16_t)handler, sel, 0, 0x8e, (uint16_t)(handler >> 16),
				  (uint32_t)(handler >> 32), 0 };
}

#endif
