/* SPDX-License-Identifier: MIT */
/*
 * MC146818A RTC + CMOS RAM; see keel/dev/rtc_cmos.h. Section names refer to
 * the Motorola MC146818A datasheet.
 *
 * Nothing ticks: the wall clock is vm time + wall_off, and the flags in
 * register C are brought up to date lazily (advance()) on every access and
 * on rtc_update(), from the events that fell in (last, now]. The 32.768 kHz
 * divider chain is in phase with the seconds, so the periodic taps are
 * computed from the fraction of the current second.
 */
#include <keel/dev/rtc_cmos.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vtime.h>

#define NS_PER_SEC  1000000000ULL
#define SECS_PER_DAY 86400ULL
#define RTC_HZ      32768ULL
#define UIP_NS      244000ULL /* "Update Cycle": UIP rises 244 us before the update */
#define DV_RUNNING  0x20      /* DV=010; 000/001 (other time bases) also count as running */
#define HALF_SEC_NS 500000000ULL
#define YEAR_MIN    1970
#define YEAR_MAX    2499 /* wall ns still fit in 64 bits */
#define ALARM_DC    0xc0 /* "Alarm": 11xxxxxx matches every value */

static bool divider_running(const struct rtc_cmos *r)
{
	return (r->cmos[RTC_REG_A] & RTC_A_DV) <= DV_RUNNING;
}

/* The time registers follow the clock; otherwise they hold the guest's values. */
static bool updating(const struct rtc_cmos *r)
{
	return divider_running(r) && !(r->cmos[RTC_REG_B] & RTC_B_SET);
}

static uint64_t wall_ns(const struct rtc_cmos *r, uint64_t now)
{
	return now + r->wall_off;
}

/* ---- calendar ------------------------------------------------------------- */

static const uint16_t days_before_month[12] = { 0,   31,  59,  90,  120, 151,
						181, 212, 243, 273, 304, 334 };

static bool leap(unsigned y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
	unsigned next = m == 12 ? 365 : days_before_month[m];

	return next - days_before_month[m - 1] + (m == 2 && leap(y));
}

/* Leap days in years 1..y. */
static uint64_t leaps_through(uint64_t y)
{
	return y / 4 - y / 100 + y / 400;
}

void rtc_epoch_to_date(uint64_t secs, struct rtc_date *d)
{
	uint64_t days = secs / SECS_PER_DAY, tod = secs % SECS_PER_DAY;
	/* Count from 1601-01-01, the start of a 400-year Gregorian cycle, 134774 days before 1970. */
	uint64_t n = days + 134774, q400, q100, q4, q1;
	unsigned m;

	d->hour = (uint8_t)(tod / 3600);
	d->min = (uint8_t)(tod / 60 % 60);
	d->sec = (uint8_t)(tod % 60);
	d->wday = (uint8_t)((days + 4) % 7 + 1); /* 1970-01-01 was a Thursday */

	/* 400 years = 146097 days, 100 = 36524, 4 = 1461, 1 = 365; the last day of a 400- or
	 * 4-year run is its leap day, which must stay in the run's last year. */
	q400 = n / 146097, n %= 146097;
	q100 = n / 36524, q100 -= q100 == 4, n -= q100 * 36524;
	q4 = n / 1461, n %= 1461;
	q1 = n / 365, q1 -= q1 == 4, n -= q1 * 365;
	d->year = (uint16_t)(1601 + 400 * q400 + 100 * q100 + 4 * q4 + q1);

	for (m = 12; m > 1; m--) {
		unsigned start = days_before_month[m - 1] + (m > 2 && leap(d->year));

		if (n >= start)
			break;
	}
	d->month = (uint8_t)m;
	d->day = (uint8_t)(n - days_before_month[m - 1] - (m > 2 && leap(d->year)) + 1);
}

int rtc_date_to_epoch(const struct rtc_date *d, uint64_t *secs)
{
	uint64_t days;

	if (d->year < YEAR_MIN || d->year > YEAR_MAX || d->month < 1 || d->month > 12 ||
	    d->day < 1 || d->day > days_in_month(d->year, d->month) || d->hour > 23 ||
	    d->min > 59 || d->sec > 59)
		return -EINVAL;
	days = 365ULL * (d->year - 1970) + leaps_through(d->year - 1) - leaps_through(1969) +
	       days_before_month[d->month - 1] + (d->month > 2 && leap(d->year)) + d->day - 1;
	*secs = days * SECS_PER_DAY + d->hour * 3600U + d->min * 60U + d->sec;
	return 0;
}

