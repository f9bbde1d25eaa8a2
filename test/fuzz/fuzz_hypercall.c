/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls from every guest type, as VMCALL or SYSCALL hands them to
 * hcall_dispatch: five guests (two PV, an elf64, an hvm and a real-mode
 * one) make calls the input chooses, with arguments drawn towards the
 * edges (their RAM's end, the grant window, ports and refs around the
 * limits, huge values). After each call the invariants that keep guests
 * apart are checked:
 *  - a guest that is not a PV guest never gains a struct pv_domain;
 *  - every page mapped into a grant window is a live grant of its owner's
 *    RAM, made to that guest, read-only if offered so, at the slot the
 *    guest's table records;
 *  - a grant's map count covers the slots that map it;
 *  - connected event ports point at each other;
 *  - the two PV guests' network ports (one switch) hold bounded queues of
 *    frames from the other port, never their own, and their event port is
 *    one Keel raises.
 * Each PV guest's RAM holds a frame header at 0x1000 (broadcast, from its
 * own address), so some NET_SEND calls get past the source check, and two
 * NET_SEND_BATCH descriptors of it at 0x1800.
 * Guest memory is a small buffer per guest; ASan sees any access outside.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arch/guest_mem.h>
#include <arch/vmx.h>
#include <drivers/uart.h>
#include <keel/abi.h>
#include <keel/console.h>
#include <keel/hypercall.h>
#include <keel/pv.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vnet.h>
#include <keel/vtime.h>

#include "fuzz.h"

#define NR_GUESTS 5
#define RAM_SIZE  (16 * 1024) /* four pages: small, so each input is fast */

struct vm keel_vms[NR_GUESTS];
unsigned keel_nr_vms = NR_GUESTS;

static uint8_t *ram[NR_GUESTS];
static struct pv_domain pv_doms[NR_GUESTS];
static struct keel_shared_info shared[NR_GUESTS];
static struct keel_start_info start[NR_GUESTS];
static jmp_buf back; /* a call that does not return (stop, block) comes back here */
static uint64_t now_ns;

/* What the arch layer mapped into each guest's grant window. */
static struct mapped {
	uint64_t hpa;
	bool used, writable;
} window[NR_GUESTS][KEEL_GRANT_SLOTS];

static struct vswitch net_sw;
static struct vsw_port net_ports[NR_GUESTS];

/* --- Stand-ins for the arch layer and the scheduler. --- */

static unsigned copy(struct vcpu *v, unsigned long la, void *buf, unsigned len, bool to_guest)
{
	uint64_t size = v->vm->ram_size;

	if (la >= size)
		return 0;
	if (len > size - la)
		len = (unsigned)(size - la);
	if (to_guest)
		memcpy((void *)(v->vm->ram_hpa + la), buf, len);
	else
		memcpy(buf, (void *)(v->vm->ram_hpa + la), len);
	return len;
}

unsigned arch_guest_read(struct vcpu *v, unsigned long la, void *dst, unsigned len)
{
	return copy(v, la, dst, len, false);
}

bool arch_guest_readable(struct vcpu *v, unsigned long la, unsigned len)
{
	return !len || (la < v->vm->ram_size && len <= v->vm->ram_size - la);
}

/* All or nothing, as Keel's own. */
unsigned arch_guest_write(struct vcpu *v, unsigned long la, const void *src, unsigned len)
{
	return arch_guest_readable(v, la, len) ? copy(v, la, (void *)src, len, true) : 0;
}

static unsigned slot_of(uint64_t gpa)
{
	FUZZ_CHECK(gpa >= KEEL_GRANT_BASE && !(gpa & 4095) &&
			   (gpa - KEEL_GRANT_BASE) / 4096 < KEEL_GRANT_SLOTS,
		   "Keel maps pages only into the grant window");
	return (unsigned)((gpa - KEEL_GRANT_BASE) / 4096);
}

