/* SPDX-License-Identifier: MIT */
/* Polled 16550 driver. 8N1 is set explicitly: Bochs sends 5 bits at reset. */
#include <drivers/uart.h>
#include <arch/io.h>

#define UART_THR 0
#define UART_RBR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1  0x03
#define LCR_DLAB 0x80
#define LSR_DR   0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

static uint16_t uart_port = 0x3f8;

void uart_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(115200 / (baud ? baud : 115200));

	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03); /* DTR, RTS */
}

void uart_putc(char c)
{
	unsigned spins = 1000000;

	while (!(inb(uart_port + UART_LSR) & LSR_THRE) && --spins)
		cpu_relax();
	outb(uart_port + UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
	if (!(inb(uart_port + UART_LSR) & LSR_DR))
		return -1;
	return inb(uart_port + UART_RBR);
}

void uart_flush(void)
{
	unsigned spins = 1000000;

	while (!(inb(uart_port + UART_LSR) & LSR_TEMT) && --spins)
		cpu_relax();
}
