/* SPDX-License-Identifier: MIT */
/* PCI configuration mechanism #1 (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
#include <drivers/pci.h>
#include <arch/io.h>

uint32_t pci_cfg_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg)
{
	outl(0xcf8, 0x80000000u | bus << 16 | dev << 11 | fn << 8 | (reg & 0xfc));
	return inl(0xcfc);
}
