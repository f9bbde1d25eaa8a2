/* SPDX-License-Identifier: MIT */
/*
 * pvboot's menu: printed on the console, with the default entry marked.
 * During menu.lst's timeout a digit typed on Keel's console picks that
 * entry and Enter boots the default at once; without a timeout the default
 * boots straight away, since a PV guest may well have nobody at its console.
 */
#include <keel_pv.h>
#include <stdio.h>

#include "pvboot.h"

#define NS_PER_SEC 1000000000ULL

/* The entry a typed key chooses, or MENU_NONE if it chooses none. */
static uint32_t key_choice(const struct menu *m, char c)
{
	if (c == '\r' || c == '\n')
		return m->default_entry;
	if (c >= '0' && c <= '9' && (uint32_t)(c - '0') < m->nr_entries)
		return (uint32_t)(c - '0');
	return MENU_NONE;
}

/* Polls the console until a key chooses an entry or the timeout passes. */
static uint32_t wait_for_key(const struct menu *m)
{
	uint64_t deadline = keel_time_ns() + m->timeout * NS_PER_SEC;
	char keys[16];

	printf("pvboot: booting entry %u in %u s; type its number to choose another, Enter to "
	       "boot now\n", m->default_entry, m->timeout);
	while (keel_time_ns() < deadline) {
		long n = keel_hcall(KEEL_HC_CONSOLE_READ, (long)keys, sizeof(keys), 0);

		for (long i = 0; i < n; i++) {
			uint32_t e = key_choice(m, keys[i]);

			if (e != MENU_NONE)
				return e;
		}
		keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
	}
	return m->default_entry;
}

uint32_t pvboot_choose(const struct menu *m)
{
	uint32_t e;

	for (uint32_t i = 0; i < m->nr_entries; i++)
		printf("pvboot: %c %2u  %s\n", i == m->default_entry ? '*' : ' ', i,
		       m->entries[i].title);
	e = m->timeout && m->timeout != MENU_NONE ? wait_for_key(m) : m->default_entry;
	printf("pvboot: booting entry %u, '%s'\n", e, m->entries[e].title);
	return e;
}
