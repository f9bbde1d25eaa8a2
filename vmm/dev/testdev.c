/* SPDX-License-Identifier: MIT */
/* An MMIO test device: an ID register and a scratch register (keel/abi.h). */
#include <keel/abi.h>
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/vm.h>

static int testdev_mmio(struct vm *vm, void *dev, struct io_access *a)
{
	struct testdev *t = dev;
	uint64_t off = a->addr - KEEL_TESTDEV_MMIO;

	(void)vm;
	if (off == KEEL_TESTDEV_SCRATCH) {
		if (a->write)
			t->scratch = a->value;
		else
			a->value = t->scratch;
	} else if (off == KEEL_TESTDEV_ID && !a->write) {
		a->value = KEEL_TESTDEV_ID_VALUE;
	} else if (!a->write) {
		a->value = 0;
	}
	return 0;
}

int testdev_attach(struct vm *vm, struct testdev *t)
{
	int err = io_register_mmio(vm, KEEL_TESTDEV_MMIO, 0x1000, testdev_mmio, t);

	if (!err)
		t->scratch = 0;
	return err;
}
