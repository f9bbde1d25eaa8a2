/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/dev/rtc_cmos.c, driven through its port handler as a
 * guest would, with guest time under the test's control.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <keel/dev/rtc_cmos.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/vtime.h>

#define SEC 1000000000ULL

/* Epochs (UTC), from Python's calendar.timegm. */
#define T_2000_02_29        951782400ULL  /* Tuesday */
#define T_2024_02_29_134556 1709214356ULL /* Thursday */
#define T_2100_02_28_235959 4107542399ULL
#define T_1999_12_31_235959 946684799ULL
#define T_2199_12_31_235959 7258118399ULL

/* ---- the environment rtc_cmos.c links against ---------------------------- */

static uint64_t now;
static int vm_dummy;
static struct vm *const vm = (struct vm *)&vm_dummy;

uint64_t vm_time_ns(struct vm *v)
{
	assert_ptr_equal(v, vm);
	return now;
}

static struct {
	unsigned calls;
	uint16_t base, len;
	io_handler_fn *fn;
	void *dev;
} reg;

int io_register_pio(struct vm *v, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(v, vm);
	reg.calls++;
	reg.base = base;
	reg.len = len;
	reg.fn = fn;
	reg.dev = dev;
	return 0;
}

static struct {
	unsigned raises, lowers, gsi;
	bool level;
} irq;

static void irq_set_rec(void *ctx, unsigned gsi, bool level)
{
	assert_ptr_equal(ctx, &irq);
	irq.gsi = gsi;
	if (level)
		assert_false(irq.level), irq.raises++;
	else
		assert_true(irq.level), irq.lowers++;
	irq.level = level;
}

static const struct irq_line irq8 = { .set = irq_set_rec, .ctx = &irq, .gsi = 8 };
static struct rtc_cmos rtc;

static uint64_t io(uint16_t port, unsigned size, bool write, uint64_t value)
{
	struct io_access a = { .addr = port, .size = size, .write = write, .value = value };

	assert_true(port >= reg.base && port + size <= reg.base + reg.len);
	assert_int_equal(reg.fn(vm, reg.dev, &a), 0);
	return a.value;
}

static uint8_t rd(uint8_t idx)
{
	io(0x70, 1, true, idx);
	return (uint8_t)io(0x71, 1, false, 0);
}

static void wr(uint8_t idx, uint8_t v)
{
	io(0x70, 1, true, idx);
	io(0x71, 1, true, v);
}

static void start(uint64_t epoch)
{
	memset(&reg, 0, sizeof(reg));
	memset(&irq, 0, sizeof(irq));
	now = 0;
	rtc_cmos_init(&rtc, epoch, &irq8);
	assert_int_equal(rtc_cmos_register(vm, &rtc), 0);
}

static int setup(void **state)
{
	(void)state;
	start(T_2024_02_29_134556);
	return 0;
}

/* The seven clock bytes sec, min, hour, wday, mday, month, year, then century. */
static void expect_regs(const uint8_t want[8])
{
	static const uint8_t idx[8] = { RTC_SEC,  RTC_MIN,   RTC_HOUR, RTC_WDAY,
					RTC_MDAY, RTC_MONTH, RTC_YEAR, CMOS_CENTURY };

	for (unsigned i = 0; i < 8; i++)
		if (rd(idx[i]) != want[i])
			fail_msg("register 0x%02x: got 0x%02x, want 0x%02x", idx[i], rd(idx[i]),
				 want[i]);
}

/* ---- calendar ------------------------------------------------------------- */

static void expect_date(uint64_t secs, unsigned y, unsigned mo, unsigned d, unsigned h,
			unsigned mi, unsigned s, unsigned wday)
{
	struct rtc_date dt;
	uint64_t back;

	rtc_epoch_to_date(secs, &dt);
	if (dt.year != y || dt.month != mo || dt.day != d || dt.hour != h || dt.min != mi ||
	    dt.sec != s || dt.wday != wday)
		fail_msg("%llu: got %u-%u-%u %u:%u:%u wday %u", (unsigned long long)secs, dt.year,
			 dt.month, dt.day, dt.hour, dt.min, dt.sec, dt.wday);
	assert_int_equal(rtc_date_to_epoch(&dt, &back), 0);
	assert_int_equal(back, secs);
}

