/* SPDX-License-Identifier: MIT */
/*
 * 8254 PIT, computed from guest time (Intel 82C54 datasheet, order 231244:
 * "Modes of Operation" and "Read-Back Command"). Each running counter
 * keeps the tick at which its cycle began; value and OUT follow from the
 * elapsed ticks. Simplifications: the count is taken to load on the write
 * itself (the real part needs one more CLK), BCD is stored and read back
 * but counting is binary, and mode 3 counts read back for odd periods are
 * approximate (OUT timing is exact).
 */
#include <keel/bits.h>
#include <keel/dev/vpit.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vtime.h>

#define NS_PER_S 1000000000ULL
#define CTRL_RW(c) (((c) >> 4) & 3)
#define RW_LATCH 0
#define RW_LSB 1
#define RW_MSB 2
#define RW_WORD 3
#define READBACK 3           /* select field of a read-back command */
#define RB_NO_COUNT 0x20
#define RB_NO_STATUS 0x10
#define STATUS_OUT 0x80
#define STATUS_NULL 0x40
#define P61_GATE2 0x01
#define P61_RW 0x0f
#define P61_REFRESH 0x10
#define P61_OUT2 0x20
/* The PC/AT BIOS runs counter 1 in mode 2 with count 18 for DRAM refresh (~15 us). */
#define REFRESH_TICKS 18

enum vpit_state {
	CH_IDLE, /* no count since the control word */
	CH_WAIT, /* modes 1/5: count loaded, waiting for a gate trigger */
	CH_RUN,
};

/* 64-bit only: split at whole seconds so nothing overflows, no __int128. */
static uint64_t ns_to_ticks(uint64_t ns)
{
	return ns / NS_PER_S * VPIT_HZ + ns % NS_PER_S * VPIT_HZ / NS_PER_S;
}

/* The first ns at which ns_to_ticks() reaches t. */
static uint64_t ticks_to_ns(uint64_t t)
{
	uint64_t q = t / VPIT_HZ, r = t % VPIT_HZ;

	if (q >= VTIME_NEVER / NS_PER_S)
		return VTIME_NEVER;
	return q * NS_PER_S + (r * NS_PER_S + VPIT_HZ - 1) / VPIT_HZ;
}

static uint64_t elapsed(const struct vpit_chan *c, uint64_t t)
{
	if (c->frozen)
		return c->held;
	return t > c->start ? t - c->start : 0;
}

/* A count of 1 is illegal in modes 2 and 3 (datasheet count limits); run it as 2. */
static uint32_t period(const struct vpit_chan *c)
{
	return c->count < 2 ? 2 : c->count;
}

/* Tick (from the cycle start) at which a one-shot mode's OUT rises. */
static uint64_t oneshot_edge(const struct vpit_chan *c)
{
	/* Modes 4/5 strobe OUT low for one CLK at terminal count. */
	return c->mode >= 4 ? c->count + 1ULL : c->count;
}

static bool periodic(const struct vpit_chan *c)
{
	return c->mode == 2 || c->mode == 3;
}

static bool chan_out(const struct vpit_chan *c, uint64_t t)
{
	uint64_t d = elapsed(c, t);

	if (c->state != CH_RUN)
		return c->mode != 0; /* mode 0 OUT goes low on the control word */
	switch (c->mode) {
	case 0:
	case 1:
		return d >= c->count;
	case 2:
		return !c->gate || d % period(c) != period(c) - 1;
	case 3:
		return !c->gate || d % period(c) < (period(c) + 1) / 2;
	default:
		return d != c->count;
	}
}

static uint16_t chan_value(const struct vpit_chan *c, uint64_t t)
{
	uint64_t d = elapsed(c, t), p = period(c), half = (p + 1) / 2;

	if (c->state != CH_RUN)
		return (uint16_t)c->cr;
	if (c->mode == 2)
		return (uint16_t)(p - d % p);
	if (c->mode == 3) {
		/* Decrements by two through each half period. */
		d %= p;
		if (d >= half)
			d -= half;
		return (uint16_t)((p - 2 * d) & ~1ULL);
	}
	return (uint16_t)(c->count - d); /* wraps past terminal count */
}

/* Rising edges of OUT by the timed schedule in (a, b]. */
static uint64_t rising_edges(const struct vpit_chan *c, uint64_t a, uint64_t b)
{
	uint64_t da, db;

	if (c->state != CH_RUN || c->frozen || b <= a)
		return 0;
	da = a > c->start ? a - c->start : 0;
	db = b > c->start ? b - c->start : 0;
	if (periodic(c))
		return db / period(c) - da / period(c);
	return da < oneshot_edge(c) && oneshot_edge(c) <= db;
}

