/* SPDX-License-Identifier: MIT */
/*
 * The 8254 PIT and port 0x61 (vmm/dev/vpit.c) alone, with guest time: after
 * each op Keel's before-entry work runs its deadline as hvm_events.c does.
 */
#include <string.h>

#include <keel/dev/vpit.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vm vm;
static struct vpit pit;
static uint64_t next_ns;

static void setup(struct vm *v)
{
	struct irq_line irq0 = fuzz_irq_line(0);

	memset(&v->io, 0, sizeof(v->io));
	vpit_init(&pit, &irq0);
	FUZZ_CHECK(!vpit_register(v, &pit), "the PIT registers its ports");
	next_ns = 0;
}

static void after_op(struct vm *v)
{
	(void)v;
	if (fuzz_now >= next_ns)
		vpit_update(&pit, fuzz_now);
	next_ns = vpit_next_event_ns(&pit, fuzz_now);
	FUZZ_CHECK(next_ns >= fuzz_now, "vPIT: the next edge is not in the past");
	FUZZ_CHECK(!fuzz_irqs.level[0], "vPIT: IRQ 0 is pulsed, never left high");
	for (unsigned i = 0; i < 3; i++)
		FUZZ_CHECK(pit.ch[i].cr >= 1 && pit.ch[i].cr <= 65536 && pit.ch[i].mode <= 5 &&
			   pit.ch[i].latch_left <= 2, "vPIT: counter state in range");
}

static const struct fuzz_target target = { .after_op = after_op, .reset = setup };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	fuzz_now = 0;
	setup(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
