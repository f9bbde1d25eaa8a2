/* SPDX-License-Identifier: MIT */
/* The PIIX3 ISA bridge and PIIX4 power management; see keel/dev/piix.h. */
#include <keel/dev/piix.h>
#include <keel/errno.h>
#include <keel/string.h>
#include <keel/vtime.h>

#define CLASS_ISA_BRIDGE 0x060100
#define CLASS_BRIDGE_OTHER 0x068000
/* Revision 3 is the PIIX4E/M: Linux applies no PM timer workaround to it. */
#define PM_REVISION 0x03

#define PMBA_IO    BIT(0) /* resource type indicator: I/O, hardwired */
#define PMBA_MASK  0xffc0U
#define PMIOSE     BIT(0)
/* DEVACTB bit 25: SMI on APMC writes. QEMU without SMM sets it at reset so
 * SeaBIOS believes SMM is set up and skips relocating SMBASE, which would
 * spin forever waiting for an SMI handler to write 0xb3. */
#define DEVACTB_APMC_EN_BYTE1 BIT(1) /* in byte 0x5b */

#define PM1_STS_W1C (PM1_TMR_STS | PM1_BM_STS | PM1_GBL_STS | PM1_PWRBTN_STS | \
		     PM1_RTC_STS | PM1_PWRBTNOR_STS | PM1_WAK_STS)
#define PM1_EN_BITS (PM1_TMR_EN | PM1_GBL_EN | PM1_PWRBTN_EN | PM1_RTC_EN)
/* Stored control bits: SCI_EN, BM_RLD, SLP_TYP. GBL_RLS and SLP_EN are
 * write-only (read 0). */
#define PM1_CNT_BITS (PM1_SCI_EN | BIT(1) | PM1_SLP_TYP)
#define TMR_STS_SHIFT 23 /* TMR_STS latches when bit 23 of the timer toggles */

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Exact floor(ns * 3579545 / 10^9) without overflowing 64 bits. */
uint64_t piix_pm_ticks(uint64_t ns)
{
	return ns / 1000000000 * PM_TIMER_HZ + ns % 1000000000 * PM_TIMER_HZ / 1000000000;
}

/* The first nanosecond at which the tick count reaches t. */
static uint64_t ticks_to_ns(uint64_t t)
{
	uint64_t r = t % PM_TIMER_HZ;

	return t / PM_TIMER_HZ * 1000000000 + (r * 1000000000 + PM_TIMER_HZ - 1) / PM_TIMER_HZ;
}

static uint16_t pm1_status(struct vm *vm, struct piix *p)
{
	uint64_t period = piix_pm_ticks(vm_time_ns(vm)) >> TMR_STS_SHIFT;

	if (period != p->tmr_period) {
		p->pm1_sts |= PM1_TMR_STS;
		p->tmr_period = period;
	}
	return p->pm1_sts;
}

/* The SCI is level-triggered; events raise it only in ACPI mode (SCI_EN). */
static void sci_update(struct vm *vm, struct piix *p)
{
	bool level = (p->pm1_cnt & PM1_SCI_EN) && (pm1_status(vm, p) & p->pm1_en & PM1_EN_BITS);

	if (level != p->sci_level) {
		p->sci_level = level;
		irq_set(&p->sci, level);
	}
}

static uint32_t pm_dword(struct vm *vm, struct piix *p, unsigned idx)
{
	switch (idx) {
	case PM1_STS / 4: return pm1_status(vm, p) | (uint32_t)p->pm1_en << 16;
	case PM1_CNT / 4: return p->pm1_cnt;
	case PM_TMR / 4:  return (uint32_t)piix_pm_ticks(vm_time_ns(vm)) & PM_TIMER_MASK;
	default:          return 0; /* GPSTS, GLBSTS, ...: no sources modelled */
	}
}

/* be: which bits of the dword the access covers. */
static void pm_dword_write(struct vm *vm, struct piix *p, unsigned idx, uint32_t v, uint32_t be)
{
	uint16_t m;

	if (idx == PM1_STS / 4) {
		pm1_status(vm, p); /* latch a pending TMR_STS so a W1C can clear it */
		p->pm1_sts &= (uint16_t)~(v & be & PM1_STS_W1C);
		m = (uint16_t)(be >> 16) & PM1_EN_BITS;
		p->pm1_en = (uint16_t)((p->pm1_en & ~m) | (v >> 16 & m));
	} else if (idx == PM1_CNT / 4) {
		m = (uint16_t)be & PM1_CNT_BITS;
		p->pm1_cnt = (uint16_t)((p->pm1_cnt & ~m) | (v & m));
		/* ACPI PM1 control: SLP_EN enters the sleep state in SLP_TYP. */
		if ((v & be & PM1_SLP_EN) && !(p->pm1_cnt & PM1_SLP_TYP) && p->power_off)
			p->power_off(p->ctx);
	}
}

