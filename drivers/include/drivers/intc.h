/* SPDX-License-Identifier: MIT */
/* The host's interrupt controllers, as far as Keel touches them. */
#ifndef DRIVERS_INTC_H
#define DRIVERS_INTC_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>

/* Local APIC registers, by their xAPIC MMIO offset (SDM 3A 11.4.1, Table 11-1). */
#define LAPIC_EOI           0x0b0
#define LAPIC_SVR           0x0f0 /* spurious-interrupt vector */
#define LAPIC_LVT_TIMER     0x320
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_CURRENT 0x390
#define LAPIC_TIMER_DIVIDE  0x3e0

#define LAPIC_SVR_ENABLE    BIT(8) /* APIC software enable */
#define LAPIC_LVT_MASKED    BIT(16)

/* Mask every line of both 8259s: Keel takes no legacy interrupts. */
void pic8259_mask_all(void);
/* Find the local APIC (IA32_APIC_BASE) so interrupts can be acknowledged. */
void lapic_init(void);
/* False if the firmware left the local APIC disabled. */
bool lapic_present(void);
/* Software-enable the APIC; interrupts it withdraws arrive on spurious_vector. */
void lapic_enable(uint8_t spurious_vector);
uint32_t lapic_read(unsigned reg);
void lapic_write(unsigned reg, uint32_t val);
void lapic_eoi(void);

/* ICR low word (SDM 3A Figure 11-12): delivery mode, level, shorthand. */
#define ICR_INIT       (5u << 8)
#define ICR_STARTUP    (6u << 8)
#define ICR_FIXED      (0u << 8)
#define ICR_LEVEL_ASSERT BIT(14)
/* Whether this CPU's local APIC is in x2APIC mode (drivers/intc/lapic_ipi.c). */
bool lapic_x2apic(void);
/* This CPU's local APIC ID (xAPIC: 8 bits, x2APIC: 32) (drivers/intc/lapic_ipi.c). */
uint32_t lapic_id(void);
/* Send an IPI to apic_id; -1 if an xAPIC did not take it within a millisecond. */
int lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo);

#endif
