/* SPDX-License-Identifier: MIT */
/*
 * The vLAPIC and the virtual-APIC page of VMX APIC virtualization (Intel
 * SDM Vol. 3C chapter 30, "APIC Virtualization and Virtual Interrupts";
 * chapter 29 in editions before 2023). Pure: host-tested, the VMCS side is
 * arch/x86/vmx/apicv.c.
 *
 * The page is laid out as the xAPIC page (30.1.1): each register at its
 * offset, 32 bits in a 16-byte granule. With APIC-register virtualization
 * the CPU serves guest reads of most registers from it (30.4.2, and
 * RDMSR of x2APIC registers the MSR bitmap lets through, 30.5), so every
 * register but the timer's current count is copied there. The CPU itself
 * changes VTPR (TPR writes, MOV to CR8, 30.1.2 / 30.3), VISR and VIRR
 * (virtual-interrupt delivery 30.2.2, EOI virtualization 30.1.4, self-IPI
 * virtualization 30.1.5), and computes VPPR at entry and after each of
 * those (27.3.2.5, 30.1.3): those flow back to the model after each exit.
 */
#include <keel/dev/vlapic.h>
#include <keel/dev/vlapic_pir.h>
#include "vlapic_priv.h"

static uint32_t *reg(uint8_t *page, unsigned off)
{
	return (uint32_t *)(page + off);
}

/*
 * The page's ISR and IRR into the model, then what was posted (keel/dev/
 * vlapic_pir.h); out of line, so the exits that skip it pay nothing for it.
 */
static __attribute__((noinline)) void pull_vectors(struct vlapic *a, const uint8_t *p)
{
	for (unsigned i = 0; i < 8; i++) {
		uint32_t irr = *reg((uint8_t *)p, REG_IRR + 16 * i);

		a->isr[i] = *reg((uint8_t *)p, REG_ISR + 16 * i);
		/*
		 * The CPU clears what it delivered and sets what it self-IPIed; a
		 * bit the model raised since the push (a device run meanwhile on
		 * another CPU, say) is not there yet and must survive, even one the
		 * model already had: the CPU may have delivered that meanwhile, and
		 * this is a second request (an edge lost here stalls a UART).
		 */
		a->irr[i] = irr | a->vapic_irr_new[i];
		a->vapic_irr_seen[i] = irr;
	}
	/* A post made the status differ (vlapic_post): what the CPU did not process, into the model. */
	if (a->pir)
		vlapic_pir_take(a->pir, a);
}

/*
 * The guest interrupt status the next pull may trust: only 0, nothing
 * requested and nothing in service. The CPU changes the page only by
 * self-IPIs (30.1.5), deliveries and EOIs (30.2.2, 30.1.4), and keeps RVI
 * the highest VIRR bit and SVI the highest VISR bit; so with both 0 again
 * at the exit, VIRR and VISR are empty again, as the model has them.
 * Any other status can come back with the page changed under it (ABA):
 * with a vector requested, the CPU may deliver it and others and the
 * guest EOI them until RVI and SVI are back where they were; with only
 * vectors in service, the guest may EOI them all and take a self-IPI of
 * the top one again, SVI as before but the lower ones retired, which the
 * model would then push back as in service, blocking their class for good.
 */
static uint16_t status_to_trust(uint16_t intr_status)
{
	return intr_status ? VLAPIC_PIR_RESYNC : 0;
}

void vlapic_apicv_pull(struct vlapic *a, uint16_t intr_status)
{
	uint8_t *p = a->vapic;

	a->tpr = *reg(p, REG_TPR) & 0xff;
	/*
	 * xAPIC mode: a write of ICR high exits not at all (the CPU clears its
	 * bytes 2:0, 30.4.3.2), one of ICR low not when it is a self-IPI the CPU
	 * virtualizes. The page has the guest's values; the ICR-low write that
	 * sends an IPI exits and finds both there.
	 */
	if (!a->x2apic) {
		a->icr_lo = *reg(p, REG_ICR) & 0x000ccfffu; /* delivery status reads idle */
		a->icr_hi = *reg(p, REG_ICR2) & 0xff000000u;
	}
	/*
	 * Nothing requested or in service at the last push, nor now
	 * (status_to_trust): ISR and IRR are as the model knows them. Most
	 * exits (port I/O, timers, outside the guest's interrupt handlers)
	 * end here.
	 */
	if (intr_status == a->vapic_intr_status)
		return;
	a->vapic_intr_status = status_to_trust(intr_status);
	pull_vectors(a, p);
}

/*
 * What the guest may read from the page (30.4.2 lists the offsets APIC-
 * register virtualization serves). The timer's current count is not among
 * them: reading it exits (APIC-access exit), as it must, to be computed;
 * nor is PPR in xAPIC mode (RDMSR 0x80a reads VPPR, which the CPU keeps).
 */
