/* SPDX-License-Identifier: MIT */
/*
 * The host local APIC, in xAPIC mode at the address IA32_APIC_BASE gives,
 * or in x2APIC mode if the firmware left it there. Keel acknowledges
 * interrupts that VM exits took for it ("acknowledge interrupt on exit"
 * leaves the in-service bit set until an EOI) and, without VT-x, runs its
 * timer (drivers/timer/lapic_timer.c).
 */
#include <drivers/intc.h>
#include <arch/cpu.h>

#define MSR_APIC_BASE      0x1b
#define APIC_BASE_ENABLE   (1ULL << 11)
#define APIC_BASE_X2APIC   (1ULL << 10)
#define APIC_BASE_ADDR     0xffffff000ULL
#define MSR_X2APIC_BASE    0x800

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

bool lapic_present(void)
{
	return x2apic || lapic;
}

/* A software-disabled APIC keeps every LVT masked (SDM 3A 11.4.7.2). */
void lapic_enable(uint8_t spurious_vector)
{
	lapic_write(LAPIC_SVR, (lapic_read(LAPIC_SVR) & ~0xffu) | LAPIC_SVR_ENABLE | spurious_vector);
}

/* x2APIC MSR 0x800 + n is xAPIC register 16 * n (SDM 3A 11.12.1.2, Table 11-6). */
uint32_t lapic_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + reg / 16);
	return lapic ? lapic[reg / 4] : 0;
}

void lapic_write(unsigned reg, uint32_t val)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + reg / 16, val);
	else if (lapic)
		lapic[reg / 4] = val;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}