int arch_vm_map_page(struct vm *vm, uint64_t gpa, uint64_t hpa, bool writable)
{
	window[vm->id][slot_of(gpa)] = (struct mapped){ hpa, true, writable };
	return 0;
}

int arch_vm_unmap_page(struct vm *vm, uint64_t gpa)
{
	window[vm->id][slot_of(gpa)].used = false;
	return 0;
}

void arch_vcpu_get_frame(struct vcpu *v, uint64_t *rip, uint64_t *rsp, uint64_t *rflags)
{
	*rip = v->gpr.r[REG_RCX];
	*rsp = v->gpr.r[REG_RSP];
	*rflags = 0x202;
}

void arch_vcpu_set_frame(struct vcpu *v, uint64_t rip, uint64_t rsp, uint64_t rflags)
{
	(void)rflags;
	v->gpr.r[REG_RCX] = rip;
	v->gpr.r[REG_RSP] = rsp;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	(void)fmt;
	vm->state = VM_STOPPED;
	longjmp(back, 1);
}

void sched_block(struct vcpu *v, uint64_t tsc_deadline)
{
	(void)v, (void)tsc_deadline;
	longjmp(back, 1);
}

void sched_yield(struct vcpu *v) { (void)v; }
void sched_wake(struct vcpu *v) { (void)v; }
void sched_timer_changed(struct vcpu *v) { (void)v; }
uint64_t vm_time_ns(struct vm *vm) { (void)vm; return now_ns; }
uint64_t vm_ns_to_tsc(struct vm *vm, uint64_t ns) { (void)vm; return ns; }

/* vmm/vnet.c's, without its allocator: every PV guest on one switch. */
int vnet_port_create(struct vm *vm, vsw_notify_fn *notify, void *owner, struct vsw_port **out)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, (uint8_t)(vm->id + 1) };
	int err = vsw_attach(&net_sw, &net_ports[vm->id], mac, notify, owner);

	if (!err)
		*out = &net_ports[vm->id];
	return err;
}

/* --- The guests. --- */

static const enum cfg_guest_type types[NR_GUESTS] = { CFG_GUEST_PV, CFG_GUEST_PV,
						      CFG_GUEST_ELF64, CFG_GUEST_HVM,
						      CFG_GUEST_REAL };
static struct hvm_platform *fake_hvm = (struct hvm_platform *)&fake_hvm; /* never dereferenced */

static void build(void)
{
	memset(keel_vms, 0, sizeof(keel_vms));
	memset(window, 0, sizeof(window));
	for (unsigned i = 0; i < NR_GUESTS; i++) {
		struct vm *vm = &keel_vms[i];

		if (!ram[i])
			ram[i] = malloc(RAM_SIZE);
		memset(ram[i], 0, RAM_SIZE);
		snprintf(vm->name, sizeof(vm->name), "g%u", i);
		vm->id = i;
		vm->state = VM_RUNNING;
		vm->ram_hpa = (uint64_t)(uintptr_t)ram[i];
		vm->ram_size = RAM_SIZE;
		vm->vcpus[0].vm = vm;
		vm->nr_vcpus = 1;
		console_vm_init(vm);
		if (types[i] == CFG_GUEST_PV) {
			memset(&pv_doms[i], 0, sizeof(pv_doms[i]));
			evtchn_init(&pv_doms[i].evtchn);
			memset(&shared[i], 0, sizeof(shared[i]));
			memset(&start[i], 0, sizeof(start[i]));
			vm->pv = &pv_doms[i];
			vm->pv_shared = &shared[i];
			vm->pv_start_info = &start[i];
		} else if (types[i] == CFG_GUEST_HVM) {
			vm->hvm = fake_hvm;
		}
		vm->hcall_allowed = hcall_allowed_mask(vm->pv != NULL);
	}
	vsw_init(&net_sw, "fuzz");
	for (unsigned i = 0; i < NR_GUESTS; i++)
		if (keel_vms[i].pv && !pv_net_attach(&keel_vms[i])) {
			memset(ram[i] + 0x1000, 0xff, 6);
			memcpy(ram[i] + 0x1006, keel_vms[i].pv->net->mac, 6);
			/* NET_SEND_BATCH's descriptors at 0x1800: that frame twice. */
			for (unsigned k = 0; k < 2; k++)
				memcpy(ram[i] + 0x1800 + 16 * k,
				       &(struct keel_net_buf){ 0x1000, 60 + k, 0 }, 16);
		}
}

