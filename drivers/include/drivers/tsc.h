/* SPDX-License-Identifier: MIT */
/*
 * The TSC as Keel's clock. Its rate is measured against a fixed-frequency
 * timer, never read from CPUID 0x15/0x16: Bochs reports a frequency there
 * unrelated to its one-tick-per-instruction TSC.
 */
#ifndef DRIVERS_TSC_H
#define DRIVERS_TSC_H

#include <stdint.h>

struct acpi_info;

/* TSC ticks per second; 0 until tsc_calibrate() has succeeded. */
extern uint64_t tsc_hz;

/*
 * Measure the TSC against the ACPI PM timer (ai may be NULL) or else PIT
 * channel 2, set tsc_hz and return it; 0 if neither timer works.
 */
uint64_t tsc_calibrate(const struct acpi_info *ai);

/* Conversions at tsc_hz without 64-bit overflow (for TSC rates below 18 GHz). */
uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

/* Busy-wait; before calibration it assumes a 1 GHz TSC. */
void tsc_udelay(uint64_t us);

#endif
