/* SPDX-License-Identifier: MIT */
/*
 * TSC calibration: count TSC ticks over ~10 ms of a timer with a known
 * rate, three times, and keep the median (an SMI or emulator hiccup spoils
 * one run, not the result). In Bochs the TSC ticks once per instruction and
 * emulated time follows the instruction count, so this gives its ips rate.
 * Integer arithmetic only: Keel is built without floating point.
 */
#include <drivers/tsc.h>
#include <drivers/acpi.h>
#include <keel/printk.h>
#include <arch/cpu.h>
#include <arch/io.h>

#define CAL_MS       10
#define CAL_RUNS     3

#define PM_TIMER_HZ    3579545ULL
#define PM_TIMER_TICKS (PM_TIMER_HZ * CAL_MS / 1000)

#define PIT_HZ        1193182ULL
#define PIT_LATCH     (PIT_HZ * CAL_MS / 1000)
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PIT_CMD_CH2_MODE0 0xb0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT61        0x61
#define PORT61_GATE2  BIT(0)
#define PORT61_SPKR   BIT(1)
#define PORT61_OUT2   BIT(5)

/*
 * Spin bounds instead of 2^32: a timer read costs tens of ns even on
 * hardware and far more when emulated, so 2^20 reads without a PM timer
 * tick, or 2^26 reads within one 10 ms run, mean the timer is not there.
 */
#define SPIN_EDGE_MAX (1ULL << 20)
#define SPIN_MAX      (1ULL << 26)

uint64_t tsc_hz;

static uint64_t pm_timer_once(uint16_t port, uint32_t mask)
{
	uint32_t start, now, delta;
	uint64_t t0, spins = 0;

	/* Start on a tick edge, so the count is not short by up to a tick. */
	start = inl(port) & mask;
	while ((now = inl(port) & mask) == start)
		if (++spins > SPIN_EDGE_MAX)
			return 0;
	t0 = rdtsc();
	start = now;
	do {
		now = inl(port) & mask;
		delta = (now - start) & mask; /* the subtraction wraps at 24 or 32 bits */
		if (++spins > SPIN_MAX)
			return 0;
	} while (delta < PM_TIMER_TICKS);
	/* Far past the target: a 24-bit timer behind a 32-bit flag, or a long stall. */
	if (delta > 2 * PM_TIMER_TICKS)
		return 0;
	return mul_div_sat(rdtsc() - t0, PM_TIMER_HZ, delta, false);
}

static uint64_t pit_once(void)
{
	uint8_t saved = inb(PORT61);
	uint64_t t0, t1, spins = 0;

	/* Gate channel 2 on, speaker off; mode 0 drives OUT2 high at terminal count. */
	outb(PORT61, (saved & ~PORT61_SPKR) | PORT61_GATE2);
	outb(PIT_CMD, PIT_CMD_CH2_MODE0);
	outb(PIT_CH2, PIT_LATCH & 0xff);
	outb(PIT_CH2, PIT_LATCH >> 8);
	t0 = rdtsc();
	while (!(inb(PORT61) & PORT61_OUT2)) {
		if (++spins > SPIN_MAX) {
			outb(PORT61, saved);
			return 0;
		}
	}
	t1 = rdtsc();
	outb(PORT61, saved);
	return mul_div_sat(t1 - t0, PIT_HZ, PIT_LATCH, false);
}

static uint64_t median3(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo = a < b ? a : b, hi = a < b ? b : a;

	return c < lo ? lo : c > hi ? hi : c;
}

/* Median of CAL_RUNS measurements, or 0 as soon as one run fails. */
static uint64_t calibrate_with(const struct acpi_info *ai)
{
	uint64_t r[CAL_RUNS];
	uint32_t mask = ai && ai->pm_tmr_32bit ? GENMASK(31, 0) : GENMASK(23, 0);

	for (unsigned i = 0; i < CAL_RUNS; i++) {
		r[i] = ai ? pm_timer_once(ai->pm_tmr, mask) : pit_once();
		if (!r[i])
			return 0;
	}
	return median3(r[0], r[1], r[2]);
}

uint64_t tsc_calibrate(const struct acpi_info *ai)
{
	uint64_t hz = 0;

	if (ai && ai->pm_tmr) {
		hz = calibrate_with(ai);
		if (hz) {
			printk("tsc: %lu kHz (calibrated against ACPI PM timer)\n", hz / 1000);
			return tsc_hz = hz;
		}
		printk("tsc: ACPI PM timer at port 0x%x gave no usable reading, trying the PIT\n",
		       ai->pm_tmr);
	}
	hz = calibrate_with(NULL);
	if (hz)
		printk("tsc: %lu kHz (calibrated against PIT)\n", hz / 1000);
	else
		printk("tsc: calibration failed: neither the ACPI PM timer nor the PIT advances\n");
	return tsc_hz = hz;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return tsc_ticks_to_ns(ticks, tsc_hz);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return tsc_ns_to_ticks(ns, tsc_hz);
}

void tsc_udelay(uint64_t us)
{
	uint64_t hz = tsc_hz ? tsc_hz : NSEC_PER_SEC;
	uint64_t ticks = mul_div_sat(us, hz, 1000000, true), t0 = rdtsc();

	while (rdtsc() - t0 < ticks)
		cpu_relax();
}
