/* SPDX-License-Identifier: MIT */
/* Keel's own 16550 serial port (the console). */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(uint16_t port, uint32_t baud);
/* Send c: at once, or once buffered, queued and sent as the UART is ready. */
void uart_putc(char c);
/* Buffered transmit on (the scheduler runs) or off (everything sent first). */
void uart_set_buffered(bool on);
/* Move queued bytes into the FIFO as far as it has room. */
void uart_tx_poll(void);
/* When uart_tx_poll is next worth calling (host TSC); TSC_NEVER if nothing is queued. */
extern uint64_t uart_tx_due;
int uart_getc(void); /* -1 if nothing is waiting */
void uart_flush(void); /* send everything queued, wait until the transmitter is empty */

#endif
