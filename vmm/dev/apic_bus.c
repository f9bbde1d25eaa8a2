/* SPDX-License-Identifier: MIT */
/* Which local APICs a message reaches, and its delivery; see keel/dev/apic_bus.h. */
#include <keel/dev/apic_bus.h>
#include <keel/dev/pci_msi.h>
#include <keel/dev/vlapic.h>

#define ICR_LOGICAL       (1u << 11)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)

bool apic_icr_msg(uint32_t lo, uint32_t dest, struct apic_msg *m)
{
	*m = (struct apic_msg){
		.dest = dest,
		.vector = (uint8_t)lo,
		.mode = (uint8_t)((lo >> 8) & 7),
		.shorthand = (uint8_t)((lo >> 18) & 3),
		.logical = lo & ICR_LOGICAL,
		.level = false, /* IPIs are edge-triggered (the trigger bit is INIT's) */
	};
	return !(m->mode == APIC_DM_INIT && (lo & ICR_TRIGGER_LEVEL) && !(lo & ICR_LEVEL_ASSERT));
}

/* SDM 11.6.2.4: lowest priority goes to one APIC of those named, here the lowest PPR. */
static uint32_t lowest_priority(const struct apic_bus *b, uint32_t set)
{
	int best = -1;

	for (unsigned i = 0; i < b->n; i++) {
		if (!(set & (1u << i)))
			continue;
		if (best < 0 || vlapic_ppr(b->apic[i]) < vlapic_ppr(b->apic[best]))
			best = (int)i;
	}
	return best < 0 ? 0 : 1u << best;
}

uint32_t apic_bus_targets(const struct apic_bus *b, const struct apic_msg *m, unsigned sender)
{
	uint32_t set = 0, all = b->n >= 32 ? ~0u : (1u << b->n) - 1;

	switch (m->shorthand) {
	case APIC_SH_SELF:
		return sender < b->n ? 1u << sender : 0;
	case APIC_SH_ALL:
		set = all;
		break;
	case APIC_SH_ALL_BUT_SELF:
		set = all & ~(sender < b->n ? 1u << sender : 0);
		break;
	default:
		for (unsigned i = 0; i < b->n; i++)
			if (vlapic_match_dest(b->apic[i], m->dest, m->logical))
				set |= 1u << i;
		break;
	}
	/* A hardware-disabled APIC is not on the bus (SDM 11.4.3). */
	for (unsigned i = 0; i < b->n; i++)
		if (!b->apic[i]->hw_enabled)
			set &= ~(1u << i);
	if (m->mode == APIC_DM_LOWEST && (set & (set - 1)))
		set = lowest_priority(b, set);
	return set;
}

uint32_t apic_bus_send(struct apic_bus *b, const struct apic_msg *m, unsigned sender)
{
	uint32_t set = apic_bus_targets(b, m, sender);

	for (unsigned i = 0; i < b->n; i++) {
		if (!(set & (1u << i)))
			continue;
		switch (m->mode) {
		case APIC_DM_FIXED:
		case APIC_DM_LOWEST:
			if (b->post && b->post(b->ctx, i, m))
				break;
			vlapic_set_irq(b->apic[i], m->vector, m->level);
			break;
		case APIC_DM_NMI:
		case APIC_DM_INIT:
		case APIC_DM_SIPI:
			if (b->signal)
				b->signal(b->ctx, i, m);
			break;
		default:
			break; /* SMI, ExtINT: nothing here takes them */
		}
	}
	return set;
}

void msi_to_apic_bus(void *ctx, uint64_t addr, uint32_t data)
{
	struct msi_msg d;
	struct apic_msg m;

	if (!msi_decode(addr, data, &d) || (d.level && !d.assert))
		return; /* a memory write, or a deassert with no line state to clear */
	m = (struct apic_msg){ .dest = d.dest, .vector = d.vector, .mode = (uint8_t)d.mode,
			       .logical = d.logical, .level = d.level };
	/* An xAPIC-format 0xff is a broadcast to x2APIC-mode APICs too (SDM 11.12.9). */
	if (m.dest == 0xff)
		m.dest = APIC_BROADCAST_X2APIC;
	apic_bus_send(ctx, &m, APIC_BUS_NO_SENDER);
}
