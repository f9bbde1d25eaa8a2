/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the posting decision (vmm/hvm_posted.c) behind the APIC
 * bus (vmm/dev/apic_bus.c): which messages of a split guest go to a
 * vCPU's posted-interrupt descriptor and a notification, which keep the
 * vLAPIC model path, and that what was posted reaches the virtual-APIC
 * page at the vCPU's next entry. Two vCPUs; the test is host CPU `me`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/apic_bus.h>
#include <keel/dev/vlapic.h>
#include <keel/dev/vlapic_pir.h>
#include <keel/hvm.h>
#include <keel/hvm_posted.h>
#include <keel/io.h>

#include "vlapic_stubs.h"
#include <keel/vm.h>

static unsigned me, notified[4], signals;

unsigned sched_cpu(void)
{
	return me;
}

void arch_vcpu_post_notify(unsigned cpu)
{
	notified[cpu]++;
}

static void signal(void *ctx, unsigned cpu, const struct apic_msg *m)
{
	(void)ctx, (void)cpu, (void)m;
	signals++;
}

static struct vm vm;
static struct hvm_platform h;
static struct vlapic_pir desc[2];
static uint8_t page[2][4096] __attribute__((aligned(4096)));

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&h, 0, sizeof(h));
	memset(desc, 0, sizeof(desc));
	memset(page, 0, sizeof(page));
	memset(notified, 0, sizeof(notified));
	signals = 0;
	me = 0;
	vm.hvm = &h;
	vm.nr_vcpus = 2;
	vm.split = true;
	h.bus = (struct apic_bus){ .n = 2, .signal = signal, .ctx = &h };
	for (unsigned i = 0; i < 2; i++) {
		struct vcpu *v = &vm.vcpus[i];

		v->vm = &vm;
		v->index = i;
		v->cpu = i;
		v->hvm_cpu = &h.cpu[i];
		v->sched.state = RUNQ_RUNNABLE;
		vlapic_init(&h.cpu[i].lapic, (uint8_t)i);
		h.cpu[i].lapic.ctx = v;
		h.cpu[i].lapic.svr = VLAPIC_SVR_ENABLE | 0xff;
		h.cpu[i].lapic.vapic = page[i];
		h.bus.apic[i] = &h.cpu[i].lapic;
		hvm_posted_attach(v, &desc[i]);
	}
	return 0;
}

static struct apic_msg fixed(uint8_t dest, uint8_t vector, bool level)
{
	return (struct apic_msg){ .dest = dest, .vector = vector, .mode = APIC_DM_FIXED,
				  .level = level };
}

static bool in_pir(unsigned cpu, unsigned v)
{
	return desc[cpu].pir[v / 64] >> (v % 64) & 1;
}

static bool in_irr(unsigned cpu, unsigned v)
{
	return h.cpu[cpu].lapic.irr[v / 32] >> (v % 32) & 1;
}

/* vCPU 1 runs on host CPU 1: an edge interrupt from CPU 0 is posted, notified once. */
static void test_remote_edge_posted(void **state)
{
	struct apic_msg m = fixed(1, 0x41, false);
	struct vlapic_apicv_entry e;

	(void)state;
	assert_int_equal(apic_bus_send(&h.bus, &m, 0), 2);
	assert_true(in_pir(1, 0x41));
	assert_false(in_irr(1, 0x41));
	assert_int_equal(notified[1], 1);
	m.vector = 0x42;
	apic_bus_send(&h.bus, &m, 0);
	assert_int_equal(notified[1], 1); /* ON was set: the first notification will do */
	/* vCPU 1 enters without having been notified in the guest: the push takes PIR. */
	vlapic_apicv_push(&h.cpu[1].lapic, &e);
	assert_true(e.intr_status_changed);
	assert_int_equal(e.intr_status & 0xff, 0x42);
	assert_true(in_irr(1, 0x41) && in_irr(1, 0x42));
	assert_int_equal(desc[1].pir[1], 0);
	assert_true(*(uint32_t *)(page[1] + 0x200 + 16 * 2) & (1u << 1)); /* 0x41 in VIRR */
	m.vector = 0x43;
	apic_bus_send(&h.bus, &m, 0);
	assert_int_equal(notified[1], 2);
}

