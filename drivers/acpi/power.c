/* SPDX-License-Identifier: MIT */
/*
 * Power-off through ACPI S5 and reboot through the FADT reset register or
 * the legacy chipset paths. Both end in a report and a halt when the
 * machine is still running: power-off must never turn into a reboot.
 */
#include <drivers/acpi.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/printk.h>
#include <arch/cpu.h>
#include <arch/io.h>

/* PM1 control and status bits (ACPI 6.5 tables 4.13, 4.16) */
#define PM1_CNT_SCI_EN   BIT(0)
#define PM1_CNT_SLP_TYP  GENMASK(12, 10)
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_EN   BIT(13)
#define PM1_STS_WAK      BIT(15)

/* Linux waits up to 3 s for firmware to hand over to ACPI mode. */
#define ACPI_ENABLE_WAIT_MS 3000

#define PCI_RESET_PORT   0xcf9
#define PCI_RESET_SYS    0x02 /* SYS_RST: the next RST_CPU is a full reset */
#define PCI_RESET_CPU    0x04
#define KBC_STATUS       0x64
#define KBC_STATUS_IBF   BIT(1)
#define KBC_CMD_PULSE_RESET 0xfe

static void acpi_enable_mode(const struct acpi_info *ai)
{
	uint64_t ms;

	if ((inw(ai->pm1a_cnt) & PM1_CNT_SCI_EN) || !ai->smi_cmd || !ai->acpi_enable)
		return;
	outb(ai->smi_cmd, ai->acpi_enable);
	for (ms = 0; ms < ACPI_ENABLE_WAIT_MS; ms++) {
		if (inw(ai->pm1a_cnt) & PM1_CNT_SCI_EN)
			return;
		tsc_udelay(1000);
	}
	printk("acpi: firmware did not enable ACPI mode, trying S5 anyway\n");
}

static void pm1_sleep(uint16_t cnt, uint16_t sts, uint8_t slp_typ)
{
	uint16_t v;

	if (!cnt)
		return;
	/* A pending wake event can make the chipset ignore the sleep request. */
	if (sts)
		outw(sts, PM1_STS_WAK);
	v = inw(cnt) & ~(PM1_CNT_SLP_TYP | PM1_CNT_SLP_EN);
	v |= (uint16_t)(slp_typ << PM1_CNT_SLP_TYP_SHIFT) & PM1_CNT_SLP_TYP;
	/* ACPICA writes SLP_TYP first and SLP_EN separately; some chipsets want that. */
	outw(cnt, v);
	outw(cnt, v | PM1_CNT_SLP_EN);
}

void acpi_poweroff(const struct acpi_info *ai)
{
	if (ai && ai->have_s5 && ai->pm1a_cnt) {
		acpi_enable_mode(ai);
		/* Emulators drop bytes still in the UART when the power goes. */
		uart_flush();
		pm1_sleep(ai->pm1a_cnt, ai->pm1a_evt, ai->slp_typa);
		pm1_sleep(ai->pm1b_cnt, ai->pm1b_evt, ai->slp_typb);
		tsc_udelay(1000000);
	}
	printk("acpi: power-off failed, halting\n");
	uart_flush();
	cpu_halt_forever();
}

static void kbc_reset(void)
{
	unsigned spins = 100000;

	while ((inb(KBC_STATUS) & KBC_STATUS_IBF) && --spins)
		tsc_udelay(10);
	outb(KBC_STATUS, KBC_CMD_PULSE_RESET);
}

void acpi_reboot(const struct acpi_info *ai)
{
	uart_flush();
	if (ai && ai->have_reset && ai->reset_reg.space == ACPI_SPACE_IO &&
	    ai->reset_reg.addr <= 0xffff) {
		outb((uint16_t)ai->reset_reg.addr, ai->reset_value);
		tsc_udelay(100000);
	}
	/* The PIIX/ICH reset control register: arm a full reset, then trigger it. */
	outb(PCI_RESET_PORT, PCI_RESET_SYS);
	tsc_udelay(50);
	outb(PCI_RESET_PORT, PCI_RESET_SYS | PCI_RESET_CPU);
	tsc_udelay(100000);
	kbc_reset();
	tsc_udelay(100000);
	printk("acpi: reboot failed, halting\n");
	uart_flush();
	cpu_halt_forever();
}
