/* SPDX-License-Identifier: MIT */
/* Keel's console: formatted output to the host serial port and the screen. */
#include <keel/console.h>
#include <keel/printk.h>
#include <drivers/screen.h>
#include <drivers/uart.h>
#include <arch/cpu.h>
#include <arch/smp.h>

void console_putc(char c)
{
	uart_putc(c);
	screen_putc(c);
}

void console_write(const char *s, size_t len)
{
	console_lock();
	console_keel_output();
	for (; len; len--, s++) {
		if (*s == '\n')
			console_putc('\r');
		console_putc(*s);
	}
	screen_update();
	console_unlock();
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void panic(const char *fmt, ...)
{
	char buf[256];
	unsigned cpu;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	cpu = arch_cpu_number();
	console_lock_panic();
	if (cpu)
		printk("\nKEEL PANIC on CPU %u: %s\n", cpu, buf);
	else
		printk("\nKEEL PANIC: %s\n", buf);
	screen_flush();
	uart_flush();
	cpu_halt_forever();
}