/* What keeps the model path: level, vectors 0-15, NMI/INIT/SIPI, this CPU's vCPU, blocked, not split. */
static void test_model_path(void **state)
{
	struct apic_msg m;

	(void)state;
	m = fixed(1, 0x50, true);
	apic_bus_send(&h.bus, &m, APIC_BUS_NO_SENDER);
	assert_true(in_irr(1, 0x50));
	assert_true(h.cpu[1].lapic.tmr[0x50 / 32] & (1u << (0x50 % 32)));
	m = fixed(1, 0x50, false); /* edge now, on a vector still in TMR: the model clears it */
	apic_bus_send(&h.bus, &m, APIC_BUS_NO_SENDER);
	assert_false(in_pir(1, 0x50));
	assert_false(h.cpu[1].lapic.tmr[0x50 / 32] & (1u << (0x50 % 32)));
	m = fixed(1, 0x0e, false);
	apic_bus_send(&h.bus, &m, 0);
	assert_false(in_pir(1, 0x0e));
	assert_true(h.cpu[1].lapic.esr_acc & (1u << 6)); /* received illegal vector */
	m = (struct apic_msg){ .dest = 1, .mode = APIC_DM_NMI };
	apic_bus_send(&h.bus, &m, 0);
	m.mode = APIC_DM_INIT;
	apic_bus_send(&h.bus, &m, 0);
	assert_int_equal(signals, 2);
	m = fixed(0, 0x60, false); /* vCPU 0 is on this CPU: not in the guest now */
	apic_bus_send(&h.bus, &m, 1);
	assert_true(in_irr(0, 0x60));
	assert_false(in_pir(0, 0x60));
	vm.vcpus[1].sched.state = RUNQ_BLOCKED; /* halted: it needs the wake the model path gives */
	m = fixed(1, 0x61, false);
	apic_bus_send(&h.bus, &m, 0);
	assert_true(in_irr(1, 0x61));
	vm.vcpus[1].sched.state = RUNQ_RUNNABLE;
	vm.split = false;
	m.vector = 0x62;
	apic_bus_send(&h.bus, &m, 0);
	assert_true(in_irr(1, 0x62));
	assert_int_equal(desc[1].pir[0] | desc[1].pir[1], 0);
	assert_int_equal(notified[1], 0);
}

/* A software-disabled APIC takes nothing, posted or not. */
static void test_disabled_not_posted(void **state)
{
	struct apic_msg m = fixed(1, 0x70, false);

	(void)state;
	h.cpu[1].lapic.svr = 0xff;
	apic_bus_send(&h.bus, &m, 0);
	assert_false(in_pir(1, 0x70));
	assert_false(in_irr(1, 0x70));
	assert_int_equal(notified[1], 0);
}

/* A broadcast from CPU 1's vCPU: vCPU 0 (on CPU 0) posted, itself by the model. */
static void test_broadcast(void **state)
{
	struct apic_msg m = { .vector = 0x80, .mode = APIC_DM_FIXED, .shorthand = APIC_SH_ALL };

	(void)state;
	me = 1;
	assert_int_equal(apic_bus_send(&h.bus, &m, 1), 3);
	assert_true(in_pir(0, 0x80));
	assert_int_equal(notified[0], 1);
	assert_true(in_irr(1, 0x80));
	assert_false(in_pir(1, 0x80));
}

/* No descriptor (posting off): the model path, byte for byte as before. */
static void test_no_descriptor(void **state)
{
	struct apic_msg m = fixed(1, 0x90, false);

	(void)state;
	h.cpu[1].lapic.pir = NULL;
	apic_bus_send(&h.bus, &m, 0);
	assert_true(in_irr(1, 0x90));
	assert_int_equal(notified[1], 0);
	h.bus.post = NULL;
	m.vector = 0x91;
	apic_bus_send(&h.bus, &m, 0);
	assert_true(in_irr(1, 0x91));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_remote_edge_posted, setup),
		cmocka_unit_test_setup(test_model_path, setup),
		cmocka_unit_test_setup(test_disabled_not_posted, setup),
		cmocka_unit_test_setup(test_broadcast, setup),
		cmocka_unit_test_setup(test_no_descriptor, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
