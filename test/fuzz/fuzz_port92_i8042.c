/* SPDX-License-Identifier: MIT */
/*
 * Port 0x92 and the 8042 (vmm/dev/port92.c, i8042.c) alone, on IRQ 1 and
 * 12. A reset either asks for is done before the next op, as Keel does it
 * before the next entry (hvm_reset_now: both start afresh).
 */
#include <string.h>

#include <keel/dev/i8042.h>
#include <keel/dev/port92.h>
#include <keel/vm.h>

#include "fuzz.h"

static struct vm vm;
static struct port92 p92;
static struct i8042 kbc;
static bool reset_due;

static void request_reset(void *ctx)
{
	FUZZ_CHECK(ctx == &vm, "a reset request carries the VM it was given");
	reset_due = true;
}

static void build(struct vm *v)
{
	struct irq_line irq1 = fuzz_irq_line(1), irq12 = fuzz_irq_line(12);

	memset(&v->io, 0, sizeof(v->io));
	fuzz_irqs.level[1] = fuzz_irqs.level[12] = false; /* fresh interrupt controllers */
	port92_init(&p92, request_reset, v);
	i8042_init(&kbc, &irq1, &irq12, request_reset, v);
	FUZZ_CHECK(!port92_register(v, &p92) && !i8042_register(v, &kbc),
		   "port 0x92 and the 8042 register their ports");
	reset_due = false;
}

static void after_op(struct vm *v)
{
	FUZZ_CHECK(kbc.irq1_level == fuzz_irqs.level[1] && kbc.irq12_level == fuzz_irqs.level[12],
		   "8042: IRQ 1 and 12 are what the controller says it drives");
	FUZZ_CHECK(kbc.count <= I8042_QUEUE && kbc.head < I8042_QUEUE,
		   "8042: the output queue holds at most I8042_QUEUE bytes");
	if (reset_due)
		build(v);
}

static const struct fuzz_target target = { .after_op = after_op, .reset = build };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	fuzz_now = 0;
	build(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