static void test_date_known_epochs(void **state)
{
	(void)state;
	expect_date(0, 1970, 1, 1, 0, 0, 0, 5);
	expect_date(T_2000_02_29, 2000, 2, 29, 0, 0, 0, 3);
	expect_date(T_2000_02_29 + 86400, 2000, 3, 1, 0, 0, 0, 4);
	expect_date(T_2024_02_29_134556, 2024, 2, 29, 13, 45, 56, 5);
	expect_date(T_2100_02_28_235959, 2100, 2, 28, 23, 59, 59, 1);
	expect_date(T_2100_02_28_235959 + 1, 2100, 3, 1, 0, 0, 0, 2); /* 2100: no leap day */
	expect_date(T_1999_12_31_235959, 1999, 12, 31, 23, 59, 59, 6);
	expect_date(T_2199_12_31_235959, 2199, 12, 31, 23, 59, 59, 3);
}

/* Every day 1970-2199 against the host's gmtime(), both directions. */
static void test_date_every_day_matches_gmtime(void **state)
{
	(void)state;
	for (uint64_t day = 0; day < 84000; day++) {
		uint64_t secs = day * 86400 + (day * 7919) % 86400, back;
		time_t t = (time_t)secs;
		struct tm tm;
		struct rtc_date d;

		assert_non_null(gmtime_r(&t, &tm));
		rtc_epoch_to_date(secs, &d);
		if (d.year != tm.tm_year + 1900 || d.month != tm.tm_mon + 1 || d.day != tm.tm_mday ||
		    d.hour != tm.tm_hour || d.min != tm.tm_min || d.sec != tm.tm_sec ||
		    d.wday != tm.tm_wday + 1)
			fail_msg("day %llu: got %u-%u-%u, gmtime %d-%d-%d", (unsigned long long)day,
				 d.year, d.month, d.day, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		assert_int_equal(rtc_date_to_epoch(&d, &back), 0);
		assert_int_equal(back, secs);
	}
}

static void test_date_to_epoch_rejects_impossible_dates(void **state)
{
	struct rtc_date ok = { 2024, 2, 29, 0, 0, 0, 0 }, d;
	uint64_t s;

	(void)state;
	assert_int_equal(rtc_date_to_epoch(&ok, &s), 0);
	d = ok, d.year = 2100;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.year = 2023;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.year = 1969, d.month = 12, d.day = 31;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.year = 2499, d.month = 12, d.day = 31;
	assert_int_equal(rtc_date_to_epoch(&d, &s), 0);
	d = ok, d.year = 2500, d.month = 1, d.day = 1;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.month = 13;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.month = 4, d.day = 31;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.day = 0;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.hour = 24;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
	d = ok, d.sec = 60;
	assert_int_equal(rtc_date_to_epoch(&d, &s), -EINVAL);
}

/* ---- clock registers --------------------------------------------------------- */

static void test_registers_ports_0x70_0x71(void **state)
{
	(void)state;
	assert_int_equal(reg.calls, 1);
	assert_int_equal(reg.base, 0x70);
	assert_int_equal(reg.len, 2);
	assert_ptr_equal(reg.dev, &rtc);
}

static void test_bcd_24h_by_default(void **state)
{
	static const uint8_t want[8] = { 0x56, 0x45, 0x13, 0x05, 0x29, 0x02, 0x24, 0x20 };

	(void)state;
	assert_int_equal(rd(RTC_REG_B), RTC_B_24H);
	expect_regs(want);
}

static void test_binary_mode(void **state)
{
	static const uint8_t want[8] = { 56, 45, 13, 5, 29, 2, 24, 20 };

	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_DM);
	expect_regs(want);
}