/* An argument drawn towards the values where checks live. */
static uint64_t arg(struct fuzz_in *in)
{
	uint8_t kind = fuzz_u8(in);

	switch (kind & 7) {
	case 0: return fuzz_u8(in);
	case 1: return (uint64_t)fuzz_u8(in) * 4096 % (RAM_SIZE + 8192); /* pages around RAM */
	case 2: return KEEL_GRANT_BASE + (uint64_t)(int8_t)fuzz_u8(in) * 4096 +
		       (kind & 8 ? 1 : 0) + (uint64_t)KEEL_GRANT_SLOTS * 4096 * (kind >> 7);
	case 3: return RAM_SIZE - fuzz_u8(in);
	case 4: return (uint64_t)-(int64_t)fuzz_u8(in);
	case 5: return fuzz_u16(in);
	default: return fuzz_le(in, 8);
	}
}

/* --- The invariants. --- */

static void check_windows(void)
{
	for (unsigned id = 0; id < NR_GUESTS; id++) {
		struct vm *vm = &keel_vms[id];

		FUZZ_CHECK(types[id] == CFG_GUEST_PV ? vm->pv == &pv_doms[id] : vm->pv == NULL,
			   "only a PV guest has a pv_domain");
		for (unsigned s = 0; s < KEEL_GRANT_SLOTS; s++) {
			const struct mapped *m = &window[id][s];
			const struct grant_slot *gs;
			const struct grant_entry *e;
			const struct vm *owner;

			if (!m->used)
				continue;
			FUZZ_CHECK(vm->pv, "a grant window mapping belongs to a PV guest");
			gs = &vm->pv->maps.slot[s];
			FUZZ_CHECK(gs->used, "a mapped page has its slot recorded");
			FUZZ_CHECK(gs->dom < NR_GUESTS && gs->ref < KEEL_GRANTS_MAX,
				   "a slot names a real domain and ref");
			owner = &keel_vms[gs->dom];
			FUZZ_CHECK(owner->pv && owner != vm, "a grant comes from another PV guest");
			e = &owner->pv->grants.e[gs->ref];
			FUZZ_CHECK(e->used && e->to_dom == id, "a mapped grant was made to the mapper");
			FUZZ_CHECK(e->gpa < owner->ram_size && !(e->gpa & 4095),
				   "a granted page lies in its owner's RAM");
			FUZZ_CHECK(m->hpa == owner->ram_hpa + e->gpa,
				   "the mapping is the granted page, nothing else");
			FUZZ_CHECK(!(m->writable && e->readonly), "a read-only grant maps read-only");
		}
	}
}

static void check_grant_counts(void)
{
	static unsigned slots[NR_GUESTS][KEEL_GRANTS_MAX];

	memset(slots, 0, sizeof(slots));
	for (unsigned id = 0; id < NR_GUESTS; id++)
		for (unsigned s = 0; keel_vms[id].pv && s < KEEL_GRANT_SLOTS; s++) {
			const struct grant_slot *gs = &keel_vms[id].pv->maps.slot[s];

			if (gs->used && gs->dom < NR_GUESTS && gs->ref < KEEL_GRANTS_MAX)
				slots[gs->dom][gs->ref]++;
		}
	for (unsigned o = 0; o < NR_GUESTS; o++)
		for (unsigned r = 0; keel_vms[o].pv && r < KEEL_GRANTS_MAX; r++)
			FUZZ_CHECK(pv_doms[o].grants.e[r].maps >= slots[o][r],
				   "a grant's map count covers the slots that map it");
}

