/* SPDX-License-Identifier: MIT */
/*
 * Keel's PV runtime: what a PV guest program links against besides newlib.
 * The runtime's _start finds the start-info page, sets up the C library
 * (newlib's system calls land in runtime/syscalls.c) and calls main(argc,
 * argv) with argv[0] = the guest's name and the rest from keel.cfg's args=.
 * main's return value becomes the shutdown status.
 */
#ifndef KEEL_PV_H
#define KEEL_PV_H

#include <stddef.h>
#include <stdint.h>
#include <keel/abi.h>

extern const struct keel_start_info *keel_start_info;
extern volatile struct keel_shared_info *keel_shared_info;

/* Call entry nr of the hypercall page; returns RAX (a result or -errno). */
static inline long keel_hcall5(unsigned nr, long a0, long a1, long a2, long a3, long a4)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	uintptr_t entry = keel_start_info->hypercall_page + nr * KEEL_HYPERCALL_STRIDE;
	long ret;

	/* The page's entries may use SYSCALL, which clobbers RCX and R11. */
	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10), "+r"(r8)
			 : [entry] "r"(entry)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

static inline long keel_hcall(unsigned nr, long a0, long a1, long a2)
{
	return keel_hcall5(nr, a0, a1, a2, 0, 0);
}

/*
 * Callbacks (KEEL_HC_SET_CALLBACKS): upcall runs when an unmasked event is
 * pending, at the next point Keel resumes the guest (after a hypercall, a
 * switch, a preemption); it reads and clears the pending bits itself. fault
 * gets the guest's exceptions; it may change f->rip to resume elsewhere.
 * Both run on the interrupted stack with every register preserved. NULL
 * turns one off. Returns 0 or -errno.
 */
typedef void keel_upcall_fn(void);
typedef void keel_fault_fn(struct keel_fault_frame *f);
long keel_set_callbacks(keel_upcall_fn *upcall, keel_fault_fn *fault);

/* Wait (KEEL_HC_BLOCK) until port has an event, and consume it. */
void keel_wait_event(unsigned port);

/* Nanoseconds since the guest was built, from the TSC and the shared-info page. */
uint64_t keel_time_ns(void);
/*
 * Take size bytes (rounded up to whole pages) off the top of the heap, so
 * malloc never hands them out: memory that must outlive the C library,
 * such as what the boot loader hands to the kernel it starts. Returns
 * their page-aligned start, or 0 if the heap has no room for them.
 */
uintptr_t keel_heap_reserve_top(size_t size);
/*
 * The network interface (keel.cfg net=; runtime/net.c). keel_net_open
 * fills info (address, event port) and must come first; send and recv
 * move one frame (recv: its length, 0 if none waits); keel_net_wait blocks
 * until a frame is queued (1) or deadline_ns passes (0; 0 = no deadline).
 * Each returns -errno (KEEL_E*) on failure.
 */
long keel_net_open(struct keel_net_info *info);
long keel_net_send(const void *frame, size_t len);
/* Up to KEEL_NET_BATCH_MAX frames in one call: how many were sent, or -errno for the first. */
long keel_net_send_batch(const struct keel_net_buf *bufs, unsigned count);
long keel_net_recv(void *buf, size_t len);
int keel_net_wait(uint64_t deadline_ns);

/* End the guest: KEEL_SHUTDOWN_POWEROFF with an exit status, or _CRASH. */
__attribute__((noreturn)) void keel_shutdown(unsigned reason, long status);

#endif
