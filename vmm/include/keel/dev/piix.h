/* SPDX-License-Identifier: MIT */
/*
 * The PIIX south bridge of QEMU's `-machine pc`: the PIIX3 PCI-to-ISA bridge
 * at 00:01.0 (PIRQ routing) and the PIIX4 power management function at
 * 00:01.3 (ACPI PM1 registers, PM timer, soft-off), plus the APM command
 * port (0xb2) that switches ACPI mode on and the GPE0 block QEMU puts at
 * 0xafe0. 00:01.1 (IDE) is left free for the disk controller.
 *
 * PM I/O space: the guest picks its base (PMBA, 0x40) and enables it
 * (PMREGMISC bit 0, 0x80). The I/O registry cannot unregister, so the range
 * is registered the first time it is enabled at a base (SeaBIOS: 0xb000,
 * once) and its handler ignores accesses while disabled or moved; moving it
 * costs another registry slot, at most PIIX_PM_CLAIMS in all. piix_pm_io()
 * is the same decoder, base-relative, for callers that route it themselves.
 */
#ifndef KEEL_DEV_PIIX_H
#define KEEL_DEV_PIIX_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>
#include <keel/dev/pci.h>
#include <keel/io.h>
#include <keel/irq.h>

#define PIIX_SLOT         1
#define PIIX3_ISA_DEVICE  0x7000 /* 82371SB function 0 */
#define PIIX4_PM_DEVICE   0x7113 /* 82371AB function 3 */

/* ISA bridge: PIRQA-D route control (PIIX3 datasheet, PIRQRC[A:D]). */
#define PIIX_PIRQRC      0x60
#define PIIX_PIRQ_DISABLE 0x80

/* PM function configuration (PIIX4 datasheet, function 3). */
#define PIIX_PM_PMBA      0x40
#define PIIX_PM_DEVACTB   0x58
#define PIIX_PM_PMREGMISC 0x80
#define PIIX_PM_SMBBA     0x90
#define PIIX_PM_SMBHSTCFG 0xd2
#define PIIX_PM_IO_LEN    64u

/* PM I/O registers from PMBA: ACPI PM1a_EVT/CNT and PM_TMR (PIIX4 PMSTS/PMEN/PMCNTRL/PMTMR). */
#define PM1_STS 0x00
#define PM1_EN  0x02
#define PM1_CNT 0x04
#define PM_TMR  0x08

#define PM1_TMR_STS    BIT(0)
#define PM1_BM_STS     BIT(4)
#define PM1_GBL_STS    BIT(5)
#define PM1_PWRBTN_STS BIT(8)
#define PM1_RTC_STS    BIT(10)
#define PM1_PWRBTNOR_STS BIT(11)
#define PM1_WAK_STS    BIT(15)
#define PM1_TMR_EN     BIT(0)
#define PM1_GBL_EN     BIT(5)
#define PM1_PWRBTN_EN  BIT(8)
#define PM1_RTC_EN     BIT(10)
#define PM1_SCI_EN     BIT(0)
#define PM1_SLP_TYP    GENMASK(12, 10)
#define PM1_SLP_EN     BIT(13)

#define PM_TIMER_HZ   3579545ULL
#define PM_TIMER_MASK 0xffffffU

/* APM control/status (QEMU hw/isa/apm.c); the FADT's SMI_CMD. */
#define PIIX_APM_CNT      0xb2
#define PIIX_APM_STS      0xb3
#define PIIX_ACPI_ENABLE  0xf1
#define PIIX_ACPI_DISABLE 0xf0
/* GPE0_BLK in both QEMU's and SeaBIOS's FADT: STS (2 bytes), EN (2 bytes). */
#define PIIX_GPE0_PORT 0xafe0
#define PIIX_GPE0_LEN  4
/* ACPI SCI: hardwired to ISA IRQ 9 (FADT SCI_INT, SeaBIOS writes it to 0x3c). */
#define PIIX_SCI_IRQ 9

#define PIIX_PM_CLAIMS 2

struct piix {
	struct pci_dev *isa, *pm;
	struct vm *vm; /* from piix_register(), to claim the PM range later */
	uint16_t pm1_sts, pm1_en, pm1_cnt, gpe_en;
	uint64_t tmr_period; /* PM timer tick count >> 23 when TMR_STS was last latched */
	uint8_t apmc, apms;
	uint16_t pm_base; /* decoded from PMBA */
	bool pm_on;       /* PMREGMISC.PMIOSE */
	bool sci_level;
	uint16_t pm_claimed[PIIX_PM_CLAIMS];
	unsigned nr_pm_claimed;
	int pm_io_err; /* last failure to claim a PM range, for the VM to report */
	/* Set by the platform before piix_register(): */
	struct irq_line sci;         /* level, ISA IRQ 9 */
	void (*power_off)(void *ctx); /* SLP_EN with SLP_TYP 0 (\_S5 is {0, 0}) */
	void *ctx;
};

/* Adds 00:01.0 and 00:01.3; keeps sci/power_off/ctx as the caller set them. */
int piix_init(struct piix *p, struct pci_bus *b);
/* Power-on values for both functions and the PM registers. */
void piix_reset(struct piix *p);
/* Claims 0xb2-0xb3 and 0xafe0-0xafe3, and the PM range once enabled. */
int piix_register(struct vm *vm, struct piix *p);

/* ISA IRQ a PIRQ (0-3 = A-D) is routed to, or -1 if disabled or reserved. */
int piix_pirq_irq(const struct piix *p, unsigned pirq);
/* QEMU's/SeaBIOS's swizzle: PIRQ of INTx pin (1-4 = INTA-D) of a bus-0 slot. */
static inline unsigned piix_slot_pirq(unsigned slot, unsigned pin)
{
	return (pin - 1 + slot - 1) & 3;
}

/* PM timer ticks since VM creation (not wrapped to 24 bits). */
uint64_t piix_pm_ticks(uint64_t ns);
/* One access at offset off of the PM I/O space; returns 0. */
int piix_pm_io(struct vm *vm, struct piix *p, unsigned off, struct io_access *a);
/* Sets PWRBTN_STS (SCI if PWRBTN_EN): asks an ACPI guest to shut down. */
void piix_power_button(struct vm *vm, struct piix *p);
/* When TMR_STS will raise the SCI (TMR_EN set), or VTIME_NEVER. */
uint64_t piix_pm_deadline(struct vm *vm, struct piix *p);
/* Re-evaluates TMR_STS and the SCI line; call at the deadline. */
void piix_pm_poll(struct vm *vm, struct piix *p);

#endif
