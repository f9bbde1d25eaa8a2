/* SPDX-License-Identifier: MIT */
/*
 * 8042 keyboard controller with no devices; see keel/dev/i8042.h. Command
 * set: IBM PS/2 Hardware Interface Technical Reference, "Keyboard/Auxiliary
 * Device Controller". Output bytes wait in a small FIFO; IRQ 1 / IRQ 12 are
 * high while a byte for that port is at the head and its CTR bit is set.
 */
#include <keel/dev/i8042.h>
#include <keel/io.h>
#include <keel/string.h>

#define CMD_READ_RAM   0x20 /* 0x20-0x3f: RAM byte n; 0x20 is the command byte */
#define CMD_WRITE_RAM  0x60 /* 0x60-0x7f */
#define CMD_AUX_DIS    0xa7
#define CMD_AUX_EN     0xa8
#define CMD_AUX_TEST   0xa9
#define CMD_SELF_TEST  0xaa
#define CMD_KBD_TEST   0xab
#define CMD_KBD_DIS    0xad
#define CMD_KBD_EN     0xae
#define CMD_READ_IN    0xc0
#define CMD_READ_OUT   0xd0
#define CMD_WRITE_OUT  0xd1
#define CMD_WRITE_KBD_OBUF 0xd2
#define CMD_WRITE_AUX_OBUF 0xd3
#define CMD_WRITE_AUX  0xd4
#define CMD_A20_OFF    0xdd
#define CMD_A20_ON     0xdf
#define CMD_READ_TEST  0xe0
#define CMD_PULSE      0xf0 /* 0xf0-0xff: low nibble 0 bits pulse output lines; bit 0 = reset */

#define SELF_TEST_OK   0x55
#define INPORT_VALUE   0x80 /* keyboard not inhibited by the keylock */

static void update_irq(struct i8042 *k)
{
	bool aux = k->count && k->queue[k->head].aux;
	bool irq1 = k->count && !aux && (k->ram[0] & I8042_CTR_KBDINT);
	bool irq12 = k->count && aux && (k->ram[0] & I8042_CTR_AUXINT);

	if (irq1 != k->irq1_level) {
		k->irq1_level = irq1;
		irq_set(&k->irq1, irq1);
	}
	if (irq12 != k->irq12_level) {
		k->irq12_level = irq12;
		irq_set(&k->irq12, irq12);
	}
}

/* A full FIFO drops the byte, like a controller whose host never reads. */
static void queue(struct i8042 *k, uint8_t byte, bool aux, bool timeout)
{
	if (k->count == I8042_QUEUE)
		return;
	k->queue[(k->head + k->count++) % I8042_QUEUE] = (struct i8042_byte){ byte, aux, timeout };
	update_irq(k);
}

static uint8_t status(const struct i8042 *k)
{
	uint8_t s = k->status | I8042_STR_KEYLOCK;

	if (k->count) {
		s |= I8042_STR_OBF;
		if (k->queue[k->head].aux)
			s |= I8042_STR_AUXDATA;
		if (k->queue[k->head].timeout)
			s |= I8042_STR_TIMEOUT;
	}
	return s;
}

static uint8_t read_data(struct i8042 *k)
{
	if (k->count) {
		k->last = k->queue[k->head].byte;
		k->head = (k->head + 1) % I8042_QUEUE;
		k->count--;
		update_irq(k);
	}
	return k->last;
}

static void do_reset(struct i8042 *k)
{
	if (k->reset)
		k->reset(k->ctx);
}

static void write_outport(struct i8042 *k, uint8_t v)
{
	k->outport = v;
	if (!(v & I8042_OUT_RESET))
		do_reset(k);
}

static void write_ctr(struct i8042 *k, uint8_t v)
{
	k->ram[0] = v;
	k->status = (uint8_t)((k->status & ~I8042_STR_SYS) | (v & I8042_CTR_SYS));
	update_irq(k);
}

