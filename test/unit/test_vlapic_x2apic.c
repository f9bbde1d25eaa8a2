/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the vLAPIC's x2APIC mode (vmm/dev/vlapic_x2apic.c, SDM 3A
 * 11.12: Table 11-6 for each MSR's access, 11.12.9 for the ICR, 11.12.10
 * for the LDR, 11.12.11 for SELF IPI) and its TSC-deadline timer
 * (vlapic_timer.c, SDM 3A 11.5.4.1). MSR numbers are written out from the
 * SDM. Every #GP must leave the registers as they were.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/vlapic.h>
#include <keel/io.h>
#include <keel/vtime.h>

#define GP (-1)
#define BASE_NS 7000000000ULL

static char fake_vm;
#define VM ((struct vm *)&fake_vm)

static struct vlapic lapic;
static uint64_t now_ns;
static struct io_range range;

uint64_t vm_time_ns(struct vm *vm)
{
	assert_ptr_equal(vm, VM);
	return now_ns;
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(vm, VM);
	range = (struct io_range){ .base = base, .len = len, .fn = fn, .dev = dev };
	return 0;
}

static uint32_t mmio_rd(unsigned off)
{
	struct io_access a = { 0xfee00000ULL + off, 4, false, 0 };

	assert_int_equal(range.fn(VM, range.dev, &a), 0);
	return (uint32_t)a.value;
}

static void mmio_wr(unsigned off, uint32_t v)
{
	struct io_access a = { 0xfee00000ULL + off, 4, true, v };

	assert_int_equal(range.fn(VM, range.dev, &a), 0);
}

static uint64_t rd(uint32_t msr)
{
	uint64_t v = 0xdeadbeef;

	assert_int_equal(vlapic_msr_read(&lapic, msr, now_ns, &v), 0);
	return v;
}

static void wr(uint32_t msr, uint64_t v)
{
	assert_int_equal(vlapic_msr_write(&lapic, msr, v, now_ns), 0);
}

static void rd_gp(uint32_t msr)
{
	uint64_t v;

	assert_int_equal(vlapic_msr_read(&lapic, msr, now_ns, &v), GP);
}

/* #GP and nothing changed (the registers compared before and after). */
static void wr_gp(uint32_t msr, uint64_t v)
{
	struct vlapic before = lapic;

	assert_int_equal(vlapic_msr_write(&lapic, msr, v, now_ns), GP);
	assert_memory_equal(&before, &lapic, offsetof(struct vlapic, eoi_level));
}

static int setup(void **state)
{
	(void)state;
	now_ns = BASE_NS;
	vlapic_init(&lapic, 5);
	assert_int_equal(vlapic_register(VM, &lapic, 0xfee00000ULL), 0);
	return 0;
}

static void x2apic_on(void)
{
	vlapic_set_x2apic(&lapic, true);
	wr(0x80f, 0x1ff); /* SVR: software-enabled, spurious 0xff */
}

static int take(void)
{
	int v = vlapic_pending(&lapic);

	if (v >= 0)
		vlapic_ack(&lapic, (uint8_t)v);
	return v;
}

static void test_only_in_x2apic_mode(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(vlapic_msr_read(&lapic, 0x802, now_ns, &v), GP);
	assert_int_equal(vlapic_msr_write(&lapic, 0x808, 0, now_ns), GP);
	x2apic_on();
	assert_int_equal(rd(0x802), 5);
	/* Disabling the APIC leaves x2APIC mode (SDM 11.12.5.1): #GP again. */
	vlapic_set_hw_enabled(&lapic, false);
	assert_false(lapic.x2apic);
	rd_gp(0x802);
}