/* ---- register encoding (register B: DM and 24/12) -------------------------- */

static uint8_t enc(const struct rtc_cmos *r, unsigned v)
{
	return (r->cmos[RTC_REG_B] & RTC_B_DM) ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

/* -1 for a BCD byte with a digit above 9. */
static int dec(const struct rtc_cmos *r, uint8_t raw)
{
	if (r->cmos[RTC_REG_B] & RTC_B_DM)
		return raw;
	if ((raw >> 4) > 9 || (raw & 0xf) > 9)
		return -1;
	return (raw >> 4) * 10 + (raw & 0xf);
}

/* 12-hour mode: 1-12 with bit 7 for PM; midnight is 12 AM. */
static uint8_t enc_hour(const struct rtc_cmos *r, unsigned h)
{
	if (r->cmos[RTC_REG_B] & RTC_B_24H)
		return enc(r, h);
	return enc(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static int dec_hour(const struct rtc_cmos *r, uint8_t raw)
{
	int h;

	if (r->cmos[RTC_REG_B] & RTC_B_24H) {
		h = dec(r, raw);
		return h < 24 ? h : -1;
	}
	h = dec(r, raw & 0x7f);
	if (h < 1 || h > 12)
		return -1;
	return h % 12 + ((raw & 0x80) ? 12 : 0);
}

/* Rebuild the time registers from the clock. */
static void sync_regs(struct rtc_cmos *r, uint64_t now)
{
	struct rtc_date d;

	rtc_epoch_to_date(wall_ns(r, now) / NS_PER_SEC, &d);
	r->cmos[RTC_SEC] = enc(r, d.sec);
	r->cmos[RTC_MIN] = enc(r, d.min);
	r->cmos[RTC_HOUR] = enc_hour(r, d.hour);
	r->cmos[RTC_WDAY] = enc(r, d.wday);
	r->cmos[RTC_MDAY] = enc(r, d.day);
	r->cmos[RTC_MONTH] = enc(r, d.month);
	r->cmos[RTC_YEAR] = enc(r, d.year % 100);
	r->cmos[CMOS_CENTURY] = enc(r, d.year / 100);
}

/* The time the registers spell; the weekday register is not consulted. */
static int regs_to_epoch(const struct rtc_cmos *r, uint64_t *secs)
{
	int v[7] = { dec(r, r->cmos[RTC_SEC]),   dec(r, r->cmos[RTC_MIN]),
		     dec_hour(r, r->cmos[RTC_HOUR]), dec(r, r->cmos[RTC_MDAY]),
		     dec(r, r->cmos[RTC_MONTH]), dec(r, r->cmos[RTC_YEAR]),
		     dec(r, r->cmos[CMOS_CENTURY]) };
	struct rtc_date d;

	for (unsigned i = 0; i < 7; i++)
		if (v[i] < 0 || v[i] > 99)
			return -EINVAL;
	d = (struct rtc_date){ .year = (uint16_t)(v[6] * 100 + v[5]), .month = (uint8_t)v[4],
			       .day = (uint8_t)v[3], .hour = (uint8_t)v[2], .min = (uint8_t)v[1],
			       .sec = (uint8_t)v[0] };
	return rtc_date_to_epoch(&d, secs);
}

/* Restart the clock from the registers; an invalid time leaves it as it was. */
static void set_clock(struct rtc_cmos *r, uint64_t now, uint64_t frac_ns)
{
	uint64_t secs;

	if (!regs_to_epoch(r, &secs))
		r->wall_off = secs * NS_PER_SEC + frac_ns - now;
}

/* ---- events ---------------------------------------------------------------- */

/* log2 of the period in 32.768 kHz cycles ("Periodic Interrupt Selection"); -1: none. */
static int periodic_shift(const struct rtc_cmos *r)
{
	unsigned rs = r->cmos[RTC_REG_A] & RTC_A_RS;

	if (!rs)
		return -1;
	return rs <= 2 ? (int)rs + 6 : (int)rs - 1; /* RS 1, 2 repeat RS 8, 9 */
}

static uint64_t periodic_index(uint64_t wall, int shift)
{
	uint64_t cyc = wall % NS_PER_SEC * RTC_HZ / NS_PER_SEC;

	return wall / NS_PER_SEC * (RTC_HZ >> shift) + (cyc >> shift);
}

/* The vm time of the first periodic tick after `after`. */
static uint64_t periodic_next(const struct rtc_cmos *r, uint64_t after, int shift)
{
	uint64_t w = wall_ns(r, after), s = w / NS_PER_SEC;
	uint64_t cyc = w % NS_PER_SEC * RTC_HZ / NS_PER_SEC;
	uint64_t next = ((cyc >> shift) + 1) << shift;

	if (next >= RTC_HZ)
		return (s + 1) * NS_PER_SEC - r->wall_off;
	/* The first ns at which the cycle count reaches `next`. */
	return s * NS_PER_SEC + (next * NS_PER_SEC + RTC_HZ - 1) / RTC_HZ - r->wall_off;
}

/* Alarm byte -> value, ALARM_ANY for "don't care", -1 if it can never match. */
#define ALARM_ANY (-2)

static int alarm_field(const struct rtc_cmos *r, unsigned reg)
{
	uint8_t raw = r->cmos[reg];

	if ((raw & ALARM_DC) == ALARM_DC)
		return ALARM_ANY;
	return reg == RTC_HOUR_ALARM ? dec_hour(r, raw) : dec(r, raw);
}

/* The smallest value >= v the field matches, below lim; -1 if none. */
static int field_ge(int a, int v, int lim)
{
	if (a == ALARM_ANY)
		return v < lim ? v : -1;
	return a >= v ? a : -1;
}


/*
 * The first time of day, in seconds counted from field i, at or after
 * t = {h, m, s} whose fields i.. match a; -1 if none is left in the day.
 */
static long tod_match(const int a[3], const int t[3], unsigned i)
{
	static const int lim[3] = { 24, 60, 60 }, unit[3] = { 3600, 60, 1 };
	int v = field_ge(a[i], t[i], lim[i]);
	long rest = 0;

	if (v < 0 || i == 2)
		return v;
	if (v == t[i]) {
		rest = tod_match(a, t, i + 1);
		if (rest >= 0)
			return (long)v * unit[i] + rest;
		v = field_ge(a[i], t[i] + 1, lim[i]);
		if (v < 0)
			return -1;
		rest = 0;
	}
	/* A later value in this field: the lowest match of the fields below. */
	for (unsigned j = i + 1; j < 3; j++)
		rest += (long)(a[j] == ALARM_ANY ? 0 : a[j]) * unit[j];
	return (long)v * unit[i] + rest;
}

/* The first second >= from at which the alarm matches, UINT64_MAX if never. */
static uint64_t alarm_next(const struct rtc_cmos *r, uint64_t from)
{
	static const int lim[3] = { 24, 60, 60 }, midnight[3];
	int a[3] = { alarm_field(r, RTC_HOUR_ALARM), alarm_field(r, RTC_MIN_ALARM),
		     alarm_field(r, RTC_SEC_ALARM) };
	uint64_t day = from / SECS_PER_DAY, tod = from % SECS_PER_DAY;
	int t[3] = { (int)(tod / 3600), (int)(tod / 60 % 60), (int)(tod % 60) };
	long m;

	for (unsigned i = 0; i < 3; i++)
		if (a[i] != ALARM_ANY && (a[i] < 0 || a[i] >= lim[i]))
			return UINT64_MAX;
	m = tod_match(a, t, 0);
	if (m >= 0)
		return day * SECS_PER_DAY + (uint64_t)m;
	return (day + 1) * SECS_PER_DAY + (uint64_t)tod_match(a, midnight, 0);
}

/* "Register C": IRQF = PF.PIE + AF.AIE + UF.UIE, and IRQ is driven while IRQF is 1. */
static void update_irq(struct rtc_cmos *r)
{
	bool irqf = r->cmos[RTC_REG_C] & r->cmos[RTC_REG_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF);

	if (irqf)
		r->cmos[RTC_REG_C] |= RTC_C_IRQF;
	else
		r->cmos[RTC_REG_C] &= (uint8_t)~RTC_C_IRQF;
	if (irqf != r->irq_level) {
		r->irq_level = irqf;
		irq_set(&r->irq8, irqf);
	}
}

/* Latch the flags of the events in (last, now]; PF, AF and UF are set whether or not enabled. */
static void advance(struct rtc_cmos *r, uint64_t now)
{
	uint64_t w0, w1;
	int shift;

	if (now <= r->last)
		return;
	w0 = wall_ns(r, r->last);
	w1 = wall_ns(r, now);
	r->last = now;
	if (!divider_running(r))
		return;
	shift = periodic_shift(r);
	if (shift >= 0 && periodic_index(w1, shift) > periodic_index(w0, shift))
		r->cmos[RTC_REG_C] |= RTC_C_PF;
	if (!(r->cmos[RTC_REG_B] & RTC_B_SET) && w1 / NS_PER_SEC > w0 / NS_PER_SEC) {
		r->cmos[RTC_REG_C] |= RTC_C_UF;
		if (alarm_next(r, w0 / NS_PER_SEC + 1) <= w1 / NS_PER_SEC)
			r->cmos[RTC_REG_C] |= RTC_C_AF;
	}
	update_irq(r);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The first event after `last` that would raise IRQ 8. */
static uint64_t next_irq(const struct rtc_cmos *r)
{
	uint8_t b = r->cmos[RTC_REG_B];
	int shift = periodic_shift(r);
	uint64_t t = VTIME_NEVER, next_sec, alarm;

	/* Once IRQF is set the line stays up until C is read: nothing to wake for. */
	if ((r->cmos[RTC_REG_C] & RTC_C_IRQF) || !divider_running(r))
		return VTIME_NEVER;
	if ((b & RTC_B_PIE) && shift >= 0)
		t = periodic_next(r, r->last, shift);
	if (b & RTC_B_SET)
		return t;
	next_sec = wall_ns(r, r->last) / NS_PER_SEC + 1;
	if (b & RTC_B_UIE)
		t = min_u64(t, next_sec * NS_PER_SEC - r->wall_off);
	if (b & RTC_B_AIE) {
		alarm = alarm_next(r, next_sec);
		if (alarm != UINT64_MAX)
			t = min_u64(t, alarm * NS_PER_SEC - r->wall_off);
	}
	return t;
}

uint64_t rtc_next_event_ns(const struct rtc_cmos *r, uint64_t now)
{
	uint64_t t = next_irq(r);

	return t != VTIME_NEVER && t < now ? now : t;
}

void rtc_update(struct rtc_cmos *r, uint64_t now)
{
	advance(r, now);
}

/* ---- guest access ------------------------------------------------------------ */

static bool is_time_reg(unsigned idx)
{
	return (idx <= RTC_YEAR && idx != RTC_SEC_ALARM && idx != RTC_MIN_ALARM &&
		idx != RTC_HOUR_ALARM) || idx == CMOS_CENTURY;
}

static uint8_t reg_read(struct rtc_cmos *r, unsigned idx, uint64_t now)
{
	uint8_t v;

	if (is_time_reg(idx)) {
		if (updating(r))
			sync_regs(r, now);
		return r->cmos[idx];
	}
	switch (idx) {
	case RTC_REG_A:
		v = r->cmos[RTC_REG_A];
		if (updating(r) && wall_ns(r, now) % NS_PER_SEC >= NS_PER_SEC - UIP_NS)
			v |= RTC_A_UIP;
		return v;
	case RTC_REG_C: /* reading clears every flag and releases IRQ 8 */
		advance(r, now);
		v = r->cmos[RTC_REG_C];
		r->cmos[RTC_REG_C] = 0;
		update_irq(r);
		return v;
	case RTC_REG_D: /* VRT: the battery is always good */
		return RTC_D_VRT;
	default:
		return r->cmos[idx];
	}
}

static void reg_write(struct rtc_cmos *r, unsigned idx, uint8_t v, uint64_t now)
{
	bool was = updating(r), stopped = !divider_running(r);

	advance(r, now); /* what happened so far counts under the old settings */
	if (is_time_reg(idx)) {
		if (!was) {
			r->cmos[idx] = v;
			return;
		}
		/* A running clock takes the new value at once, keeping its phase. */
		sync_regs(r, now);
		r->cmos[idx] = v;
		set_clock(r, now, wall_ns(r, now) % NS_PER_SEC);
		return;
	}
	switch (idx) {
	case RTC_REG_A:
		if (was)
			sync_regs(r, now); /* freeze the registers at the current second */
		r->cmos[RTC_REG_A] = v & (uint8_t)~RTC_A_UIP;
		break;
	case RTC_REG_B:
		if (was)
			sync_regs(r, now);
		if (v & RTC_B_SET)
			v &= (uint8_t)~RTC_B_UIE; /* "Register B": SET clears UIE */
		r->cmos[RTC_REG_B] = v;
		break;
	case RTC_REG_C:
	case RTC_REG_D:
		return; /* read-only */
	default:
		r->cmos[idx] = v;
		return;
	}
	/*
	 * Restarted: from SET the divider kept running, so the phase stays; out
	 * of divider reset "the first update cycle begins one-half second later".
	 */
	if (!was && updating(r))
		set_clock(r, now, stopped ? HALF_SEC_NS : wall_ns(r, now) % NS_PER_SEC);
	update_irq(r);
}

/* Wider accesses act byte by byte on consecutive ports (outw 0x70 = index, then data). */
static int rtc_cmos_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct rtc_cmos *r = dev;
	uint64_t now = vm_time_ns(vm), val = 0;

	r->touched = true;

	for (unsigned i = 0; i < a->size; i++) {
		uint64_t port = a->addr + i;
		uint8_t b = (uint8_t)(a->value >> (8 * i));
		uint8_t out = 0xff; /* the index port is write-only */

		if (port == RTC_CMOS_PORT && a->write) {
			r->index = b & 0x7f;
			r->nmi_masked = b & 0x80;
		} else if (port == RTC_CMOS_PORT + 1 && a->write) {
			reg_write(r, r->index, b, now);
		} else if (port == RTC_CMOS_PORT + 1) {
			out = reg_read(r, r->index, now);
		}
		val |= (uint64_t)out << (8 * i);
	}
	if (!a->write)
		a->value = val;
	return 0;
}

void rtc_cmos_init(struct rtc_cmos *r, uint64_t epoch_seconds, const struct irq_line *irq8)
{
	memset(r, 0, sizeof(*r));
	if (irq8)
		r->irq8 = *irq8;
	r->cmos[RTC_REG_A] = DV_RUNNING | 6; /* 32.768 kHz, 1024 Hz: what BIOSes program */
	r->cmos[RTC_REG_B] = RTC_B_24H;      /* BCD, 24-hour */
	r->cmos[CMOS_FLOPPY] = 0;
	r->cmos[CMOS_EQUIPMENT] = 0x02; /* x87 present; no floppy; display 00 (EGA/VGA or none) */
	r->wall_off = epoch_seconds * NS_PER_SEC;
	sync_regs(r, 0);
}

int rtc_cmos_register(struct vm *vm, struct rtc_cmos *r)
{
	return io_register_pio(vm, RTC_CMOS_PORT, 2, rtc_cmos_io, r);
}

static void put16(struct rtc_cmos *r, unsigned idx, uint64_t v)
{
	if (v > 0xffff)
		v = 0xffff;
	r->cmos[idx] = (uint8_t)v;
	r->cmos[idx + 1] = (uint8_t)(v >> 8);
}

void rtc_cmos_set_memory(struct rtc_cmos *r, uint64_t ram_below_4g, uint64_t ram_above_4g)
{
	uint64_t ext = ram_below_4g > 1 * MiB ? (ram_below_4g - 1 * MiB) / KiB : 0;
	uint64_t ext2 = ram_below_4g > 16 * MiB ? (ram_below_4g - 16 * MiB) / (64 * KiB) : 0;
	uint64_t high = ram_above_4g / (64 * KiB);

	if (high > 0xffffff)
		high = 0xffffff;
	put16(r, CMOS_BASEMEM_LO, 640);
	put16(r, CMOS_EXTMEM_LO, ext);
	put16(r, CMOS_EXTMEM_COPY, ext);
	put16(r, CMOS_EXTMEM2_LO, ext2);
	r->cmos[CMOS_HIGHMEM_LO] = (uint8_t)high;
	r->cmos[CMOS_HIGHMEM_LO + 1] = (uint8_t)(high >> 8);
	r->cmos[CMOS_HIGHMEM_LO + 2] = (uint8_t)(high >> 16);
}

void rtc_cmos_set_nvram(struct rtc_cmos *r, uint8_t index, uint8_t value)
{
	if (index > RTC_REG_D && index < RTC_CMOS_SIZE)
		r->cmos[index] = value;
}