static void test_12h_mode_sets_bit7_for_pm(void **state)
{
	(void)state;
	wr(RTC_REG_B, 0); /* BCD, 12-hour */
	assert_int_equal(rd(RTC_HOUR), 0x81); /* 13:45 = 1 PM */
	wr(RTC_REG_B, RTC_B_DM);
	assert_int_equal(rd(RTC_HOUR), 0x81);
	now = 10 * 3600 * SEC; /* 23:45 */
	assert_int_equal(rd(RTC_HOUR), 0x80 | 11);
	wr(RTC_REG_B, 0);
	assert_int_equal(rd(RTC_HOUR), 0x91);
	now = 11 * 3600 * SEC; /* 00:45 next day: 12 AM */
	assert_int_equal(rd(RTC_HOUR), 0x12);
	now = 23 * 3600 * SEC; /* 12:45: 12 PM */
	assert_int_equal(rd(RTC_HOUR), 0x92);
	now = 22 * 3600 * SEC; /* 11:45 AM */
	assert_int_equal(rd(RTC_HOUR), 0x11);
}

static void test_time_follows_guest_time(void **state)
{
	static const uint8_t later[8] = { 0x59, 0x45, 0x13, 0x05, 0x29, 0x02, 0x24, 0x20 };
	static const uint8_t march[8] = { 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x24, 0x20 };

	(void)state;
	now = 3 * SEC + SEC / 2;
	expect_regs(later);
	now = (86400 - 13 * 3600 - 45 * 60 - 56) * SEC; /* 2024-03-01 00:00:00, a Friday */
	expect_regs(march);
}

static void test_century_and_leap_rollovers(void **state)
{
	static const uint8_t y2k[8] = { 0x00, 0x00, 0x00, 0x07, 0x01, 0x01, 0x00, 0x20 };
	static const uint8_t y2100[8] = { 0x00, 0x00, 0x00, 0x02, 0x01, 0x03, 0x00, 0x21 };
	static const uint8_t leap[8] = { 0x00, 0x00, 0x00, 0x03, 0x29, 0x02, 0x00, 0x20 };

	(void)state;
	start(T_1999_12_31_235959);
	now = SEC;
	expect_regs(y2k);
	start(T_2100_02_28_235959);
	now = SEC;
	expect_regs(y2100);
	start(T_2000_02_29);
	expect_regs(leap);
}

/* UIP is set for the 244 us before each second boundary, and only then. */
static void test_uip_window(void **state)
{
	(void)state;
	assert_int_equal(rd(RTC_REG_A), 0x26);
	now = SEC - 244001;
	assert_int_equal(rd(RTC_REG_A) & RTC_A_UIP, 0);
	now = SEC - 244000;
	assert_int_equal(rd(RTC_REG_A) & RTC_A_UIP, RTC_A_UIP);
	assert_int_equal(rd(RTC_SEC), 0x56); /* still the old second */
	now = SEC - 1;
	assert_int_equal(rd(RTC_REG_A), RTC_A_UIP | 0x26);
	now = SEC;
	assert_int_equal(rd(RTC_REG_A) & RTC_A_UIP, 0);
	assert_int_equal(rd(RTC_SEC), 0x57);
	/* No updates while SET: no UIP either. */
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	now = 2 * SEC - 1000;
	assert_int_equal(rd(RTC_REG_A) & RTC_A_UIP, 0);
}

static void test_register_a_writable_but_uip(void **state)
{
	(void)state;
	wr(RTC_REG_A, 0x80 | 0x2f);
	assert_int_equal(rd(RTC_REG_A), 0x2f);
	wr(RTC_REG_A, 0x23);
	assert_int_equal(rd(RTC_REG_A), 0x23);
}

static void test_register_d_vrt_read_only(void **state)
{
	(void)state;
	assert_int_equal(rd(RTC_REG_D), RTC_D_VRT);
	wr(RTC_REG_D, 0x00);
	assert_int_equal(rd(RTC_REG_D), RTC_D_VRT);
}

