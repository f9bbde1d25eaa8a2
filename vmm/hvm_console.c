/* SPDX-License-Identifier: MIT */
/*
 * Which of an hvm guest's two consoles takes what is typed for it (the
 * guest's queue of typed bytes, vm->con.in, vmm/console_input.c): its
 * 16550 (COM1, ttyS0 to Linux) or its virtio-console (hvc0). keel.cfg's
 * console=hvc0 picks hvc0, but only while the guest's driver has it up
 * (DRIVER_OK and receive buffers posted): the firmware and the boot loader
 * know only the UART, so until then, and after the driver resets the
 * device (a reboot), typed bytes go to the UART. console=ttyS0, the
 * default, is a PC's console: always the UART. One consumer at a time
 * takes from the queue, so typed bytes stay in order and none is taken
 * twice; output of both consoles goes to Keel's console the same way.
 */
#include <boot/config.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/vm.h>

void hvm_console_route(void *ctx)
{
	struct vm *vm = ctx;
	struct virtio_console *c = &vm->hvm->vcon;
	bool hvc = vm->cfg && vm->cfg->console == CFG_HVM_CONSOLE_HVC0 &&
		   virtio_console_receiving(c);

	c->input = hvc ? &vm->con.in : NULL;
	vm->uart.input = hvc ? NULL : &vm->con.in;
}

void hvm_console_refill(struct vm *vm)
{
	hvm_console_route(vm); /* the driver may have stopped (NEEDS_RESET) since */
	if (vm->hvm->vcon.input)
		virtio_console_rx(&vm->hvm->vcon);
	else
		vuart_refill(&vm->uart);
}

void hvm_console_print_stats(struct vm *vm)
{
	const struct virtio_console *c = &vm->hvm->vcon;

	if (vm->cfg && vm->cfg->console == CFG_HVM_CONSOLE_HVC0)
		printk("keel:   virtio-console: %lu bytes out, %lu typed bytes in, %lu receive "
		       "chains refused; typing goes to %s\n", c->bytes, c->rx_bytes, c->rx_bad,
		       c->input ? "hvc0" : "the UART");
}
