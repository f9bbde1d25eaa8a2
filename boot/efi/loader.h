/* SPDX-License-Identifier: MIT */
/* Private interfaces of the gnu-efi loader; no EFI type leaves boot/. */
#ifndef BOOT_EFI_LOADER_H
#define BOOT_EFI_LOADER_H

#include <efi.h>
#include <efilib.h>
#include <boot/boot_info.h>

/* Directory on the ESP holding keel.cfg, keel.elf and the guest images. */
#define KEEL_DIR L"\\keel\\"

/* Read KEEL_DIR name (ASCII) into pool memory. Prints the reason on failure. */
EFI_STATUS file_read(EFI_FILE_HANDLE root, const char *name, void **data, UINTN *size);

/* Copy the file into pages of its own (EfiLoaderData) and record a module. */
EFI_STATUS file_load_module(EFI_FILE_HANDLE root, const char *name, struct boot_module *mod);

/* Final memory map, ExitBootServices (retried on a stale key), then convert. */
EFI_STATUS memmap_exit_boot(EFI_HANDLE image, struct boot_info *bi);

#endif
