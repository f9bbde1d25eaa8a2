/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (virtio 1.1 5.1) on the virtio PCI transport, a port on one of
 * Keel's virtual switches (keel/vswitch.h). Features: MAC (the address in
 * the device configuration, from keel.cfg mac= or the guest's name) and
 * STATUS (link up). No checksum offload, no GSO, no mergeable buffers, no
 * control queue: queue 0 is receiveq1, queue 1 transmitq1.
 *
 * Every buffer starts with the 12-byte struct virtio_net_hdr (5.1.6: with
 * VERSION_1 num_buffers is always there). Transmit: a chain's readable
 * bytes after the header are one frame, copied once into the port's
 * tx_buf and switched from there. Receive: frames the switch queued for
 * the port go into the receive queue's chains as buffers appear; a frame
 * waits in Keel (32 at most) while the guest has posted none.
 */
#ifndef KEEL_DEV_VIRTIO_NET_H
#define KEEL_DEV_VIRTIO_NET_H

#include <stdint.h>
#include <keel/dev/virtio.h>

struct vsw_port;

#define VIRTIO_NET_F_MAC    BIT(5)
#define VIRTIO_NET_F_STATUS BIT(16)
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_HDR_SIZE 12
#define VIRTIO_NET_QUEUE_SIZE 256
#define VIRTIO_NET_CFG_SIZE 8 /* mac[6], status */

struct virtio_net {
	struct virtio_dev dev;
	struct vsw_port *port;
	uint8_t config[VIRTIO_NET_CFG_SIZE];
	struct virtq_chain chain;
	/* Statistics. */
	uint64_t tx_frames, rx_frames;
	uint64_t tx_bad;     /* chains without a header or with a frame of a bad length */
	uint64_t rx_small;   /* frames dropped: the guest's buffer was too small */
};

/*
 * The device at bus slot `slot` on port p (which must outlive it): its
 * notifier becomes the device's. -EEXIST if the slot is taken.
 */
int virtio_net_init(struct virtio_net *n, struct vm *vm, struct pci_bus *bus, unsigned slot,
		    struct vsw_port *p, const struct irq_line *intx, const struct msi_line *msi);
/* Move the frames waiting on the port into the receive queue (when the switch queues one). */
void virtio_net_rx(struct virtio_net *n);

#endif
