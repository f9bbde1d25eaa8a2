/* SPDX-License-Identifier: MIT */
/*
 * Keel's host UART (drivers/uart), the TSC rate and a vCPU's exit reports
 * for targets that link vmm/console.c and console_input.c: what Keel sends
 * is kept (to check), what is typed comes from stub_uart_type().
 */
#include <string.h>

#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/vcpu.h>

#include "stub_uart.h"

char stub_uart_out[1 << 16];
size_t stub_uart_len;
uint64_t uart_tx_due = TSC_NEVER;
static uint8_t typed[256];
static unsigned typed_head, typed_count;

/* One CPU here: the console lock (vmm/console_lock.c) has nothing to do. */
void console_lock(void) {}
void console_unlock(void) {}

void stub_uart_clear(void)
{
	stub_uart_len = 0;
	typed_head = typed_count = 0;
}

void stub_uart_type(uint8_t c)
{
	if (typed_count < sizeof(typed))
		typed[(typed_head + typed_count++) % sizeof(typed)] = c;
}

void uart_putc(char c)
{
	if (stub_uart_len < sizeof(stub_uart_out))
		stub_uart_out[stub_uart_len++] = c;
}

/* lib/printk.c's: the serial line and the screen (drivers/video has its own target). */
void console_putc(char c)
{
	uart_putc(c);
}

void screen_service(void)
{
}

void uart_tx_poll(void)
{
}

int uart_getc(void)
{
	uint8_t c;

	if (!typed_count)
		return -1;
	c = typed[typed_head];
	typed_head = (typed_head + 1) % sizeof(typed);
	typed_count--;
	return c;
}

/* Time stands still for the console: every poll reads the UART, no prompt is left alone long. */
uint64_t ns_to_tsc(uint64_t ns)
{
	(void)ns;
	return 0;
}

void vcpu_print_stats(const struct vcpu *v)
{
	(void)v;
}

void vcpu_print_trace(const struct vcpu *v)
{
	(void)v;
}

void hvm_cpu_print_state(const struct vcpu *v)
{
	(void)v;
}
