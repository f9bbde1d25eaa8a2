/* SPDX-License-Identifier: MIT */
/*
 * QEMU's debug console port (0x402): firmware such as SeaBIOS writes its
 * diagnostics there. Bytes join the guest's tagged console stream.
 */
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/vm.h>

static int debugcon_io(struct vm *vm, void *dev, struct io_access *a)
{
	(void)dev;
	if (a->write)
		vm_fw_log_putc(vm, (char)a->value);
	else
		a->value = 0xe9; /* what QEMU's debugcon reads back */
	return 0;
}

int debugcon_attach(struct vm *vm, uint16_t port)
{
	return io_register_pio(vm, port, 1, debugcon_io, NULL);
}
