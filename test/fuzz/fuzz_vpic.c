/* SPDX-License-Identifier: MIT */
/*
 * The dual 8259 (vmm/dev/vpic.c) alone: guest port accesses, interrupt
 * lines driven as devices drive them, and acknowledges as Keel injects.
 */
#include <string.h>

#include <keel/dev/vpic.h>
#include <keel/vm.h>

#include "fuzz.h"
#include "fuzz_pic.h"

static struct vm vm;
static struct vpic pic;

/* A device drives ISA IRQ a % 16 to level b & 1. */
static void set_line(struct vm *v, struct fuzz_in *in)
{
	unsigned irq = fuzz_u8(in) % 16;

	(void)v;
	vpic_set_irq(&pic, irq, fuzz_u8(in) & 1);
}

/* Keel acknowledges only when the PIC asserts INT (hvm_events.c). */
static void ack(struct vm *v, struct fuzz_in *in)
{
	(void)v, (void)in;
	if (vpic_has_interrupt(&pic))
		vpic_ack(&pic);
}

static void setup(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	vpic_init(&pic);
	FUZZ_CHECK(!vpic_register(v, &pic), "the PIC registers its ports");
}

static void after_op(struct vm *v)
{
	(void)v;
	fuzz_check_pic(&pic);
}

static const struct fuzz_target target = {
	.after_op = after_op, .ack = ack, .extra = set_line, .reset = setup,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	fuzz_now = 0;
	setup(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
