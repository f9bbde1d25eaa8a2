/* SPDX-License-Identifier: MIT */
/*
 * KEEL_HC_CONSOLE_WRITE / READ: a guest's text on Keel's console, shown as
 * its UART output is (vmm/console.c), and what is typed there for it
 * (vmm/console_input.c: the focused guest's, or from Keel's log the PV
 * guests' while no hvm guest runs).
 */
#include <arch/guest_mem.h>
#include <keel/abi.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/hcall_args.h>
#include <keel/hypercall.h>
#include <keel/vm.h>


uint64_t hcall_console_write(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t a2, uint64_t a3,
			     uint64_t a4)
{
	char buf[128];
	int err = hc_check_buffer(gva, len, KEEL_CONSOLE_MAX);

	(void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	/* Nothing is printed from a buffer that is not all there. */
	if (!arch_guest_readable(v, gva, (unsigned)len))
		return (uint64_t)-EFAULT;
	for (uint64_t done = 0; done < len;) {
		unsigned chunk = len - done < sizeof(buf) ? (unsigned)(len - done) : sizeof(buf);

		if (arch_guest_read(v, gva + done, buf, chunk) != chunk)
			return (uint64_t)-EFAULT;
		for (unsigned i = 0; i < chunk; i++)
			vm_console_text(v->vm, buf[i]);
		done += chunk;
	}
	return len;
}

uint64_t hcall_console_read(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t a2, uint64_t a3,
			    uint64_t a4)
{
	char buf[128];
	unsigned n = 0;
	int err = hc_check_buffer(gva, len, KEEL_CONSOLE_MAX);
	struct ring *q;

	(void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	vm_console_poll(v->vm);
	q = console_input_for(v->vm);
	if (!q)
		return 0;
	if (len > sizeof(buf))
		len = sizeof(buf);
	/* Check the buffer is guest memory first, so a bad one loses no input. */
	if (arch_guest_read(v, gva, buf, (unsigned)len) != len)
		return (uint64_t)-EFAULT;
	while (n < len && n < ring_count(q)) {
		buf[n] = (char)ring_peek(q, n);
		n++;
	}
	/* Taken only once written: a buffer the guest cannot write loses nothing either. */
	if (n && arch_guest_write(v, gva, buf, n) != n)
		return (uint64_t)-EFAULT;
	ring_drop(q, n);
	return n;
}
