/* SPDX-License-Identifier: MIT */
/*
 * For targets that build the hvm platform but not Keel's network
 * (fuzz_hvm_platform): its guests have no net=, so hvm_virtio_build never
 * asks for a virtio-net; were it asked, the NIC is refused. fuzz_virtio_net
 * and fuzz_hypercall drive the real network code.
 */
#include <keel/errno.h>
#include <keel/vnet.h>

void hvm_net_take(struct vm *vm)
{
	(void)vm;
}

int hvm_net_build(struct vm *vm, struct pci_bus *bus, unsigned slot, const struct irq_line *intx,
		  const struct msi_line *msi)
{
	(void)vm, (void)bus, (void)slot, (void)intx, (void)msi;
	return -ENODEV;
}
