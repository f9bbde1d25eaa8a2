/* SPDX-License-Identifier: MIT */
/*
 * hpettest: a disk booted by SeaBIOS (boot64.S) that checks Keel's HPET
 * and MSI delivery as a kernel would use them, and prints what it measured
 * for test_hvm.py to judge: the capability registers, the ACPI HPET table
 * SeaBIOS built, the counter halted and running against the ACPI PM timer,
 * a one-shot edge and a level interrupt through the IOAPIC, legacy
 * replacement through the 8259 (the PIT and RTC silenced meanwhile) with a
 * periodic timer 0 and a one-shot timer 1, and FSB messages to the local
 * APIC. The status on the debug-exit port is the step that failed, 0 if
 * none.
 */
#include <keel/printk.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "disk.h"

#define HPET      0xfed00000UL
#define IOAPIC    0xfec00000UL
#define LAPIC     0xfee00000UL
#define CAP       0x000
#define CONFIG    0x010
#define STATUS    0x020
#define COUNTER   0x0f0
#define TCFG(n)   (0x100 + 0x20 * (n))
#define TCMP(n)   (0x108 + 0x20 * (n))
#define TFSB(n)   (0x110 + 0x20 * (n))
#define ENABLE    0x1
#define LEGACY    0x2
#define T_LEVEL   0x2
#define T_INT_ENB 0x4
#define T_PERIODIC 0x8
#define T_VAL_SET 0x40
#define T_FSB_EN  0x4000
#define T_FSB_CAP 0x8000
#define T_ROUTE(p) ((uint64_t)(p) << 9)

#define PM_HZ     3579545ULL
#define PM_MS     3580ULL /* PM timer ticks in a millisecond, near enough for waits */

#define VEC_IRQ0     0x20 /* the 8259s at 0x20 and 0x28 */
#define VEC_IRQ8     0x28
#define VEC_ONESHOT  0x41
#define VEC_LEVEL    0x42
#define VEC_MSI      0x43
#define VEC_MSI_LOST 0x44
#define VEC_MSI_ALL  0x45

static uint64_t hpet_rd(unsigned off) { return *(volatile uint64_t *)(HPET + off); }
static uint32_t hpet_rd32(unsigned off) { return *(volatile uint32_t *)(HPET + off); }
static void hpet_wr(unsigned off, uint64_t v) { *(volatile uint64_t *)(HPET + off) = v; }
static void hpet_wr32(unsigned off, uint32_t v) { *(volatile uint32_t *)(HPET + off) = v; }
static uint32_t lapic_rd(unsigned off) { return *(volatile uint32_t *)(LAPIC + off); }
static void lapic_wr(unsigned off, uint32_t v) { *(volatile uint32_t *)(LAPIC + off) = v; }

static void ioapic_wr(unsigned reg, uint32_t v)
{
	*(volatile uint32_t *)IOAPIC = reg;
	*(volatile uint32_t *)(IOAPIC + 0x10) = v;
}

/* IOAPIC pin -> vector, physical destination APIC 0; masked if mask. */
static void route_pin(unsigned pin, uint8_t vec, bool level, bool mask)
{
	ioapic_wr(0x11 + 2 * pin, 0);
	ioapic_wr(0x10 + 2 * pin, vec | (level ? 1u << 15 : 0) | (mask ? 1u << 16 : 0));
}

/* ---- interrupts ---------------------------------------------------------- */

static volatile unsigned hits[256];
static volatile uint64_t first_at[256], last_at[256]; /* HPET counter in the handler */
static volatile uint32_t status_seen;

void isr(uint64_t vec)
{
	uint64_t c;

	if (vec < 32) {
		print("hpettest: exception %lu\n", vec);
		outl(0xf4, 0x80 + (uint32_t)vec);
		for (;;)
			__asm__ volatile("cli; hlt");
	}
	c = hpet_rd(COUNTER);
	if (!hits[vec])
		first_at[vec] = c;
	last_at[vec] = c;
	hits[vec]++;
	if (vec == VEC_LEVEL) {
		/* A level-triggered timer's status bit holds its line: clear it before the EOI. */
		status_seen = hpet_rd32(STATUS);
		hpet_wr32(STATUS, 1u << 2);
	}
	if (vec == VEC_IRQ8) {
		outb(0x70, 0x0c); /* the RTC's flags: reading them lowers its IRQ 8 */
		inb(0x71);
	}
	if (vec >= VEC_IRQ0 && vec < VEC_IRQ0 + 16) {
		if (vec >= VEC_IRQ8)
			outb(0xa0, 0x20);
		outb(0x20, 0x20);
	} else if (vec != 0xff) {
		lapic_wr(0xb0, 0);
	}
}

