/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the PV network interface's hypercalls (vmm/hcall_net.c)
 * with hostile arguments: two PV guests on one switch, guest memory a
 * small buffer each, the arch layer's copies all or nothing as Keel's are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <arch/guest_mem.h>
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/vm.h>
#include <keel/vnet.h>

#define RAM 16384

static struct vm vms[3];
static struct pv_domain pvs[3];
static uint8_t ram[3][RAM];
static struct vswitch sw;
static struct vsw_port ports[3];
static uint64_t raised[3]; /* event bits Keel raised per guest */

unsigned arch_guest_read(struct vcpu *v, unsigned long la, void *dst, unsigned len)
{
	if (la >= RAM || len > RAM - la)
		return 0;
	memcpy(dst, ram[v->vm->id] + la, len);
	return len;
}

bool arch_guest_readable(struct vcpu *v, unsigned long la, unsigned len)
{
	(void)v;
	return la < RAM && len <= RAM - la;
}

unsigned arch_guest_write(struct vcpu *v, unsigned long la, const void *src, unsigned len)
{
	if (la >= RAM || len > RAM - la)
		return 0;
	memcpy(ram[v->vm->id] + la, src, len);
	return len;
}

void pv_event_raise(struct vm *vm, unsigned port)
{
	raised[vm->id] |= 1ULL << port;
}

uint64_t vm_time_ns(struct vm *vm)
{
	(void)vm;
	return 0;
}

int vnet_port_create(struct vm *vm, vsw_notify_fn *notify, void *owner, struct vsw_port **out)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(vm->id + 1) };
	int err = vsw_attach(&sw, &ports[vm->id], mac, notify, owner);

	if (!err)
		*out = &ports[vm->id];
	return err;
}

static int setup(void **state)
{
	(void)state;
	memset(vms, 0, sizeof(vms));
	memset(pvs, 0, sizeof(pvs));
	memset(ram, 0, sizeof(ram));
	memset(raised, 0, sizeof(raised));
	vsw_init(&sw, "sw0");
	for (unsigned i = 0; i < 3; i++) {
		vms[i].id = i;
		vms[i].vcpus[0].vm = &vms[i];
		vms[i].nr_vcpus = 1;
		vms[i].pv = &pvs[i];
		evtchn_init(&pvs[i].evtchn);
		if (i < 2) /* guest 2 has no net= */
			assert_int_equal(pv_net_attach(&vms[i]), 0);
	}
	return 0;
}

static int64_t call(unsigned g, hcall_fn *fn, uint64_t a0, uint64_t a1)
{
	return (int64_t)fn(&vms[g].vcpus[0], a0, a1, 0, 0, 0);
}

/* A frame in guest g's RAM at `at`: broadcast from src (its own address unless forged). */
static void put_frame(unsigned g, uint64_t at, const uint8_t *src, uint8_t fill, size_t len)
{
	memset(ram[g] + at, fill, len);
	memset(ram[g] + at, 0xff, 6);
	memcpy(ram[g] + at + 6, src, 6);
}

static void test_no_interface(void **state)
{
	(void)state;
	assert_int_equal(call(2, hcall_net_info, 0x100, 0), -ENOENT);
	assert_int_equal(call(2, hcall_net_send, 0x100, 60), -ENOENT);
	assert_int_equal(call(2, hcall_net_recv, 0x100, 1514), -ENOENT);
}

static void test_info(void **state)
{
	struct keel_net_info info;
	uint64_t at = RAM - sizeof(info);

	(void)state;
	assert_int_equal(call(0, hcall_net_info, at + 1, 0), -EFAULT); /* past RAM's end */
	assert_int_equal(call(0, hcall_net_info, 1ULL << 47, 0), -EFAULT);
	assert_int_equal(call(0, hcall_net_info, UINT64_MAX - 8, 0), -EFAULT);
	assert_int_equal(pvs[0].net_event, 0); /* nothing allocated by a failed call's checks */
	assert_int_equal(call(0, hcall_net_info, at, 0), 0);
	memcpy(&info, ram[0] + at, sizeof(info));
	assert_int_equal(info.mac[0], 0x02);
	assert_int_equal(info.mac[5], 1);
	assert_int_equal(info.mtu, 1500);
	assert_int_equal(info.queue_len, VSW_QUEUE_LEN);
	assert_string_equal(info.switch_name, "sw0");
	assert_int_not_equal(info.event_port, 0);
	assert_int_equal(pvs[0].evtchn.port[info.event_port].state, EVT_KEEL);
	/* Asking again gives the same port. */
	assert_int_equal(call(0, hcall_net_info, 0, 0), 0);
	assert_int_equal(((struct keel_net_info *)ram[0])->event_port, info.event_port);
}

static void test_send_bad(void **state)
{
	uint8_t other[6] = { 0x02, 0, 0, 0, 0, 2 };

	(void)state;
	put_frame(0, 0x1000, ports[0].mac, 0x11, 1514);
	assert_int_equal(call(0, hcall_net_send, 0x1000, 13), -EINVAL);
	assert_int_equal(call(0, hcall_net_send, 0x1000, 1515), -EINVAL);
	assert_int_equal(call(0, hcall_net_send, 0x1000, UINT64_MAX), -EINVAL);
	assert_int_equal(call(0, hcall_net_send, RAM - 20, 60), -EFAULT);
	assert_int_equal(call(0, hcall_net_send, UINT64_MAX - 10, 60), -EFAULT);
	assert_int_equal(call(0, hcall_net_send, 1ULL << 47, 60), -EFAULT);
	put_frame(0, 0x2000, other, 0x11, 60); /* guest 1's address as its source */
	assert_int_equal(call(0, hcall_net_send, 0x2000, 60), -EINVAL);
	assert_int_equal(ports[0].st.drop_bad, 1);
	assert_int_equal(ports[1].count, 0);
	assert_int_equal(raised[1], 0);
}

