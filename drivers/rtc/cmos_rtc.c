/* SPDX-License-Identifier: MIT */
/*
 * Reading the host's MC146818-compatible RTC once, to give guests a wall
 * clock. Waits out an update in progress (register A bit 7) so the fields
 * are consistent, and handles BCD and 12-hour formats (register B).
 */
#include <drivers/rtc.h>
#include <arch/io.h>

static uint8_t cmos(uint8_t idx)
{
	outb(0x70, idx);
	return inb(0x71);
}

static unsigned bcd(uint8_t v, int is_bcd)
{
	return is_bcd ? (v >> 4) * 10 + (v & 15) : v;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), y >= 1970. */
static uint64_t days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	static const unsigned before[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };
	uint64_t days = (uint64_t)(y - 1970) * 365 + before[(m - 1) % 12] + d - 1;

	/* Leap days in the years before y, plus this year's if past February. */
	days += (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;
	if (m > 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		days++;
	return days;
}

uint64_t rtc_read_epoch(void)
{
	unsigned spins = 1000000, sec, min, hour, day, mon, year, b;
	int is_bcd;

	while ((cmos(0x0a) & 0x80) && --spins)
		;
	b = cmos(0x0b);
	is_bcd = !(b & 0x04);
	sec = bcd(cmos(0x00), is_bcd);
	min = bcd(cmos(0x02), is_bcd);
	hour = cmos(0x04);
	day = bcd(cmos(0x07), is_bcd);
	mon = bcd(cmos(0x08), is_bcd);
	year = bcd(cmos(0x09), is_bcd) + 2000;
	if (!(b & 0x02)) { /* 12-hour clock: bit 7 is PM */
		unsigned h = bcd(hour & 0x7f, is_bcd) % 12;

		hour = (hour & 0x80) ? h + 12 : h;
	} else {
		hour = bcd(hour, is_bcd);
	}
	if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 59)
		return 0;
	return days_since_epoch(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
}
