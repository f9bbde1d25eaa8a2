/* SPDX-License-Identifier: MIT */
/* The host's interrupt controllers, as far as Keel touches them. */
#ifndef DRIVERS_INTC_H
#define DRIVERS_INTC_H

#include <stdint.h>

/* Mask every line of both 8259s: Keel takes no legacy interrupts. */
void pic8259_mask_all(void);
/* Find the local APIC (IA32_APIC_BASE) so interrupts can be acknowledged. */
void lapic_init(void);
void lapic_eoi(void);

#endif
