/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (vmm/dev/virtio_net.c) driven as a hostile driver would: the
 * input writes descriptors, avail entries and indices into a small guest
 * RAM, rings either doorbell, resets the device or sets it up again, and
 * has the other port of the switch send frames to it. After each op:
 *  - whatever the NIC put on the switch came from its own address and has
 *    a valid length (the switch's rules held);
 *  - the port's queue is bounded and the used index never passes what the
 *    driver made available;
 *  - a broken ring leaves the device needing a reset, nothing worse.
 * Guest memory is reached only through vm_gpa_to_hva; ASan sees the rest.
 * Op byte o & 7: 0 descriptor, 1 avail entry, 2 avail index, 3 doorbell,
 * 4 peer sends, 5 reset, 6 driver setup, 7 used-event/flags word. RAM at
 * 0x8000 holds a frame the switch accepts, for descriptors to point at.
 */
#include <string.h>

#include <keel/dev/pci.h>
#include <keel/dev/virtio_net.h>
#include <keel/io.h>
#include <keel/vswitch.h>

#include "fuzz.h"

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x20000ULL
#define QS       16 /* the driver asks for small queues: more wrap-around */
#define Q(n)     (RAM_BASE + (n) * 0x1000) /* desc +0, avail +0x400, used +0x800 */

static struct pci_bus bus;
static struct virtio_net net;
static struct vswitch sw;
static struct vsw_port vport, peer;
static uint8_t *ram;
static const uint8_t vmac[6] = { 0x02, 0, 0, 0, 0, 0x10 }, pmac[6] = { 0x02, 0, 0, 0, 0, 0x20 };

#include "../unit/virtio_stubs.h"

static void intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi, (void)level;
}

#define DEV (&net.dev)
#include "fuzz_virtq_driver.h"

static void driver_setup(uint8_t how)
{
	driver_setup_with((uint32_t)(VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS), how);
}

static void check(void)
{
	FUZZ_CHECK(vport.count <= VSW_QUEUE_LEN, "the NIC's port queue is bounded");
	for (unsigned k = 0; k < peer.count; k++) {
		const struct vsw_frame *f = &peer.q[(peer.head + k) % VSW_QUEUE_LEN];

		FUZZ_CHECK(f->len >= VSW_FRAME_MIN && f->len <= VSW_FRAME_MAX, "frame length");
		FUZZ_CHECK(!memcmp(f->data + 6, vmac, 6), "the NIC sent only its own address");
	}
	for (unsigned q = 0; q < 2; q++) {
		const struct virtq *vq = &net.dev.vq[q];

		FUZZ_CHECK(!vq->ready || vq->broken ||
				   (uint16_t)(vq->last_avail - vq->used_idx) == 0,
			   "every chain taken is returned at once");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	unsigned ops = 0;

	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	/* A transmit buffer at 0x8000 that gets past the switch: header, broadcast, our address. */
	memset(ram + 0x8000 + VIRTIO_NET_HDR_SIZE, 0xff, 6);
	memcpy(ram + 0x8000 + VIRTIO_NET_HDR_SIZE + 6, vmac, 6);
	pci_bus_init(&bus);
	vsw_init(&sw, "fuzz");
	vsw_attach(&sw, &vport, vmac, NULL, NULL);
	vsw_attach(&sw, &peer, pmac, NULL, NULL);
	virtio_net_init(&net, NULL, &bus, 6, &vport, &(struct irq_line){ intx, NULL, 0 },
			&(struct msi_line){ NULL, NULL });
	driver_setup(0);
	while (fuzz_more(&in) && ops++ < 256) {
		uint8_t o = fuzz_u8(&in), q = (o >> 3) & 1;

		switch (o & 7) {
		case 3: wr(VIRTIO_NOTIFY_OFF + VIRTIO_NOTIFY_MULT * q, 2, q); break;
		case 4: {
			size_t len = fuzz_u16(&in) % (VSW_FRAME_MAX + 1);

			memset(peer.tx_buf, o, sizeof(peer.tx_buf));
			if (o & 0x10)
				memcpy(peer.tx_buf, vmac, 6);
			else
				memset(peer.tx_buf, 0xff, 6);
			memcpy(peer.tx_buf + 6, pmac, 6);
			vsw_input(&peer, peer.tx_buf, len, 0);
			break;
		}
		case 5: wr(0x14, 1, 0); break;
		case 6: driver_setup(fuzz_u8(&in)); break;
		default: fuzz_ring_op(&in, o, q); break; /* 0, 1, 2, 7 */
		}
		check();
		while (peer.count) /* the peer's guest takes what it gets */
			vsw_pop(&peer);
	}
	return 0;
}
