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

/*
 * The boot menu: lists the configs in KEEL_DIR (keel.cfg first, the
 * default), counts down the default's menu timeout and boots what a digit
 * picks, or the default on Enter or at the end. One config: no menu. Writes
 * the chosen file's name (relative to KEEL_DIR) to name[0..max).
 */
void menu_choose(EFI_FILE_HANDLE root, char *name, UINTN max);

/* The menu's console: ConOut, and `port` when the firmware's is not on a serial port. */
void con_init(uint16_t port, uint32_t baud);
void con_print(const CHAR16 *fmt, ...);
/* A typed character (EFI scan codes as 0x100 + code), or -1 if none is waiting. */
int con_key(void);

/* The CPUs from MP Services and pages below 1 MiB for Keel's AP start-up (mp.c). */
void mp_gather(struct boot_info *bi);

/* Final memory map, ExitBootServices (retried on a stale key), then convert. */
EFI_STATUS memmap_exit_boot(EFI_HANDLE image, struct boot_info *bi);

#endif