/* The usual way to set the clock: SET, write, clear SET. */
static void test_set_freezes_and_sets_time(void **state)
{
	static const uint8_t set[8] = { 0x30, 0x20, 0x10, 0x07, 0x15, 0x06, 0x30, 0x20 };
	static const uint8_t later[8] = { 0x32, 0x20, 0x10, 0x07, 0x15, 0x06, 0x30, 0x20 };

	(void)state;
	now = SEC / 4;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE);
	assert_int_equal(rd(RTC_REG_B), RTC_B_24H | RTC_B_SET); /* SET clears UIE */
	wr(RTC_SEC, 0x30);
	wr(RTC_MIN, 0x20);
	wr(RTC_HOUR, 0x10);
	wr(RTC_WDAY, 0x07);
	wr(RTC_MDAY, 0x15);
	wr(RTC_MONTH, 0x06);
	wr(RTC_YEAR, 0x30);
	now = 5 * SEC + 3 * SEC / 4; /* frozen meanwhile */
	expect_regs(set);
	wr(RTC_REG_B, RTC_B_24H);
	expect_regs(set);
	/* The divider kept its phase: the next update is at 6 s, not 6.75 s. */
	now = 6 * SEC - 1;
	assert_int_equal(rd(RTC_SEC), 0x30);
	now = 6 * SEC;
	assert_int_equal(rd(RTC_SEC), 0x31);
	now = 7 * SEC;
	expect_regs(later);
}

static void test_invalid_time_leaves_clock_alone(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_SET);
	wr(RTC_MONTH, 0x13);
	assert_int_equal(rd(RTC_MONTH), 0x13);
	wr(RTC_REG_B, RTC_B_24H);
	now = 2 * SEC;
	assert_int_equal(rd(RTC_MONTH), 0x02);
	assert_int_equal(rd(RTC_SEC), 0x58);
}

static void test_write_while_running(void **state)
{
	(void)state;
	now = SEC / 2;
	wr(RTC_SEC, 0x10);
	assert_int_equal(rd(RTC_SEC), 0x10);
	assert_int_equal(rd(RTC_MIN), 0x45);
	now = SEC;
	assert_int_equal(rd(RTC_SEC), 0x11);
}

/* Out of divider reset the first update comes half a second later. */
static void test_divider_reset_stops_the_clock(void **state)
{
	(void)state;
	now = SEC / 10;
	wr(RTC_REG_A, 0x70 | 6);
	now = 10 * SEC;
	assert_int_equal(rd(RTC_SEC), 0x56);
	assert_int_equal(rd(RTC_REG_A) & RTC_A_UIP, 0);
	wr(RTC_REG_A, 0x26);
	now += SEC / 2 - 1;
	assert_int_equal(rd(RTC_SEC), 0x56);
	now += 1;
	assert_int_equal(rd(RTC_SEC), 0x57);
}

/* ---- interrupts ----------------------------------------------------------------- */

static void test_periodic_1024hz(void **state)
{
	(void)state;
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	/* 32 cycles of 32.768 kHz = 976562.5 ns */
	assert_int_equal(rtc_next_event_ns(&rtc, now), 976563);
	assert_int_equal(rtc_next_event_ns(&rtc, 5 * SEC), 5 * SEC); /* overdue: now */
	rtc_update(&rtc, 976562);
	assert_int_equal(irq.raises, 0);
	rtc_update(&rtc, 976563);
	assert_int_equal(irq.raises, 1);
	assert_int_equal(irq.gsi, 8);
	assert_true(irq.level);
	/* The line stays up until C is read: nothing to wake for meanwhile. */
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
	rtc_update(&rtc, 1953125);
	assert_int_equal(irq.raises, 1);
	now = 1953125;
	assert_int_equal(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
	assert_false(irq.level);
	assert_int_equal(irq.lowers, 1);
	assert_int_equal(rd(RTC_REG_C), 0);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 2929688); /* 96 cycles, rounded up */
}

