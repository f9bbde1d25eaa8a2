/* SPDX-License-Identifier: MIT */
/*
 * Interprocessor interrupts from the host local APIC and its ID. The ICR
 * is two 32-bit registers in xAPIC mode (writing the low one sends; the
 * delivery-status bit says when the APIC has taken it) and one 64-bit MSR
 * in x2APIC mode, with a 32-bit destination (SDM 3A 11.6.1, 11.12.9).
 */
#include <arch/cpu.h>
#include <arch/io.h>
#include <drivers/intc.h>
#include <drivers/tsc.h>

#define MSR_APIC_BASE     0x1b
#define APIC_BASE_X2APIC  BIT(10)
#define LAPIC_ID          0x020
#define LAPIC_ICR_LO      0x300
#define LAPIC_ICR_HI      0x310
#define MSR_X2APIC_ID     0x802
#define MSR_X2APIC_ICR    0x830
#define ICR_DELIVERY_BUSY BIT(12)
#define ICR_WAIT_US       1000

bool lapic_x2apic(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC;
}

uint32_t lapic_id(void)
{
	return lapic_x2apic() ? (uint32_t)rdmsr(MSR_X2APIC_ID) : lapic_read(LAPIC_ID) >> 24;
}

int lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	uint64_t t0 = rdtsc();

	if (lapic_x2apic()) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | icr_lo);
		return 0;
	}
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr_lo);
	while (lapic_read(LAPIC_ICR_LO) & ICR_DELIVERY_BUSY)
		if (rdtsc() - t0 > ns_to_tsc(ICR_WAIT_US * 1000ULL))
			return -1;
		else
			cpu_relax();
	return 0;
}