/* The first rising edge after tick a, or VTIME_NEVER. */
static uint64_t next_edge(const struct vpit_chan *c, uint64_t a)
{
	uint64_t da;

	if (c->state != CH_RUN || c->frozen || (periodic(c) && !c->gate))
		return VTIME_NEVER;
	da = a > c->start ? a - c->start : 0;
	if (periodic(c))
		return c->start + (da / period(c) + 1) * period(c);
	return da < oneshot_edge(c) ? c->start + oneshot_edge(c) : VTIME_NEVER;
}

static void start_cycle(struct vpit_chan *c, uint64_t t)
{
	c->count = c->cr;
	c->start = t;
	c->state = CH_RUN;
	c->pending = false;
	c->null_count = false;
	c->held = 0;
	c->frozen = !c->gate && c->mode != 1 && c->mode != 5;
}

/* Modes 2/3 take a new count at the end of the current period. */
static void chan_sync(struct vpit_chan *c, uint64_t t)
{
	if (c->pending && !c->frozen && t >= c->switch_at)
		start_cycle(c, c->switch_at);
}

/* Count OUT0's rising edges up to t (across a pending count switch) and sync all counters. */
static void pit_advance(struct vpit *p, uint64_t t)
{
	struct vpit_chan *c0 = &p->ch[0];

	if (t > p->last_tick) {
		if (c0->pending && !c0->frozen && c0->switch_at <= t) {
			p->edges += rising_edges(c0, p->last_tick, c0->switch_at);
			if (c0->switch_at > p->last_tick)
				p->last_tick = c0->switch_at;
			chan_sync(c0, t);
		}
		p->edges += rising_edges(c0, p->last_tick, t);
		p->last_tick = t;
	}
	for (unsigned i = 0; i < 3; i++)
		chan_sync(&p->ch[i], t);
}

static void load_count(struct vpit_chan *c, uint32_t n, uint64_t t)
{
	c->cr = n ? n : 0x10000; /* 0 is the largest count */
	c->null_count = true;
	if (c->mode == 1 || c->mode == 5) {
		if (c->state == CH_IDLE)
			c->state = CH_WAIT; /* used from the next trigger on */
		return;
	}
	if (periodic(c) && c->state == CH_RUN) {
		if (!c->frozen) {
			uint64_t k = elapsed(c, t) / period(c) + 1;

			c->switch_at = c->start + k * period(c);
			c->pending = true;
		}
		return; /* frozen: the gate's rising edge reloads */
	}
	start_cycle(c, t);
}

static void set_gate(struct vpit_chan *c, bool gate, uint64_t t)
{
	if (gate == c->gate)
		return;
	c->gate = gate;
	if (c->mode == 1 || c->mode == 5) {
		if (gate && c->state != CH_IDLE)
			start_cycle(c, t); /* trigger, retriggerable */
		return;
	}
	if (c->state != CH_RUN)
		return;
	if (!gate) {
		c->held = elapsed(c, t);
		c->frozen = true;
	} else if (periodic(c)) {
		start_cycle(c, t); /* modes 2/3 reload on the gate's rising edge */
	} else {
		c->start = t - c->held; /* modes 0/4 resume where they stopped */
		c->frozen = false;
	}
}

static void latch_count(struct vpit_chan *c, uint64_t t)
{
	if (c->latch_left)
		return; /* a second latch before the read is ignored */
	c->latch = chan_value(c, t);
	c->latch_left = CTRL_RW(c->ctrl) == RW_WORD ? 2 : 1;
}

static void latch_status(struct vpit_chan *c, uint64_t t)
{
	if (c->status_latched)
		return;
	c->status = (chan_out(c, t) ? STATUS_OUT : 0) | (c->null_count ? STATUS_NULL : 0) |
		    c->ctrl;
	c->status_latched = true;
}

static void control_write(struct vpit *p, uint8_t v, uint64_t t)
{
	struct vpit_chan *c = &p->ch[(v >> 6) % 3];

	if (v >> 6 == READBACK) {
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & BIT(i + 1)))
				continue;
			if (!(v & RB_NO_COUNT))
				latch_count(&p->ch[i], t);
			if (!(v & RB_NO_STATUS))
				latch_status(&p->ch[i], t);
		}
		return;
	}
	if (CTRL_RW(v) == RW_LATCH) {
		latch_count(c, t);
		return;
	}
	/* A control word resets the counter's logic and sets OUT to its initial level. */
	c->ctrl = v & 0x3f;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;
	c->state = CH_IDLE;
	c->pending = c->frozen = false;
	c->null_count = true;
	c->write_hi = c->read_hi = false;
	c->latch_left = 0;
	c->status_latched = false;
}

