/* SPDX-License-Identifier: MIT */
/*
 * Local APIC registers, interrupt acceptance, priority and EOI (Intel SDM
 * Vol. 3A chapter 11). The timer's arithmetic lives in vlapic_timer.c.
 *
 * Registers are 32 bits wide on 16-byte boundaries (SDM 11.4.1); other
 * widths and offsets read 0 and ignore writes. Keel delivers every message
 * at once, so delivery status bits (ICR, LVT) always read idle.
 */
#include <stddef.h>
#include <keel/bits.h>
#include <keel/dev/vlapic.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vtime.h>
#include "vlapic_priv.h"

/* Version 0x14 (integrated APIC), max LVT entry 5: six LVTs, no CMCI advertised. */
#define APIC_VERSION 0x00050014u

#define ESR_SEND_ILLEGAL BIT(5)
#define ESR_RECV_ILLEGAL BIT(6)

#define ICR_VECTOR(v)    ((v) & 0xff)
#define ICR_DM(v)        (((v) >> 8) & 7)
#define ICR_LOGICAL      BIT(11)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ICR_LO_RW        0x000ccfffu /* delivery status (12) is read-only */
#define DM_FIXED  0
#define DM_LOWEST 1
#define DM_NMI    4
#define DM_EXTINT 7
#define SH_NONE   0
#define SH_SELF   1
#define SH_ALL    2
#define DFR_FLAT  0xf0000000u

/* Writable LVT bits (SDM Figure 11-8): delivery status and LINT remote IRR are read-only. */
static const uint32_t lvt_rw[VLAPIC_NR_LVT] = {
	[VLAPIC_LVT_CMCI] = 0x000107ff,
	[VLAPIC_LVT_TIMER] = 0x000700ff, /* mode 18:17: one-shot, periodic, TSC-deadline */
	[VLAPIC_LVT_THERMAL] = 0x000107ff,
	[VLAPIC_LVT_PERF] = 0x000107ff,
	[VLAPIC_LVT_LINT0] = 0x0001a7ff,
	[VLAPIC_LVT_LINT1] = 0x0001a7ff,
	[VLAPIC_LVT_ERROR] = 0x000100ff,
};

static bool sw_enabled(const struct vlapic *a)
{
	return a->svr & VLAPIC_SVR_ENABLE;
}

bool vlapic_enabled(const struct vlapic *a)
{
	return a->hw_enabled && sw_enabled(a);
}

/* An error (SDM 11.5.3): collect it for the next ESR write and raise the error LVT. */
static void apic_error(struct vlapic *a, uint32_t bits)
{
	uint32_t lvt = a->lvt[VLAPIC_LVT_ERROR];

	a->esr_acc |= bits;
	if (lvt & VLAPIC_LVT_MASKED)
		return;
	if ((lvt & 0xff) < 16)
		a->esr_acc |= ESR_RECV_ILLEGAL; /* without raising another error interrupt */
	else
		vlapic_set_irq(a, (uint8_t)lvt, false);
}

void vlapic_set_irq(struct vlapic *a, uint8_t vector, bool level)
{
	if (vector < 16) {
		apic_error(a, ESR_RECV_ILLEGAL);
		return;
	}
	/* Disabled: accept nothing new (as KVM); SDM 11.4.7.2 holds only what IRR had. */
	if (!vlapic_enabled(a))
		return;
	vec_set(a->irr, vector);
	vec_set(a->vapic_irr_new, vector);
	a->vapic_vec_dirty = true;
	if (level)
		vec_set(a->tmr, vector);
	else
		vec_clear(a->tmr, vector);
}

/* SDM 11.8.3.1: PPR is TPR if its class is at least the in-service class, else that class. */
uint8_t vlapic_ppr(const struct vlapic *a)
{
	int isrv = vec_highest(a->isr);
	uint8_t tpr = a->tpr & 0xff, cls = isrv < 0 ? 0 : (uint8_t)(isrv & 0xf0);

	return (tpr & 0xf0) >= cls ? tpr : cls;
}

