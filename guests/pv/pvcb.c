/* SPDX-License-Identifier: MIT */
/*
 * pvcb: events by upcall and faults by handler, the same in a VM and in
 * ring 3. It spins (no BLOCK) while its timer fires and counts the timer
 * events its upcall saw; then it runs instructions that fault and resumes
 * after each from its fault handler.
 */
#include <keel_pv.h>
#include <stdio.h>

static volatile unsigned timer_events, upcalls;
static volatile uint64_t fault_vector, fault_error, resume_at;

static void on_upcall(void)
{
	uint64_t p = __atomic_exchange_n(&keel_shared_info->evtchn_pending, 0, __ATOMIC_SEQ_CST);

	upcalls++;
	if (p & (1ULL << KEEL_PORT_TIMER))
		timer_events++;
}

static void on_fault(struct keel_fault_frame *f)
{
	fault_vector = f->vector;
	fault_error = f->error;
	f->rip = resume_at;
}

int main(void)
{
	if (keel_set_callbacks(on_upcall, on_fault))
		return 1;
	printf("pvcb: bad entry refused: %ld\n",
	       keel_hcall(KEEL_HC_SET_CALLBACKS, 0x7fffffff0000, 0, 0));
	for (unsigned n = 1; n <= 3; n++) {
		unsigned long spins = 0;

		keel_hcall(KEEL_HC_SET_TIMER, (long)(keel_time_ns() + 2000000), 0, 0);
		while (timer_events < n && spins < 50000000UL) {
			/* Keel also delivers on a hypercall's return: one now and then. */
			if (!(++spins & 0xffff))
				keel_hcall(KEEL_HC_VERSION, 0, 0, 0);
		}
		printf("pvcb: timer event %u arrived by upcall while spinning: %s\n", n,
		       timer_events == n ? "yes" : "no");
	}

	__asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %0; ud2; 1:" : "=m"(resume_at) : : "rax");
	printf("pvcb: ud2 -> vector %lu, resumed\n", (unsigned long)fault_vector);
	__asm__ volatile("lea 1f(%%rip), %%rax; mov %%rax, %0; movabs $0x8000000000000000, %%rcx;"
			 "mov (%%rcx), %%rcx; 1:" : "=m"(resume_at) : : "rax", "rcx", "memory");
	printf("pvcb: non-canonical read -> vector %lu error %lu, resumed\n",
	       (unsigned long)fault_vector, (unsigned long)fault_error);
	printf("pvcb: %u upcalls, done\n", upcalls);
	return 0;
}