static void test_registers(void **state)
{
	(void)state;
	x2apic_on();
	assert_int_equal(rd(0x803), 0x00050014); /* version */
	/* LDR: cluster ID[19:4] = 0, bit ID[3:0] = 5 (SDM 11.12.10.2). */
	assert_int_equal(rd(0x80d), 1u << 5);
	wr(0x808, 0x40);
	assert_int_equal(rd(0x808), 0x40);
	assert_int_equal(rd(0x80a), 0x40); /* PPR follows TPR */
	assert_int_equal(rd(0x80f), 0x1ff);
	wr(0x832, 0x20030); /* LVT timer: periodic, vector 0x30 */
	assert_int_equal(rd(0x832), 0x20030);
	wr(0x83e, 0xb);
	assert_int_equal(rd(0x83e), 0xb);
	wr(0x838, 1000);
	assert_int_equal(rd(0x838), 1000);
	assert_int_equal(rd(0x839), 1000); /* current count, freshly loaded */
	assert_int_equal(rd(0x828), 0);     /* ESR */
	wr(0x828, 0);
	for (uint32_t m = 0x810; m < 0x828; m++)
		assert_int_equal(rd(m), 0); /* ISR, TMR, IRR */
}

static void test_faults(void **state)
{
	(void)state;
	x2apic_on();
	/* Read-only: ID, version, PPR, LDR, ISR/TMR/IRR, current count. */
	wr_gp(0x802, 7);
	wr_gp(0x803, 0);
	wr_gp(0x80a, 0);
	wr_gp(0x80d, 0);
	wr_gp(0x810, 0);
	wr_gp(0x827, 0);
	wr_gp(0x839, 0);
	/* Write-only: EOI, SELF IPI. */
	rd_gp(0x80b);
	rd_gp(0x83f);
	/* Reserved: 0x800, 0x801, 0x804-0x807, 0x809, 0x80c, DFR 0x80e, 0x829-0x82e, ICR2 0x831, 0x83a-0x83d, 0x840+. */
	static const uint32_t reserved[] = { 0x800, 0x801, 0x804, 0x807, 0x809, 0x80c, 0x80e,
					     0x829, 0x82e, 0x831, 0x83a, 0x83d, 0x840, 0x8ff };
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		rd_gp(reserved[i]);
		wr_gp(reserved[i], 0);
	}
	/* Bits 63:32 are reserved but in the ICR; EOI and ESR take only 0. */
	wr_gp(0x808, 1ULL << 32);
	wr_gp(0x80b, 1);
	wr_gp(0x828, 1);
	wr(0x80b, 0);
	/* Outside the range. */
	rd_gp(0x7ff);
	rd_gp(0x900);
}

static void test_icr_and_self_ipi(void **state)
{
	(void)state;
	x2apic_on();
	/* ICR: one 64-bit write, destination = x2APIC ID 5, fixed, vector 0x40. */
	wr(0x830, 5ULL << 32 | 0x40);
	assert_int_equal(rd(0x830), 5ULL << 32 | 0x40);
	assert_int_equal(take(), 0x40);
	wr(0x80b, 0);
	/* Another ID: not this APIC. The xAPIC's 8-bit field would have matched 0x105 & 0xff. */
	wr(0x830, 0x105ULL << 32 | 0x41);
	assert_int_equal(take(), -1);
	/* Broadcast 0xffffffff reaches it. */
	wr(0x830, 0xffffffffULL << 32 | 0x42);
	assert_int_equal(take(), 0x42);
	wr(0x80b, 0);
	/* Logical: cluster 0, bit 5. */
	wr(0x830, (1ULL << 5) << 32 | 1u << 11 | 0x43);
	assert_int_equal(take(), 0x43);
	wr(0x80b, 0);
	wr(0x830, (1ULL << 16 | 1ULL << 5) << 32 | 1u << 11 | 0x44); /* cluster 1 */
	assert_int_equal(take(), -1);
	/* SELF IPI: vector only. */
	wr(0x83f, 0x50);
	assert_int_equal(take(), 0x50);
	wr(0x80b, 0);
	assert_int_equal(take(), -1);
}

