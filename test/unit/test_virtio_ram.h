/* SPDX-License-Identifier: MIT */
/*
 * What the virtio host tests share: a fake guest RAM of RAM_SIZE bytes at
 * GPA RAM_BASE behind Keel's vm_gpa_to_hva*(), stand-ins for the I/O
 * registry, and a descriptor writer (virtio 1.1 2.6.5). Included by one
 * test file each (it defines functions).
 */
#ifndef TEST_UNIT_VIRTIO_RAM_H
#define TEST_UNIT_VIRTIO_RAM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <keel/io.h>

#ifndef RAM_BASE
#define RAM_BASE 0x100000ULL
#endif
#ifndef RAM_SIZE
#define RAM_SIZE 0x10000ULL
#endif

static uint8_t ram[RAM_SIZE];
static unsigned maps_outside; /* lookups refused: outside the fake RAM */

static inline uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

static inline void *ram_lookup(uint64_t gpa, uint64_t len)
{
	if (gpa < RAM_BASE || gpa - RAM_BASE >= RAM_SIZE || len > RAM_SIZE - (gpa - RAM_BASE)) {
		maps_outside++;
		return NULL;
	}
	return at(gpa);
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	(void)vm;
	return ram_lookup(gpa, len);
}

void *vm_gpa_to_hva_write(struct vm *vm, uint64_t gpa, uint64_t len)
{
	(void)vm;
	return ram_lookup(gpa, len);
}

int io_register_pio(struct vm *vm, uint16_t base, uint16_t len, io_handler_fn *fn, void *d)
{
	(void)vm, (void)base, (void)len, (void)fn, (void)d;
	return 0;
}

/* Descriptor i of the table at GPA table. */
static inline void set_desc(uint64_t table, unsigned i, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	uint8_t *p = at(table + 16 * i);

	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

#endif
