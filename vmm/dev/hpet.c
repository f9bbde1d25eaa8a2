/* SPDX-License-Identifier: MIT */
/*
 * HPET (IA-PC HPET Specification 1.0a), computed from guest time: the main
 * counter is a value at an instant plus the 100 ns ticks since, and each
 * timer keeps the counter value of its next event (`due`), so a timer costs
 * nothing until then, however short its period.
 *
 * Comparators match on equality: a comparator written behind the counter
 * fires only when the counter comes round to it again, which for a 64-bit
 * timer is never (the 64-bit wrap, 58,000 years at 10 MHz, is not
 * modelled). A 32-bit timer (Tn_32MODE_CNF) compares the counter's low
 * half, so it matches every 2^32 ticks, and in non-periodic mode it also
 * fires when that half wraps to 0 (spec 2.3.9.2.1). A periodic timer adds
 * the value last written to its comparator each time it matches (spec
 * 2.3.9.2.2); events that came and went between two looks at the timer
 * are folded into one interrupt.
 */
#include <keel/bits.h>
#include <keel/dev/hpet.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vtime.h>

/* General capabilities, low half: vendor 8086, LEG_RT_CAP, 64-bit counter, 3 timers, rev 1. */
#define CAP_LOW (0x8086ULL << 16 | BIT(15) | BIT(13) | (HPET_TIMERS - 1ULL) << 8 | 0x01)

/* Tn_CONF_CAP. */
#define TN_LEVEL       BIT(1)  /* Tn_INT_TYPE_CNF */
#define TN_INT_ENB     BIT(2)
#define TN_PERIODIC    BIT(3)  /* Tn_TYPE_CNF */
#define TN_PER_CAP     BIT(4)
#define TN_SIZE_CAP    BIT(5)  /* a 64-bit comparator */
#define TN_VAL_SET     BIT(6)
#define TN_32MODE      BIT(8)
#define TN_ROUTE       GENMASK(13, 9)
#define TN_ROUTE_SHIFT 9
#define TN_FSB_EN      BIT(14)
#define TN_FSB_CAP     BIT(15)
#define TN_CAPS (TN_PER_CAP | TN_SIZE_CAP | TN_FSB_CAP | (uint64_t)HPET_ROUTE_CAP << 32)
#define TN_RW   (TN_LEVEL | TN_INT_ENB | TN_PERIODIC | TN_VAL_SET | TN_32MODE | TN_ROUTE | TN_FSB_EN)

#define LOW32   0xffffffffULL
#define NOWHERE (-1)
#define TO_FSB  (-2)

static bool running(const struct hpet *h)
{
	return h->config & HPET_CFG_ENABLE;
}

static uint64_t counter_at(const struct hpet *h, uint64_t now)
{
	if (!running(h) || now <= h->since)
		return h->counter;
	return h->counter + (now - h->since) / HPET_NS_PER_TICK;
}

/* The first guest ns at which the running counter reaches c. */
static uint64_t ns_at(const struct hpet *h, uint64_t c)
{
	uint64_t d = c > h->counter ? c - h->counter : 0;

	if (d > (VTIME_NEVER - 1 - h->since) / HPET_NS_PER_TICK)
		return VTIME_NEVER;
	return h->since + d * HPET_NS_PER_TICK;
}

static bool is32(const struct hpet_timer *t)
{
	return t->config & TN_32MODE;
}

/* The first counter value after c whose low half is v. */
static uint64_t next_low(uint64_t c, uint32_t v)
{
	uint64_t m = (c & ~LOW32) | v;

	if (m > c)
		return m;
	return m < HPET_NEVER - BIT(32) ? m + BIT(32) : HPET_NEVER;
}

/* The timer's first event after counter value c. */
static void arm(struct hpet_timer *t, uint64_t c)
{
	if (!is32(t)) {
		t->due = t->cmp > c ? t->cmp : HPET_NEVER;
		return;
	}
	t->due = next_low(c, (uint32_t)t->cmp);
	if (!(t->config & TN_PERIODIC)) {
		uint64_t wrap = next_low(c, 0);

		if (wrap < t->due)
			t->due = wrap;
	}
}

/*
 * Where timer n's interrupt goes: an FSB message (which legacy replacement
 * does not preclude, as Intel's PCH datasheets say under "Interrupt
 * Mapping"), ISA IRQ 0 or 8 in legacy replacement, else the IOAPIC pin
 * Tn_INT_ROUTE_CNF names, which is nowhere until the guest picks one.
 */
static int route(const struct hpet *h, unsigned n)
{
	const struct hpet_timer *t = &h->t[n];
	unsigned pin = (unsigned)((t->config & TN_ROUTE) >> TN_ROUTE_SHIFT);

	if (t->config & TN_FSB_EN)
		return TO_FSB;
	if (hpet_legacy(h) && n < 2)
		return n == 0 ? 0 : 8;
	return HPET_ROUTE_CAP & BIT(pin) ? (int)pin : NOWHERE;
}

