/* SPDX-License-Identifier: MIT */
/*
 * The MC146818 RTC and CMOS (vmm/dev/rtc_cmos.c) alone, with guest time:
 * its deadline runs after each op as hvm_events.c runs it. Like a PC's, it
 * keeps its time and contents across a reset; only its ports are claimed
 * again.
 */
#include <string.h>

#include <keel/dev/rtc_cmos.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

#define EPOCH 1767225600ULL /* 2026-01-01 */

static struct vm vm;
static struct rtc_cmos rtc;
static uint64_t next_ns;

static void reregister(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	FUZZ_CHECK(!rtc_cmos_register(v, &rtc), "the RTC registers its ports");
	next_ns = 0;
}

static void after_op(struct vm *v)
{
	(void)v;
	if (fuzz_now >= next_ns)
		rtc_update(&rtc, fuzz_now);
	next_ns = rtc_next_event_ns(&rtc, fuzz_now);
	FUZZ_CHECK(next_ns >= fuzz_now, "RTC: the next interrupt is not in the past");
	FUZZ_CHECK(rtc.irq_level == fuzz_irqs.level[8], "RTC: IRQ 8 is what the RTC says it drives");
	FUZZ_CHECK(rtc.index < RTC_CMOS_SIZE, "RTC: the index selects a CMOS byte");
}

static const struct fuzz_target target = { .after_op = after_op, .reset = reregister };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irq_line irq8;

	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	fuzz_now = 0;
	irq8 = fuzz_irq_line(8);
	rtc_cmos_init(&rtc, EPOCH, &irq8);
	rtc_cmos_set_memory(&rtc, 3ULL << 30, 1ULL << 30);
	reregister(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
