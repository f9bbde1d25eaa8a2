/* SPDX-License-Identifier: MIT */
/*
 * An hvm guest's virtio-net NIC (keel.cfg net=) as a port on Keel's switch:
 * the device lives as long as the guest (a reset builds the PCI bus again
 * and re-initialises the same device on the same port). A frame the switch
 * queues for it goes into its receive ring at once, and a halted vCPU
 * wakes for the interrupt that raises.
 */
#include <boot/config.h>
#include <keel/dev/virtio_net.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vnet.h>

static struct virtio_net *nics[CFG_GUESTS_MAX];
/* Frames queued from another CPU, for the guest's own CPU to take (hvm_net_take). */
static volatile bool rx_waiting[CFG_GUESTS_MAX];

static void hvm_net_notify(struct vsw_port *p)
{
	struct virtio_net *n = p->owner;
	struct vm *vm = n->dev.vm;

	if (vm->state == VM_STOPPED)
		return; /* frames wait in the port, the 33rd is dropped and counted */
	if (vm->vcpus[0].cpu != sched_cpu()) { /* all its vCPUs are on that one */
		/* The guest may be at its device on its own CPU now: that CPU takes the frame. */
		rx_waiting[vm->id] = true;
		sched_wake(&vm->vcpus[0]); /* runnable if halted, and the IPI either way */
		return;
	}
	virtio_net_rx(n);
	/* hvm_halted_until finds the interrupt and lets the vCPU it reached run. */
	for (unsigned i = 0; vm->hvm && i < vm->nr_vcpus; i++)
		if (vm->hvm->cpu[i].halted)
			sched_wake(&vm->vcpus[i]);
}

void hvm_net_take(struct vm *vm)
{
	if (!rx_waiting[vm->id])
		return;
	rx_waiting[vm->id] = false;
	if (nics[vm->id])
		virtio_net_rx(nics[vm->id]);
}

int hvm_net_build(struct vm *vm, struct pci_bus *bus, unsigned slot, const struct irq_line *intx,
		  const struct msi_line *msi)
{
	struct virtio_net *n;
	struct vsw_port *p;
	int err;

	if (vm->id >= CFG_GUESTS_MAX)
		return -EINVAL;
	n = nics[vm->id];
	if (!n) {
		n = (struct virtio_net *)(uintptr_t)frame_try_alloc(sizeof(*n), PAGE_SIZE);
		if (!n)
			return -ENOMEM;
		nics[vm->id] = n;
	}
	err = vnet_port_create(vm, hvm_net_notify, n, &p);
	if (!err)
		err = virtio_net_init(n, vm, bus, slot, p, intx, msi);
	if (err) {
		printk("net: guest '%s': virtio-net not attached (%d)\n", vm->name, err);
		return err;
	}
	p->notify = hvm_net_notify; /* virtio_net_init took it; Keel wakes the vCPU too */
	return 0;
}

void hvm_net_print_stats(struct vm *vm)
{
	const struct virtio_net *n = vm->id < CFG_GUESTS_MAX ? nics[vm->id] : NULL;

	if (n)
		printk("keel:   virtio-net: %lu doorbells, %lu interrupts; %lu frames sent, %lu "
		       "received, %lu bad, %lu too big for their buffer\n", n->dev.notifies,
		       n->dev.interrupts, n->tx_frames, n->rx_frames, n->tx_bad, n->rx_small);
}
