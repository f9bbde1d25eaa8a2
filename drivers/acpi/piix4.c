/* SPDX-License-Identifier: MIT */
/*
 * Power management without ACPI tables. OVMF running under Bochs installs
 * no ACPI tables at all, yet the PIIX4 power-management function is there
 * and programmed. Its I/O base is in config register 0x40 (PMBA), enabled
 * by bit 0 of 0x80 (PMREGMISC); PM1 control is at +4, the PM timer at +8,
 * and sleep type 0 is soft-off (Intel 82371AB PIIX4 datasheet, 7.2 and 11.1).
 */
#include <drivers/acpi.h>
#include <drivers/pci.h>

#define PIIX4_PM_ID   0x71138086u /* device 7113, vendor 8086 */
#define PIIX4_PM_DEV  1
#define PIIX4_PM_FN   3
#define PIIX4_PMBA    0x40
#define PIIX4_PMMISC  0x80

bool acpi_piix4_fallback(struct acpi_info *ai)
{
	uint32_t base;

	if (pci_cfg_read32(0, PIIX4_PM_DEV, PIIX4_PM_FN, 0) != PIIX4_PM_ID)
		return false;
	if (!(pci_cfg_read32(0, PIIX4_PM_DEV, PIIX4_PM_FN, PIIX4_PMMISC) & 1))
		return false;
	base = pci_cfg_read32(0, PIIX4_PM_DEV, PIIX4_PM_FN, PIIX4_PMBA) & 0xffc0;
	if (!base)
		return false;
	ai->pm1a_evt = (uint16_t)base;
	ai->pm1a_cnt = (uint16_t)(base + 4);
	ai->pm_tmr = (uint16_t)(base + 8);
	ai->pm_tmr_32bit = false;
	ai->have_s5 = true;
	ai->slp_typa = 0;
	ai->slp_typb = 0;
	return true;
}
