/* SPDX-License-Identifier: MIT */
/*
 * Where an hvm guest's RAM sits in guest-physical space, as on QEMU's "pc"
 * machine: up to a limit (keel.cfg ram-below-4g, default 3 GiB) at GPA 0,
 * the rest at 4 GiB. Between them is the PCI hole, where the PCI BARs, the
 * IOAPIC (0xfec00000), the LAPIC (0xfee00000) and the firmware (just below
 * 4 GiB) live. The host RAM stays one allocation: the high part follows the
 * low part. etc/e820 and the CMOS sizes are made from the same regions.
 */
#ifndef KEEL_HVM_RAM_H
#define KEEL_HVM_RAM_H

#include <stdint.h>
#include <keel/dev/fw_cfg.h>
#include <keel/vm.h>

#define HVM_RAM_REGIONS  2
#define HVM_HIGH_RAM_GPA 0x100000000ULL

/* memory bytes of RAM at host ram_hpa as guest regions, in GPA order; returns 1 or 2. */
unsigned hvm_ram_layout(uint64_t memory, uint64_t below_4g_max, uint64_t ram_hpa,
			struct vm_mem_region ram[HVM_RAM_REGIONS]);
/* One etc/e820 RAM entry per region; returns n. */
unsigned hvm_ram_e820(const struct vm_mem_region *ram, unsigned n, struct fw_cfg_e820_entry *e820);

#endif