int piix_pm_io(struct vm *vm, struct piix *p, unsigned off, struct io_access *a)
{
	unsigned sh = 8 * (off & 3), idx = off / 4;
	uint64_t v, be;

	if (a->size > 4 || off + a->size > PIIX_PM_IO_LEN) {
		if (!a->write)
			a->value = ones(a->size);
		return 0;
	}
	if (!a->write) {
		/* One timer sample per access, even one split across dwords. */
		v = pm_dword(vm, p, idx);
		if (sh + 8 * a->size > 32)
			v |= (uint64_t)pm_dword(vm, p, idx + 1) << 32;
		a->value = v >> sh & ones(a->size);
		return 0;
	}
	v = (a->value & ones(a->size)) << sh;
	be = ones(a->size) << sh;
	pm_dword_write(vm, p, idx, (uint32_t)v, (uint32_t)be);
	if (be >> 32)
		pm_dword_write(vm, p, idx + 1, (uint32_t)(v >> 32), (uint32_t)(be >> 32));
	sci_update(vm, p);
	return 0;
}

static int pm_range_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct piix *p = dev;

	/* A range claimed at an earlier base, or disabled: nothing decodes. */
	if (!p->pm_on || a->addr < p->pm_base || a->addr + a->size > p->pm_base + PIIX_PM_IO_LEN) {
		if (!a->write)
			a->value = ones(a->size);
		return 0;
	}
	return piix_pm_io(vm, p, (unsigned)(a->addr - p->pm_base), a);
}

/* Follow PMBA/PMREGMISC; claim the range at a new base once enabled there. */
static void pm_space_sync(struct piix *p)
{
	int rc;

	p->pm_base = pci_get16(p->pm, PIIX_PM_PMBA) & PMBA_MASK;
	p->pm_on = p->pm->cfg[PIIX_PM_PMREGMISC] & PMIOSE;
	/* Base 0 would shadow the DMA controller: treat it as undecoded. */
	if (!p->pm_on || !p->vm || !p->pm_base)
		return;
	for (unsigned i = 0; i < p->nr_pm_claimed; i++)
		if (p->pm_claimed[i] == p->pm_base)
			return;
	rc = p->nr_pm_claimed == PIIX_PM_CLAIMS ? -ENOSPC :
		io_register_pio(p->vm, p->pm_base, PIIX_PM_IO_LEN, pm_range_io, p);
	if (rc)
		p->pm_io_err = rc;
	else
		p->pm_claimed[p->nr_pm_claimed++] = p->pm_base;
}

static void pm_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	(void)old;
	if (pci_overlaps(off, size, PIIX_PM_PMBA, 4) || pci_overlaps(off, size, PIIX_PM_PMREGMISC, 1))
		pm_space_sync(d->ctx);
}

/*
 * APM: a write to 0xb2 is the FADT's SMI command. With no SMM here the
 * ACPI enable/disable commands act directly, as in QEMU: OSPM writes
 * ACPI_ENABLE to SMI_CMD, then polls SCI_EN (ACPI spec, "Legacy/ACPI
 * Select and the SCI Interrupt"). 0xb3 is a scratch byte.
 */
static int apm_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct piix *p = dev;
	uint64_t v = 0;

	for (unsigned i = 0; i < a->size && i < 2; i++) {
		bool cnt = a->addr + i == PIIX_APM_CNT;
		uint8_t b = (uint8_t)(a->value >> (8 * i));

		if (!a->write) {
			v |= (uint64_t)(cnt ? p->apmc : p->apms) << (8 * i);
		} else if (!cnt) {
			p->apms = b;
		} else {
			p->apmc = b;
			if (b == PIIX_ACPI_ENABLE)
				p->pm1_cnt |= PM1_SCI_EN;
			else if (b == PIIX_ACPI_DISABLE)
				p->pm1_cnt &= (uint16_t)~PM1_SCI_EN;
			sci_update(vm, p);
		}
	}
	if (!a->write)
		a->value = v;
	return 0;
}

/* GPE0: no GPE sources yet, so STS reads 0; EN is kept for the guest. */
static int gpe_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct piix *p = dev;
	unsigned off = (unsigned)(a->addr - PIIX_GPE0_PORT);
	uint64_t v = 0;

	(void)vm;
	for (unsigned i = 0; i < a->size && off + i < PIIX_GPE0_LEN; i++) {
		unsigned sh;

		if (off + i < 2)
			continue;
		sh = 8 * (off + i - 2);
		if (a->write)
			p->gpe_en = (uint16_t)((p->gpe_en & ~(0xff << sh)) |
					       (a->value >> (8 * i) & 0xff) << sh);
		else
			v |= (uint64_t)(p->gpe_en >> sh & 0xff) << (8 * i);
	}
	if (!a->write)
		a->value = v;
	return 0;
}

int piix_pirq_irq(const struct piix *p, unsigned pirq)
{
	uint8_t v;
	unsigned irq;

	if (pirq > 3)
		return -1;
	v = p->isa->cfg[PIIX_PIRQRC + pirq];
	irq = v & 0x0f;
	/* IRQ 0, 1, 2, 8 and 13 are reserved encodings. */
	if ((v & PIIX_PIRQ_DISABLE) || irq < 3 || irq == 8 || irq == 13)
		return -1;
	return (int)irq;
}

