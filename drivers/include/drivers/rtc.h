/* SPDX-License-Identifier: MIT */
#ifndef DRIVERS_RTC_H
#define DRIVERS_RTC_H

#include <stdint.h>

/* The host's wall clock from its CMOS RTC, in seconds since 1970 (UTC assumed). */
uint64_t rtc_read_epoch(void);

#endif
