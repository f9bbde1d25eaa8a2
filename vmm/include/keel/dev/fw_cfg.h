/* SPDX-License-Identifier: MIT */
/*
 * QEMU's firmware configuration device (fw_cfg), traditional I/O-port
 * interface only: a 16-bit selector at 0x510 and an 8-bit data port at
 * 0x511 (QEMU docs/specs/fw_cfg.rst). The ID item reports no DMA, so
 * SeaBIOS reads everything through the data port and never touches the
 * DMA address registers at 0x514-0x51b (left unclaimed).
 *
 * Data passed to fw_cfg_add_bytes/add_file/add_e820/add_bootorder is NOT
 * copied: the caller keeps it alive and unchanged for the VM's lifetime.
 * Integers (fw_cfg_add_int/add_file_int/add_machine/add_sercon_port) are
 * stored inside struct fw_cfg.
 */
#ifndef KEEL_DEV_FW_CFG_H
#define KEEL_DEV_FW_CFG_H

#include <stdint.h>

struct vm;

#define FW_CFG_PORT_SEL  0x510
#define FW_CFG_PORT_DATA 0x511

/* Item keys (fw_cfg.rst, "Selector (Control) Register" and the key table). */
#define FW_CFG_SIGNATURE  0x0000 /* "QEMU" */
#define FW_CFG_ID         0x0001 /* le32 feature bits */
#define FW_CFG_UUID       0x0002
#define FW_CFG_RAM_SIZE   0x0003 /* le64 */
#define FW_CFG_NOGRAPHIC  0x0004 /* le16 */
#define FW_CFG_NB_CPUS    0x0005 /* le16 */
#define FW_CFG_BOOT_MENU  0x000e /* le16 */
#define FW_CFG_MAX_CPUS   0x000f /* le16 */
#define FW_CFG_FILE_DIR   0x0019
#define FW_CFG_FILE_FIRST 0x0020
#define FW_CFG_WRITE_CHANNEL 0x4000
#define FW_CFG_ARCH_LOCAL 0x8000

#define FW_CFG_ID_TRADITIONAL 0x1 /* bit 1 (DMA) stays clear */

#define FW_CFG_NAME_MAX   56 /* a file name, its NUL included */
#define FW_CFG_FILES_MAX  32
#define FW_CFG_ITEMS_MAX  16 /* legacy keys, SIGNATURE and ID included */

/* One FILE_DIR entry as the guest reads it: all fields big-endian. */
#define FW_CFG_DIR_ENTRY_SIZE 64

/* An etc/e820 entry, little-endian like SeaBIOS's struct e820_reservation. */
struct fw_cfg_e820_entry {
	uint64_t address;
	uint64_t length;
	uint32_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct fw_cfg_e820_entry) == 20, "etc/e820 entries are 20 bytes");

#define FW_CFG_E820_RAM      1
#define FW_CFG_E820_RESERVED 2 /* SeaBIOS (1.16) takes only RAM and RESERVED */

struct fw_cfg_blob {
	const uint8_t *data; /* NULL: the bytes are in small[] */
	uint32_t len;
	uint8_t small[8];
};

struct fw_cfg {
	uint16_t sel;
	uint32_t off;
	unsigned nr_items, nr_files;
	struct {
		uint16_t key;
		struct fw_cfg_blob blob;
	} items[FW_CFG_ITEMS_MAX];
	struct {
		char name[FW_CFG_NAME_MAX];
		struct fw_cfg_blob blob;
	} files[FW_CFG_FILES_MAX]; /* files[i] has selector FW_CFG_FILE_FIRST + i */
};

/* Empty but for SIGNATURE and ID. */
void fw_cfg_init(struct fw_cfg *f);
/* Ports 0x510-0x511. */
int fw_cfg_register(struct vm *vm, struct fw_cfg *f);

/*
 * Legacy keys: 0x0000-0x001f and their ARCH_LOCAL twins 0x8000-0x801f, not
 * FILE_DIR. -EINVAL for another key, -EEXIST if present, -ENOSPC when full.
 */
int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len);
int fw_cfg_add_int(struct fw_cfg *f, uint16_t key, uint64_t value, unsigned size);

/*
 * Files: the name is 1-55 characters. -EINVAL for a bad name or size,
 * -EEXIST for a duplicate name, -ENOSPC after FW_CFG_FILES_MAX files.
 * Selectors are given out in the order files are added.
 */
int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len);
/* An integer file as SeaBIOS's romfile_loadint() reads it: size 1, 2, 4 or 8, little-endian. */
int fw_cfg_add_file_int(struct fw_cfg *f, const char *name, uint64_t value, unsigned size);

/* What SeaBIOS reads. */
int fw_cfg_add_machine(struct fw_cfg *f, uint64_t ram_size, uint16_t nb_cpus, uint16_t max_cpus);
int fw_cfg_add_e820(struct fw_cfg *f, const struct fw_cfg_e820_entry *map, unsigned n);
int fw_cfg_add_sercon_port(struct fw_cfg *f, uint16_t port); /* etc/sercon-port, le16 */
/* "bootorder": device paths, one a line; the NUL is included as QEMU does; "" adds nothing. */
int fw_cfg_add_bootorder(struct fw_cfg *f, const char *paths);

#endif