static void test_periodic_rates(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_PIE);
	wr(RTC_REG_A, 0x20 | 15); /* 2 Hz */
	assert_int_equal(rtc_next_event_ns(&rtc, now), SEC / 2);
	wr(RTC_REG_A, 0x20 | 3); /* 8192 Hz */
	assert_int_equal(rtc_next_event_ns(&rtc, now), 122071);
	wr(RTC_REG_A, 0x20 | 1); /* 256 Hz, as rate 8 */
	assert_int_equal(rtc_next_event_ns(&rtc, now), 3906250);
	wr(RTC_REG_A, 0x20 | 0); /* none */
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
	wr(RTC_REG_A, 0x60 | 6); /* divider in reset */
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
}

/* Flags latch whether or not enabled; only enabled ones raise the IRQ. */
static void test_flags_without_enables(void **state)
{
	(void)state;
	now = 3 * SEC;
	rtc_update(&rtc, now);
	assert_int_equal(irq.raises, 0);
	assert_int_equal(rd(RTC_REG_C), RTC_C_PF | RTC_C_UF);
	assert_int_equal(rd(RTC_REG_C), 0);
	/* Enabling a source with its flag already set raises IRQF at once. */
	now = 4 * SEC;
	rtc_update(&rtc, now);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_int_equal(irq.raises, 1);
	assert_int_equal(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF | RTC_C_UF);
	assert_int_equal(irq.lowers, 1);
}

static void test_update_ended_interrupt(void **state)
{
	(void)state;
	now = SEC / 3;
	wr(RTC_REG_B, RTC_B_24H | RTC_B_UIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), SEC);
	rtc_update(&rtc, SEC - 1);
	assert_int_equal(irq.raises, 0);
	rtc_update(&rtc, SEC);
	assert_int_equal(irq.raises, 1);
	now = SEC;
	assert_int_equal(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_UF | RTC_C_AF),
			 RTC_C_IRQF | RTC_C_UF);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 2 * SEC);
}

static void test_alarm_interrupt(void **state)
{
	(void)state;
	wr(RTC_HOUR_ALARM, 0x13);
	wr(RTC_MIN_ALARM, 0x46);
	wr(RTC_SEC_ALARM, 0x00);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 4 * SEC); /* 13:45:56 -> 13:46:00 */
	rtc_update(&rtc, 4 * SEC - 1);
	assert_int_equal(irq.raises, 0);
	rtc_update(&rtc, 4 * SEC);
	assert_int_equal(irq.raises, 1);
	now = 4 * SEC;
	assert_int_equal(rd(RTC_REG_C) & (RTC_C_IRQF | RTC_C_AF), RTC_C_IRQF | RTC_C_AF);
	assert_int_equal(rtc_next_event_ns(&rtc, now), (4 + 86400) * SEC); /* tomorrow */
}

static void test_alarm_dont_care(void **state)
{
	(void)state;
	wr(RTC_HOUR_ALARM, 0xc0);
	wr(RTC_MIN_ALARM, 0xff);
	wr(RTC_SEC_ALARM, 0x30);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 34 * SEC); /* every minute at :30 */
	wr(RTC_SEC_ALARM, 0xc0);
	assert_int_equal(rtc_next_event_ns(&rtc, now), SEC); /* every second */
	wr(RTC_SEC_ALARM, 0x10);
	wr(RTC_MIN_ALARM, 0x44);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 3494 * SEC); /* 14:44:10 */
	wr(RTC_MIN_ALARM, 0x60); /* never matches */
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
}

/* SET stops updates, and with them alarms; the periodic interrupt goes on. */
static void test_set_stops_alarms_not_periodic(void **state)
{
	(void)state;
	wr(RTC_HOUR_ALARM, 0xff);
	wr(RTC_MIN_ALARM, 0xff);
	wr(RTC_SEC_ALARM, 0xff);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), SEC);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE | RTC_B_SET);
	assert_int_equal(rtc_next_event_ns(&rtc, now), VTIME_NEVER);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE | RTC_B_SET | RTC_B_PIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 976563);
	now = 3 * SEC;
	assert_int_equal(rd(RTC_REG_C), RTC_C_IRQF | RTC_C_PF);
}

