/* SPDX-License-Identifier: MIT */
/*
 * How device models send message-signalled interrupts (PCI MSI, HPET FSB
 * delivery): the counterpart of keel/irq.h for a device that writes an
 * address/data pair instead of driving a line. The platform decides what a
 * message reaches (keel/dev/pci_msi.h decodes it for the local APIC).
 */
#ifndef KEEL_MSI_H
#define KEEL_MSI_H

#include <stdint.h>

struct msi_line {
	void (*send)(void *ctx, uint64_t addr, uint32_t data);
	void *ctx;
};

static inline void msi_send(const struct msi_line *l, uint64_t addr, uint32_t data)
{
	if (l->send)
		l->send(l->ctx, addr, data);
}

#endif
