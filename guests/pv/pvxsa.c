/* SPDX-License-Identifier: MIT */
/*
 * pvxsa: a hostile PV guest (issue 8, XSA-style isolation tests), the same
 * binary in a VM (CPL 0, Bochs) and deprivileged (ring 3, QEMU TCG). With a
 * fault entry registered it runs privileged and VMX instructions, software
 * interrupts of every vector, RDMSR/WRMSR over the MSR ranges, touches
 * memory outside its RAM (ring 3), floods itself with timer events and
 * tries every hypercall with hostile arguments; each outcome is checked
 * against the SDM or docs/abi.md, and it checks that what it owns is as
 * Keel left it. One summary line per class; the exit status is the number
 * of unexpected outcomes. Arguments: peer=NAME (a PV guest that runs all
 * through, the canary), guests=N (how many guests the config has), and a
 * mode: full (the default), hlt, badstack (a fault with no stack to take
 * the frame), gpa=HEX (read there).
 */
#include <keel_pv.h>
#include <probe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pvxsa.h"

bool pvxsa_vmx;
uint8_t pvxsa_scratch[4096] __attribute__((aligned(4096)));
volatile unsigned pvxsa_upcalls, pvxsa_timer_events;
volatile uint64_t probe_resume, probe_error, probe_cr2, probe_rip;
volatile int probe_vector = PROBE_NONE;

static void on_fault(struct keel_fault_frame *f)
{
	if (!probe_resume) {
		printf("pvxsa: unexpected exception %lu at rip 0x%lx error 0x%lx\n",
		       (unsigned long)f->vector, (unsigned long)f->rip, (unsigned long)f->error);
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 128 + (long)f->vector);
	}
	probe_vector = (int)f->vector;
	probe_error = f->error;
	probe_cr2 = f->address;
	probe_rip = f->rip;
	f->rip = probe_resume;
	probe_resume = 0;
}

static void on_upcall(void)
{
	uint64_t p = __atomic_exchange_n(&keel_shared_info->evtchn_pending, 0, __ATOMIC_SEQ_CST);

	pvxsa_upcalls++;
	if (p & (1ULL << KEEL_PORT_TIMER))
		pvxsa_timer_events++;
}

void pvxsa_callbacks(void)
{
	if (keel_set_callbacks(on_upcall, on_fault))
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 200);
}

static const char *arg(int argc, char **argv, const char *key)
{
	size_t n = strlen(key);

	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

static bool flag(int argc, char **argv, const char *word)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], word))
			return true;
	return false;
}

/* In a VM Keel stops a PV guest for HLT (exit_hlt); in ring 3 it is a #GP to the fault entry. */
static int mode_hlt(void)
{
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "hlt" PROBE_END : : : PROBE_CLOBBERS);
	printf("pvxsa: hlt -> vector %d, resumed\n", probe_vector);
	return probe_vector != 13;
}

/* A fault whose frame cannot be pushed: Keel stops the guest, naming the stack. */
static int mode_badstack(void)
{
	uint64_t bad = keel_start_info->ram_size + 0x1000;

	printf("pvxsa: ud2 with RSP 0x%lx, outside my RAM\n", (unsigned long)bad);
	fflush(stdout);
	__asm__ volatile("mov %0, %%rsp\n\tud2" : : "r"(bad) : "memory");
	__builtin_unreachable();
}

static int mode_gpa(uint64_t gpa)
{
	uint64_t v = 0;

	printf("pvxsa: reading 0x%lx (my RAM ends at 0x%lx)\n", (unsigned long)gpa,
	       (unsigned long)keel_start_info->ram_size);
	fflush(stdout);
	probe_vector = PROBE_NONE;
	__asm__ volatile(PROBE_BEGIN "mov (%1), %0" PROBE_END : "+r"(v) : "r"(gpa)
			 : PROBE_CLOBBERS);
	printf("pvxsa: read 0x%lx -> vector %d address 0x%lx\n", (unsigned long)gpa, probe_vector,
	       (unsigned long)probe_cr2);
	return !(probe_vector == 14 && probe_cr2 == gpa);
}

int main(int argc, char **argv)
{
	const char *peer = arg(argc, argv, "peer"), *guests = arg(argc, argv, "guests");
	const char *gpa = arg(argc, argv, "gpa");
	unsigned bad = 0;

	pvxsa_snapshot();
	pvxsa_vmx = keel_start_info->flags & KEEL_START_VMX;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pvxsa: domain %u, %s\n", keel_start_info->domid,
	       pvxsa_vmx ? "in a VM (CPL 0)" : "deprivileged (ring 3)");
	pvxsa_callbacks();
	if (flag(argc, argv, "hlt"))
		return mode_hlt();
	if (flag(argc, argv, "badstack"))
		return mode_badstack();
	if (gpa)
		return mode_gpa(strtoull(gpa, NULL, 16));

	bad += pvxsa_msr_switch(); /* first: xsa64 does the same at its start */
	bad += pvxsa_privileged();
	bad += pvxsa_int_flood();
	bad += pvxsa_memory();
	bad += pvxsa_hypercalls(peer, guests ? strtoull(guests, NULL, 0) : 8);
	bad += pvxsa_partial();
	bad += pvxsa_timer_flood();
	bad += pvxsa_msrs();
	bad += pvxsa_own_state();
	printf("pvxsa: done, %u unexpected\n", bad);
	return (int)bad;
}