void piix_power_button(struct vm *vm, struct piix *p)
{
	p->pm1_sts |= PM1_PWRBTN_STS;
	sci_update(vm, p);
}

uint64_t piix_pm_deadline(struct vm *vm, struct piix *p)
{
	if (!(p->pm1_en & PM1_TMR_EN) || !(p->pm1_cnt & PM1_SCI_EN) ||
	    (pm1_status(vm, p) & PM1_TMR_STS))
		return VTIME_NEVER;
	return ticks_to_ns((p->tmr_period + 1) << TMR_STS_SHIFT);
}

void piix_pm_poll(struct vm *vm, struct piix *p)
{
	sci_update(vm, p);
}

/* Power-on values as QEMU's PIIX3 reset sets them. */
static void isa_reset(struct pci_dev *d)
{
	static const struct { uint8_t off, val; } regs[] = {
		{ 0x4c, 0x4d }, { 0x4e, 0x03 }, { 0x69, 0x02 }, { 0x70, 0x80 }, { 0x76, 0x0c },
		{ 0x77, 0x0c }, { 0x78, 0x02 }, { 0xa0, 0x08 }, { 0xa8, 0x0f },
	};

	memset(d->cfg, 0, sizeof(d->cfg));
	pci_dev_set_ids(d, 0x8086, PIIX3_ISA_DEVICE, CLASS_ISA_BRIDGE, 0, PCI_SUBVENDOR_QEMU,
			PCI_SUBDEVICE_QEMU);
	pci_set16(d->cfg, PCI_COMMAND, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_set16(d->cfg, PCI_STATUS, PCI_STS_DEVSEL_MEDIUM);
	d->cfg[PCI_HEADER_TYPE] = PCI_HEADER_MULTIFUNCTION;
	memset(&d->cfg[PIIX_PIRQRC], PIIX_PIRQ_DISABLE, 4);
	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++)
		d->cfg[regs[i].off] = regs[i].val;
}

static void pm_reset(struct pci_dev *d)
{
	memset(d->cfg, 0, sizeof(d->cfg));
	pci_dev_set_ids(d, 0x8086, PIIX4_PM_DEVICE, CLASS_BRIDGE_OTHER, PM_REVISION,
			PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
	pci_set16(d->cfg, PCI_STATUS, PCI_STS_FAST_B2B | PCI_STS_DEVSEL_MEDIUM);
	d->cfg[PCI_INTERRUPT_PIN] = 1;
	pci_set32(d->cfg, PIIX_PM_PMBA, PMBA_IO);
	d->cfg[PIIX_PM_DEVACTB + 3] = DEVACTB_APMC_EN_BYTE1;
}

void piix_reset(struct piix *p)
{
	isa_reset(p->isa);
	pm_reset(p->pm);
	pm_space_sync(p);
	p->pm1_sts = p->pm1_en = p->pm1_cnt = p->gpe_en = 0;
	p->apmc = p->apms = 0;
	/* The timer keeps running through a reset; only TMR_STS restarts. */
	p->tmr_period = p->vm ? piix_pm_ticks(vm_time_ns(p->vm)) >> TMR_STS_SHIFT : 0;
	if (p->sci_level) {
		p->sci_level = false;
		irq_set(&p->sci, false);
	}
}

int piix_init(struct piix *p, struct pci_bus *b)
{
	struct pci_dev *isa = pci_bus_add(b, PIIX_SLOT, 0);
	struct pci_dev *pm = isa ? pci_bus_add(b, PIIX_SLOT, 3) : NULL;

	if (!pm)
		return -EEXIST;
	p->isa = isa;
	p->pm = pm;
	p->vm = NULL;
	p->nr_pm_claimed = 0;
	p->pm_io_err = 0;
	p->sci_level = false;
	/* Reserved bits 6:4 of each PIRQ route read 0. */
	memset(&p->isa->wmask[PIIX_PIRQRC], 0x8f, 4);
	p->pm->ctx = p;
	p->pm->cfg_write = pm_cfg_write;
	pci_set32(p->pm->wmask, PIIX_PM_PMBA, PMBA_MASK);
	p->pm->wmask[PIIX_PM_PMREGMISC] = PMIOSE;
	/* No SMBus controller: its base and host config read 0, so drivers
	 * (i2c-piix4) find it unconfigured and leave it alone. */
	pci_set32(p->pm->wmask, PIIX_PM_SMBBA, 0);
	p->pm->wmask[PIIX_PM_SMBHSTCFG] = 0;
	piix_reset(p);
	return 0;
}

int piix_register(struct vm *vm, struct piix *p)
{
	int rc;

	p->vm = vm;
	rc = io_register_pio(vm, PIIX_APM_CNT, 2, apm_io, p);
	if (!rc)
		rc = io_register_pio(vm, PIIX_GPE0_PORT, PIIX_GPE0_LEN, gpe_io, p);
	if (!rc) {
		p->tmr_period = piix_pm_ticks(vm_time_ns(vm)) >> TMR_STS_SHIFT;
		pm_space_sync(p);
	}
	return rc;
}
