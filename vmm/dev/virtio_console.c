/* SPDX-License-Identifier: MIT */
/* virtio-console; see keel/dev/virtio_console.h. Section numbers: virtio 1.1. */
#include <keel/dev/virtio_console.h>
#include <keel/string.h>
#include <keel/vm.h>

#define RECEIVEQ  0
#define TRANSMITQ 1

/* transmitq0 (5.3.6): each chain's readable bytes are output; the used length is 0. */
static uint32_t transmit(struct virtio_dev *d, const struct virtq_chain *ch)
{
	struct virtio_console *c = d->priv;

	for (unsigned i = 0; i < ch->nr_out; i++)
		for (uint32_t k = 0; k < ch->buf[i].len; k++)
			vm_console_putc(d->vm, (char)ch->buf[i].p[k]);
	c->bytes += ch->out_len;
	return 0;
}

bool virtio_console_receiving(const struct virtio_console *c)
{
	const struct virtq *q = &c->dev.vq[RECEIVEQ];

	return virtio_running(&c->dev) && q->ready && !q->broken;
}

/* Waiting bytes into one chain's writable buffers; the used length is what went in. */
static uint32_t fill(struct virtio_console *c, const struct virtq_chain *ch)
{
	uint32_t n = 0;
	int b;

	for (unsigned i = ch->nr_out; i < ch->nr; i++)
		for (uint32_t k = 0; k < ch->buf[i].len; k++) {
			if ((b = ring_get(c->input)) < 0)
				return n;
			ch->buf[i].p[k] = (uint8_t)b;
			n++;
		}
	return n;
}

/*
 * receiveq0 (5.3.6): a chain is taken only while bytes wait, so they stay
 * in c->input (bounded: its owner drops and reports what does not fit)
 * until the driver posts a buffer. A buffer the device may not write (the
 * driver MUST NOT put a device-readable one in a receiveq, 5.3.6.1) or of
 * no length takes no byte: it goes back with length 0, counted in rx_bad.
 */
void virtio_console_rx(struct virtio_console *c)
{
	struct virtq *q = &c->dev.vq[RECEIVEQ];
	uint32_t n;
	bool pushed = false;
	int rc = 0;

	if (!c->input || !virtio_console_receiving(c))
		return;
	while (ring_count(c->input) && (rc = virtq_pop(q, &c->rx_chain)) == 1) {
		n = 0;
		if (c->rx_chain.nr_out || !c->rx_chain.in_len)
			c->rx_bad++;
		else
			n = fill(c, &c->rx_chain);
		c->rx_bytes += n;
		virtq_push(q, c->rx_chain.head, n);
		pushed = true;
	}
	if (rc < 0)
		virtio_needs_reset(&c->dev);
	if (pushed)
		virtio_queue_done(&c->dev, RECEIVEQ);
}

static void console_notify(struct virtio_dev *d, unsigned qi)
{
	struct virtio_console *c = d->priv;

	if (qi == TRANSMITQ) {
		virtio_serve(d, qi, &c->chain, transmit);
		return;
	}
	/* New receive buffers: the first ones say the driver is up, typed bytes may go in. */
	if (c->route)
		c->route(c->ctx);
	virtio_console_rx(c);
}

static void console_reset(struct virtio_dev *d)
{
	struct virtio_console *c = d->priv;

	if (c->route)
		c->route(c->ctx); /* no driver: typed input goes back where it went before */
}

static const struct virtio_type console_type = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.pci_class = 0x078000, /* communication controller, other (as QEMU) */
	.features = 0,
	.nr_queues = 2,
	.queue_size = VIRTIO_CONSOLE_QUEUE_SIZE,
	.notify = console_notify,
	.reset = console_reset,
};

int virtio_console_init(struct virtio_console *c, struct vm *vm, struct pci_bus *bus,
			unsigned slot, const struct irq_line *intx, const struct msi_line *msi)
{
	memset(c->config, 0, sizeof(c->config));
	c->bytes = c->rx_bytes = c->rx_bad = 0;
	c->input = NULL;
	c->route = NULL;
	c->ctx = NULL;
	return virtio_pci_init(&c->dev, vm, bus, slot, &console_type, c, c->config,
			       sizeof(c->config), intx, msi);
}
