/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (virtio 1.1 5.3) on the virtio PCI transport: one port,
 * no features (no MULTIPORT, no SIZE), so Linux makes it hvc0. What the
 * guest transmits goes to Keel's console exactly as its 16550's output
 * does (vm_console_putc: focus, tags, held output). Typed input goes in
 * through the receive queue while input points at the guest's queue of
 * typed bytes (keel.cfg console=hvc0, once the driver is up: vmm/hvm_console.c
 * decides, route() asks it again when the receive queue gets buffers or the
 * device resets).
 */
#ifndef KEEL_DEV_VIRTIO_CONSOLE_H
#define KEEL_DEV_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/dev/virtio.h>
#include <keel/ring.h>

#define VIRTIO_CONSOLE_QUEUE_SIZE 64
#define VIRTIO_CONSOLE_CFG_SIZE   12 /* cols, rows, max_nr_ports, emerg_wr */

struct virtio_console {
	struct virtio_dev dev;
	uint8_t config[VIRTIO_CONSOLE_CFG_SIZE];
	uint64_t bytes; /* transmitted by the guest */
	uint64_t rx_bytes, rx_bad; /* typed bytes put in receive buffers; chains refused */
	struct ring *input;        /* typed bytes for hvc0, NULL while they go elsewhere */
	void (*route)(void *ctx);  /* the receive queue got buffers, or the device reset */
	void *ctx;
	struct virtq_chain chain, rx_chain;
};

/* Whether the driver is up and its receive queue usable (typed bytes can go in). */
bool virtio_console_receiving(const struct virtio_console *c);
/* Typed bytes waiting in c->input into the buffers the driver posted, with the interrupt. */
void virtio_console_rx(struct virtio_console *c);
int virtio_console_init(struct virtio_console *c, struct vm *vm, struct pci_bus *bus,
			unsigned slot, const struct irq_line *intx, const struct msi_line *msi);

#endif
