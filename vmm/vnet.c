/* SPDX-License-Identifier: MIT */
/* Keel's virtual switches by name and guests' ports on them; see keel/vnet.h. */
#include <boot/config.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <keel/vnet.h>

/* At most one switch per guest: every port could name its own. */
static struct vswitch switches[CFG_GUESTS_MAX];
static unsigned nr_switches;
/* Each guest's port, kept when an hvm guest's reset builds its devices again. */
static struct vsw_port *ports[CFG_GUESTS_MAX];

static struct vswitch *switch_named(const char *name)
{
	for (unsigned i = 0; i < nr_switches; i++)
		if (!strcmp(switches[i].name, name))
			return &switches[i];
	if (nr_switches >= CFG_GUESTS_MAX)
		return NULL;
	vsw_init(&switches[nr_switches], name);
	return &switches[nr_switches++];
}

int vnet_port_create(struct vm *vm, vsw_notify_fn *notify, void *owner, struct vsw_port **out)
{
	struct vswitch *sw = switch_named(vm->cfg->net);
	struct vsw_port *p;
	uint8_t mac[6];
	int err;

	if (vm->id < CFG_GUESTS_MAX && ports[vm->id]) {
		p = ports[vm->id];
		p->notify = notify;
		p->owner = owner;
		*out = p;
		return 0;
	}
	if (!sw) {
		printk("net: %s: no switch left for net=%s\n", vm->name, vm->cfg->net);
		return -ENOSPC;
	}
	if (vm->cfg->has_mac)
		memcpy(mac, vm->cfg->mac, sizeof(mac));
	else
		vsw_mac_from_name(vm->name, mac);
	/* About 48 KiB: the receive queue; Keel's, so no guest can write it. */
	p = (struct vsw_port *)(uintptr_t)frame_try_alloc(sizeof(*p), PAGE_SIZE);
	if (!p)
		return -ENOMEM;
	err = vsw_attach(sw, p, mac, notify, owner);
	if (err) {
		printk("net: %s: no port on switch %s (%d%s)\n", vm->name, sw->name, err,
		       err == -EEXIST ? ": another guest has its address" : "");
		frame_free((uint64_t)(uintptr_t)p, sizeof(*p));
		return err;
	}
	printk("net: %s on switch %s as %02x:%02x:%02x:%02x:%02x:%02x\n", vm->name, sw->name,
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	if (vm->id < CFG_GUESTS_MAX)
		ports[vm->id] = p;
	*out = p;
	return 0;
}

void vnet_print_stats(struct vm *vm)
{
	struct vsw_port *p = vm->id < CFG_GUESTS_MAX ? ports[vm->id] : NULL;

	if (!p)
		return;
	printk("keel:   net %s: %lu frames out, %lu in, %lu dropped (queue full), %lu refused\n",
	       p->sw->name, p->st.tx, p->st.rx, p->st.drop_full, p->st.drop_bad);
	if (vm->hvm)
		hvm_net_print_stats(vm);
}
