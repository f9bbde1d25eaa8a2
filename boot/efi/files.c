/* SPDX-License-Identifier: MIT */
/* Reading files from the ESP the loader was started from. */
#include "loader.h"

static void ascii_to_path(const char *name, CHAR16 *out, UINTN max)
{
	const CHAR16 *dir = KEEL_DIR;
	UINTN i = 0;

	while (*dir && i < max - 1)
		out[i++] = *dir++;
	for (; *name && i < max - 1; name++)
		out[i++] = *name == '/' ? L'\\' : (CHAR16)*name;
	out[i] = 0;
}

EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *name, void **data, UINTN *size)
{
	CHAR16 path[160];
	EFI_FILE_HANDLE fh;
	EFI_FILE_INFO *info;
	EFI_STATUS st;
	UINTN len;

	ascii_to_path(name, path, sizeof(path) / sizeof(path[0]));
	st = uefi_call_wrapper(root->Open, 5, root, &fh, path, EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(st)) {
		Print(L"keel-loader: cannot open %s: %r\r\n", path, st);
		return st;
	}
	info = LibFileInfo(fh);
	if (!info) {
		Print(L"keel-loader: cannot stat %s\r\n", path);
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_LOAD_ERROR;
	}
	len = info->FileSize;
	FreePool(info);
	*data = AllocatePool(len ? len : 1);
	if (!*data) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_OUT_OF_RESOURCES;
	}
	*size = len;
	st = uefi_call_wrapper(fh->Read, 3, fh, size, *data);
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st) || *size != len) {
		Print(L"keel-loader: cannot read %s: %r\r\n", path, st);
		FreePool(*data);
		return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
	}
	return EFI_SUCCESS;
}

EFI_STATUS file_load_module(EFI_FILE_HANDLE root, const char *name, struct boot_module *mod)
{
	EFI_PHYSICAL_ADDRESS pages;
	EFI_STATUS st;
	void *data;
	UINTN size, i;

	st = file_read(root, name, &data, &size);
	if (EFI_ERROR(st))
		return st;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(size ? size : 1), &pages);
	if (EFI_ERROR(st)) {
		Print(L"keel-loader: no memory for %a (%lu bytes): %r\r\n", name, size, st);
		FreePool(data);
		return st;
	}
	CopyMem((void *)pages, data, size);
	FreePool(data);
	mod->base = pages;
	mod->size = size;
	for (i = 0; name[i] && i < sizeof(mod->name) - 1; i++)
		mod->name[i] = name[i];
	mod->name[i] = 0;
	return EFI_SUCCESS;
}
