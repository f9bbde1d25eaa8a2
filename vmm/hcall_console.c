/* SPDX-License-Identifier: MIT */
/* KEEL_HC_CONSOLE_WRITE: guest text to Keel's console, tagged like UART output. */
#include <arch/guest_mem.h>
#include <keel/errno.h>
#include <keel/vm.h>

#define CONSOLE_WRITE_MAX 4096

uint64_t hcall_console_write(struct vcpu *v, uint64_t gva, uint64_t len, uint64_t unused)
{
	char buf[128];

	(void)unused;
	if (len > CONSOLE_WRITE_MAX)
		return (uint64_t)-EINVAL;
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
