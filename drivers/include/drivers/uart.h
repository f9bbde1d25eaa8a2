/* SPDX-License-Identifier: MIT */
/* Keel's own 16550 serial port (the console). */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdint.h>

void uart_init(uint16_t port, uint32_t baud);
void uart_putc(char c);
int uart_getc(void); /* -1 if nothing is waiting */
void uart_flush(void); /* wait until the transmitter is empty */

#endif
