/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio 1.1 5.3) on the virtio PCI transport: one port,
 * no features (no MULTIPORT, no SIZE), so Linux makes it hvc0. What the
 * guest transmits goes to Keel's console exactly as its 16550's output
 * does (vm_console_putc: focus, tags, held output). The receive queue is
 * offered but Keel puts nothing in it: typed input goes to the UART.
 */
#ifndef KEEL_DEV_VIRTIO_CONSOLE_H
#define KEEL_DEV_VIRTIO_CONSOLE_H

#include <stdint.h>
#include <keel/dev/virtio.h>

#define VIRTIO_CONSOLE_QUEUE_SIZE 64
#define VIRTIO_CONSOLE_CFG_SIZE   12 /* cols, rows, max_nr_ports, emerg_wr */

struct virtio_console {
	struct virtio_dev dev;
	uint8_t config[VIRTIO_CONSOLE_CFG_SIZE];
	uint64_t bytes; /* transmitted by the guest */
	struct virtq_chain chain;
};

int virtio_console_init(struct virtio_console *c, struct vm *vm, struct pci_bus *bus,
			unsigned slot, const struct irq_line *intx, const struct msi_line *msi);

#endif
