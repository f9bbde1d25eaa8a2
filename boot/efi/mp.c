/* SPDX-License-Identifier: MIT */
/*
 * What Keel needs to start the other CPUs, gathered while boot services
 * still run: the CPUs as UEFI's MP Services protocol lists them (UEFI PI
 * spec Vol. 2, EFI_MP_SERVICES_PROTOCOL), for firmware that installs no
 * ACPI MADT (OVMF under Bochs), and pages below 1 MiB for the real-mode
 * code an AP starts in (a SIPI vector names a page below 1 MiB: SDM 3A
 * 8.4.4.1). gnu-efi does not define the protocol: the few members used here
 * are declared below, in the PI spec's order.
 */
#include "loader.h"

#define MP_STATUS_BSP     0x1u /* PROCESSOR_AS_BSP_BIT */
#define MP_STATUS_ENABLED 0x2u /* PROCESSOR_ENABLED_BIT */

struct mp_cpu_info {
	UINT64 processor_id; /* the local APIC ID */
	UINT32 status_flag;
	UINT32 package, core, thread;
	UINT8  extended[64]; /* PI 1.7's extended topology: only with bit 24 of the number */
};

struct mp_services {
	EFI_STATUS(EFIAPI *get_number_of_processors)(struct mp_services *self, UINTN *nr,
						     UINTN *nr_enabled);
	EFI_STATUS(EFIAPI *get_processor_info)(struct mp_services *self, UINTN nr,
					       struct mp_cpu_info *info);
	void *startup_all_aps, *startup_this_ap, *switch_bsp, *enable_disable_ap, *who_am_i;
};

static EFI_GUID mp_services_guid = { 0x3fdda605, 0xa76e, 0x4f46,
				     { 0xad, 0x29, 0x12, 0xf4, 0x53, 0x1b, 0x3d, 0x08 } };

static void list_cpus(struct boot_info *bi)
{
	struct mp_services *mp;
	UINTN nr, nr_enabled;

	if (LibLocateProtocol(&mp_services_guid, (void **)&mp) != EFI_SUCCESS || !mp) {
		Print(L"keel-loader: no MP Services protocol: Keel relies on ACPI for the CPUs\r\n");
		return;
	}
	if (EFI_ERROR(uefi_call_wrapper(mp->get_number_of_processors, 3, mp, &nr, &nr_enabled)))
		return;
	bi->nr_cpus_firmware = (uint32_t)nr;
	for (UINTN i = 0; i < nr && bi->nr_cpus < BOOT_CPUS_MAX; i++) {
		struct mp_cpu_info info;
		struct boot_cpu *c = &bi->cpus[bi->nr_cpus];

		SetMem(&info, sizeof(info), 0);
		if (EFI_ERROR(uefi_call_wrapper(mp->get_processor_info, 3, mp, i, &info)))
			continue;
		c->apic_id = (uint32_t)info.processor_id;
		c->flags = (info.status_flag & MP_STATUS_BSP ? BOOT_CPU_BSP : 0) |
			   (info.status_flag & MP_STATUS_ENABLED ? BOOT_CPU_ENABLED : 0);
		bi->nr_cpus++;
	}
	Print(L"keel-loader: MP Services: %lu CPU(s), %lu enabled\r\n", nr, nr_enabled);
}

/*
 * Loader data below 1 MiB, which Keel's frame allocator never hands out
 * (vmm/main.c). Not page 0: Keel leaves it unmapped to catch NULL.
 */
static void reserve_trampoline(struct boot_info *bi)
{
	for (int tries = 0; tries < 2; tries++) {
		EFI_PHYSICAL_ADDRESS addr = 0xfffff;

		if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress,
						EfiLoaderData, BOOT_TRAMPOLINE_PAGES, &addr))) {
			Print(L"keel-loader: no free memory below 1 MiB: Keel runs on one CPU\r\n");
			return;
		}
		if (addr) {
			bi->trampoline = addr;
			return;
		}
	}
}

void mp_gather(struct boot_info *bi)
{
	list_cpus(bi);
	reserve_trampoline(bi);
}
