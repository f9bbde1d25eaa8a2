/* SPDX-License-Identifier: MIT */
/*
 * The hand-over from any loader to keel_main(). Plain fixed-size C: the
 * gnu-efi loader fills it, Keel reads it; nothing loader-specific leaks in.
 * All addresses are physical; Keel runs identity-mapped.
 */
#ifndef BOOT_BOOT_INFO_H
#define BOOT_BOOT_INFO_H

#include <stdint.h>
#include <boot/config.h>

#define BOOT_INFO_MAGIC   0x544f4f424c45454bULL /* "KEELBOOT" */
#define BOOT_INFO_VERSION 4


enum boot_mem_type {
	BOOT_MEM_USABLE = 1,   /* free RAM Keel may allocate */
	BOOT_MEM_RESERVED,     /* firmware, MMIO, unusable */
	BOOT_MEM_ACPI_RECLAIM, /* ACPI tables: keep until parsed */
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_LOADED,       /* keel.elf, guest images, boot_info */
	BOOT_MEM_BOOT_DATA,    /* firmware boot-services memory: reusable later */
};

struct boot_mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type;
	uint32_t pad;
};

/*
 * A file the loader read for a guest. Guest i (keel.cfg order) has its image
 * in modules[2i] and its firmware (hvm guests) or module (pv guests) in
 * modules[2i + 1], which is empty (size 0) for guests without either. An
 * hvm guest's virtio disk (disk=) is in modules[2n + i], n guests in all.
 */
struct boot_module {
	uint64_t base;
	uint64_t size;
	char     name[CFG_PATH_MAX];
};

struct boot_framebuffer {
	uint64_t base;
	uint32_t width, height, pitch; /* pitch in pixels */
	uint32_t format;               /* 0 none, 1 RGBX, 2 BGRX, 3 the masks below */
	uint32_t red_mask, green_mask, blue_mask, reserved_mask; /* format 3: GOP's PixelBitMask */
};

/*
 * A CPU as UEFI's MP Services protocol listed it (boot/efi/mp.c): the
 * firmware's view, asked before ExitBootServices, for machines whose
 * firmware installs no ACPI MADT (OVMF under Bochs). Keel prefers the MADT.
 */
#define BOOT_CPUS_MAX     64
#define BOOT_CPU_BSP      1u /* the CPU running the loader, and Keel */
#define BOOT_CPU_ENABLED  2u /* the firmware found it usable */

struct boot_cpu {
	uint32_t apic_id;
	uint32_t flags; /* BOOT_CPU_* */
};

/* Pages below 1 MiB the loader reserved for Keel's AP start-up code (arch/x86/smp_boot.S). */
#define BOOT_TRAMPOLINE_PAGES 8

#define BOOT_MEM_MAX     512
#define BOOT_MODULES_MAX (3 * CFG_GUESTS_MAX)

struct boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t nr_mem;
	uint64_t rsdp;   /* physical address of the ACPI RSDP, 0 if none */
	char     loader[16];
	struct boot_framebuffer fb;
	struct keel_config      config;
	uint32_t                nr_modules;
	uint32_t                pad;
	struct boot_module      modules[BOOT_MODULES_MAX];
	struct boot_mem_region  mem[BOOT_MEM_MAX];
	uint64_t                trampoline; /* BOOT_TRAMPOLINE_PAGES below 1 MiB; 0: none */
	uint32_t                nr_cpus;    /* 0: the loader found no MP Services */
	uint32_t                nr_cpus_firmware; /* as the firmware counted, maybe > BOOT_CPUS_MAX */
	struct boot_cpu         cpus[BOOT_CPUS_MAX];
};

#endif
