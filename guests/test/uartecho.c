/* SPDX-License-Identifier: MIT */
/*
 * uartecho: a terminal program on its 16550, polled, as a guest with the
 * console's focus runs one. It greets in bold and reverse video (escape
 * sequences the focused console must pass unchanged), then reads lines:
 * each byte is echoed as it arrives, and read slowly (a pause after each,
 * as a busy guest reads), so a paste arrives faster than it is taken and
 * must wait in Keel rather than overrun the 16-byte FIFO. Each line is
 * answered with its length, its FNV-1a hash and whether the UART reported
 * an overrun; "q" ends the guest with status 0.
 */
#include "lib/guest.h"
#include <keel/printk.h>

#define COM1      0x3f8
#define LSR       (COM1 + 5)
#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_THRE  0x20
#define PAUSE_TICKS 20000 /* after each byte read: longer than a byte takes to arrive */

static void put(char c)
{
	while (!(inb(LSR) & LSR_THRE))
		;
	outb(COM1, (uint8_t)c);
}

static void puts_raw(const char *s)
{
	for (; *s; s++)
		put(*s);
}

static bool overrun;

static char get(void)
{
	uint8_t lsr;

	while (!((lsr = inb(LSR)) & LSR_DR))
		overrun |= lsr & LSR_OE;
	overrun |= lsr & LSR_OE;
	return (char)inb(COM1);
}

static void pause(void)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < PAUSE_TICKS)
		__asm__ volatile("pause");
}

int main(const char *args, uint64_t ram);
int main(const char *args, uint64_t ram)
{
	char buf[80];

	(void)args, (void)ram;
	puts_raw("\x1b[1muartecho\x1b[0m: \x1b[7mready\x1b[27m\r\n");
	for (;;) {
		uint32_t hash = 2166136261u, len = 0;
		char first = 0, c;

		puts_raw("uartecho> ");
		while ((c = get()) != '\r' && c != '\n') {
			put(c);
			hash = (hash ^ (uint8_t)c) * 16777619u;
			first = len++ ? first : c;
			pause();
		}
		puts_raw("\r\n");
		if (len == 1 && first == 'q')
			break;
		snprintf(buf, sizeof(buf), "uartecho: %u bytes, fnv 0x%08x, %s\r\n", len, hash,
			 overrun ? "OVERRUN" : "no overrun");
		puts_raw(buf);
	}
	puts_raw("uartecho: bye\r\n");
	return 0;
}
