/* SPDX-License-Identifier: MIT */
/*
 * The PV network interface (docs/abi.md, "Network"): one hypercall copies
 * one frame. NET_SEND copies the guest's frame once into Keel's memory
 * (its port's tx_buf) and the switch copies it from there into each
 * receiver's queue, so a guest rewriting its buffer mid-send changes
 * nothing another guest sees; NET_RECV copies the oldest queued frame out.
 * Keel raises the port NET_INFO returned when a frame is queued.
 */
#include <arch/guest_mem.h>
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hcall_args.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <keel/vnet.h>
#include <keel/vtime.h>

static void pv_net_notify(struct vsw_port *p)
{
	struct vm *vm = p->owner;

	if (vm->pv->net_event)
		pv_event_raise(vm, vm->pv->net_event);
}

int pv_net_attach(struct vm *vm)
{
	return vnet_port_create(vm, pv_net_notify, vm, &vm->pv->net);
}

uint64_t hcall_net_info(struct vcpu *v, uint64_t gva, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4)
{
	struct pv_domain *pv = v->vm->pv;
	struct vsw_port *p = pv->net;
	struct keel_net_info info;
	int err = hc_check_buffer(gva, sizeof(info), sizeof(info)), fresh = 0;

	(void)a1, (void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)(int64_t)err;
	if (!p)
		return (uint64_t)-ENOENT;
	if (!pv->net_event) {
		fresh = evtchn_alloc_keel(&pv->evtchn);
		if (fresh < 0)
			return (uint64_t)(int64_t)fresh;
		pv->net_event = (unsigned)fresh;
	}
	memset(&info, 0, sizeof(info));
	memcpy(info.mac, p->mac, sizeof(info.mac));
	info.mtu = KEEL_NET_FRAME_MAX - KEEL_NET_FRAME_MIN;
	info.event_port = pv->net_event;
	info.queue_len = VSW_QUEUE_LEN;
	info.rx = p->st.rx;
	info.rx_dropped = p->st.drop_full;
	info.tx = p->st.tx;
	info.tx_refused = p->st.drop_bad;
	memcpy(info.switch_name, p->sw->name, sizeof(info.switch_name));
	if (arch_guest_write(v, gva, &info, sizeof(info)) != sizeof(info)) {
		if (fresh > 0) { /* a failed call changes nothing */
			pv->evtchn.port[fresh] = (struct evtchn_port){ .state = EVT_FREE };
			pv->net_event = 0;
		}
		return (uint64_t)-EFAULT;
	}
	/* Frames that came before the guest knew its port wait for it: say so. */
	if (p->count)
		pv_event_raise(v->vm, pv->net_event);
	return 0;
}

/* One frame from the guest's [gva, gva+len) onto the switch: the ports it reached, or -errno. */
static int send_one(struct vcpu *v, struct vsw_port *p, uint64_t gva, uint64_t len)
{
	int err = hc_check_buffer(gva, len, KEEL_NET_FRAME_MAX);

	if (err)
		return err;
	if (len < KEEL_NET_FRAME_MIN)
		return -EINVAL;
	if (arch_guest_read(v, gva, p->tx_buf, (unsigned)len) != len)
		return -EFAULT;
	return vsw_input(p, p->tx_buf, len, vm_time_ns(v->vm));
}

uint64_t hcall_net_send(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t a2, uint64_t a3,
			uint64_t a4)
{
	struct vsw_port *p = v->vm->pv->net;

	(void)a2, (void)a3, (void)a4;
	if (!p)
		return (uint64_t)-ENOENT;
	return (uint64_t)(int64_t)send_one(v, p, gva, len);
}

/*
 * Several frames in one exit. Each descriptor is copied out of the guest
 * once, then its frame as NET_SEND copies it; the first that fails ends
 * the batch: the frames sent before it, or its error if it was the first.
 */
uint64_t hcall_net_send_batch(struct vcpu *v, uint64_t gva, uint64_t count, uint64_t a2,
			      uint64_t a3, uint64_t a4)
{
	struct vsw_port *p = v->vm->pv->net;
	struct keel_net_buf b;
	uint64_t done = 0;
	int err = 0;

	(void)a2, (void)a3, (void)a4;
	if (!p)
		return (uint64_t)-ENOENT;
	if (!count || count > KEEL_NET_BATCH_MAX)
		return (uint64_t)-EINVAL;
	err = hc_check_buffer(gva, count * sizeof(b), KEEL_NET_BATCH_MAX * sizeof(b));
	for (; !err && done < count; done++) {
		if (arch_guest_read(v, gva + done * sizeof(b), &b, sizeof(b)) != sizeof(b))
			err = -EFAULT;
		else if (b.reserved)
			err = -EINVAL;
		else if ((err = send_one(v, p, b.addr, b.len)) > 0)
			err = 0;
		if (err)
			break;
	}
	return done ? done : (uint64_t)(int64_t)err;
}

uint64_t hcall_net_recv(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t a2, uint64_t a3,
			uint64_t a4)
{
	struct vsw_port *p = v->vm->pv->net;
	const struct vsw_frame *f;
	int err = hc_check_buffer(gva, len, UINT64_MAX);

	(void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)(int64_t)err;
	if (!p)
		return (uint64_t)-ENOENT;
	f = vsw_peek(p);
	if (!f)
		return 0;
	if (f->len > len)
		return (uint64_t)-ENOSPC; /* the frame stays for a bigger buffer */
	/* Taken only once written: a buffer the guest cannot write loses nothing. */
	if (arch_guest_write(v, gva, f->data, f->len) != f->len)
		return (uint64_t)-EFAULT;
	len = f->len;
	vsw_pop(p);
	return len;
}
