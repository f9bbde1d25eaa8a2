/* SPDX-License-Identifier: MIT */
/*
 * The hvm guest's virtio devices (docs/virtio.md): a virtio-console on every
 * hvm guest, a virtio-blk one when keel.cfg gives it disk=. Slots on PCI
 * bus 0: virtio-blk 00:04.0, virtio-console 00:05.0 (virtio-net takes
 * 00:06.0). Each has MSI-X to the local APIC and INTA# through the PIIX3's
 * PIRQ routing, as SeaBIOS programs it and its tables tell Linux.
 */
#include <boot/boot_info.h>
#include <keel/dev/pci_msi.h>
#include <keel/errno.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/vm.h>
#include <keel/vnet.h>

#define VIRTIO_BLK_SLOT     4
#define VIRTIO_CONSOLE_SLOT 5
#define VIRTIO_NET_SLOT     6

/*
 * INTA# of a bus-0 slot: its PIRQ (QEMU's swizzle) is routed to an ISA IRQ
 * by the PIIX3's PIRQRC registers. PCI lines are level-triggered and
 * shared, so an IRQ is high while any slot routed to it is asserted.
 */
static void pci_intx(void *ctx, unsigned slot, bool level)
{
	struct hvm_platform *h = ctx;
	int irq = piix_pirq_irq(&h->southbridge, piix_slot_pirq(slot, 1));
	bool any = false;

	if (level)
		h->pci_intx |= 1u << slot;
	else
		h->pci_intx &= ~(1u << slot);
	if (irq < 0)
		return;
	for (unsigned s = 0; s < 32; s++)
		if ((h->pci_intx >> s & 1) && piix_pirq_irq(&h->southbridge, piix_slot_pirq(s, 1)) == irq)
			any = true;
	hvm_isa_irq(h, (unsigned)irq, any);
}

/* Said once per guest, resets included: the disk is an image in Keel's memory. */
static void vdisk_first_write(void *ctx)
{
	struct vm *vm = ctx;

	if (vm->hvm->vdisk_said)
		return;
	vm->hvm->vdisk_said = true;
	printk("keel: guest '%s' writes to its virtio disk %s: the disk lives in memory, so what "
	       "it writes is lost at power-off\n", vm->name, vm->hvm->vdisk->name);
}

static int vdisk_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	err = virtio_blk_init(&h->vblk, vm, &h->pci, VIRTIO_BLK_SLOT, (uint8_t *)h->vdisk->base,
			      h->vdisk->size, h->vdisk->name,
			      &(struct irq_line){ pci_intx, h, VIRTIO_BLK_SLOT },
			      &(struct msi_line){ msi_to_apic_bus, &h->bus });
	h->vblk.first_write = vdisk_first_write;
	h->vblk.ctx = vm;
	return err;
}

int hvm_virtio_build(struct vm *vm, struct hvm_platform *h)
{
	int err = virtio_console_init(&h->vcon, vm, &h->pci, VIRTIO_CONSOLE_SLOT,
				      &(struct irq_line){ pci_intx, h, VIRTIO_CONSOLE_SLOT },
				      &(struct msi_line){ msi_to_apic_bus, &h->bus });

	if (!err) { /* typed input: the UART, or hvc0 once it is up (vmm/hvm_console.c) */
		h->vcon.route = hvm_console_route;
		h->vcon.ctx = vm;
		hvm_console_route(vm);
	}
	if (!err && h->vdisk)
		err = vdisk_build(vm, h);
	if (!err && vm->cfg && vm->cfg->net[0]) /* keel.cfg net=: virtio-net (vmm/hvm_net.c) */
		err = hvm_net_build(vm, &h->pci, VIRTIO_NET_SLOT,
				    &(struct irq_line){ pci_intx, h, VIRTIO_NET_SLOT },
				    &(struct msi_line){ msi_to_apic_bus, &h->bus });
	return err;
}

int hvm_attach_vdisk(struct vm *vm, const struct boot_module *disk)
{
	struct hvm_platform *h = vm->hvm;
	int err;

	if (!h || !disk->size || disk->size % 512) {
		printk("keel: guest '%s': disk %s is %lu bytes: a virtio disk must be a whole "
		       "number of 512-byte sectors\n", vm->name, disk->name, disk->size);
		return -EINVAL;
	}
	h->vdisk = disk;
	err = vdisk_build(vm, h);
	if (err)
		printk("keel: guest '%s': virtio disk %s not attached (%d)\n", vm->name,
		       disk->name, err);
	return err;
}