static const uint16_t page_regs[] = {
	REG_ID,	  REG_VER,	    REG_LDR,	      REG_DFR,		REG_SVR,
	REG_ESR,  REG_CMCI,	    REG_ICR,	      REG_ICR2,		REG_LVTT,
	REG_LVTT + 0x10, REG_LVTT + 0x20, REG_LVTT + 0x30, REG_LVTT + 0x40, REG_LVTE,
	REG_TMICT, REG_TDCR,
};

static void push_regs(struct vlapic *a)
{
	uint8_t *p = a->vapic;

	for (unsigned i = 0; i < sizeof(page_regs) / sizeof(page_regs[0]); i++)
		*reg(p, page_regs[i]) = vlapic_reg_read(a, page_regs[i], 0);
	/* x2APIC mode (SDM 3A 11.12.5.1): RDMSR 0x802 reads the 32-bit x2APIC ID from here. */
	if (a->x2apic)
		*reg(p, REG_ID) = a->id >> 24;
	a->vapic_dirty = false;
}

void vlapic_apicv_push(struct vlapic *a, struct vlapic_apicv_entry *e)
{
	uint8_t *p = a->vapic;
	int rvi, svi;

	e->intr_status_changed = e->eoi_exit_changed = false;
	if (a->vapic_dirty) {
		push_regs(a);
		*reg(p, REG_TPR) = a->tpr;
		e->eoi_exit_changed = true; /* after a reset too, whatever the CPU had */
	}
	/* Untouched, the page and the CPU's RVI/SVI are what the pull found. */
	if (!a->vapic_vec_dirty && !e->eoi_exit_changed)
		return;
	/* Posted while out of the guest (vlapic_post marked the model): into IRR, then the page. */
	if (a->pir)
		vlapic_pir_take(a->pir, a);
	a->vapic_vec_dirty = false;
	*reg(p, REG_PPR) = vlapic_ppr(a); /* the CPU recomputes it at entry (27.3.2.5) anyway */
	for (unsigned i = 0; i < 8; i++) {
		/* A self-IPI the pull did not look for (below RVI) stays requested. */
		a->irr[i] |= *reg(p, REG_IRR + 16 * i) & ~a->vapic_irr_seen[i];
		*reg(p, REG_ISR + 16 * i) = a->isr[i];
		*reg(p, REG_TMR + 16 * i) = a->tmr[i];
		*reg(p, REG_IRR + 16 * i) = a->irr[i];
		a->vapic_irr_seen[i] = a->irr[i];
		a->vapic_irr_new[i] = 0;
	}
	/*
	 * RVI and SVI: the highest requested and in-service vectors, 0 for none
	 * (30.1.1, 30.2.1); the CPU delivers RVI when its class beats VPPR's.
	 */
	rvi = vec_highest(a->irr);
	svi = vec_highest(a->isr);
	e->intr_status = (uint16_t)((svi < 0 ? 0 : svi) << 8 | (rvi < 0 ? 0 : rvi));
	e->intr_status_changed = true;
	a->vapic_intr_status = status_to_trust(e->intr_status);
	/*
	 * EOI-exit bitmap (30.1.4): the level-triggered vectors, whose EOI the
	 * IOAPIC must see to clear Remote IRR. Edge vectors retire in the CPU.
	 */
	for (unsigned i = 0; i < 4; i++) {
		uint64_t m = (uint64_t)a->tmr[2 * i + 1] << 32 | a->tmr[2 * i];

		e->eoi_exit_changed |= m != a->vapic_eoi_exit[i];
		e->eoi_exit[i] = a->vapic_eoi_exit[i] = m;
	}
}

void vlapic_apicv_write(struct vlapic *a, unsigned off, uint64_t now)
{
	off &= 0xff0;
	a->stats.apic_write++;
	if (off == REG_ICR && !a->x2apic)
		a->icr_hi = *reg(a->vapic, REG_ICR2) & 0xff000000u; /* its write did not exit */
	a->touched |= vlapic_moves_deadline(off);
	vlapic_update(a, now); /* expiries before this write see the old registers */
	vlapic_reg_write(a, off, *reg(a->vapic, off), now);
}

void vlapic_apicv_page(const struct vlapic *a, uint8_t *tpr, uint8_t *ppr, uint32_t irr[8],
		       uint32_t isr[8])
{
	uint8_t *p = a->vapic;

	*tpr = (uint8_t)*reg(p, REG_TPR);
	*ppr = (uint8_t)*reg(p, REG_PPR);
	for (unsigned i = 0; i < 8; i++) {
		irr[i] = *reg(p, REG_IRR + 16 * i);
		isr[i] = *reg(p, REG_ISR + 16 * i);
	}
}

void vlapic_apicv_eoi(struct vlapic *a, uint8_t vector)
{
	a->stats.eoi++;
	if (vec_test(a->tmr, vector) && a->eoi_level)
		a->eoi_level(a->ctx, vector);
}