static void count_write(struct vpit_chan *c, uint8_t v, uint64_t t)
{
	switch (CTRL_RW(c->ctrl)) {
	case RW_LSB:
		load_count(c, v, t);
		break;
	case RW_MSB:
		load_count(c, (uint32_t)v << 8, t);
		break;
	default:
		if (c->write_hi) {
			c->write_hi = false;
			load_count(c, c->write_lsb | (uint32_t)v << 8, t);
			break;
		}
		c->write_lsb = v;
		c->write_hi = true;
		if (c->mode == 0)
			c->state = CH_IDLE; /* mode 0: the first byte stops counting, OUT low */
		break;
	}
}

static uint8_t count_read(struct vpit_chan *c, uint64_t t)
{
	unsigned rw = CTRL_RW(c->ctrl);
	uint16_t v;
	bool hi;

	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latch_left) {
		v = c->latch;
		hi = rw == RW_MSB || (rw == RW_WORD && c->latch_left == 1);
		c->latch_left--;
	} else {
		v = chan_value(c, t);
		hi = rw == RW_MSB || (rw == RW_WORD && c->read_hi);
		if (rw == RW_WORD)
			c->read_hi = !c->read_hi;
	}
	return hi ? v >> 8 : v & 0xff;
}

static uint8_t port61_read(struct vpit *p, uint64_t t)
{
	return (p->port61 & P61_RW) | ((t / REFRESH_TICKS) & 1 ? P61_REFRESH : 0) |
	       (chan_out(&p->ch[2], t) ? P61_OUT2 : 0);
}

static uint8_t port_access(struct vpit *p, uint16_t port, bool write, uint8_t v, uint64_t t)
{
	if (port == 0x61) {
		if (!write)
			return port61_read(p, t);
		p->port61 = v & P61_RW; /* bit 1 (speaker data) has no sink */
		set_gate(&p->ch[2], v & P61_GATE2, t);
	} else if (port == 0x43) {
		if (!write)
			return 0xff; /* the control word register is write-only */
		control_write(p, v, t);
	} else if (write) {
		count_write(&p->ch[port - 0x40], v, t);
	} else {
		return count_read(&p->ch[port - 0x40], t);
	}
	return 0;
}

static int vpit_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct vpit *p = dev;
	uint64_t t = ns_to_ticks(vm_time_ns(vm)), v = 0;
	bool out0;

	p->touched = true;

	pit_advance(p, t);
	out0 = chan_out(&p->ch[0], t);
	for (unsigned b = 0; b < a->size && b < 8; b++)
		v |= (uint64_t)port_access(p, (uint16_t)(a->addr + b), a->write,
					   (uint8_t)(a->value >> (8 * b)), t)
		     << (8 * b);
	if (!a->write)
		a->value = v;
	/* OUT0 can also rise on a control word (e.g. mode 0 before terminal count -> mode 2). */
	if (!out0 && chan_out(&p->ch[0], t))
		p->edges++;
	return 0;
}

uint64_t vpit_next_event_ns(struct vpit *p, uint64_t now)
{
	uint64_t t = ns_to_ticks(now), e;

	pit_advance(p, t);
	if (p->edges)
		return now;
	e = next_edge(&p->ch[0], t);
	return e == VTIME_NEVER ? VTIME_NEVER : ticks_to_ns(e);
}

void vpit_update(struct vpit *p, uint64_t now)
{
	pit_advance(p, ns_to_ticks(now));
	if (!p->edges)
		return;
	p->irqs++;
	p->missed += p->edges - 1;
	p->edges = 0;
	irq_pulse(&p->irq0);
}

/* Reset: every counter idle in mode 3, lo/hi access; the BIOS or kernel programs them. */
void vpit_init(struct vpit *p, const struct irq_line *irq0)
{
	memset(p, 0, sizeof(*p));
	if (irq0)
		p->irq0 = *irq0;
	for (unsigned i = 0; i < 3; i++) {
		p->ch[i].ctrl = RW_WORD << 4 | 3 << 1;
		p->ch[i].mode = 3;
		p->ch[i].cr = p->ch[i].count = 0x10000;
		p->ch[i].gate = i != 2; /* gates 0/1 are tied high; 2 comes from port 0x61 */
	}
}

int vpit_register(struct vm *vm, struct vpit *p)
{
	int r = io_register_pio(vm, 0x40, 4, vpit_io, p);

	return r ? r : io_register_pio(vm, 0x61, 1, vpit_io, p);
}
