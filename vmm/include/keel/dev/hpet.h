/* SPDX-License-Identifier: MIT */
/*
 * HPET, the PC's high precision event timer (IA-PC HPET Specification
 * 1.0a): one 1 KiB MMIO block at 0xfed00000 with a 64-bit main counter at
 * 10 MHz and three 64-bit comparators, each periodic-capable, routable to
 * IOAPIC pins 20-23 or as FSB (MSI) messages, and legacy-replacement
 * capable (timer 0 takes ISA IRQ 0, timer 1 IRQ 8). The capability
 * register's low half, 0x8086a201, is the event timer block ID SeaBIOS
 * writes into the ACPI HPET table it builds when it finds the block.
 *
 * Driven by guest time like the other timers: the counter follows from
 * vm_time_ns(), and Keel calls hpet_update() when hpet_next_event_ns()
 * comes due. Lines idle low and go high while asserted (the IOAPIC pins
 * 20-23 are programmed active-high, as on QEMU).
 */
#ifndef KEEL_DEV_HPET_H
#define KEEL_DEV_HPET_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/msi.h>

struct vm;

#define HPET_BASE_DEFAULT 0xfed00000ULL
#define HPET_MMIO_LEN     0x400ULL
#define HPET_TIMERS       3
#define HPET_NS_PER_TICK  100ULL       /* 10 MHz ... */
#define HPET_PERIOD_FS    100000000ULL /* ... a period of 100 ns, the longest the spec allows */
#define HPET_ROUTE_CAP    0x00f00000u  /* Tn_INT_ROUTE_CAP: IOAPIC pins 20-23 */
#define HPET_NEVER        UINT64_MAX

/* Registers (spec 2.3.1) and the bits the platform and tests name. */
#define HPET_REG_CAP      0x000
#define HPET_REG_CONFIG   0x010
#define HPET_REG_STATUS   0x020
#define HPET_REG_COUNTER  0x0f0
#define HPET_REG_TIMER(n) (0x100 + 0x20 * (n)) /* + 0 config, + 8 comparator, + 0x10 FSB route */
#define HPET_CFG_ENABLE   (1u << 0)
#define HPET_CFG_LEGACY   (1u << 1)

struct hpet_timer {
	uint64_t config;  /* the writable bits of Tn_CONF_CAP */
	uint64_t cmp;     /* the comparator as the guest reads it */
	uint64_t period;  /* periodic: the value last written to the comparator */
	uint64_t due;     /* main counter value of the next event, HPET_NEVER if none */
	uint64_t fsb;     /* Tn_FSB_INT_ROUTE: address << 32 | data */
	uint64_t fired;   /* events, for statistics */
	uint64_t missed;  /* periodic events folded into an earlier one */
};

struct hpet {
	bool touched; /* accessed since Keel last read its next deadline (vmm/hvm_events.c) */
	uint64_t config;  /* ENABLE_CNF, LEG_RT_CNF */
	uint64_t status;  /* general interrupt status: level-triggered timers only */
	uint64_t counter; /* the main counter: held, or its value at `since` while enabled */
	uint64_t since;   /* guest ns at which it held `counter` */
	uint32_t lines;   /* bit per line the level-triggered timers hold high */
	struct hpet_timer t[HPET_TIMERS];

	/*
	 * Wiring, set by the integrator after hpet_init(); NULL hooks are
	 * skipped. set_irq's line is ISA IRQ 0 or 8 (legacy replacement) or an
	 * IOAPIC pin from HPET_ROUTE_CAP. legacy_changed runs when LEG_RT_CNF
	 * changes, before the HPET drives its legacy lines: from then on IRQ 0
	 * and 8 are the HPET's (on) or the PIT's and RTC's again (off).
	 */
	void (*set_irq)(void *ctx, unsigned line, bool level);
	void (*legacy_changed)(void *ctx, bool on);
	void *ctx;
	struct msi_line msi; /* FSB messages */
};

/* Power-on state: halted at 0, every timer one-shot, disabled, unrouted. */
void hpet_init(struct hpet *h);
int hpet_register(struct vm *vm, struct hpet *h, uint64_t base);
/* LEG_RT_CNF: IRQ 0 and 8 belong to the HPET; the PIT and RTC raise no interrupts. */
static inline bool hpet_legacy(const struct hpet *h)
{
	return h->config & HPET_CFG_LEGACY;
}
/* Guest ns of the next event that raises an interrupt, `now` if due, VTIME_NEVER if none. */
uint64_t hpet_next_event_ns(const struct hpet *h, uint64_t now);
/* Fire what came due up to now: one interrupt per timer for any number of events. */
void hpet_update(struct hpet *h, uint64_t now);

#endif
