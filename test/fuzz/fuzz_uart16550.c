/* SPDX-License-Identifier: MIT */
/*
 * The 16550 (vmm/dev/uart16550.c) alone at COM1 on IRQ 4, attached as
 * vm_attach_devices() and hvm_build.c attach it, with bytes arriving as the
 * extra op: typed into Keel's queue for the guest (then maybe a poll's
 * refill), or straight onto the receive line. Queued input never overruns
 * the FIFO: only the line and loopback can.
 */
#include <string.h>

#include <keel/dev.h>
#include <keel/vm.h>

#include "fuzz.h"

static struct vm vm;
static uint8_t queue_buf[64];
static struct ring queue;
static bool line_used; /* a byte came on the line, or loopback was on: overruns possible */

static void attach(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	FUZZ_CHECK(!vuart_attach(v, &v->uart, 0x3f8), "the UART registers its ports");
	v->uart.irq = fuzz_irq_line(4);
	v->uart.input = &queue;
	fuzz_irqs.level[4] = false; /* the PC's interrupt controllers start afresh */
}

static void receive(struct vm *v, struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);

	if (how & 1) {
		line_used = true;
		vuart_receive(&v->uart, fuzz_u8(in));
		return;
	}
	ring_put(&queue, fuzz_u8(in));
	if (how & 2)
		vuart_refill(&v->uart);
}

static void after_op(struct vm *v)
{
	const struct vuart *u = &v->uart;

	FUZZ_CHECK(u->irq_level == fuzz_irqs.level[4], "UART: IRQ 4 is what the UART says it drives");
	FUZZ_CHECK(u->rx_count <= sizeof(u->rx) && u->rx_head < sizeof(u->rx),
		   "UART: the receive FIFO holds at most 16 bytes");
	line_used |= (u->mcr & 0x10) != 0;
	FUZZ_CHECK(!u->overrun || line_used, "UART: input queued by Keel never overruns the FIFO");
	FUZZ_CHECK(ring_count(&queue) <= sizeof(queue_buf), "UART: the queue holds what fits");
}

static const struct fuzz_target target = { .after_op = after_op, .extra = receive,
					   .reset = attach };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	ring_init(&queue, queue_buf, sizeof(queue_buf));
	line_used = false;
	fuzz_now = 0;
	attach(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
