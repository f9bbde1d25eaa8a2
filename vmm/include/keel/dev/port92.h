/* SPDX-License-Identifier: MIT */
/*
 * PS/2 system control port A (0x92): bit 1 gates A20, a 0->1 write of
 * bit 0 resets the machine ("fast reset"). Keel's EPT never wraps at 1 MiB,
 * so A20 is always on; the bit reads back what the guest wrote.
 */
#ifndef KEEL_DEV_PORT92_H
#define KEEL_DEV_PORT92_H

#include <stdint.h>
#include <keel/bits.h>

struct vm;

#define PORT92_PORT  0x92
#define PORT92_RESET BIT(0)
#define PORT92_A20   BIT(1)

struct port92 {
	uint8_t value;
	void (*reset)(void *ctx);
	void *ctx;
};

/* Starts at PORT92_A20 (A20 on, as it really is). reset may be NULL. */
void port92_init(struct port92 *p, void (*reset)(void *ctx), void *ctx);
int port92_register(struct vm *vm, struct port92 *p);

#endif
