/* SPDX-License-Identifier: MIT */
/*
 * Guests' network interfaces on Keel's virtual switches (keel/vswitch.h):
 * the switches by keel.cfg name (net=sw0), a guest's port with its address
 * (mac=, or derived from its name), and the PV interface's hypercalls
 * (vmm/hcall_net.c, docs/abi.md).
 */
#ifndef KEEL_VNET_H
#define KEEL_VNET_H

#include <keel/vswitch.h>

struct vm;

/*
 * A port for vm on the switch its config names (made on first use), with
 * the config's address or one derived from its name: 0 and *out, or
 * -ENOSPC (no switch or port left), -ENOMEM, -EEXIST (the address is taken).
 * Asked again for the same guest (an hvm guest's reset), it hands back the
 * port it made, with the new notifier and owner.
 */
int vnet_port_create(struct vm *vm, vsw_notify_fn *notify, void *owner, struct vsw_port **out);
/* A PV guest's interface (pv_build when its config has net=): 0 or -errno. */
int pv_net_attach(struct vm *vm);

struct pci_bus;
struct irq_line;
struct msi_line;
/* An hvm guest's virtio-net at bus slot (vmm/hvm_net.c; built again at each reset): 0 or -errno. */
int hvm_net_build(struct vm *vm, struct pci_bus *bus, unsigned slot, const struct irq_line *intx,
		  const struct msi_line *msi);
/*
 * On the guest's own CPU (before entry, and before a halted vCPU looks for
 * an interrupt): the frames another CPU's sender queued for its NIC go into
 * its receive ring now. Its device is only ever touched from its CPU.
 */
void hvm_net_take(struct vm *vm);
/* Under the guest's exit statistics (Ctrl-A s, stop reports): its port's counters. */
void vnet_print_stats(struct vm *vm);
void hvm_net_print_stats(struct vm *vm);

#endif
