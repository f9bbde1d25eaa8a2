/* SPDX-License-Identifier: MIT */
/* The device models every Keel VM gets (vmm/dev/). */
#ifndef KEEL_DEV_H
#define KEEL_DEV_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/irq.h>
#include <keel/ring.h>

struct vm;

/* 16550 UART: output goes to Keel's console, input comes from Keel's queue for the guest. */
struct vuart {
	uint16_t base;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	uint8_t rx[16];
	uint8_t rx_head, rx_count;
	bool overrun, thre_pending, irq_level;
	bool rx_looked;      /* the guest read RBR or LSR: the receiver takes from input next */
	struct irq_line irq; /* set by whoever wires the platform; none by default */
	struct ring *input;  /* what was typed for the guest (vm_attach_devices); NULL: none */
	struct vm *vm;       /* whose console it is: a receive path that runs dry asks it */
};

struct testdev {
	uint64_t scratch;
};

int vuart_attach(struct vm *vm, struct vuart *u, uint16_t base);
/* A byte arrives on the UART's receive line (an overrun if the FIFO is full). */
void vuart_receive(struct vuart *u, uint8_t byte);
/* The receive FIFO takes what it has room for from u->input. */
void vuart_refill(struct vuart *u);
int debug_exit_attach(struct vm *vm);
int testdev_attach(struct vm *vm, struct testdev *t);
int debugcon_attach(struct vm *vm, uint16_t port);

#endif
