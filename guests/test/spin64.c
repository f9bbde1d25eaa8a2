/* SPDX-License-Identifier: MIT */
/*
 * spin64: a CPU-bound guest that never exits on its own between progress
 * lines, so only a timer can take the CPU from it: the VMX-preemption
 * timer, or the host's LAPIC timer where Keel has none (an external-
 * interrupt exit). It watches its own TSC: a jump far longer than one loop
 * iteration means another guest ran meanwhile, and it reports how often
 * that happened. Ends with status 0 on the debug-exit port.
 *
 * It runs with interrupts enabled, which changes nothing on hardware (the
 * host's interrupts exit whatever the guest's IF; Keel injects none here)
 * but matters in Bochs 2.7: it holds back external-interrupt exits from a
 * guest that entered with IF clear until the guest sets IF.
 */
#include "lib/guest.h"

#define ROUNDS 6
#define ITERS  1000000
/* Far more than one iteration takes, far less than a time slice. */
#define GAP_TICKS 20000

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	uint64_t last = rdtsc(), longest = 0, gaps = 0, sum = 0;

	(void)ram;
	gprintf("spin64: started, args '%s'\n", args);
	__asm__ volatile("sti");
	for (unsigned r = 1; r <= ROUNDS; r++) {
		for (unsigned i = 0; i < ITERS; i++) {
			uint64_t t = rdtsc();

			if (t - last > GAP_TICKS) {
				gaps++;
				if (t - last > longest)
					longest = t - last;
			}
			last = t;
			sum += t ^ i;
		}
		gprintf("spin64: round %u of %u\n", r, ROUNDS);
		last = rdtsc(); /* the line's own exits are not someone else's turn */
	}
	gprintf("spin64: done, descheduled %lu times, longest %lu ticks (sum %lx)\n", gaps,
		longest, sum & 0xff);
	return 0;
}
