/* SPDX-License-Identifier: MIT */
/*
 * Polled 16550 driver. 8N1 is set explicitly: Bochs sends 5 bits at reset.
 *
 * Transmit goes through a ring. Until uart_set_buffered(true) (the
 * scheduler starting) every byte is on the wire before uart_putc returns,
 * so a boot that hangs has said everything. After it, uart_putc queues the
 * byte and moves what the FIFO has room for: a guest's output costs it no
 * wait for the wire unless the ring is full, and the rest goes out when the
 * scheduler calls uart_tx_poll at uart_tx_due (about when the FIFO has
 * drained). uart_flush (panic, power-off) empties it all synchronously.
 *
 * LSR is read once per move and again only when the bytes known to fit are
 * used up: after THRE the whole FIFO is free, so a 16550A takes up to 16
 * bytes per LSR read (under nested KVM every port access is an exit to QEMU).
 */
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <arch/cpu.h>
#include <arch/io.h>
#include <keel/ring.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_IIR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_FIFO 0xc0 /* both set: a 16550A with its FIFOs on */
/*
 * FIFOs on and cleared, receive trigger level 14. Keel polls, so the level
 * raises no interrupt; but Bochs sets LSR.DR (and reads more from its
 * socket) only at the trigger level or a timeout, so level 1 would hand
 * Keel one typed byte per poll, and level 14 hands it up to 14.
 */
#define FCR_SETUP 0xc7
#define SPINS    1000000 /* a UART that never says ready is written anyway */

static uint16_t uart_port = 0x3f8;
static uint8_t tx_buf[16384];
static struct ring tx = RING_INIT(tx_buf);
static unsigned tx_fifo = 1; /* bytes the transmitter takes once THRE is set */
static uint64_t tx_drain_ns; /* the wire time of a full FIFO */
static bool buffered;
static bool absent; /* nothing answers at the port: LSR reads all ones */
uint64_t uart_tx_due = TSC_NEVER;

void uart_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));

	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, FCR_SETUP);
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
	/* A machine without the port reads 0xff: "data ready" forever, which is no input. */
	absent = inb(port + UART_LSR) == 0xff;
	tx_fifo = (inb(port + UART_IIR) & IIR_FIFO) == IIR_FIFO ? 16 : 1;
	/* 10 bits a character (8N1 with its start and stop bits). */
	tx_drain_ns = tx_fifo * 10 * NSEC_PER_SEC / (baud ? baud : 115200);
}

/*
 * Move ring bytes into the FIFO while it has room, starting with `room`
 * bytes known to fit; wait for it if asked. The room one LSR read shows is
 * used within this call only: carried over to later calls, a two-CPU Bochs
 * run wrote more than the FIFO held ("com1: transmit FIFO overflow", a byte
 * of Keel's log lost), though every caller holds the console lock; what
 * else filled the FIFO is not found.
 */
static void tx_move(bool wait, unsigned room)
{
	unsigned spins = SPINS;

	while (ring_count(&tx)) {
		if (!room) {
			if (inb(uart_port + UART_LSR) & LSR_THRE) {
				room = tx_fifo;
			} else if (wait && --spins) {
				cpu_relax();
				continue;
			} else if (wait) {
				room = 1; /* no answer: write on, as a wait would have */
				spins = SPINS;
			} else {
				break;
			}
		}
		outb(uart_port + UART_THR, (uint8_t)ring_get(&tx));
		room--;
	}
}

void uart_tx_poll(void)
{
	if (!ring_count(&tx))
		return;
	tx_move(false, 0);
	/* What is left waits for the FIFO that was just filled to drain. */
	uart_tx_due = ring_count(&tx) ? tsc_after(rdtsc(), ns_to_tsc(tx_drain_ns)) : TSC_NEVER;
}

/* The ring is full: wait for the wire (the oldest bytes go first) until the FIFO takes some. */
static void tx_make_room(void)
{
	unsigned spins = SPINS;

	while (!(inb(uart_port + UART_LSR) & LSR_THRE) && --spins)
		cpu_relax();
	tx_move(false, spins ? tx_fifo : 1);
}

void uart_putc(char c)
{
	if (!ring_put(&tx, (uint8_t)c)) {
		tx_make_room();
		ring_put(&tx, (uint8_t)c);
	}
	if (buffered) {
		uart_tx_poll();
		return;
	}
	tx_move(true, 0);
}

void uart_set_buffered(bool on)
{
	buffered = on;
	if (!on)
		tx_move(true, 0);
}

int uart_getc(void)
{
	if (absent || !(inb(uart_port + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}

void uart_flush(void)
{
	unsigned spins = SPINS;

	tx_move(true, 0);
	uart_tx_due = TSC_NEVER;
	while (!(inb(uart_port + UART_LSR) & LSR_TEMT) && --spins)
		cpu_relax();
}
