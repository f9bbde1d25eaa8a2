/* SPDX-License-Identifier: MIT */
/*
 * A GRUB-legacy menu.lst parser for the PV boot loader (docs/pv-loader.md).
 *
 *   default 0
 *   timeout=5            (keyword=value works too; '#' only starts whole lines)
 *   title Debian
 *     root (hd0,0)
 *     kernel /boot/vmlinuz root=/dev/xvda1 ro
 *     initrd /boot/initrd.img
 *     module /boot/mod.bin arg
 *
 * Portable C11 calling only <string.h>: it links into the loader guest and
 * into host unit tests. Every limit is fixed, so struct menu needs no
 * allocation (about 44 KiB: keep it static, not on a small guest stack).
 */
#ifndef PV_LOADER_MENU_LST_H
#define PV_LOADER_MENU_LST_H

#include <stddef.h>
#include <stdint.h>

#define MENU_ENTRIES_MAX 16
#define MENU_MODULES_MAX 4
#define MENU_LINE_MAX    511 /* characters, without the line end */
#define MENU_TITLE_MAX   64  /* sizes below include the NUL */
#define MENU_ROOT_MAX    16
#define MENU_PATH_MAX    128
#define MENU_ARGS_MAX    384
#define MENU_TIMEOUT_MAX 3600 /* seconds */
#define MENU_NONE        UINT32_MAX

struct menu_module {
	char path[MENU_PATH_MAX]; /* absolute, on the boot volume */
	char args[MENU_ARGS_MAX]; /* text after the path, may be "" */
};

struct menu_entry {
	char     title[MENU_TITLE_MAX];
	char     root[MENU_ROOT_MAX];     /* "(hd0,0)" as written, or "" */
	char     kernel[MENU_PATH_MAX];
	char     cmdline[MENU_ARGS_MAX];  /* kernel line after the path */
	char     initrd[MENU_PATH_MAX];   /* "" when none */
	uint32_t nr_modules;
	struct menu_module modules[MENU_MODULES_MAX];
};

struct menu {
	uint32_t nr_entries;      /* at least 1 after a successful parse */
	uint32_t default_entry;   /* < nr_entries; 0 unless `default` */
	uint32_t fallback_entry;  /* < nr_entries, or MENU_NONE */
	uint32_t timeout;         /* seconds, or MENU_NONE: wait for a choice */
	struct menu_entry entries[MENU_ENTRIES_MAX];
};

struct menu_error {
	uint32_t line;  /* 1-based line at fault, 0 for the whole file */
	char     msg[96]; /* "menu.lst:4: kernel outside a title" */
};

/*
 * Parse text[0..len). Returns 0, or -1 with err filled in; *m is fully
 * initialised either way.
 */
int menu_parse(const char *text, size_t len, struct menu *m, struct menu_error *err);

#endif