static void test_mmio_off(void **state)
{
	(void)state;
	mmio_wr(0xf0, 0x1ff);
	assert_int_equal(mmio_rd(0xf0), 0x1ff);
	x2apic_on();
	assert_int_equal(mmio_rd(0xf0), 0xffffffff);
	assert_int_equal(mmio_rd(0x30), 0xffffffff);
	mmio_wr(0x80, 0x20); /* ignored */
	assert_int_equal(rd(0x808), 0);
}

#define LVT_DEADLINE (2u << 17)

static void test_tsc_deadline(void **state)
{
	(void)state;
	x2apic_on();
	/* Not in TSC-deadline mode: writes ignored, reads 0. */
	vlapic_tsc_deadline_write(&lapic, 1234, now_ns + 100);
	assert_int_equal(vlapic_tsc_deadline_read(&lapic), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	wr(0x832, LVT_DEADLINE | 0x60);
	assert_int_equal(rd(0x832), LVT_DEADLINE | 0x60);
	/* The initial count is ignored in this mode, the current count reads 0. */
	wr(0x838, 1000);
	assert_int_equal(rd(0x838), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	vlapic_tsc_deadline_write(&lapic, 5000, now_ns + 100);
	assert_int_equal(vlapic_tsc_deadline_read(&lapic), 5000);
	assert_int_equal(rd(0x839), 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), now_ns + 100);
	now_ns += 99;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), -1);
	now_ns += 1;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x60);
	wr(0x80b, 0);
	/* Fired: disarmed, reads 0, no second interrupt. */
	assert_int_equal(vlapic_tsc_deadline_read(&lapic), 0);
	now_ns += 1000000;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), -1);
	/* A deadline already passed fires at once. */
	vlapic_tsc_deadline_write(&lapic, 1, now_ns);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), now_ns);
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x60);
	wr(0x80b, 0);
	/* Writing 0 disarms. */
	vlapic_tsc_deadline_write(&lapic, 9000, now_ns + 50);
	vlapic_tsc_deadline_write(&lapic, 0, 0);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	now_ns += 100;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), -1);
	/* Leaving the mode disarms (SDM 11.5.4.1). */
	vlapic_tsc_deadline_write(&lapic, 9000, now_ns + 50);
	wr(0x832, 0x60);
	assert_int_equal(vlapic_next_event_ns(&lapic, now_ns), VTIME_NEVER);
	wr(0x832, LVT_DEADLINE | 0x60);
	assert_int_equal(vlapic_tsc_deadline_read(&lapic), 0);
	/* Masked: the deadline passes and disarms, no interrupt. */
	vlapic_tsc_deadline_write(&lapic, 9000, now_ns + 50);
	wr(0x832, LVT_DEADLINE | 1u << 16 | 0x60);
	now_ns += 50;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), -1);
	assert_int_equal(vlapic_tsc_deadline_read(&lapic), 0);
}

/* One-shot and periodic still run from the initial count in xAPIC mode (mode 11b: one-shot). */
static void test_other_modes_unchanged(void **state)
{
	(void)state;
	mmio_wr(0xf0, 0x1ff);
	mmio_wr(0x3e0, 0xb);
	mmio_wr(0x320, 3u << 17 | 0x61);
	mmio_wr(0x380, 100);
	now_ns += 100;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), 0x61);
	mmio_wr(0xb0, 0);
	now_ns += 100;
	vlapic_update(&lapic, now_ns);
	assert_int_equal(take(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_only_in_x2apic_mode, setup),
		cmocka_unit_test_setup(test_registers, setup),
		cmocka_unit_test_setup(test_faults, setup),
		cmocka_unit_test_setup(test_icr_and_self_ipi, setup),
		cmocka_unit_test_setup(test_mmio_off, setup),
		cmocka_unit_test_setup(test_tsc_deadline, setup),
		cmocka_unit_test_setup(test_other_modes_unchanged, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
