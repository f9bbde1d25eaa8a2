/* SPDX-License-Identifier: MIT */
/* The device models every Keel VM gets (vmm/dev/). */
#ifndef KEEL_DEV_H
#define KEEL_DEV_H

#include <stdint.h>

struct vm;

/* 16550 UART: output goes to Keel's console tagged with the guest's name. */
struct vuart {
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
};

struct testdev {
	uint64_t scratch;
};

int vuart_attach(struct vm *vm, struct vuart *u, uint16_t base);
int debug_exit_attach(struct vm *vm);
int testdev_attach(struct vm *vm, struct testdev *t);
int debugcon_attach(struct vm *vm, uint16_t port);

#endif
