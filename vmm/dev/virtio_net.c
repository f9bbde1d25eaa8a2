/* SPDX-License-Identifier: MIT */
/* virtio-net on Keel's virtual switch; see keel/dev/virtio_net.h. Sections: virtio 1.1. */
#include <keel/dev/virtio_net.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <keel/vswitch.h>
#include <keel/vtime.h>

#define RECEIVEQ  0
#define TRANSMITQ 1

/* transmitq1 (5.1.6.2): header, then the frame; the used length is 0. */
static void net_tx(struct virtio_net *n)
{
	struct virtq *q = &n->dev.vq[TRANSMITQ];
	struct vsw_port *p = n->port;
	int rc;

	while ((rc = virtq_pop(q, &n->chain)) == 1) {
		uint64_t len = n->chain.out_len - VIRTIO_NET_HDR_SIZE;

		/* Without CSUM or GSO negotiated the header says nothing we act on. */
		if (n->chain.out_len < VIRTIO_NET_HDR_SIZE || len < VSW_FRAME_MIN ||
		    len > VSW_FRAME_MAX) {
			n->tx_bad++;
		} else {
			virtq_chain_read(&n->chain, VIRTIO_NET_HDR_SIZE, p->tx_buf, len);
			if (vsw_input(p, p->tx_buf, len, vm_time_ns(n->dev.vm)) >= 0)
				n->tx_frames++;
		}
		virtq_push(q, n->chain.head, 0);
	}
	if (rc < 0)
		virtio_needs_reset(&n->dev);
	virtio_queue_done(&n->dev, TRANSMITQ);
}

/* receiveq1 (5.1.6.3, 5.1.6.4): a zeroed header with num_buffers 1, then the frame. */
void virtio_net_rx(struct virtio_net *n)
{
	static const uint8_t hdr[VIRTIO_NET_HDR_SIZE] = { [10] = 1 };
	struct virtq *q = &n->dev.vq[RECEIVEQ];
	const struct vsw_frame *f;
	int rc = 0;

	if (!virtio_running(&n->dev) || !q->ready)
		return; /* the frames wait in the port's queue */
	while ((f = vsw_peek(n->port)) && (rc = virtq_pop(q, &n->chain)) == 1) {
		uint32_t used = 0;

		if (n->chain.in_len < VIRTIO_NET_HDR_SIZE + (uint64_t)f->len) {
			n->rx_small++;
		} else {
			virtq_chain_write(&n->chain, 0, hdr, sizeof(hdr));
			virtq_chain_write(&n->chain, VIRTIO_NET_HDR_SIZE, f->data, f->len);
			used = VIRTIO_NET_HDR_SIZE + f->len;
			n->rx_frames++;
		}
		virtq_push(q, n->chain.head, used);
		vsw_pop(n->port);
	}
	if (rc < 0)
		virtio_needs_reset(&n->dev);
	/* Also when nothing was taken: with EVENT_IDX this asks for the next refill's doorbell. */
	virtio_queue_done(&n->dev, RECEIVEQ);
}

static void net_notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_net *n = d->priv;

	if (qi == TRANSMITQ)
		net_tx(n);
	else if (qi == RECEIVEQ)
		virtio_net_rx(n); /* new buffers: frames that waited for them go in */
}

static void port_notify(struct vsw_port *p)
{
	virtio_net_rx(p->owner);
}

static const struct virtio_type net_type = {
	.name = "virtio-net",
	.device_id = VIRTIO_ID_NET,
	.pci_class = 0x020000, /* network controller, Ethernet */
	.features = VIRTIO_NET_F_MAC | VIRTIO_NET_F_STATUS,
	.nr_queues = 2,
	.queue_size = VIRTIO_NET_QUEUE_SIZE,
	.notify = net_notify,
};

int virtio_net_init(struct virtio_net *n, struct vm *vm, struct pci_bus *bus, unsigned slot,
		    struct vsw_port *p, const struct irq_line *intx, const struct msi_line *msi)
{
	memset(n->config, 0, sizeof(n->config));
	memcpy(n->config, p->mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP; /* status, little-endian (5.1.4) */
	n->port = p;
	n->tx_frames = n->rx_frames = n->tx_bad = n->rx_small = 0;
	p->notify = port_notify;
	p->owner = n;
	return virtio_pci_init(&n->dev, vm, bus, slot, &net_type, n, n->config, sizeof(n->config),
			       intx, msi);
}
