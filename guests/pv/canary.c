/* SPDX-License-Identifier: MIT */
/*
 * canary: the guest the hostile ones must not touch. It fills most of its
 * RAM with a pattern made from each word's address, prints "canary:
 * armed", sleeps on its timer in 20 ms steps for ms=N milliseconds of its
 * system time (long enough for the hostile guests beside it to run and
 * end: the system test checks that they stopped before its report), then
 * checks every word, its hypercall page and its start info, and prints how
 * many words changed. The exit status is 1 if anything did.
 */
#include <keel_pv.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STEP_NS 20000000ULL
#define KEEP_FREE (256 * 1024) /* heap left to newlib (stdio buffers) */

static uint8_t page_copy[4096];
static struct keel_start_info si_copy;

/* Each word's expected value: its address, mixed (Fibonacci hashing) and salted. */
static uint64_t pattern(uint64_t addr)
{
	return addr * 0x9e3779b97f4a7c15ULL ^ 0x6b65656c63616e61ULL;
}

static uint64_t arg_ms(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "ms=", 3))
			return strtoull(argv[i] + 3, NULL, 0);
	return 5000;
}

int main(int argc, char **argv)
{
	uint64_t ms = arg_ms(argc, argv), size, t0, ticks = 0, changed = 0, first = 0;
	volatile uint64_t *w;
	uintptr_t base;
	bool page, si;

	printf("canary: domain %u, %lu KiB of RAM\n", keel_start_info->domid,
	       (unsigned long)(keel_start_info->ram_size / 1024));
	size = (keel_start_info->heap_end - keel_start_info->heap_start - KEEP_FREE) & ~4095ULL;
	base = keel_heap_reserve_top(size);
	if (!base)
		return 2;
	w = (volatile uint64_t *)base;
	for (uint64_t i = 0; i < size / 8; i++)
		w[i] = pattern(base + 8 * i);
	memcpy(page_copy, (const void *)keel_start_info->hypercall_page, sizeof(page_copy));
	memcpy(&si_copy, keel_start_info, sizeof(si_copy));
	printf("canary: armed: %lu words at 0x%lx-0x%lx, sleeping %lu ms\n",
	       (unsigned long)(size / 8), (unsigned long)base, (unsigned long)(base + size),
	       (unsigned long)ms);

	t0 = keel_time_ns();
	while (keel_time_ns() - t0 < ms * 1000000ULL) {
		keel_hcall(KEEL_HC_SET_TIMER, (long)(keel_time_ns() + STEP_NS), 0, 0);
		keel_wait_event(KEEL_PORT_TIMER);
		ticks++;
	}

	for (uint64_t i = 0; i < size / 8; i++) {
		if (w[i] == pattern(base + 8 * i))
			continue;
		if (!changed++)
			first = i;
	}
	page = !memcmp(page_copy, (const void *)keel_start_info->hypercall_page, sizeof(page_copy));
	si = !memcmp(&si_copy, keel_start_info, sizeof(si_copy));
	printf("canary: woke %lu times in %lu ms\n", (unsigned long)ticks,
	       (unsigned long)((keel_time_ns() - t0) / 1000000));
	if (changed)
		printf("canary: first changed word at 0x%lx: 0x%lx, want 0x%lx\n",
		       (unsigned long)(base + 8 * first), (unsigned long)w[first],
		       (unsigned long)pattern(base + 8 * first));
	printf("canary: hypercall page %s, start info %s\n", page ? "intact" : "CHANGED",
	       si ? "intact" : "CHANGED");
	printf("canary: %lu words intact, %lu changed\n", (unsigned long)(size / 8 - changed),
	       (unsigned long)changed);
	return changed || !page || !si;
}
