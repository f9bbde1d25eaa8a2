/* SPDX-License-Identifier: MIT */
/* Keel's host UART and clock for targets that link vmm/console*.c (stub_uart.c). */
#ifndef TEST_FUZZ_STUB_UART_H
#define TEST_FUZZ_STUB_UART_H

#include <stddef.h>
#include <stdint.h>

/* What Keel sent on its serial line since stub_uart_clear(), and how much. */
extern char stub_uart_out[1 << 16];
extern size_t stub_uart_len;

void stub_uart_clear(void);
/* A byte typed on Keel's console, for uart_getc(). */
void stub_uart_type(uint8_t c);

#endif
