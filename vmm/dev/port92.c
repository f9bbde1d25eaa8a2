/* SPDX-License-Identifier: MIT */
/* System control port A; see keel/dev/port92.h. */
#include <keel/dev/port92.h>
#include <keel/io.h>

static int port92_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct port92 *p = dev;
	uint8_t old = p->value;

	(void)vm;
	if (!a->write) {
		a->value = p->value;
		return 0;
	}
	p->value = (uint8_t)a->value;
	/* The reset fires on the rising edge; the bit reads back as written, as on Intel PCHs. */
	if ((p->value & PORT92_RESET) && !(old & PORT92_RESET) && p->reset)
		p->reset(p->ctx);
	return 0;
}

void port92_init(struct port92 *p, void (*reset)(void *ctx), void *ctx)
{
	*p = (struct port92){ .value = PORT92_A20, .reset = reset, .ctx = ctx };
}

int port92_register(struct vm *vm, struct port92 *p)
{
	return io_register_pio(vm, PORT92_PORT, 1, port92_io, p);
}
