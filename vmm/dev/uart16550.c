/* SPDX-License-Identifier: MIT */
/*
 * A 16550 as guests see it: transmit is always ready (bytes go straight to
 * Keel's console), receive is empty, no interrupts yet. Register map:
 * National Semiconductor PC16550D datasheet.
 */
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/vm.h>

#define LCR_DLAB 0x80
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define IIR_NONE 0x01
#define MSR_CTS_DSR_DCD 0xb0

static int vuart_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct vuart *u = dev;
	unsigned reg = (unsigned)(a->addr - u->base);
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v = (uint8_t)a->value;

	if (a->size != 1)
		return a->write ? 0 : (a->value = ~0ULL, 0);
	if (a->write) {
		switch (reg) {
		case 0: dlab ? (void)(u->dll = v) : vm_console_putc(vm, (char)v); break;
		case 1: dlab ? (void)(u->dlm = v) : (void)(u->ier = v & 0x0f); break;
		case 3: u->lcr = v; break;
		case 4: u->mcr = v & 0x1f; break;
		case 7: u->scr = v; break;
		}
		return 0;
	}
	switch (reg) {
	case 0: a->value = dlab ? u->dll : 0; break;
	case 1: a->value = dlab ? u->dlm : u->ier; break;
	case 2: a->value = IIR_NONE; break;
	case 3: a->value = u->lcr; break;
	case 4: a->value = u->mcr; break;
	case 5: a->value = LSR_THRE | LSR_TEMT; break;
	case 6: a->value = MSR_CTS_DSR_DCD; break;
	default: a->value = u->scr; break;
	}
	return 0;
}

int vuart_attach(struct vm *vm, struct vuart *u, uint16_t base)
{
	int err = io_register_pio(vm, base, 8, vuart_io, u);

	if (!err)
		*u = (struct vuart){ .base = base, .lcr = 0x03 };
	return err;
}
