/* SPDX-License-Identifier: MIT */
/* The last steps before Keel: the final memory map and ExitBootServices. */
#include "loader.h"

static uint32_t mem_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
		return BOOT_MEM_USABLE;
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_BOOT_DATA;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_LOADED;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* No boot services may be called here: the map is already final. */
static void convert(struct boot_info *bi, const UINT8 *map, UINTN size, UINTN desc_size)
{
	struct boot_mem_region *last = NULL;
	UINTN off;

	bi->nr_mem = 0;
	for (off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);
		uint32_t type = mem_type(d->Type);
		uint64_t len = d->NumberOfPages * EFI_PAGE_SIZE;

		if (last && last->type == type && last->base + last->size == d->PhysicalStart) {
			last->size += len;
			continue;
		}
		if (bi->nr_mem == BOOT_MEM_MAX)
			break; /* Keel reports a truncated map by its count */
		last = &bi->mem[bi->nr_mem++];
		last->base = d->PhysicalStart;
		last->size = len;
		last->type = type;
	}
}

EFI_STATUS memmap_exit_boot(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN size = 0, key, desc_size, cap;
	UINT32 desc_ver;
	EFI_STATUS st;
	UINT8 *map;
	int tries;

	uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &desc_ver);
	/* Allocating the buffer can itself split a region: leave slack. */
	cap = size + 16 * desc_size;
	map = AllocatePool(cap);
	if (!map)
		return EFI_OUT_OF_RESOURCES;
	for (tries = 0; tries < 8; tries++) {
		size = cap;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
				       &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			return st;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st)) {
			convert(bi, map, size, desc_size);
			return EFI_SUCCESS;
		}
		/* EFI_INVALID_PARAMETER: the map changed under us; fetch it again. */
		if (st != EFI_INVALID_PARAMETER)
			return st;
	}
	return st;
}