static void set_line(struct hpet *h, unsigned line, bool level)
{
	if (h->set_irq)
		h->set_irq(h->ctx, line, level);
}

/*
 * A level-triggered timer holds its line high while its status bit is set,
 * its interrupt is enabled and the counter runs (ENABLE_CNF 0 disables all
 * timer interrupts). Lines are wired-OR: shared, a line stays
 * high while any timer holds it.
 */
static void sync_lines(struct hpet *h)
{
	uint32_t want = 0, diff;

	for (unsigned n = 0; n < HPET_TIMERS && running(h); n++) {
		const struct hpet_timer *t = &h->t[n];
		int r = route(h, n);

		if ((t->config & TN_LEVEL) && (t->config & TN_INT_ENB) && (h->status & BIT(n)) && r >= 0)
			want |= 1u << r;
	}
	diff = want ^ h->lines;
	h->lines = want;
	for (unsigned line = 0; line < 32; line++)
		if (diff & (1u << line))
			set_line(h, line, want & (1u << line));
}

/* An event of timer n: the status bit of a level-triggered timer, an edge or a message. */
static void fire(struct hpet *h, unsigned n)
{
	struct hpet_timer *t = &h->t[n];
	int r = route(h, n);

	t->fired++;
	if (t->config & TN_LEVEL)
		h->status |= BIT(n); /* set even with the interrupt disabled (spec: Tn_INT_ENB_CNF) */
	if (!(t->config & TN_INT_ENB))
		return;
	if (r == TO_FSB) {
		msi_send(&h->msi, t->fsb >> 32, (uint32_t)t->fsb);
	} else if (r >= 0 && !(t->config & TN_LEVEL) && !(h->lines & (1u << r))) {
		set_line(h, (unsigned)r, true); /* an edge, unless a level timer holds the line */
		set_line(h, (unsigned)r, false);
	}
}

/* Timer n's event came due by counter value c: fire it and find the next. */
static void expire(struct hpet *h, unsigned n, uint64_t c)
{
	struct hpet_timer *t = &h->t[n];
	uint64_t p = is32(t) ? t->period & LOW32 : t->period;

	if ((t->config & TN_PERIODIC) && p) {
		uint64_t k = (c - t->due) / p + 1;

		t->missed += k - 1;
		t->due = k > (HPET_NEVER - 1 - t->due) / p ? HPET_NEVER : t->due + k * p;
		t->cmp = is32(t) ? t->due & LOW32 : t->due;
	} else {
		arm(t, c);
	}
	fire(h, n);
}

void hpet_update(struct hpet *h, uint64_t now)
{
	uint64_t c;
	bool fired = false;

	if (!running(h))
		return;
	c = counter_at(h, now);
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		if (h->t[n].due != HPET_NEVER && h->t[n].due <= c) {
			expire(h, n, c);
			fired = true;
		}
	}
	if (fired)
		sync_lines(h);
}

uint64_t hpet_next_event_ns(const struct hpet *h, uint64_t now)
{
	uint64_t next = VTIME_NEVER;

	if (!running(h))
		return VTIME_NEVER;
	/* Only events that interrupt are worth waking for; the rest are found on the next access. */
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		const struct hpet_timer *t = &h->t[n];
		uint64_t ns;

		if (t->due == HPET_NEVER || !(t->config & TN_INT_ENB) || route(h, n) == NOWHERE)
			continue;
		ns = ns_at(h, t->due);
		if (ns < next)
			next = ns;
	}
	return next != VTIME_NEVER && next < now ? now : next;
}

static uint64_t merge(uint64_t old, uint64_t v, uint64_t mask)
{
	return (old & ~mask) | (v & mask);
}

static void config_write(struct hpet *h, uint64_t v, uint64_t now)
{
	uint64_t old = h->config;

	v &= HPET_CFG_ENABLE | HPET_CFG_LEGACY;
	if ((old ^ v) & HPET_CFG_ENABLE) {
		h->counter = counter_at(h, now); /* halts or restarts where it is */
		h->since = now;
	}
	h->config = v;
	/* The other owners of IRQ 0 and 8 let go before the HPET drives them, and after. */
	if ((old ^ v) & v & HPET_CFG_LEGACY && h->legacy_changed)
		h->legacy_changed(h->ctx, true);
	sync_lines(h);
	if ((old ^ v) & old & HPET_CFG_LEGACY && h->legacy_changed)
		h->legacy_changed(h->ctx, false);
}

/* Written while halted, as the spec asks; while running it takes effect from now. */
static void counter_write(struct hpet *h, uint64_t v, uint64_t mask, uint64_t now)
{
	h->counter = merge(counter_at(h, now), v, mask);
	h->since = now;
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		arm(&h->t[n], h->counter);
}

