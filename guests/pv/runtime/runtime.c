/* SPDX-License-Identifier: MIT */
/* Start-up and the small services of the PV runtime; see keel_pv.h. */
#include <keel_pv.h>
#include <stdlib.h>
#include <string.h>

#define ARGV_MAX 16

const struct keel_start_info *keel_start_info;
volatile struct keel_shared_info *keel_shared_info;

int main(int argc, char **argv);

/* Split the command line at spaces, in place, into argv[1..]. */
static int split_args(char *line, char **argv, int max)
{
	int argc = 0;

	while (*line && argc < max) {
		while (*line == ' ')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ')
			line++;
	}
	return argc;
}

__attribute__((noreturn)) void keel_pv_start(const struct keel_start_info *si)
{
	static char cmdline[sizeof(si->cmdline)], name[sizeof(si->name)];
	static char *argv[ARGV_MAX + 2];
	int argc;

	keel_start_info = si;
	if (si->magic != KEEL_START_MAGIC)
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 1); /* not started by Keel's PV loader */
	keel_shared_info = (volatile struct keel_shared_info *)si->shared_info;
	memcpy(name, si->name, sizeof(name) - 1);
	memcpy(cmdline, si->cmdline, sizeof(cmdline) - 1);
	argv[0] = name;
	argc = 1 + split_args(cmdline, argv + 1, ARGV_MAX);
	argv[argc] = NULL;
	exit(main(argc, argv));
}

void keel_wait_event(unsigned port)
{
	uint64_t bit = 1ULL << port;

	while (!(__atomic_fetch_and(&keel_shared_info->evtchn_pending, ~bit, __ATOMIC_SEQ_CST) & bit))
		keel_hcall(KEEL_HC_BLOCK, 0, 0, 0);
}

uint64_t keel_time_ns(void)
{
	uint32_t lo, hi;
	uint64_t tsc;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	tsc = ((uint64_t)hi << 32 | lo) - keel_shared_info->tsc_stamp;
	return keel_shared_info->time_ns +
	       (uint64_t)(((unsigned __int128)tsc * keel_shared_info->tsc_mul) >> 32);
}

void keel_shutdown(unsigned reason, long status)
{
	for (;;)
		keel_hcall(KEEL_HC_SHUTDOWN, reason, status, 0);
}
