/* SPDX-License-Identifier: MIT */
/*
 * A minimal 8042 keyboard controller, data at 0x60, status/command at 0x64,
 * with both PS/2 ports present but nothing plugged in. The controller
 * itself answers as a real one does (self-test 0x55, port tests 0x00,
 * command byte, output port with A20 and reset, AUX loopback); every byte
 * sent to a device gets 0xFE with the time-out status bit, what a
 * controller returns when the device does not answer. SeaBIOS and Linux
 * take that as a NAK and give up on the device at once, with no timeouts.
 */
#ifndef KEEL_DEV_I8042_H
#define KEEL_DEV_I8042_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>
#include <keel/irq.h>

struct vm;

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT  0x64

/* Status register. */
#define I8042_STR_OBF     BIT(0) /* output buffer full */
#define I8042_STR_IBF     BIT(1) /* never set: input is taken at once */
#define I8042_STR_SYS     BIT(2) /* system flag: set by self-test, or CTR bit 2 */
#define I8042_STR_CMD     BIT(3) /* last write went to 0x64 */
#define I8042_STR_KEYLOCK BIT(4) /* 1: not inhibited */
#define I8042_STR_AUXDATA BIT(5) /* the output byte is from the AUX port */
#define I8042_STR_TIMEOUT BIT(6) /* the device did not answer */

/* Command byte (controller RAM byte 0). */
#define I8042_CTR_KBDINT BIT(0)
#define I8042_CTR_AUXINT BIT(1)
#define I8042_CTR_SYS    BIT(2)
#define I8042_CTR_KBDDIS BIT(4)
#define I8042_CTR_AUXDIS BIT(5)
#define I8042_CTR_XLATE  BIT(6)

/* Output port. */
#define I8042_OUT_RESET BIT(0) /* 0 holds the CPU in reset */
#define I8042_OUT_A20   BIT(1)

#define I8042_NO_DEVICE 0xfe
#define I8042_QUEUE     8

struct i8042 {
	uint8_t ram[32]; /* ram[0] is the command byte */
	uint8_t status;  /* SYS and CMD; the rest is derived */
	uint8_t outport;
	uint8_t pending; /* a command waiting for its data byte, 0 if none */
	uint8_t last;    /* the last byte read, read again from an empty buffer */
	unsigned head, count;
	struct i8042_byte {
		uint8_t byte;
		bool aux, timeout; /* from the AUX port; the device did not answer */
	} queue[I8042_QUEUE];
	struct irq_line irq1, irq12;
	bool irq1_level, irq12_level;
	void (*reset)(void *ctx);
	void *ctx;
};

/* irq1/irq12/reset may be NULL. */
void i8042_init(struct i8042 *k, const struct irq_line *irq1, const struct irq_line *irq12,
		void (*reset)(void *ctx), void *ctx);
/* Ports 0x60 and 0x64: two I/O ranges. */
int i8042_register(struct vm *vm, struct i8042 *k);

#endif