/* Without AIE the alarm still sets AF, passed over in one lazy step. */
static void test_alarm_flag_latched_lazily(void **state)
{
	(void)state;
	wr(RTC_HOUR_ALARM, 0x14);
	wr(RTC_MIN_ALARM, 0x00);
	wr(RTC_SEC_ALARM, 0x00);
	now = 3600 * SEC; /* 14:45:56, passing 14:00:00 */
	assert_int_equal(rd(RTC_REG_C) & RTC_C_AF, RTC_C_AF);
	now = 7200 * SEC; /* 15:45:56: no match in between */
	assert_int_equal(rd(RTC_REG_C) & RTC_C_AF, 0);
	assert_int_equal(irq.raises, 0);
}

static void test_alarm_12h(void **state)
{
	(void)state;
	wr(RTC_REG_B, RTC_B_AIE); /* BCD, 12-hour */
	wr(RTC_HOUR_ALARM, 0x82); /* 2 PM */
	wr(RTC_MIN_ALARM, 0x00);
	wr(RTC_SEC_ALARM, 0x00);
	assert_int_equal(rtc_next_event_ns(&rtc, now), 844 * SEC); /* 14:00:00 */
	wr(RTC_HOUR_ALARM, 0x12); /* 12 AM: midnight */
	assert_int_equal(rtc_next_event_ns(&rtc, now), (86400 - 49556) * SEC);
	wr(RTC_HOUR_ALARM, 0x92); /* 12 PM: noon tomorrow */
	assert_int_equal(rtc_next_event_ns(&rtc, now), (86400 - 49556 + 12 * 3600) * SEC);
}

/* No match left in the hour: on to the next day, not to minute 60. */
static void test_alarm_rolls_over_to_next_day(void **state)
{
	(void)state;
	now = 14 * 60 * SEC; /* 13:59:56 */
	rtc_update(&rtc, now);
	wr(RTC_HOUR_ALARM, 0x13);
	wr(RTC_MIN_ALARM, 0xc0);
	wr(RTC_SEC_ALARM, 0x10);
	wr(RTC_REG_B, RTC_B_24H | RTC_B_AIE);
	assert_int_equal(rtc_next_event_ns(&rtc, now), now + (23 * 3600 + 14) * SEC);
	wr(RTC_SEC_ALARM, 0x58); /* still this minute */
	assert_int_equal(rtc_next_event_ns(&rtc, now), now + 2 * SEC);
}

/* ---- index port and NVRAM --------------------------------------------------------- */

static void test_nmi_bit_stored(void **state)
{
	(void)state;
	io(0x70, 1, true, 0x80 | CMOS_SHUTDOWN);
	assert_true(rtc.nmi_masked);
	assert_int_equal(rtc.index, CMOS_SHUTDOWN);
	io(0x71, 1, true, 0x0a);
	assert_int_equal(rd(CMOS_SHUTDOWN), 0x0a); /* rd() clears bit 7 */
	assert_false(rtc.nmi_masked);
	assert_int_equal(io(0x70, 1, false, 0), 0xff);
}

static void test_nvram_read_write(void **state)
{
	(void)state;
	for (unsigned i = RTC_REG_D + 1; i < RTC_CMOS_SIZE; i++)
		if (i != CMOS_CENTURY)
			wr((uint8_t)i, (uint8_t)(i ^ 0x5a));
	for (unsigned i = RTC_REG_D + 1; i < RTC_CMOS_SIZE; i++)
		if (i != CMOS_CENTURY)
			assert_int_equal(rd((uint8_t)i), i ^ 0x5a);
	wr(0x80 | 0x40, 0x99); /* the index is 7 bits */
	assert_int_equal(rd(0x40), 0x99);
	rtc_cmos_set_nvram(&rtc, CMOS_SMP_COUNT, 3);
	assert_int_equal(rd(CMOS_SMP_COUNT), 3);
	rtc_cmos_set_nvram(&rtc, RTC_REG_B, 0xff); /* clock registers are not NVRAM */
	assert_int_equal(rd(RTC_REG_B), RTC_B_24H);
}

