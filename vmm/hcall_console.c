/* SPDX-License-Identifier: MIT */
/*
 * KEEL_HC_CONSOLE_WRITE / READ: a guest's text on Keel's console, tagged
 * like UART output, and what is typed there. An hvm guest, when one runs,
 * owns the typed input (its UART); otherwise PV guests read it.
 */
#include <arch/guest_mem.h>
#include <drivers/uart.h>
#include <keel/abi.h>
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
			vm_console_putc(v->vm, buf[i]);
		done += chunk;
	}
	return len;
}

bool console_input_to_hvm(void)
{
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (keel_vms[i].hvm && keel_vms[i].state != VM_STOPPED)
			return true;
	return false;
}

uint64_t hcall_console_read(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t a2, uint64_t a3,
			    uint64_t a4)
{
	char buf[128];
	unsigned n = 0;
	int c, err = hc_check_buffer(gva, len, KEEL_CONSOLE_MAX);

	(void)a2, (void)a3, (void)a4;
	if (err)
		return (uint64_t)err;
	if (console_input_to_hvm())
		return 0;
	if (len > sizeof(buf))
		len = sizeof(buf);
	/* Check the buffer is guest memory first, so a bad one loses no input. */
	if (arch_guest_read(v, gva, buf, (unsigned)len) != len)
		return (uint64_t)-EFAULT;
	while (n < len && (c = uart_getc()) >= 0)
		buf[n++] = (char)c;
	if (n && arch_guest_write(v, gva, buf, n) != n)
		return (uint64_t)-EFAULT;
	return n;
}
