/* SPDX-License-Identifier: MIT */
/*
 * A 16550A as guests see it (register map: National Semiconductor PC16550D
 * datasheet). Transmit is instantaneous: bytes go to Keel's console, so THR
 * is always empty again at once and, with ETBEI, raises the THRE interrupt
 * interrupt-driven drivers (Linux's 8250 tty) wait for. Received bytes wait
 * in Keel's queue for the guest (u->input, filled from Keel's console) and
 * enter the 16-byte FIFO as it has room: when the guest has read a byte or
 * found the receiver empty (its next look finds what came), and when Keel
 * polls its console (with the interrupt). So typed or
 * pasted input that comes faster than the guest reads never overruns the
 * FIFO (a real 16550 would drop it); only loopback can. Loopback works,
 * because drivers (Linux's 8250 autoconfig) test it.
 */
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/vm.h>

#define IER_RDA   0x01
#define IER_THRE  0x02
#define IER_RLS   0x04
#define IIR_NONE  0x01
#define IIR_THRE  0x02
#define IIR_RDA   0x04
#define IIR_RLS   0x06
#define IIR_FIFO  0xc0
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define LCR_DLAB  0x80
#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08 /* on a PC, gates the interrupt line */
#define MCR_LOOP  0x10
#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define MSR_CTS_DSR_DCD 0xb0

static uint8_t iir(const struct vuart *u)
{
	uint8_t id = IIR_NONE;

	if ((u->ier & IER_RLS) && u->overrun)
		id = IIR_RLS;
	else if ((u->ier & IER_RDA) && u->rx_count)
		id = IIR_RDA;
	else if ((u->ier & IER_THRE) && u->thre_pending)
		id = IIR_THRE;
	return id | ((u->fcr & FCR_ENABLE) ? IIR_FIFO : 0);
}

static void rx_push(struct vuart *u, uint8_t byte)
{
	if (u->rx_count == sizeof(u->rx)) {
		u->overrun = true;
		return;
	}
	u->rx[(u->rx_head + u->rx_count++) % sizeof(u->rx)] = byte;
}

static uint8_t rx_pop(struct vuart *u)
{
	uint8_t byte;

	if (!u->rx_count)
		return 0;
	byte = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % sizeof(u->rx);
	u->rx_count--;
	return byte;
}

static void rx_fill(struct vuart *u)
{
	int c;

	/* Loopback disconnects the receive line from the outside (PC16550D, MCR bit 4). */
	if (!u->input || (u->mcr & MCR_LOOP))
		return;
	while (u->rx_count < sizeof(u->rx) && (c = ring_get(u->input)) >= 0)
		rx_push(u, (uint8_t)c);
}

/*
 * After the guest read RBR or LSR (read_reg marks it, update_irq runs this
 * next, so the scratch register's read, a benchmark's exit, is as short as
 * it was): the next byte moves up from Keel's queue, and a receiver found
 * empty asks Keel's console for what was typed, for the guest's next look.
 */
static void rx_next(struct vuart *u)
{
	u->rx_looked = false;
	if (!u->input || (u->mcr & MCR_LOOP))
		return;
	if (!u->rx_count && !ring_count(u->input))
		vm_console_poll(u->vm);
	rx_fill(u);
}

static void update_irq(struct vuart *u)
{
	bool level;

	if (u->rx_looked)
		rx_next(u);
	level = (iir(u) & 0x0f) != IIR_NONE && (u->mcr & MCR_OUT2);
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_set(&u->irq, level);
	}
}

void vuart_receive(struct vuart *u, uint8_t byte)
{
	rx_push(u, byte);
	update_irq(u);
}

void vuart_refill(struct vuart *u)
{
	rx_fill(u);
	update_irq(u);
}

static void write_reg(struct vm *vm, struct vuart *u, unsigned reg, uint8_t v)
{
	bool dlab = u->lcr & LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab) {
			u->dll = v;
			break;
		}
		if (u->mcr & MCR_LOOP)
			rx_push(u, v);
		else
			vm_console_putc(vm, (char)v);
		u->thre_pending = true; /* sent at once: THR is empty again */
		break;
	case 1:
		if (dlab) {
			u->dlm = v;
			break;
		}
		/* Enabling ETBEI while THR is empty raises THRE (PC16550D, IER). */
		if ((v & IER_THRE) && !(u->ier & IER_THRE))
			u->thre_pending = true;
		u->ier = v & 0x0f;
		break;
	case 2:
		u->fcr = v & 0xc9;
		if (v & FCR_CLEAR_RX)
			u->rx_count = 0;
		break;
	case 3: u->lcr = v; break;
	case 4: u->mcr = v & 0x1f; break;
	case 7: u->scr = v; break;
	}
}

static uint8_t read_reg(struct vuart *u, unsigned reg)
{
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case 0:
		if (dlab)
			return u->dll;
		u->rx_looked = true;
		return rx_pop(u);
	case 1:
		return dlab ? u->dlm : u->ier;
	case 2:
		v = iir(u);
		if ((v & 0x0f) == IIR_THRE)
			u->thre_pending = false; /* reading IIR clears a THRE interrupt */
		return v;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		u->rx_looked = true;
		v = LSR_THRE | LSR_TEMT | (u->rx_count ? LSR_DR : 0) | (u->overrun ? LSR_OE : 0);
		u->overrun = false;
		return v;
	case 6:
		/* Loopback wires RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD. */
		if (u->mcr & MCR_LOOP)
			return (uint8_t)((u->mcr & MCR_RTS) << 3 | (u->mcr & MCR_DTR) << 5 |
					 (u->mcr & MCR_OUT1) << 4 | (u->mcr & MCR_OUT2) << 4);
		return MSR_CTS_DSR_DCD;
	default:
		return u->scr;
	}
}

static int vuart_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct vuart *u = dev;
	unsigned reg = (unsigned)(a->addr - u->base);

	if (a->size != 1) {
		if (!a->write)
			a->value = ~0ULL;
		return 0;
	}
	if (a->write)
		write_reg(vm, u, reg, (uint8_t)a->value);
	else
		a->value = read_reg(u, reg);
	/* LCR, MSR and the scratch register cannot change the interrupt line. */
	if (reg != 3 && reg != 6 && reg != 7)
		update_irq(u);
	return 0;
}

int vuart_attach(struct vm *vm, struct vuart *u, uint16_t base)
{
	int err = io_register_pio(vm, base, 8, vuart_io, u);

	if (!err)
		*u = (struct vuart){ .base = base, .lcr = 0x03, .vm = vm };
	return err;
}