static void check_ports(void)
{
	for (unsigned a = 0; a < NR_GUESTS; a++) {
		const struct vm *vm = &keel_vms[a];

		for (unsigned p = 0; vm->pv && p < KEEL_EVTCHN_PORTS; p++) {
			const struct evtchn_port *e = &vm->pv->evtchn.port[p];
			const struct vm *peer;

			FUZZ_CHECK(e->state <= EVT_KEEL, "a port's state is one of five");
			FUZZ_CHECK((p == KEEL_PORT_TIMER) == (e->state == EVT_TIMER),
				   "port 0, and only port 0, is the timer");
			if (e->state != EVT_CONNECTED)
				continue;
			FUZZ_CHECK(e->remote_dom < NR_GUESTS && e->remote_port < KEEL_EVTCHN_PORTS &&
					   e->remote_dom != a,
				   "a connected port names another domain's port");
			peer = &keel_vms[e->remote_dom];
			FUZZ_CHECK(peer->pv, "a port connects PV guests");
			if (peer->state == VM_STOPPED)
				continue;
			FUZZ_CHECK(peer->pv->evtchn.port[e->remote_port].state == EVT_CONNECTED &&
					   peer->pv->evtchn.port[e->remote_port].remote_dom == a &&
					   peer->pv->evtchn.port[e->remote_port].remote_port == p,
				   "connected ports point at each other");
		}
	}
}

static void check_net(void)
{
	for (unsigned a = 0; a < NR_GUESTS; a++) {
		const struct pv_domain *pv = keel_vms[a].pv;
		const struct vsw_port *p;

		if (!pv || !pv->net)
			continue;
		p = pv->net;
		FUZZ_CHECK(!pv->net_event || pv->evtchn.port[pv->net_event].state == EVT_KEEL,
			   "the network's event port is Keel's");
		FUZZ_CHECK(p->count <= VSW_QUEUE_LEN, "a port's queue is bounded");
		for (unsigned k = 0; k < p->count; k++) {
			const struct vsw_frame *f = &p->q[(p->head + k) % VSW_QUEUE_LEN];

			FUZZ_CHECK(f->len >= KEEL_NET_FRAME_MIN && f->len <= KEEL_NET_FRAME_MAX,
				   "a queued frame's length");
			FUZZ_CHECK(memcmp(f->data + 6, p->mac, 6) != 0,
				   "no frame comes back to its sender");
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	unsigned calls = 0;

	build();
	now_ns = 0;
	while (fuzz_more(&in) && calls++ < 512) {
		uint8_t who = fuzz_u8(&in) % NR_GUESTS, how = fuzz_u8(&in);
		struct vm *vm = &keel_vms[who];
		uint64_t *r = vm->vcpus[0].gpr.r;

		/* Mostly the table's numbers; sometimes any 64-bit value. */
		r[REG_RAX] = how & 0x80 ? fuzz_le(&in, 8) : how % (KEEL_HC_MAX + 4);
		r[REG_RDI] = arg(&in);
		r[REG_RSI] = arg(&in);
		r[REG_RDX] = arg(&in);
		r[REG_R10] = arg(&in);
		r[REG_R8] = arg(&in);
		r[REG_RSP] = RAM_SIZE - 64;
		now_ns += fuzz_u8(&in) * 1000ULL;
		if (vm->state == VM_STOPPED)
			continue;
		if (!setjmp(back)) {
			r[REG_RAX] = hcall_dispatch(&vm->vcpus[0]);
			hcall_after(&vm->vcpus[0]);
		}
		check_windows();
		check_grant_counts();
		check_ports();
		check_net();
	}
	return 0;
}