static void test_word_access_is_index_then_data(void **state)
{
	(void)state;
	io(0x70, 2, true, 0xab00 | CMOS_SHUTDOWN);
	assert_int_equal(rd(CMOS_SHUTDOWN), 0xab);
	io(0x70, 1, true, CMOS_SHUTDOWN);
	assert_int_equal(io(0x70, 2, false, 0), 0xabff);
}

static void test_floppy_and_equipment(void **state)
{
	(void)state;
	assert_int_equal(rd(CMOS_FLOPPY), 0);
	assert_int_equal(rd(CMOS_EQUIPMENT), 0x02);
}

static uint32_t rd16(uint8_t idx)
{
	return rd(idx) | (uint32_t)rd(idx + 1) << 8;
}

static void test_memory_fields(void **state)
{
	uint64_t high;

	(void)state;
	rtc_cmos_set_memory(&rtc, 3ULL << 30, 5ULL << 30);
	assert_int_equal(rd16(CMOS_BASEMEM_LO), 640);
	assert_int_equal(rd16(CMOS_EXTMEM_LO), 0xffff); /* capped */
	assert_int_equal(rd16(CMOS_EXTMEM_COPY), 0xffff);
	assert_int_equal(rd16(CMOS_EXTMEM2_LO), ((3ULL << 30) - (16 << 20)) >> 16);
	/* SeaBIOS's reading gives the RAM size back. */
	assert_int_equal(((uint64_t)rd16(CMOS_EXTMEM2_LO) << 16) + (16 << 20), 3ULL << 30);
	high = rd(CMOS_HIGHMEM_LO) | (uint64_t)rd(CMOS_HIGHMEM_LO + 1) << 8 |
	       (uint64_t)rd(CMOS_HIGHMEM_LO + 2) << 16;
	assert_int_equal(high << 16, 5ULL << 30);

	rtc_cmos_set_memory(&rtc, 32 << 20, 0);
	assert_int_equal(rd16(CMOS_EXTMEM_LO), 31 * 1024);
	assert_int_equal(rd16(CMOS_EXTMEM2_LO), 256);
	assert_int_equal(rd(CMOS_HIGHMEM_LO) | rd(CMOS_HIGHMEM_LO + 1) | rd(CMOS_HIGHMEM_LO + 2), 0);

	rtc_cmos_set_memory(&rtc, 512 << 10, 0);
	assert_int_equal(rd16(CMOS_EXTMEM_LO), 0);
	assert_int_equal(rd16(CMOS_EXTMEM2_LO), 0);

	rtc_cmos_set_memory(&rtc, 4ULL << 30, 0); /* the most there can be below 4 GiB */
	assert_int_equal(rd16(CMOS_EXTMEM2_LO), 0xff00);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_known_epochs),
		cmocka_unit_test(test_date_every_day_matches_gmtime),
		cmocka_unit_test(test_date_to_epoch_rejects_impossible_dates),
		T(test_registers_ports_0x70_0x71),
		T(test_bcd_24h_by_default),
		T(test_binary_mode),
		T(test_12h_mode_sets_bit7_for_pm),
		T(test_time_follows_guest_time),
		T(test_century_and_leap_rollovers),
		T(test_uip_window),
		T(test_register_a_writable_but_uip),
		T(test_register_d_vrt_read_only),
		T(test_set_freezes_and_sets_time),
		T(test_invalid_time_leaves_clock_alone),
		T(test_write_while_running),
		T(test_divider_reset_stops_the_clock),
		T(test_periodic_1024hz),
		T(test_periodic_rates),
		T(test_flags_without_enables),
		T(test_update_ended_interrupt),
		T(test_alarm_interrupt),
		T(test_alarm_dont_care),
		T(test_set_stops_alarms_not_periodic),
		T(test_alarm_flag_latched_lazily),
		T(test_alarm_12h),
		T(test_alarm_rolls_over_to_next_day),
		T(test_nmi_bit_stored),
		T(test_nvram_read_write),
		T(test_word_access_is_index_then_data),
		T(test_floppy_and_equipment),
		T(test_memory_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