static void test_send_recv(void **state)
{
	(void)state;
	assert_int_equal(call(1, hcall_net_info, 0, 0), 0);
	put_frame(0, 0x1000, ports[0].mac, 0x5a, 100);
	assert_int_equal(call(0, hcall_net_send, 0x1000, 100), 1);
	assert_true(raised[1] & 1ULL << pvs[1].net_event);
	/* The sender rewrites its buffer at once: what was sent is already Keel's copy. */
	memset(ram[0] + 0x1000, 0xee, 100);
	assert_int_equal(call(1, hcall_net_recv, 0x3000, 99), -ENOSPC); /* stays queued */
	assert_int_equal(call(1, hcall_net_recv, RAM - 50, 1514), -EFAULT);
	assert_int_equal(call(1, hcall_net_recv, UINT64_MAX - 3, 1514), -EFAULT);
	assert_int_equal(ports[1].count, 1);
	assert_int_equal(call(1, hcall_net_recv, 0x3000, 100), 100);
	assert_int_equal(ram[1][0x3000], 0xff);
	assert_memory_equal(ram[1] + 0x3006, ports[0].mac, 6);
	assert_int_equal(ram[1][0x3000 + 99], 0x5a);
	assert_int_equal(call(1, hcall_net_recv, 0x3000, 1514), 0); /* empty now */
}

static void test_frames_before_info(void **state)
{
	(void)state;
	put_frame(0, 0x1000, ports[0].mac, 1, 60);
	assert_int_equal(call(0, hcall_net_send, 0x1000, 60), 1);
	assert_int_equal(raised[1], 0); /* guest 1 has no event port yet */
	assert_int_equal(call(1, hcall_net_info, 0, 0), 0);
	assert_true(raised[1] & 1ULL << pvs[1].net_event); /* told of what waits */
}

static void test_queue_full(void **state)
{
	(void)state;
	put_frame(0, 0x1000, ports[0].mac, 1, 60);
	for (unsigned i = 0; i < VSW_QUEUE_LEN; i++)
		assert_int_equal(call(0, hcall_net_send, 0x1000, 60), 1);
	assert_int_equal(call(0, hcall_net_send, 0x1000, 60), 0);
	assert_int_equal(call(1, hcall_net_info, 0x100, 0), 0);
	assert_int_equal(((struct keel_net_info *)(ram[1] + 0x100))->rx_dropped, 1);
	assert_int_equal(((struct keel_net_info *)(ram[1] + 0x100))->rx, VSW_QUEUE_LEN);
}

static void put_buf(unsigned g, uint64_t at, unsigned i, uint64_t addr, uint32_t len)
{
	struct keel_net_buf b = { addr, len, 0 };

	memcpy(ram[g] + at + i * sizeof(b), &b, sizeof(b));
}

static void test_send_batch(void **state)
{
	(void)state;
	put_frame(0, 0x1000, ports[0].mac, 1, 60);
	put_frame(0, 0x2000, ports[0].mac, 2, 1514);
	for (unsigned i = 0; i < KEEL_NET_BATCH_MAX + 1; i++)
		put_buf(0, 0x3000, i, i & 1 ? 0x2000 : 0x1000, i & 1 ? 1514 : 60);
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, 3), 3);
	assert_int_equal(ports[1].count, 3);
	assert_int_equal(vsw_peek(&ports[1])->len, 60);
	/* Counts outside 1..32, a descriptor array past RAM's end or wrapping: nothing sent. */
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, 0), -EINVAL);
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, KEEL_NET_BATCH_MAX + 1), -EINVAL);
	assert_int_equal(call(0, hcall_net_send_batch, RAM - 8, 2), -EFAULT);
	assert_int_equal(call(0, hcall_net_send_batch, UINT64_MAX - 15, 2), -EFAULT);
	assert_int_equal(call(2, hcall_net_send_batch, 0x3000, 1), -ENOENT);
	assert_int_equal(ports[1].count, 3);
	/* The first bad descriptor ends the batch: what went before counts. */
	put_buf(0, 0x3000, 1, 0x1000, 13);
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, 3), 1);
	put_buf(0, 0x3000, 0, RAM - 10, 60);
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, 3), -EFAULT);
	put_buf(0, 0x3000, 0, 0x1000, 60);
	ram[0][0x3000 + 12] = 1; /* reserved */
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, 1), -EINVAL);
	assert_int_equal(ports[1].count, 4);
	/* A full batch: all 32 in one call; the receiver's queue holds 32, the rest are dropped. */
	put_buf(0, 0x3000, 0, 0x1000, 60);
	put_buf(0, 0x3000, 1, 0x2000, 1514);
	assert_int_equal(call(0, hcall_net_send_batch, 0x3000, KEEL_NET_BATCH_MAX),
			 KEEL_NET_BATCH_MAX);
	assert_int_equal(ports[1].count, VSW_QUEUE_LEN);
	assert_int_equal(ports[1].st.drop_full, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_no_interface, setup),
		cmocka_unit_test_setup(test_info, setup),
		cmocka_unit_test_setup(test_send_bad, setup),
		cmocka_unit_test_setup(test_send_recv, setup),
		cmocka_unit_test_setup(test_frames_before_info, setup),
		cmocka_unit_test_setup(test_queue_full, setup),
		cmocka_unit_test_setup(test_send_batch, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
