/* SPDX-License-Identifier: MIT */
/*
 * MC146818A real-time clock and its 128 bytes of CMOS RAM, at ports 0x70
 * (index, bit 7 = NMI mask) and 0x71 (data). The clock is a wall-clock base
 * plus guest time; interrupts (periodic, alarm, update-ended) raise IRQ 8
 * and hold it until the guest reads register C. Time-driven: Keel asks
 * rtc_next_event_ns() when to wake and calls rtc_update() then.
 */
#ifndef KEEL_DEV_RTC_CMOS_H
#define KEEL_DEV_RTC_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>
#include <keel/irq.h>

struct vm;

#define RTC_CMOS_PORT 0x70 /* 0x70 index, 0x71 data */
#define RTC_CMOS_SIZE 128

/* Clock registers (MC146818A datasheet, "Address Map"). */
#define RTC_SEC       0x00
#define RTC_SEC_ALARM 0x01
#define RTC_MIN       0x02
#define RTC_MIN_ALARM 0x03
#define RTC_HOUR      0x04
#define RTC_HOUR_ALARM 0x05
#define RTC_WDAY      0x06 /* 1-7, Sunday = 1 */
#define RTC_MDAY      0x07
#define RTC_MONTH     0x08
#define RTC_YEAR      0x09
#define RTC_REG_A     0x0a
#define RTC_REG_B     0x0b
#define RTC_REG_C     0x0c
#define RTC_REG_D     0x0d

/* PC CMOS layout (IBM AT BIOS convention, as QEMU and SeaBIOS use it). */
#define CMOS_SHUTDOWN      0x0f
#define CMOS_FLOPPY        0x10
#define CMOS_EQUIPMENT     0x14
#define CMOS_BASEMEM_LO    0x15 /* KiB below 1 MiB, 16 bits */
#define CMOS_EXTMEM_LO     0x17 /* KiB above 1 MiB, 16 bits */
#define CMOS_EXTMEM_COPY   0x30 /* the same, second copy */
#define CMOS_CENTURY       0x32 /* ACPI FADT CENTURY points here */
#define CMOS_EXTMEM2_LO    0x34 /* 64 KiB units above 16 MiB, 16 bits */
#define CMOS_BOOTFLAG1     0x38 /* SeaBIOS: bit 0 no floppy signature check, 7:4 3rd boot device */
#define CMOS_BOOTFLAG2     0x3d /* SeaBIOS: 1st (3:0) and 2nd (7:4) boot device */
#define CMOS_HIGHMEM_LO    0x5b /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_SMP_COUNT     0x5f /* SeaBIOS: CPU count - 1 */

#define RTC_A_UIP  BIT(7)
#define RTC_A_DV   GENMASK(6, 4) /* 010: 32.768 kHz time base running; 11x: reset */
#define RTC_A_RS   GENMASK(3, 0) /* periodic rate select */
#define RTC_B_SET  BIT(7)
#define RTC_B_PIE  BIT(6)
#define RTC_B_AIE  BIT(5)
#define RTC_B_UIE  BIT(4)
#define RTC_B_SQWE BIT(3)
#define RTC_B_DM   BIT(2) /* 1: binary, 0: BCD */
#define RTC_B_24H  BIT(1)
#define RTC_B_DSE  BIT(0)
#define RTC_C_IRQF BIT(7)
#define RTC_C_PF   BIT(6)
#define RTC_C_AF   BIT(5)
#define RTC_C_UF   BIT(4)
#define RTC_D_VRT  BIT(7)

struct rtc_cmos {
	bool touched; /* accessed since Keel last read its next deadline (vmm/hvm_events.c) */
	/*
	 * NVRAM, registers A-D, alarms. The time registers are rebuilt from the
	 * clock on each read while the clock runs, and hold the guest's values
	 * while it is stopped (SET, or the divider in reset).
	 */
	uint8_t cmos[RTC_CMOS_SIZE];
	uint8_t index;
	bool nmi_masked; /* bit 7 of the last index write: NMIs off when set */
	bool irq_level;
	uint64_t wall_off; /* ns since 1970 = vm time + wall_off, mod 2^64 */
	uint64_t last;     /* register C holds the events up to this vm time */
	struct irq_line irq8;
};

/* A calendar time, UTC; wday 1-7 with Sunday = 1 as the RTC counts. */
struct rtc_date {
	uint16_t year;
	uint8_t month, day, hour, min, sec, wday;
};

/* epoch_seconds: the wall clock (UTC, since 1970) at vm time 0. irq8 may be NULL. */
void rtc_cmos_init(struct rtc_cmos *r, uint64_t epoch_seconds, const struct irq_line *irq8);
int rtc_cmos_register(struct vm *vm, struct rtc_cmos *r);

/* The memory-size bytes SeaBIOS reads when it has no etc/e820 (and Linux never). */
void rtc_cmos_set_memory(struct rtc_cmos *r, uint64_t ram_below_4g, uint64_t ram_above_4g);
/* Any other NVRAM byte (0x0e-0x7f), e.g. CMOS_SMP_COUNT or CMOS_BOOTFLAG2. */
void rtc_cmos_set_nvram(struct rtc_cmos *r, uint8_t index, uint8_t value);

/*
 * Guest ns of the next interrupt from an enabled source, `now` if one is
 * due, VTIME_NEVER if none can come (or IRQ 8 is asserted and waits for a
 * read of C). rtc_update(r, now) latches what happened and drives IRQ 8.
 */
uint64_t rtc_next_event_ns(const struct rtc_cmos *r, uint64_t now);
void rtc_update(struct rtc_cmos *r, uint64_t now);

/* Calendar arithmetic, exact for 1970-01-01 to 2499-12-31. */
void rtc_epoch_to_date(uint64_t secs, struct rtc_date *d);
int rtc_date_to_epoch(const struct rtc_date *d, uint64_t *secs); /* -EINVAL if out of range */

#endif
