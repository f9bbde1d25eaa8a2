/* SPDX-License-Identifier: MIT */
/*
 * Host tests for virtio-net (vmm/dev/virtio_net.c) on the real transport,
 * walker and switch: a driver's rings (virtio 1.1 5.1.6) in a fake guest
 * RAM, doorbells rung through BAR 0, and a second switch port standing in
 * for a PV guest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/pci.h>
#include <keel/dev/virtio_net.h>
#include <keel/io.h>
#include <keel/vswitch.h>

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x40000ULL
#define Q(n)     (RAM_BASE + (n) * 0x3000) /* queue n: desc, avail at +0x1000, used at +0x2000 */
#define BUF      (RAM_BASE + 0x10000)
#define QSIZE    VIRTIO_NET_QUEUE_SIZE

static struct pci_bus bus;
static struct virtio_net net;
static struct vswitch sw;
static struct vsw_port vport, peer;
static uint8_t ram[RAM_SIZE];
static unsigned irqs;
static const uint8_t vmac[6] = { 0x02, 0, 0, 0, 0, 0x10 }, pmac[6] = { 0x02, 0, 0, 0, 0, 0x20 };

#include "virtio_stubs.h"

static void set_intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi;
	irqs += level;
}

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

#define DEV (&net.dev)
#include "virtio_driver.h"

static void driver_ok(void)
{
	driver_ok_with((uint32_t)(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS));
}

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	irqs = 0;
	pci_bus_init(&bus);
	vsw_init(&sw, "sw0");
	assert_int_equal(vsw_attach(&sw, &vport, vmac, NULL, NULL), 0);
	assert_int_equal(vsw_attach(&sw, &peer, pmac, NULL, NULL), 0);
	assert_int_equal(virtio_net_init(&net, NULL, &bus, 6, &vport,
					 &(struct irq_line){ set_intx, NULL, 0 },
					 &(struct msi_line){ NULL, NULL }), 0);
	driver_ok();
	return 0;
}

/* A frame from `src` to `dst` at gpa, len bytes, filled with tag. */
static void frame(uint64_t gpa, const uint8_t *dst, const uint8_t *src, uint8_t tag, size_t len)
{
	memset(at(gpa), tag, len);
	memcpy(at(gpa), dst, 6);
	memcpy(at(gpa + 6), src, 6);
}

static void test_config(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(virtio_bar_read(&net.dev, VIRTIO_DEVCFG_OFF + i, 1), vmac[i]);
	assert_int_equal(virtio_bar_read(&net.dev, VIRTIO_DEVCFG_OFF + 6, 2), VIRTIO_NET_S_LINK_UP);
	wr(0x00, 4, 0);
	assert_int_equal(virtio_bar_read(&net.dev, 0x04, 4) & (VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS),
			 VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS);
	assert_true(virtio_running(&net.dev));
}

static void test_transmit(void **state)
{
	(void)state;
	/* Header and the frame's first 20 bytes in one buffer, the rest in another. */
	memset(at(BUF), 0, VIRTIO_NET_HDR_SIZE);
	frame(BUF + VIRTIO_NET_HDR_SIZE, pmac, vmac, 0x3c, 100);
	memcpy(at(BUF + 0x1000), at(BUF + VIRTIO_NET_HDR_SIZE + 20), 80);
	desc(1, 0, BUF, VIRTIO_NET_HDR_SIZE + 20, VIRTQ_DESC_F_NEXT, 1);
	desc(1, 1, BUF + 0x1000, 80, 0, 0);
	offer(1, 0);
	doorbell(1);
	assert_int_equal(used_idx(1), 1);
	assert_int_equal(used_len(1, 0), 0);
	assert_int_equal(peer.count, 1);
	assert_int_equal(vsw_peek(&peer)->len, 100);
	assert_memory_equal(vsw_peek(&peer)->data, at(BUF + VIRTIO_NET_HDR_SIZE), 20);
	assert_int_equal(vsw_peek(&peer)->data[99], 0x3c);
	assert_int_equal(net.tx_frames, 1);
}

