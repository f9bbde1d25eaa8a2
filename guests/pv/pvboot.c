/* SPDX-License-Identifier: MIT */
/*
 * pvboot: Keel's PV boot loader, after PV-GRUB. Its module (keel.cfg's
 * module=) is a FAT disk image; it reads /boot/menu.lst (or /menu.lst),
 * picks an entry, and starts that entry's kernel, an ELF64 PV guest, in its
 * own place (pvboot_load.c). Anything it cannot use is refused with a
 * message and an exit status of its own (pvboot.h).
 */
#include <inttypes.h>
#include <keel_pv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "pvboot.h"

void pvboot_fail(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("pvboot: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	exit(status);
}

/* GRUB's order: /boot/menu.lst, then /menu.lst. The text is malloc'd. */
static char *read_menu(const struct fat_volume *v, size_t *len)
{
	static const char *const paths[] = { "/boot/menu.lst", "/menu.lst" };

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct fat_file f;
		char *text;
		int rc = fat_open(v, paths[i], &f);

		if (rc == FAT_E_NOT_FOUND)
			continue;
		if (rc)
			pvboot_fail(PVBOOT_E_NO_MENU, "%s: %s", paths[i], fat_strerror(rc));
		text = malloc(f.size + 1);
		if (!text)
			pvboot_fail(PVBOOT_E_NO_ROOM, "%s: %" PRIu32 " bytes do not fit in memory",
				    paths[i], f.size);
		rc = fat_read(v, &f, text, f.size, len);
		if (rc)
			pvboot_fail(PVBOOT_E_NO_MENU, "%s: %s", paths[i], fat_strerror(rc));
		printf("pvboot: reading %s (%zu bytes)\n", paths[i], *len);
		return text;
	}
	pvboot_fail(PVBOOT_E_NO_MENU, "no /boot/menu.lst or /menu.lst on the disk");
}

/* pvboot takes no arguments: what it boots is menu.lst's business. */
int main(int argc, char **argv)
{
	static struct menu menu; /* about 44 KiB: not on the stack */
	const struct keel_start_info *si = keel_start_info;
	struct fat_volume vol;
	struct menu_error err;
	size_t len;
	char *text;
	int rc;

	(void)argc, (void)argv;
	if (!si->module_start || !si->module_size)
		pvboot_fail(PVBOOT_E_NO_DISK,
			    "no disk image: give this guest one with module= in keel.cfg");
	rc = fat_mount(&vol, (const void *)si->module_start, si->module_size);
	if (rc)
		pvboot_fail(PVBOOT_E_NOT_FAT, "the module is not a FAT disk image: %s",
			    fat_strerror(rc));
	printf("pvboot: FAT%d disk of %" PRIu64 " KiB\n", (int)vol.type, si->module_size / 1024);
	text = read_menu(&vol, &len);
	if (menu_parse(text, len, &menu, &err))
		pvboot_fail(PVBOOT_E_MENU, "%s", err.msg);
	free(text);
	pvboot_boot(&vol, &menu.entries[pvboot_choose(&menu)]);
}