/* 8259s at vectors 0x20 and 0x28, cascade on IRQ 2, every line masked. */
static void pic_init(void)
{
	static const uint8_t icw[2][4] = { { 0x11, 0x20, 0x04, 0x01 }, { 0x11, 0x28, 0x02, 0x01 } };

	for (unsigned p = 0; p < 2; p++) {
		uint16_t port = p ? 0xa0 : 0x20;

		outb(port, icw[p][0]);
		for (unsigned i = 1; i < 4; i++)
			outb(port + 1, icw[p][i]);
		outb(port + 1, 0xff);
	}
}

static void reset_hits(void)
{
	for (unsigned i = 0; i < 256; i++)
		hits[i] = 0;
}

/* ---- time ---------------------------------------------------------------- */

static uint16_t pm_port;

static uint32_t pci_cfg32(unsigned devfn, unsigned off)
{
	outl(0xcf8, 0x80000000u | devfn << 8 | off);
	return inl(0xcfc);
}

static uint32_t pm_now(void)
{
	return inl(pm_port) & 0xffffff;
}

static uint32_t pm_since(uint32_t t0)
{
	return (pm_now() - t0) & 0xffffff;
}

/* Wait with interrupts on until *count reaches want or ms pass; the count it reached. */
static unsigned wait_hits(volatile unsigned *count, unsigned want, unsigned ms)
{
	uint32_t t0 = pm_now();

	__asm__ volatile("sti");
	while (*count < want && pm_since(t0) < ms * PM_MS)
		;
	return *count;
}

static void delay_ms(unsigned ms)
{
	uint32_t t0 = pm_now();

	__asm__ volatile("sti");
	while (pm_since(t0) < ms * PM_MS)
		;
}

/* ---- the steps ----------------------------------------------------------- */

static uint64_t cap;

static bool step_caps(void)
{
	uint32_t lo = hpet_rd32(CAP), hi = hpet_rd32(CAP + 4);

	cap = hpet_rd(CAP);
	print("hpettest: capabilities %016lx (as halves %08x %08x)\n", cap, hi, lo);
	print("hpettest: vendor %04lx, revision %lu, %lu timers, %s counter, legacy replacement %s, "
	      "period %lu fs\n", cap >> 16 & 0xffff, cap & 0xff, (cap >> 8 & 0x1f) + 1,
	      cap & 1 << 13 ? "64-bit" : "32-bit", cap & 1 << 15 ? "capable" : "not capable",
	      cap >> 32);
	for (unsigned n = 0; n <= (cap >> 8 & 0x1f); n++) {
		uint64_t c = hpet_rd(TCFG(n));

		print("hpettest: timer %u: routes %08lx, %s, %s, %s\n", n, c >> 32,
		      c & 1 << 4 ? "periodic" : "one-shot only", c & 1 << 5 ? "64-bit" : "32-bit",
		      c & T_FSB_CAP ? "FSB" : "no FSB");
	}
	return ((uint64_t)hi << 32 | lo) == cap && (cap >> 8 & 0x1f) >= 2;
}

static bool sig_is(const volatile uint8_t *p, const char *s)
{
	for (unsigned i = 0; i < 4; i++)
		if (p[i] != (uint8_t)s[i])
			return false;
	return true;
}

/* The tables SeaBIOS built: RSDP in the BIOS area, RSDT, an HPET table naming the block. */
static bool step_acpi(void)
{
	const volatile uint8_t *rsdp = 0, *rsdt;
	char names[5 * 16 + 1];
	unsigned n, len = 0;
	bool found = false;

	for (uintptr_t a = 0xe0000; a < 0x100000 && !rsdp; a += 16)
		if (sig_is((const uint8_t *)a, "RSD ") && sig_is((const uint8_t *)a + 4, "PTR "))
			rsdp = (const uint8_t *)a;
	if (!rsdp) {
		print("hpettest: no ACPI RSDP\n");
		return false;
	}
	rsdt = (const uint8_t *)(uintptr_t)*(const volatile uint32_t *)(rsdp + 16);
	n = (*(const volatile uint32_t *)(rsdt + 4) - 36) / 4;
	for (unsigned i = 0; i < n && i < 16; i++) {
		const volatile uint8_t *t =
			(const uint8_t *)(uintptr_t)*(const volatile uint32_t *)(rsdt + 36 + 4 * i);

		for (unsigned k = 0; k < 4; k++)
			names[len++] = (char)t[k];
		names[len++] = ' ';
		if (sig_is(t, "HPET")) {
			print("hpettest: ACPI HPET table: block id %08x, address %016lx\n",
			      *(const volatile uint32_t *)(t + 36), *(const volatile uint64_t *)(t + 44));
			found = true;
		}
	}
	names[len ? len - 1 : 0] = 0;
	print("hpettest: ACPI tables: %s\n", names);
	return found;
}

