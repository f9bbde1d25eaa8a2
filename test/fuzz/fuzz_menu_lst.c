/* SPDX-License-Identifier: MIT */
/*
 * menu.lst as the PV boot loader reads it (guests/pv/loader/menu_lst.c): any
 * text. An accepted menu must be one pvboot can boot without more checks:
 * indices in range, every string terminated, paths absolute.
 */
#include <string.h>

#include "fuzz.h"
#include "menu_lst.h"

static bool terminated(const char *s, size_t cap)
{
	return strnlen(s, cap) < cap;
}

static bool path_ok(const char *s, size_t cap, bool may_be_empty)
{
	return terminated(s, cap) && (s[0] == '/' || (may_be_empty && !s[0]));
}

static void check_entry(const struct menu_entry *e)
{
	FUZZ_CHECK(e->title[0] && terminated(e->title, sizeof(e->title)), "an entry has a title");
	FUZZ_CHECK(terminated(e->root, sizeof(e->root)) && (!e->root[0] || e->root[0] == '('),
		   "root is empty or a (device)");
	FUZZ_CHECK(path_ok(e->kernel, sizeof(e->kernel), false), "an entry has an absolute kernel");
	FUZZ_CHECK(terminated(e->cmdline, sizeof(e->cmdline)), "the command line is terminated");
	FUZZ_CHECK(path_ok(e->initrd, sizeof(e->initrd), true), "initrd is empty or absolute");
	FUZZ_CHECK(e->nr_modules <= MENU_MODULES_MAX, "at most MENU_MODULES_MAX modules");
	for (uint32_t i = 0; i < e->nr_modules; i++)
		FUZZ_CHECK(path_ok(e->modules[i].path, sizeof(e->modules[i].path), false) &&
			   terminated(e->modules[i].args, sizeof(e->modules[i].args)),
			   "a module has an absolute path and terminated arguments");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct menu m;
	struct menu_error err;
	uint32_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	memset(&err, 'x', sizeof(err));
	if (menu_parse((const char *)data, size, &m, &err)) {
		FUZZ_CHECK(err.msg[0] && terminated(err.msg, sizeof(err.msg)),
			   "a refusal says why, in a terminated message");
		FUZZ_CHECK(err.line <= lines, "a refusal names a line of the file");
		FUZZ_CHECK(m.nr_entries <= MENU_ENTRIES_MAX, "a refused menu is still initialised");
		return 0;
	}
	FUZZ_CHECK(m.nr_entries >= 1 && m.nr_entries <= MENU_ENTRIES_MAX, "1..16 entries");
	FUZZ_CHECK(m.default_entry < m.nr_entries, "the default entry exists");
	FUZZ_CHECK(m.fallback_entry == MENU_NONE || m.fallback_entry < m.nr_entries,
		   "the fallback entry exists");
	FUZZ_CHECK(m.timeout == MENU_NONE || m.timeout <= MENU_TIMEOUT_MAX, "timeout in range");
	for (uint32_t i = 0; i < m.nr_entries; i++)
		check_entry(&m.entries[i]);
	return 0;
}
