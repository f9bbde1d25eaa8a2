/* SPDX-License-Identifier: MIT */
/*
 * BOOTX64.EFI: reads \keel\keel.cfg (or another \keel\*.cfg picked in the
 * boot menu), loads \keel\keel.elf by its program headers and every guest
 * image the config names, gathers what Keel needs from the firmware into a
 * struct boot_info, leaves boot services and jumps to Keel. Any problem before ExitBootServices is reported (the
 * firmware mirrors its console to serial) and we return to the firmware.
 */
#include "loader.h"
#include <boot/elf64.h>

typedef void keel_entry_fn(struct boot_info *bi);

static EFI_STATUS load_keel(EFI_FILE_HANDLE root, uint64_t *entry)
{
	struct elf64_image img;
	EFI_PHYSICAL_ADDRESS base;
	uint64_t delta;
	EFI_STATUS st;
	char err[96];
	UINTN size, pages;
	void *data;
	unsigned i;

	st = file_read(root, "keel.elf", &data, &size);
	if (EFI_ERROR(st))
		return st;
	if (elf64_check(data, size, &img, err, sizeof(err))) {
		Print(L"keel-loader: keel.elf: %a\r\n", err);
		FreePool(data);
		return EFI_LOAD_ERROR;
	}
	/*
	 * A relocatable (PIE) Keel goes wherever there is room below 4 GiB; it
	 * relocates itself. A fixed-address one must get exactly its addresses.
	 */
	base = img.lowest & ~(uint64_t)EFI_PAGE_MASK;
	pages = EFI_SIZE_TO_PAGES(img.highest - base);
	if (img.relocatable) {
		base = 0xffffffff;
		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
				       pages, &base);
		delta = base - (img.lowest & ~(uint64_t)EFI_PAGE_MASK);
	} else {
		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData, pages,
				       &base);
		delta = 0;
	}
	if (EFI_ERROR(st)) {
		Print(L"keel-loader: keel.elf: no memory for 0x%lx bytes at 0x%lx: %r\r\n",
		      pages * EFI_PAGE_SIZE, base, st);
		FreePool(data);
		return st;
	}
	for (i = 0; i < img.nr_segs; i++) {
		const struct elf64_seg *s = &img.segs[i];
		UINT8 *dst = (UINT8 *)(s->addr + delta);

		CopyMem(dst, (UINT8 *)data + s->file_off, s->file_size);
		SetMem(dst + s->file_size, s->mem_size - s->file_size, 0);
	}
	FreePool(data);
	*entry = img.entry + delta;
	return EFI_SUCCESS;
}

static EFI_STATUS load_config(EFI_FILE_HANDLE root, const char *name, struct keel_config *cfg)
{
	struct cfg_error err;
	EFI_STATUS st;
	UINTN size;
	void *text;

	st = file_read(root, name, &text, &size);
	if (EFI_ERROR(st))
		return st;
	if (config_parse(text, size, cfg, &err)) {
		Print(L"keel-loader: %a:%u: %a\r\n", name, err.line, err.msg);
		FreePool(text);
		return EFI_LOAD_ERROR;
	}
	FreePool(text);
	return EFI_SUCCESS;
}

static void *config_table(EFI_GUID guid)
{
	UINTN i;

	for (i = 0; i < ST->NumberOfTableEntries; i++)
		if (!CompareMem(&ST->ConfigurationTable[i].VendorGuid, &guid, sizeof(guid)))
			return ST->ConfigurationTable[i].VendorTable;
	return NULL;
}

static void find_firmware_tables(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	void *rsdp;

	rsdp = config_table((EFI_GUID)ACPI_20_TABLE_GUID);
	if (!rsdp)
		rsdp = config_table((EFI_GUID)ACPI_TABLE_GUID);
	bi->rsdp = (uint64_t)rsdp;

	if (LibLocateProtocol(&GraphicsOutputProtocol, (void **)&gop) == EFI_SUCCESS && gop &&
	    gop->Mode && gop->Mode->Info) {
		EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *mi = gop->Mode->Info;

		bi->fb.base = gop->Mode->FrameBufferBase;
		bi->fb.width = mi->HorizontalResolution;
		bi->fb.height = mi->VerticalResolution;
		bi->fb.pitch = mi->PixelsPerScanLine;
		bi->fb.format = mi->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ? 1 :
				mi->PixelFormat == PixelBlueGreenRedReserved8BitPerColor ? 2 : 0;
		if (mi->PixelFormat == PixelBitMask) {
			bi->fb.format = 3;
			bi->fb.red_mask = mi->PixelInformation.RedMask;
			bi->fb.green_mask = mi->PixelInformation.GreenMask;
			bi->fb.blue_mask = mi->PixelInformation.BlueMask;
			bi->fb.reserved_mask = mi->PixelInformation.ReservedMask;
		}
	}
}

static struct boot_info *alloc_boot_info(void)
{
	EFI_PHYSICAL_ADDRESS addr;

	if (EFI_ERROR(uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
					EFI_SIZE_TO_PAGES(sizeof(struct boot_info)), &addr)))
		return NULL;
	SetMem((void *)addr, sizeof(struct boot_info), 0);
	return (struct boot_info *)addr;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	char cfg_name[CFG_PATH_MAX];
	EFI_LOADED_IMAGE *li;
	EFI_FILE_HANDLE root;
	struct boot_info *bi;
	uint64_t entry;
	EFI_STATUS st;
	unsigned i;

	InitializeLib(image, systab);
	Print(L"keel-loader: starting\r\n");
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st) || !(root = LibOpenRoot(li->DeviceHandle))) {
		Print(L"keel-loader: cannot open the boot volume\r\n");
		return EFI_LOAD_ERROR;
	}
	bi = alloc_boot_info();
	if (!bi)
		return EFI_OUT_OF_RESOURCES;
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	CopyMem(bi->loader, "uefi", 5);

	menu_choose(root, cfg_name, sizeof(cfg_name));
	st = load_config(root, cfg_name, &bi->config);
	if (EFI_ERROR(st))
		return st;
	st = load_keel(root, &entry);
	if (EFI_ERROR(st))
		return st;
	for (i = 0; i < bi->config.nr_guests; i++) {
		const struct cfg_guest *g = &bi->config.guests[i];

		st = file_load_module(root, g->image, &bi->modules[2 * i]);
		/* The second file: an hvm guest's firmware, or a pv guest's module. */
		if (!EFI_ERROR(st) && (g->firmware[0] || g->module[0]))
			st = file_load_module(root, g->firmware[0] ? g->firmware : g->module,
					      &bi->modules[2 * i + 1]);
		/* The third: an hvm guest's virtio disk, after every guest's first two. */
		if (!EFI_ERROR(st) && g->disk[0])
			st = file_load_module(root, g->disk,
					      &bi->modules[2 * bi->config.nr_guests + i]);
		if (EFI_ERROR(st)) {
			Print(L"keel-loader: %a: guest '%a' not loaded\r\n", cfg_name, g->name);
			return st;
		}
	}
	bi->nr_modules = 3 * bi->config.nr_guests;
	find_firmware_tables(bi);
	mp_gather(bi);
	Print(L"keel-loader: keel.elf entry 0x%lx, %u guest image(s), RSDP 0x%lx\r\n", entry,
	      bi->nr_modules, bi->rsdp);

	st = memmap_exit_boot(image, bi);
	if (EFI_ERROR(st)) {
		Print(L"keel-loader: ExitBootServices failed: %r\r\n", st);
		return st;
	}
	((keel_entry_fn *)entry)(bi);
	for (;;)
		__asm__ volatile("cli; hlt");
}