static bool step_counter(void)
{
	uint64_t held, later, c0, c1;
	uint32_t p0, p1;

	/* Halted: written as two halves, it holds its value. */
	hpet_wr(CONFIG, 0);
	hpet_wr32(COUNTER, 0x56789abc);
	hpet_wr32(COUNTER + 4, 0x1234);
	held = hpet_rd(COUNTER);
	delay_ms(2);
	later = hpet_rd(COUNTER);
	print("hpettest: halted counter %016lx, 2 ms later %016lx\n", held, later);
	/* Running: its rate against the PM timer over 50 ms. */
	hpet_wr(COUNTER, 0);
	hpet_wr(CONFIG, ENABLE);
	p0 = pm_now();
	c0 = hpet_rd(COUNTER);
	while (pm_since(p0) < 50 * PM_MS)
		;
	c1 = hpet_rd(COUNTER);
	p1 = pm_since(p0);
	print("hpettest: counter advanced %lu in %u PM timer ticks\n", c1 - c0, p1);
	return held == 0x123456789abcULL && later == held && c1 > c0;
}

static unsigned route_pin_of(unsigned timer)
{
	uint32_t routes = (uint32_t)(hpet_rd(TCFG(timer)) >> 32);

	for (unsigned pin = 16; pin < 32; pin++)
		if (routes & 1u << pin)
			return pin;
	return 0;
}

static bool step_oneshot(void)
{
	unsigned pin = route_pin_of(2), got;
	uint64_t set;

	route_pin(pin, VEC_ONESHOT, false, false);
	hpet_wr(TCFG(2), T_INT_ENB | T_ROUTE(pin));
	set = hpet_rd(COUNTER);
	hpet_wr(TCMP(2), set + 100000); /* 10 ms at 10 MHz */
	got = wait_hits(&hits[VEC_ONESHOT], 1, 50);
	delay_ms(20);
	print("hpettest: one-shot on IOAPIC pin %u: %u interrupt(s), %lu ticks after it was set "
	      "for 100000\n", pin, hits[VEC_ONESHOT], first_at[VEC_ONESHOT] - set);
	hpet_wr(TCFG(2), 0);
	route_pin(pin, VEC_ONESHOT, false, true);
	return got == 1 && hits[VEC_ONESHOT] == 1;
}

static bool step_level(void)
{
	unsigned pin = route_pin_of(2);

	route_pin(pin, VEC_LEVEL, true, false);
	hpet_wr(TCFG(2), T_INT_ENB | T_LEVEL | T_ROUTE(pin));
	hpet_wr(TCMP(2), hpet_rd(COUNTER) + 50000);
	wait_hits(&hits[VEC_LEVEL], 1, 50);
	delay_ms(10); /* a line left high would bring the vector back after each EOI */
	print("hpettest: level on IOAPIC pin %u: %u interrupt(s), status %x in the handler, %x "
	      "after\n", pin, hits[VEC_LEVEL], status_seen, hpet_rd32(STATUS));
	hpet_wr(TCFG(2), 0);
	route_pin(pin, VEC_LEVEL, true, true);
	return hits[VEC_LEVEL] == 1 && (status_seen & 4) && !hpet_rd32(STATUS);
}

static void rtc_periodic(bool on)
{
	outb(0x70, 0x0a);
	outb(0x71, 0x26); /* 1024 Hz */
	outb(0x70, 0x0b);
	outb(0x71, on ? 0x42 : 0x02);
	outb(0x70, 0x0c);
	inb(0x71);
}

/* PIT and RTC interrupts in 20 ms through the 8259. */
static void count_legacy(const char *when)
{
	reset_hits();
	delay_ms(20);
	print("hpettest: legacy replacement %s: PIT IRQ 0 %u, RTC IRQ 8 %u in 20 ms\n", when,
	      hits[VEC_IRQ0], hits[VEC_IRQ8]);
}