static void test_transmit_bad(void **state)
{
	(void)state;
	frame(BUF + VIRTIO_NET_HDR_SIZE, pmac, vmac, 1, 60);
	desc(1, 0, BUF, 8, 0, 0); /* shorter than the header */
	desc(1, 1, BUF, VIRTIO_NET_HDR_SIZE + 13, 0, 0); /* a 13-byte frame */
	desc(1, 2, BUF, VIRTIO_NET_HDR_SIZE + 1515, 0, 0);
	offer(1, 0);
	offer(1, 1);
	offer(1, 2);
	doorbell(1);
	assert_int_equal(used_idx(1), 3);
	assert_int_equal(net.tx_bad, 3);
	/* Another station's source: the switch refuses it. */
	frame(BUF + VIRTIO_NET_HDR_SIZE, pmac, pmac, 1, 60);
	desc(1, 3, BUF, VIRTIO_NET_HDR_SIZE + 60, 0, 0);
	offer(1, 3);
	doorbell(1);
	assert_int_equal(used_idx(1), 4);
	assert_int_equal(peer.count, 0);
	assert_int_equal(vport.st.drop_bad, 1);
	assert_true(virtio_running(&net.dev));
}

static void test_receive(void **state)
{
	uint16_t nb;

	(void)state;
	/* A frame before any buffer: it waits in the port. */
	frame(BUF, vmac, pmac, 0x77, 200);
	memcpy(peer.tx_buf, at(BUF), 200);
	assert_int_equal(vsw_input(&peer, peer.tx_buf, 200, 0), 1);
	assert_int_equal(vport.count, 1);
	assert_int_equal(used_idx(0), 0);
	/* The driver posts a buffer and rings: the frame goes in with its header. */
	desc(0, 0, BUF + 0x2000, VIRTIO_NET_HDR_SIZE + 1514, VIRTQ_DESC_F_WRITE, 0);
	desc(0, 1, BUF + 0x3000, VIRTIO_NET_HDR_SIZE + 1514, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	offer(0, 1);
	doorbell(0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used_len(0, 0), VIRTIO_NET_HDR_SIZE + 200);
	memcpy(&nb, at(BUF + 0x2000 + 10), 2);
	assert_int_equal(nb, 1);
	assert_int_equal(*at(BUF + 0x2000), 0); /* flags */
	assert_memory_equal(at(BUF + 0x2000 + VIRTIO_NET_HDR_SIZE), peer.tx_buf, 200);
	assert_int_equal(vport.count, 0);
	assert_true(irqs >= 1);
	/* With a buffer posted, a frame goes straight in when the switch queues it. */
	frame(BUF, vmac, pmac, 0x78, 60);
	memcpy(peer.tx_buf, at(BUF), 60);
	assert_int_equal(vsw_input(&peer, peer.tx_buf, 60, 0), 1);
	assert_int_equal(used_idx(0), 2);
	assert_int_equal(used_len(0, 1), VIRTIO_NET_HDR_SIZE + 60);
	assert_int_equal(net.rx_frames, 2);
}

static void test_receive_small_buffer(void **state)
{
	(void)state;
	desc(0, 0, BUF + 0x2000, VIRTIO_NET_HDR_SIZE + 50, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	doorbell(0);
	frame(BUF, vmac, pmac, 1, 100);
	memcpy(peer.tx_buf, at(BUF), 100);
	vsw_input(&peer, peer.tx_buf, 100, 0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used_len(0, 0), 0);
	assert_int_equal(net.rx_small, 1);
	assert_int_equal(vport.count, 0);
}

static void test_receive_waits_for_driver(void **state)
{
	(void)state;
	wr(0x14, 1, 0); /* reset */
	frame(BUF, vmac, pmac, 1, 60);
	memcpy(peer.tx_buf, at(BUF), 60);
	vsw_input(&peer, peer.tx_buf, 60, 0);
	assert_int_equal(vport.count, 1); /* nowhere to go: it waits */
	memset(ram, 0, 0x10000);
	driver_ok();
	desc(0, 0, BUF + 0x2000, VIRTIO_NET_HDR_SIZE + 1514, VIRTQ_DESC_F_WRITE, 0);
	offer(0, 0);
	doorbell(0);
	assert_int_equal(used_idx(0), 1);
	assert_int_equal(used_len(0, 0), VIRTIO_NET_HDR_SIZE + 60);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_config, setup),
		cmocka_unit_test_setup(test_transmit, setup),
		cmocka_unit_test_setup(test_transmit_bad, setup),
		cmocka_unit_test_setup(test_receive, setup),
		cmocka_unit_test_setup(test_receive_small_buffer, setup),
		cmocka_unit_test_setup(test_receive_waits_for_driver, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
