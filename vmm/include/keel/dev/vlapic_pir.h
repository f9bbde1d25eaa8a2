/* SPDX-License-Identifier: MIT */
/*
 * Posted interrupts for a vLAPIC (Intel SDM Vol. 3C 30.6 "Posted-Interrupt
 * Processing"; 29.6 in editions before 2023): the descriptor the CPU reads
 * when a notification arrives while the vCPU runs, and Keel's side of it.
 * Pure: host-tested (test/unit/test_vlapic_pir.c) and fuzzed
 * (test/fuzz/fuzz_vlapic_pir.c); arch/x86/vmx/posted.c gives it to the CPU.
 *
 * A vector is in exactly one place: the descriptor's PIR (posted, not yet
 * seen by anyone), the virtual-APIC page's VIRR (the CPU moved it there),
 * or the model's IRR (Keel moved it there). Each move is an atomic
 * exchange, so none is lost and none counted twice: a model IRR bit the
 * page has not seen survives the next pull (vlapic_apicv.c), so a vector
 * both taken and left in PIR would be delivered twice.
 */
#ifndef KEEL_DEV_VLAPIC_PIR_H
#define KEEL_DEV_VLAPIC_PIR_H

#include <stdbool.h>
#include <stdint.h>

struct vlapic;

/*
 * SDM 3C Table 30-1 (Format of Posted-Interrupt Descriptor): 64 bytes,
 * 64-byte aligned (26.2.1.1 checks the address's bits 5:0). Bits 255:0
 * are PIR, one per vector; bit 256 is ON, "outstanding notification";
 * bits 511:257 are the software's (VT-d's SN/NV/NDST live there; the CPU
 * ignores them).
 */
struct vlapic_pir {
	uint64_t pir[4];
	uint64_t on; /* bit 0 = descriptor bit 256 */
	uint64_t sw[3];
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct vlapic_pir) == 64, "SDM 3C Table 30-1: 64 bytes");
_Static_assert(__builtin_offsetof(struct vlapic_pir, on) == 32, "ON is bit 256");

#define VLAPIC_PIR_ON 1ull

enum vlapic_post {
	VLAPIC_POST_REFUSED, /* not posted: the model must take it (vector 0-15) */
	VLAPIC_POST_QUEUED,  /* in PIR; ON was already set, a notification is on its way */
	VLAPIC_POST_NOTIFY,  /* in PIR and ON newly set: send the notification */
};

/*
 * Post an edge-triggered fixed vector: its PIR bit, then ON, each with a
 * locked read-modify-write (the CPU's own processing is atomic on the
 * descriptor, 30.6). Vectors 0-15 are refused: the model answers them
 * with an illegal-vector error (SDM 3A 11.5.3), and with virtual-interrupt
 * delivery a VIRR bit of class 0 would never be delivered (30.2.1).
 */
enum vlapic_post vlapic_pir_post(struct vlapic_pir *d, uint8_t vector);

/*
 * Move everything posted into the vLAPIC model (vlapic_set_irq, edge: its
 * IRR, marked for the next push, or dropped if the APIC is disabled): ON
 * cleared first, then each PIR word exchanged with 0, the order of the
 * CPU's own processing (30.6), so a post that lands between the two either
 * is taken now or sets ON again and notifies. Returns how many vectors
 * moved. Only while the vCPU is out of the guest (the CPU moves PIR only
 * in VMX non-root operation), under its VM's lock: vlapic_apicv.c's pull
 * and push call it for a vLAPIC with a descriptor.
 */
unsigned vlapic_pir_take(struct vlapic_pir *d, struct vlapic *a);

/* Whether the vLAPIC may be posted this vector: edge, 16-255, enabled APIC, not a level vector in TMR. */
bool vlapic_pir_postable(const struct vlapic *a, uint8_t vector, bool level);

/*
 * What a poster on another CPU does, under the VM lock: post the vector to
 * the vLAPIC's descriptor if it has one and the vector may be posted (else
 * VLAPIC_POST_REFUSED: the model path), and make the next pull compare the
 * whole page and the next push rewrite it (both take PIR first). Posting is the one way besides self-IPIs that VIRR grows
 * without an exit (30.6), and after a delivery and an EOI the guest
 * interrupt status the pull compares can come back to what it was with
 * IRR and ISR changed: the pull would keep a delivered vector in the model
 * and the next push request it again. VLAPIC_PIR_RESYNC is a status no
 * CPU has: SVI 1, and a vector below 16 is never delivered (30.2.1).
 */
enum vlapic_post vlapic_post(struct vlapic *a, uint8_t vector, bool level);
#define VLAPIC_PIR_RESYNC 0x0100

/* Before anything asks what the vLAPIC has pending: vlapic_pir_take() if it has a descriptor. */
unsigned vlapic_pir_sync(struct vlapic *a);

#endif