static bool step_legacy(void)
{
	unsigned before0, before8, on0, on8, periodic, oneshot;

	outb(0x21, 0xfa); /* IRQ 0 and the cascade */
	outb(0xa1, 0xfe); /* IRQ 8 */
	outb(0x43, 0x34); /* PIT channel 0, mode 2, 1 kHz */
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	rtc_periodic(true);
	count_legacy("off");
	before0 = hits[VEC_IRQ0], before8 = hits[VEC_IRQ8];
	hpet_wr(CONFIG, ENABLE | LEGACY);
	count_legacy("on");
	on0 = hits[VEC_IRQ0], on8 = hits[VEC_IRQ8];
	/* Timer 0, periodic at 1 ms, as Linux sets it up: Tn_VAL_SET_CNF, first match, period. */
	reset_hits();
	hpet_wr(TCFG(0), T_INT_ENB | T_PERIODIC | T_VAL_SET);
	hpet_wr(TCMP(0), hpet_rd(COUNTER) + 10000);
	hpet_wr(TCMP(0), 10000);
	periodic = wait_hits(&hits[VEC_IRQ0], 21, 200);
	hpet_wr(TCFG(0), 0);
	print("hpettest: periodic timer 0 on IRQ 0: %u interrupts, %lu ticks apart (period "
	      "10000)\n", periodic, (last_at[VEC_IRQ0] - first_at[VEC_IRQ0]) / (periodic - 1));
	/* Timer 1, one-shot, 2 ms. */
	rtc_periodic(false);
	reset_hits();
	hpet_wr(TCFG(1), T_INT_ENB);
	hpet_wr(TCMP(1), hpet_rd(COUNTER) + 20000);
	wait_hits(&hits[VEC_IRQ8], 1, 50);
	delay_ms(10);
	oneshot = hits[VEC_IRQ8];
	hpet_wr(TCFG(1), 0);
	print("hpettest: one-shot timer 1 on IRQ 8: %u interrupt(s)\n", oneshot);
	rtc_periodic(true);
	hpet_wr(CONFIG, ENABLE);
	count_legacy("off again");
	rtc_periodic(false);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	return before0 && before8 && !on0 && !on8 && periodic == 21 && oneshot == 1 &&
	       hits[VEC_IRQ0] && hits[VEC_IRQ8];
}

/* Timer 2 sends one FSB message to APIC dest with vector vec, 3 ms from now. */
static unsigned fsb_once(uint8_t dest, uint8_t vec)
{
	hpet_wr(TFSB(2), (uint64_t)(0xfee00000u | (uint32_t)dest << 12) << 32 | vec);
	hpet_wr(TCFG(2), T_INT_ENB | T_FSB_EN);
	hpet_wr(TCMP(2), hpet_rd(COUNTER) + 30000);
	wait_hits(&hits[vec], 1, 20);
	delay_ms(5);
	hpet_wr(TCFG(2), 0);
	return hits[vec];
}

static bool step_fsb(void)
{
	uint8_t id = (uint8_t)(lapic_rd(0x20) >> 24);
	unsigned mine, other, all;

	mine = fsb_once(id, VEC_MSI);
	other = fsb_once((uint8_t)(id + 1), VEC_MSI_LOST);
	all = fsb_once(0xff, VEC_MSI_ALL);
	print("hpettest: FSB messages: to APIC %u (this one) %u interrupt(s), to APIC %u %u, "
	      "broadcast %u\n", id, mine, (uint8_t)(id + 1), other, all);
	return mine == 1 && other == 0 && all == 1;
}

int main(void);
int main(void)
{
	static bool (*const steps[])(void) = { step_caps, step_acpi, step_counter, step_oneshot,
					       step_level, step_legacy, step_fsb };

	idt_init();
	pic_init();
	pm_port = (uint16_t)((pci_cfg32(0x0b, 0x40) & 0xffc0) + 8); /* PIIX4 PM, 00:01.3 */
	lapic_wr(0xf0, 0x1ff);  /* software-enabled, spurious vector 0xff */
	lapic_wr(0x80, 0);      /* TPR: take everything */
	lapic_wr(0x350, 0x700); /* LINT0 ExtINT: the 8259 reaches the CPU (virtual wire) */
	for (unsigned i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (!steps[i]()) {
			print("hpettest: step %u failed\n", i + 1);
			return (int)i + 1;
		}
	}
	print("hpettest: all steps passed\n");
	return 0;
}