static void command(struct i8042 *k, uint8_t cmd)
{
	k->status |= I8042_STR_CMD;
	k->pending = 0;
	if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 0x20) {
		queue(k, k->ram[cmd & 0x1f], false, false);
		return;
	}
	if ((cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) || cmd == CMD_WRITE_OUT ||
	    cmd == CMD_WRITE_KBD_OBUF || cmd == CMD_WRITE_AUX_OBUF || cmd == CMD_WRITE_AUX) {
		k->pending = cmd;
		return;
	}
	switch (cmd) {
	case CMD_AUX_DIS: write_ctr(k, k->ram[0] | I8042_CTR_AUXDIS); break;
	case CMD_AUX_EN: write_ctr(k, k->ram[0] & (uint8_t)~I8042_CTR_AUXDIS); break;
	case CMD_KBD_DIS: write_ctr(k, k->ram[0] | I8042_CTR_KBDDIS); break;
	case CMD_KBD_EN: write_ctr(k, k->ram[0] & (uint8_t)~I8042_CTR_KBDDIS); break;
	case CMD_AUX_TEST:
	case CMD_KBD_TEST:
	case CMD_READ_TEST: queue(k, 0x00, false, false); break;
	case CMD_SELF_TEST:
		k->status |= I8042_STR_SYS;
		queue(k, SELF_TEST_OK, false, false);
		break;
	case CMD_READ_IN: queue(k, INPORT_VALUE, false, false); break;
	case CMD_READ_OUT: queue(k, k->outport, false, false); break;
	case CMD_A20_OFF: k->outport &= (uint8_t)~I8042_OUT_A20; break;
	case CMD_A20_ON: k->outport |= I8042_OUT_A20; break;
	default:
		/* 0xfe pulses the reset line; 0xff pulses nothing. Others: ignored. */
		if (cmd >= CMD_PULSE && !(cmd & I8042_OUT_RESET))
			do_reset(k);
		break;
	}
}

static void data(struct i8042 *k, uint8_t v)
{
	uint8_t cmd = k->pending;

	k->status &= (uint8_t)~I8042_STR_CMD;
	k->pending = 0;
	if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
		if (cmd == CMD_WRITE_RAM)
			write_ctr(k, v);
		else
			k->ram[cmd & 0x1f] = v;
		return;
	}
	switch (cmd) {
	case CMD_WRITE_OUT: write_outport(k, v); break;
	case CMD_WRITE_KBD_OBUF: queue(k, v, false, false); break;
	case CMD_WRITE_AUX_OBUF: queue(k, v, true, false); break;
	case CMD_WRITE_AUX: queue(k, I8042_NO_DEVICE, true, true); break;
	default:
		/* To the keyboard, which re-enables its port; nobody answers. */
		k->ram[0] &= (uint8_t)~I8042_CTR_KBDDIS;
		queue(k, I8042_NO_DEVICE, false, true);
		break;
	}
}

static int i8042_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct i8042 *k = dev;

	(void)vm;
	if (a->write && a->addr == I8042_CMD_PORT)
		command(k, (uint8_t)a->value);
	else if (a->write)
		data(k, (uint8_t)a->value);
	else if (a->addr == I8042_CMD_PORT)
		a->value = status(k);
	else
		a->value = read_data(k);
	return 0;
}

void i8042_init(struct i8042 *k, const struct irq_line *irq1, const struct irq_line *irq12,
		void (*reset)(void *ctx), void *ctx)
{
	memset(k, 0, sizeof(*k));
	if (irq1)
		k->irq1 = *irq1;
	if (irq12)
		k->irq12 = *irq12;
	k->reset = reset;
	k->ctx = ctx;
	k->ram[0] = I8042_CTR_KBDINT | I8042_CTR_AUXINT;
	k->outport = 0xcc | I8042_OUT_A20 | I8042_OUT_RESET; /* unused lines high, as QEMU's 0xcf */
}

int i8042_register(struct vm *vm, struct i8042 *k)
{
	int err = io_register_pio(vm, I8042_DATA_PORT, 1, i8042_io, k);

	return err ? err : io_register_pio(vm, I8042_CMD_PORT, 1, i8042_io, k);
}
