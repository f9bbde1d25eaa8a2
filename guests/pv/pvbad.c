/* SPDX-License-Identifier: MIT */
/*
 * pvbad: a PV guest that misbehaves on purpose, as its first argument says.
 *   oob   reads memory it does not own (128 MiB: past its RAM; in ring 3
 *         Keel's own memory is mapped there, supervisor-only)
 *   priv  executes a privileged instruction (WRMSR to IA32_EFER)
 *   crash gives up with KEEL_SHUTDOWN_CRASH
 * Keel must stop it with a report and go on with the other guests.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";

	printf("pvbad: %s\n", what);
	if (!strcmp(what, "oob")) {
		printf("pvbad: read 0x%x\n", *(volatile unsigned *)0x08000000);
	} else if (!strcmp(what, "priv")) {
		__asm__ volatile("wrmsr" : : "c"(0xc0000080), "a"(0), "d"(0));
	} else if (!strcmp(what, "crash")) {
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 42);
	}
	printf("pvbad: still running\n");
	return 1;
}