static void timer_config_write(struct hpet *h, unsigned n, uint64_t v, uint64_t now)
{
	struct hpet_timer *t = &h->t[n];
	unsigned pin = (unsigned)((v & TN_ROUTE) >> TN_ROUTE_SHIFT);

	/* A route the timer cannot take is not stored: it reads back as before,
	 * as the spec says of Tn_INT_ROUTE_CNF. */
	if (!(HPET_ROUTE_CAP & BIT(pin)))
		v = merge(v, t->config, TN_ROUTE);
	t->config = v & TN_RW;
	if (!(t->config & TN_LEVEL))
		h->status &= ~BIT(n); /* only level-triggered timers have a status bit */
	if (is32(t)) {
		t->cmp &= LOW32;
		t->period &= LOW32;
	}
	arm(t, counter_at(h, now));
	sync_lines(h);
}

/*
 * The comparator (spec 2.3.9.2.2): a write sets the period, and the
 * comparator itself unless the timer is periodic, where that takes
 * Tn_VAL_SET_CNF. That bit clears after any write: Intel's datasheets have
 * a 32-bit guest set it again before the high half of a 64-bit value.
 */
static void timer_cmp_write(struct hpet *h, unsigned n, uint64_t v, uint64_t mask, uint64_t now)
{
	struct hpet_timer *t = &h->t[n];

	if (is32(t))
		mask &= LOW32; /* a 32-bit timer's high half reads 0 and ignores writes */
	if (!mask)
		return;
	t->period = merge(t->period, v, mask);
	if (!(t->config & TN_PERIODIC) || (t->config & TN_VAL_SET))
		t->cmp = merge(t->cmp, v, mask);
	t->config &= ~TN_VAL_SET;
	arm(t, counter_at(h, now));
}

static bool timer_reg(unsigned reg, unsigned *n, unsigned *r)
{
	if (reg < HPET_REG_TIMER(0) || reg >= HPET_REG_TIMER(HPET_TIMERS))
		return false;
	*n = (reg - HPET_REG_TIMER(0)) / 0x20;
	*r = reg % 0x20;
	return true;
}

static uint64_t reg_read(struct hpet *h, unsigned reg, uint64_t now)
{
	unsigned n, r;

	if (timer_reg(reg, &n, &r))
		return r == 0 ? h->t[n].config | TN_CAPS : r == 8 ? h->t[n].cmp :
		       r == 0x10 ? h->t[n].fsb : 0;
	switch (reg) {
	case HPET_REG_CAP:
		return HPET_PERIOD_FS << 32 | CAP_LOW;
	case HPET_REG_CONFIG:
		return h->config;
	case HPET_REG_STATUS:
		return h->status;
	case HPET_REG_COUNTER:
		return counter_at(h, now);
	default:
		return 0; /* reserved */
	}
}

static void reg_write(struct hpet *h, unsigned reg, uint64_t v, uint64_t mask, uint64_t now)
{
	unsigned n, r;

	if (timer_reg(reg, &n, &r)) {
		if (r == 0)
			timer_config_write(h, n, merge(h->t[n].config, v, mask), now);
		else if (r == 8)
			timer_cmp_write(h, n, v, mask, now);
		else if (r == 0x10)
			h->t[n].fsb = merge(h->t[n].fsb, v, mask);
		return;
	}
	switch (reg) {
	case HPET_REG_CONFIG:
		config_write(h, merge(h->config, v, mask), now);
		break;
	case HPET_REG_STATUS:
		h->status &= ~(v & mask); /* write 1 to clear */
		sync_lines(h);
		break;
	case HPET_REG_COUNTER:
		counter_write(h, v, mask, now);
		break;
	default:
		break; /* read-only or reserved */
	}
}

/*
 * Registers are 64 bits wide; a 32-bit access reaches half of one, and
 * narrower ones are taken the same way. An access that spans
 * two registers is not one the spec allows: it reads 0 and writes nothing.
 */
static int hpet_mmio(struct vm *vm, void *dev, struct io_access *a)
{
	struct hpet *h = dev;
	unsigned off = (unsigned)(a->addr & (HPET_MMIO_LEN - 1)), shift = (off & 7) * 8;
	uint64_t now = vm_time_ns(vm), mask;

	h->touched = true;

	hpet_update(h, now); /* events before this access see the old registers */
	if ((off & 7) + a->size > 8) {
		if (!a->write)
			a->value = 0;
		return 0;
	}
	mask = (a->size >= 8 ? ~0ULL : (1ULL << (8 * a->size)) - 1) << shift;
	if (a->write)
		reg_write(h, off & ~7u, a->value << shift, mask, now);
	else
		a->value = (reg_read(h, off & ~7u, now) & mask) >> shift;
	return 0;
}

void hpet_init(struct hpet *h)
{
	memset(h, 0, sizeof(*h));
	for (unsigned n = 0; n < HPET_TIMERS; n++) {
		h->t[n].cmp = ~0ULL; /* as on Intel's parts: all ones until written */
		h->t[n].due = HPET_NEVER;
	}
}

int hpet_register(struct vm *vm, struct hpet *h, uint64_t base)
{
	return io_register_mmio(vm, base, HPET_MMIO_LEN, hpet_mmio, h);
}
