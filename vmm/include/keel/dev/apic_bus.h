/* SPDX-License-Identifier: MIT */
/*
 * The APIC bus of an hvm guest with several vCPUs: which local APICs a
 * message reaches, an IPI from a local APIC's ICR (SDM 3A 11.6.1), a
 * redirection entry of the IOAPIC or an MSI (11.11). Destinations as SDM
 * 3A 11.6.2 has them: physical (the APIC ID; all ones is a broadcast) or
 * logical, flat or cluster model (the LDR and DFR), and in x2APIC mode
 * 32-bit IDs and the cluster LDR (11.12.10); or a shorthand (self, all
 * including self, all excluding self). Lowest-priority delivery goes to
 * one of the APICs named: the one with the lowest processor priority, the
 * lowest index on a tie (11.6.2.4 leaves the choice to the chipset).
 *
 * Fixed and lowest-priority messages set IRR in the target APIC; NMI, INIT
 * and SIPI are signals to the CPU behind it, which the integrator takes
 * (vmm/hvm_smp.c). SMI and ExtINT reach nothing Keel models.
 */
#ifndef KEEL_DEV_APIC_BUS_H
#define KEEL_DEV_APIC_BUS_H

#include <stdbool.h>
#include <stdint.h>

struct vlapic;

#define APIC_BUS_MAX 8 /* local APICs on one bus (keel.cfg CFG_VCPUS_MAX) */

/* Delivery modes (ICR, RTE and MSI data bits 10:8) and ICR shorthands (bits 19:18). */
#define APIC_DM_FIXED  0
#define APIC_DM_LOWEST 1
#define APIC_DM_SMI    2
#define APIC_DM_NMI    4
#define APIC_DM_INIT   5
#define APIC_DM_SIPI   6
#define APIC_DM_EXTINT 7
#define APIC_SH_NONE         0
#define APIC_SH_SELF         1
#define APIC_SH_ALL          2
#define APIC_SH_ALL_BUT_SELF 3

#define APIC_BROADCAST_X2APIC 0xffffffffu

struct apic_msg {
	uint32_t dest;     /* 8 bits from an xAPIC ICR, the IOAPIC or an MSI; 32 in x2APIC mode */
	uint8_t vector;
	uint8_t mode;      /* APIC_DM_* */
	uint8_t shorthand; /* APIC_SH_*: IPIs only */
	bool logical;
	bool level;        /* level-triggered (fixed and lowest priority: sets TMR) */
};

struct apic_bus {
	struct vlapic *apic[APIC_BUS_MAX]; /* apic[i] belongs to vCPU i */
	unsigned n;
	/* NMI, INIT, SIPI for CPU `cpu` (the message says which); NULL drops them. */
	void (*signal)(void *ctx, unsigned cpu, const struct apic_msg *m);
	/*
	 * A fixed or lowest-priority message for APIC `cpu` that the integrator
	 * may deliver itself (posted interrupts, vmm/hvm_posted.c): true if it
	 * did. NULL, or false: the vLAPIC model takes it (vlapic_set_irq).
	 */
	bool (*post)(void *ctx, unsigned cpu, const struct apic_msg *m);
	void *ctx;
};

#define APIC_BUS_NO_SENDER (~0u) /* an IOAPIC or MSI message: no "self" */

/*
 * The message an ICR write sends (lo: ICR[31:0], dest: the destination
 * field, 8 or 32 bits); false for INIT level de-assert, which only
 * synchronises arbitration IDs and does nothing on CPUs since the Pentium
 * 4 (SDM 3A 11.6.1; Linux still sends it after INIT).
 */
bool apic_icr_msg(uint32_t lo, uint32_t dest, struct apic_msg *m);
/* Bit i set: the message reaches apic[i]. sender: the ICR's APIC, for shorthands. */
uint32_t apic_bus_targets(const struct apic_bus *b, const struct apic_msg *m, unsigned sender);
/* Deliver it to every APIC it reaches; returns those (bit i: apic[i]). */
uint32_t apic_bus_send(struct apic_bus *b, const struct apic_msg *m, unsigned sender);
/* A struct msi_line's send for an hvm guest's APIC bus (ctx): decoded as pci_msi.c does. */
void msi_to_apic_bus(void *ctx, uint64_t addr, uint32_t data);

#endif
