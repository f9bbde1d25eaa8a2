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

static void console_notify(struct virtio_dev *d, unsigned qi)
{
	if (qi == TRANSMITQ) /* receive buffers wait: Keel has nothing for them */
		virtio_serve(d, qi, &((struct virtio_console *)d->priv)->chain, transmit);
}

static const struct virtio_type console_type = {
	.name = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.pci_class = 0x078000, /* communication controller, other (as QEMU) */
	.features = 0,
	.nr_queues = 2,
	.queue_size = VIRTIO_CONSOLE_QUEUE_SIZE,
	.notify = console_notify,
};

int virtio_console_init(struct virtio_console *c, struct vm *vm, struct pci_bus *bus,
			unsigned slot, const struct irq_line *intx, const struct msi_line *msi)
{
	memset(c->config, 0, sizeof(c->config));
	c->bytes = 0;
	return virtio_pci_init(&c->dev, vm, bus, slot, &console_type, c, c->config,
			       sizeof(c->config), intx, msi);
}
