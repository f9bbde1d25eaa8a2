/* SPDX-License-Identifier: MIT */
/*
 * An hvm guest's RAM layout; see keel/hvm_ram.h. QEMU's pc machine (current
 * machine types) splits at min(max-ram-below-4g, 3 GiB) once the guest has
 * 3.5 GiB or more, and keeps guests below 3.5 GiB whole below 4 GiB. Keel
 * always splits at the limit: the PCI hole is then the same [3 GiB, 4 GiB)
 * for every guest size, and by default it is 1 GiB-aligned so 1 GiB pages
 * in guest and host line up (QEMU's reason for moving its split from
 * 3.5 GiB to 3 GiB, "gigabyte_align"). A limit that is not a multiple of
 * 2 MiB leaves the high part unaligned in the host, so EPT maps it with
 * 4 KiB pages: it works, only more slowly.
 */
#include <keel/hvm_ram.h>

unsigned hvm_ram_layout(uint64_t memory, uint64_t below_4g_max, uint64_t ram_hpa,
			struct vm_mem_region ram[HVM_RAM_REGIONS])
{
	uint64_t low = memory < below_4g_max ? memory : below_4g_max;

	ram[0] = (struct vm_mem_region){ .gpa = 0, .size = low, .hpa = ram_hpa, .writable = true };
	if (low == memory)
		return 1;
	ram[1] = (struct vm_mem_region){ .gpa = HVM_HIGH_RAM_GPA, .size = memory - low,
					 .hpa = ram_hpa + low, .writable = true };
	return 2;
}

unsigned hvm_ram_e820(const struct vm_mem_region *ram, unsigned n, struct fw_cfg_e820_entry *e820)
{
	for (unsigned i = 0; i < n; i++)
		e820[i] = (struct fw_cfg_e820_entry){ .address = ram[i].gpa, .length = ram[i].size,
						      .type = FW_CFG_E820_RAM };
	return n;
}
