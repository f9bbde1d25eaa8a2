/* SPDX-License-Identifier: MIT */
/*
 * What the vLAPIC model links against and a host test of it does not
 * care about: guest time stands at 0, and the xAPIC page's registration
 * succeeds without an I/O registry.
 */
#ifndef TEST_UNIT_VLAPIC_STUBS_H
#define TEST_UNIT_VLAPIC_STUBS_H

#include <keel/io.h>

uint64_t vm_time_ns(struct vm *vm)
{
	(void)vm;
	return 0;
}

int io_register_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *dev)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)dev;
	return 0;
}

#endif