int vlapic_pending(const struct vlapic *a)
{
	int irrv = vec_highest(a->irr);

	if (irrv < 0)
		return -1; /* also when hardware-disabled: that reset IRR */
	return (irrv & 0xf0) > (vlapic_ppr(a) & 0xf0) ? irrv : -1;
}

void vlapic_ack(struct vlapic *a, uint8_t vector)
{
	vec_clear(a->irr, vector);
	vec_set(a->isr, vector);
	a->vapic_vec_dirty = true;
}

void vlapic_set_tpr(struct vlapic *a, uint8_t tpr)
{
	a->tpr = tpr;
	a->vapic_dirty = true;
}

/* SDM 11.8.5: EOI retires the highest in-service vector; level ones go on to the IOAPIC. */
static void apic_eoi(struct vlapic *a)
{
	int v = vec_highest(a->isr);

	if (v < 0)
		return;
	vec_clear(a->isr, (unsigned)v);
	a->vapic_vec_dirty = true;
	if (vec_test(a->tmr, (unsigned)v) && a->eoi_level)
		a->eoi_level(a->ctx, (uint8_t)v);
}

bool vlapic_accepts_pic(const struct vlapic *a)
{
	uint32_t lint0 = a->lvt[VLAPIC_LVT_LINT0];

	if (!vlapic_enabled(a))
		return true;
	return !(lint0 & VLAPIC_LVT_MASKED) && ((lint0 >> 8) & 7) == DM_EXTINT;
}

/*
 * SDM 11.6.2: physical or logical (flat/cluster model) destination match;
 * in x2APIC mode (11.12.10) a 32-bit ID and the cluster model of its LDR.
 */
bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical)
{
	uint8_t ldr = (uint8_t)(a->ldr >> 24);

	if (a->x2apic) {
		if (dest == 0xffffffffu)
			return true;
		if (!logical)
			return dest == a->id >> 24;
		return (dest >> 16) == (a->ldr >> 16) && (dest & a->ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == (uint8_t)(a->id >> 24);
	if ((a->dfr & DFR_FLAT) == DFR_FLAT)
		return dest & ldr;
	return ((dest >> 4) == 0xf || (dest >> 4) == (ldr >> 4)) && (dest & ldr & 0xf);
}

/*
 * An IPI (SDM 11.6.1), delivered at once: delivery status never reads
 * "send pending". With an APIC bus (a guest with several vCPUs) the bus
 * takes it (vmm/dev/apic_bus.c). Alone, only messages that reach this
 * APIC do anything, so INIT and SIPI (SeaBIOS broadcasts them to find
 * APs) vanish.
 */
void vlapic_send_ipi(struct vlapic *a, uint32_t lo, uint32_t dest)
{
	uint8_t vec = ICR_VECTOR(lo);
	bool self;

	if (a->ipi) {
		if ((ICR_DM(lo) == DM_FIXED || ICR_DM(lo) == DM_LOWEST) && vec < 16) {
			apic_error(a, ESR_SEND_ILLEGAL);
			return;
		}
		a->ipi(a->ctx, lo, dest);
		return;
	}

	switch (ICR_SHORTHAND(lo)) {
	case SH_NONE:
		self = vlapic_match_dest(a, dest, lo & ICR_LOGICAL);
		break;
	case SH_SELF:
	case SH_ALL:
		self = true;
		break;
	default:
		self = false; /* all excluding self */
		break;
	}
	switch (ICR_DM(lo)) {
	case DM_FIXED:
	case DM_LOWEST:
		if (vec < 16)
			apic_error(a, ESR_SEND_ILLEGAL);
		else if (self)
			vlapic_set_irq(a, vec, false); /* IPIs are edge (trigger bit: INIT only) */
		break;
	case DM_NMI:
		if (self && a->nmi)
			a->nmi(a->ctx);
		break;
	default:
		break; /* SMI, INIT, SIPI: no target */
	}
}

bool vlapic_deliver(struct vlapic *a, uint8_t dest, bool logical, unsigned mode, uint8_t vector,
		    bool level)
{
	/* An xAPIC-format message's 0xff is a broadcast in x2APIC mode too (SDM 11.12.9). */
	if (!vlapic_match_dest(a, dest == 0xff ? 0xffffffffu : dest, logical))
		return false;
	switch (mode) {
	case DM_FIXED:
	case DM_LOWEST:
		vlapic_set_irq(a, vector, level);
		return true;
	case DM_NMI:
		if (a->nmi)
			a->nmi(a->ctx);
		return true;
	default:
		return false;
	}
}

static void write_lvt(struct vlapic *a, unsigned i, uint32_t v)
{
	v &= lvt_rw[i];
	if (!sw_enabled(a))
		v |= VLAPIC_LVT_MASKED; /* SDM 11.4.7.2: masks stay set while software-disabled */
	if (i == VLAPIC_LVT_TIMER)
		vlapic_timer_write_lvt(a, v);
	a->lvt[i] = v;
}

static void write_svr(struct vlapic *a, uint32_t v)
{
	/* Bits 7:0 vector, 8 enable, 9 focus checking; no EOI-broadcast suppression (bit 12). */
	a->svr = v & 0x3ff;
	if (!sw_enabled(a))
		for (unsigned i = 0; i < VLAPIC_NR_LVT; i++)
			a->lvt[i] |= VLAPIC_LVT_MASKED;
}

static int lvt_index(unsigned off)
{
	if (off == REG_CMCI)
		return VLAPIC_LVT_CMCI;
	if (off >= REG_LVTT && off <= REG_LVTE)
		return VLAPIC_LVT_TIMER + (int)((off - REG_LVTT) / 16);
	return -1;
}

uint32_t vlapic_reg_read(struct vlapic *a, unsigned off, uint64_t now)
{
	int lvt = lvt_index(off);

	if (lvt >= 0)
		return a->lvt[lvt];
	if (off >= REG_ISR && off < REG_ESR) {
		unsigned i = (off - REG_ISR) / 16;

		return off < REG_TMR ? a->isr[i] : off < REG_IRR ? a->tmr[i - 8] : a->irr[i - 16];
	}
	switch (off) {
	case REG_ID:
		return a->id;
	case REG_VER:
		return APIC_VERSION;
	case REG_TPR:
		return a->tpr;
	case REG_PPR:
		return vlapic_ppr(a);
	case REG_LDR:
		return a->ldr;
	case REG_DFR:
		return a->dfr;
	case REG_SVR:
		return a->svr;
	case REG_ESR:
		return a->esr;
	case REG_ICR:
		return a->icr_lo;
	case REG_ICR2:
		return a->icr_hi;
	case REG_TMICT:
		return a->tmict;
	case REG_TMCCT:
		return vlapic_timer_current(a, now);
	case REG_TDCR:
		return a->tdcr;
	default:
		return 0; /* APR (no arbitration to model), EOI, reserved */
	}
}

void vlapic_reg_write(struct vlapic *a, unsigned off, uint32_t v, uint64_t now)
{
	int lvt = lvt_index(off);

	a->vapic_dirty = true; /* the virtual-APIC page, if any, must show it */
	if (lvt >= 0) {
		write_lvt(a, (unsigned)lvt, v);
		return;
	}
	switch (off) {
	case REG_ID:
		a->id = v & 0xff000000u; /* model-specific; writable as on QEMU and KVM */
		break;
	case REG_TPR:
		a->tpr = v & 0xff;
		break;
	case REG_EOI:
		apic_eoi(a);
		break;
	case REG_LDR:
		a->ldr = v & 0xff000000u;
		break;
	case REG_DFR:
		a->dfr = v | 0x0fffffffu; /* bits 27:0 are reserved as ones */
		break;
	case REG_SVR:
		write_svr(a, v);
		break;
	case REG_ESR:
		/* SDM 11.5.3: a write latches the errors seen since the last one. */
		a->esr = a->esr_acc;
		a->esr_acc = 0;
		break;
	case REG_ICR:
		a->icr_lo = v & ICR_LO_RW;
		vlapic_send_ipi(a, a->icr_lo, a->x2apic ? a->icr_hi : a->icr_hi >> 24);
		break;
	case REG_ICR2:
		a->icr_hi = v & 0xff000000u;
		break;
	case REG_TMICT:
		vlapic_timer_write_initial(a, v, now);
		break;
	case REG_TDCR:
		vlapic_timer_write_divide(a, v, now);
		break;
	default:
		break; /* read-only or reserved */
	}
}

/*
 * The timer's deadline follows its LVT entry, counts and divider, and the
 * SVR (software disable masks the LVT); reads move nothing (the current
 * count is computed). What is marked, vmm/hvm_events.c recomputes.
 */
bool vlapic_moves_deadline(unsigned off)
{
	off &= ~0xfu;
	return off == REG_SVR || off == REG_LVTT || off == REG_TMICT || off == REG_TDCR;
}

int vlapic_mmio(struct vm *vm, void *dev, struct io_access *io)
{
	struct vlapic *a = dev;
	unsigned off = (unsigned)(io->addr & (VLAPIC_MMIO_LEN - 1));
	uint64_t now;

	a->touched |= io->write && vlapic_moves_deadline(off);
	a->stats.mmio++;

	if (!a->hw_enabled || a->x2apic) {
		/*
		 * SDM 3A 11.4.3: no APIC at all; and in x2APIC mode the page is off
		 * (11.12.1.2). It reads as an unclaimed bus does (as KVM has it).
		 */
		if (!io->write)
			io->value = ~0ULL >> (64 - 8 * io->size);
		return 0;
	}
	if (io->size != 4 || off % 16) {
		if (!io->write)
			io->value = 0;
		return 0;
	}
	now = vm_time_ns(vm);
	vlapic_update(a, now); /* expiries before this access see the old registers */
	if (io->write)
		vlapic_reg_write(a, off, (uint32_t)io->value, now);
	else
		io->value = vlapic_reg_read(a, off, now);
	return 0;
}

static void reset_regs(struct vlapic *a)
{
	memset(a, 0, offsetof(struct vlapic, id));
	a->dfr = 0xffffffffu;
	a->svr = 0xff;
	for (unsigned i = 0; i < VLAPIC_NR_LVT; i++)
		a->lvt[i] = VLAPIC_LVT_MASKED;
	a->timer_next = VTIME_NEVER;
	a->vapic_dirty = a->vapic_vec_dirty = true;
	/* What the virtual-APIC page still holds is no request: nothing of it is merged back. */
	memset(a->vapic_irr_seen, 0xff, sizeof(a->vapic_irr_seen));
}

void vlapic_init(struct vlapic *a, uint8_t apic_id)
{
	memset(a, 0, sizeof(*a));
	a->id = (uint32_t)apic_id << 24;
	a->hw_enabled = true;
	reset_regs(a);
}

/*
 * SDM 3A 11.12.5.1: only the APIC ID survives a trip through the disabled
 * state. Reset on the way down, so nothing is pending or ticking while
 * disabled, and the APIC comes back in its power-up state.
 */
void vlapic_set_hw_enabled(struct vlapic *a, bool on)
{
	if (a->hw_enabled != on)
		reset_regs(a);
	a->hw_enabled = on;
	if (!on)
		a->x2apic = false;
}

/*
 * SDM 3A 11.12.5.1: xAPIC to x2APIC keeps the registers; the x2APIC ID is
 * the xAPIC ID and the LDR becomes cluster (ID[19:4]) and bit ID[3:0]
 * (11.12.10.2). Leaving goes through the disabled state, which reset them.
 */
void vlapic_set_x2apic(struct vlapic *a, bool on)
{
	uint32_t id = a->id >> 24;

	if (on && !a->x2apic)
		a->ldr = (id >> 4) << 16 | 1u << (id & 0xf);
	a->x2apic = on;
	a->vapic_dirty = true; /* the ID's format in the page follows the mode */
}

int vlapic_register(struct vm *vm, struct vlapic *a, uint64_t base)
{
	return io_register_mmio(vm, base, VLAPIC_MMIO_LEN, vlapic_mmio, a);
}
