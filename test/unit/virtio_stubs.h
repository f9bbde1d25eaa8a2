/* SPDX-License-Identifier: MIT */
/*
 * Stand-ins for Keel's guest memory, I/O registry and clock, for host
 * tests and fuzz targets of virtio devices (test_virtio_net,
 * fuzz_virtio_net). The includer defines RAM_BASE and RAM_SIZE and a
 * `ram` of RAM_SIZE bytes (an array or a pointer) before including it.
 */
#ifndef TEST_VIRTIO_STUBS_H
#define TEST_VIRTIO_STUBS_H

#include <keel/io.h>

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	(void)vm;
	if (gpa < RAM_BASE || gpa - RAM_BASE >= RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE))
		return NULL;
	return ram + (gpa - RAM_BASE);
}

void *vm_gpa_to_hva_write(struct vm *vm, uint64_t gpa, uint64_t len)
{
	return vm_gpa_to_hva(vm, gpa, len);
}

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

int io_move_mmio(struct vm *vm, uint64_t base, uint64_t len, io_handler_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

int io_set_doorbell(struct vm *vm, uint64_t base, uint64_t len, io_doorbell_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

uint64_t vm_time_ns(struct vm *vm)
{
	(void)vm;
	return 0;
}

#endif
