/* SPDX-License-Identifier: MIT */
/*
 * pvidle: a guest that blocks, so Keel has nothing to run and idles. It
 * sleeps on its timer for ms=N milliseconds (default 2000) in one BLOCK
 * and says how late the timer event came. With "read" it then waits for a
 * line typed on the console the idle-friendly way: CONSOLE_READ every
 * 10 ms, blocked on its timer in between. Ends with status 0, or 1 if its
 * timer event came before the deadline.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLL_NS 10000000ULL

static uint64_t sleep_until(uint64_t deadline)
{
	keel_hcall(KEEL_HC_SET_TIMER, (long)deadline, 0, 0);
	keel_wait_event(KEEL_PORT_TIMER);
	return keel_time_ns();
}

static void read_line(void)
{
	char line[64], c;
	unsigned len = 0, polls = 0;

	printf("pvidle: type a line\n");
	for (;;) {
		while (keel_hcall(KEEL_HC_CONSOLE_READ, (long)&c, 1, 0) == 1) {
			if (c == '\r' || c == '\n') {
				line[len] = '\0';
				printf("pvidle: read '%s' after %u polls\n", line, polls);
				return;
			}
			if (len < sizeof(line) - 1)
				line[len++] = c;
		}
		sleep_until(keel_time_ns() + POLL_NS);
		polls++;
	}
}

int main(int argc, char **argv)
{
	uint64_t ms = 2000, deadline, woke;
	int read = 0;

	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "ms=", 3))
			ms = strtoull(argv[i] + 3, NULL, 0);
		else if (!strcmp(argv[i], "read"))
			read = 1;
	}
	printf("pvidle: sleeping %lu ms on its timer\n", (unsigned long)ms);
	deadline = keel_time_ns() + ms * 1000000ULL;
	woke = sleep_until(deadline);
	if (woke < deadline) {
		printf("pvidle: woke %lu us BEFORE its deadline\n",
		       (unsigned long)((deadline - woke) / 1000));
		return 1;
	}
	printf("pvidle: woke %lu us after its deadline\n", (unsigned long)((woke - deadline) / 1000));
	if (read)
		read_line();
	return 0;
}
