/* SPDX-License-Identifier: MIT */
/*
 * The debug-exit port (like QEMU's isa-debug-exit): a write ends the guest's
 * run and Keel reports the value, so a test guest can say pass or fail.
 */
#include <keel/abi.h>
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/vm.h>

static int debug_exit_io(struct vm *vm, void *dev, struct io_access *a)
{
	(void)dev;
	if (!a->write) {
		a->value = ~0ULL;
		return 0;
	}
	vm->exit_status = (int)(uint32_t)a->value;
	vm_stop(vm, "debug-exit port: status %d", vm->exit_status);
}

int debug_exit_attach(struct vm *vm)
{
	return io_register_pio(vm, KEEL_DEBUG_EXIT_PORT, 4, debug_exit_io, NULL);
}
