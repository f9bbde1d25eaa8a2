/* SPDX-License-Identifier: MIT */
/*
 * The host local APIC, in xAPIC mode at the address IA32_APIC_BASE gives.
 * Keel only acknowledges interrupts that VM exits took for it ("acknowledge
 * interrupt on exit" leaves the in-service bit set until an EOI).
 */
#include <drivers/intc.h>
#include <arch/cpu.h>

#define MSR_APIC_BASE      0x1b
#define APIC_BASE_ENABLE   (1ULL << 11)
#define APIC_BASE_X2APIC   (1ULL << 10)
#define APIC_BASE_ADDR     0xffffff000ULL
#define APIC_EOI           0xb0
#define MSR_X2APIC_EOI     0x80b

static volatile uint32_t *lapic;
static int x2apic;

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		return;
	x2apic = !!(base & APIC_BASE_X2APIC);
	lapic = (volatile uint32_t *)(base & APIC_BASE_ADDR);
}

void lapic_eoi(void)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_EOI, 0);
	else if (lapic)
		lapic[APIC_EOI / 4] = 0;
}
