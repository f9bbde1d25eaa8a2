/* SPDX-License-Identifier: MIT */
/*
 * Port I/O exits (qualification: SDM Vol. 3C Table 28-5). A port no device
 * claims behaves like an empty bus: reads return all ones, writes vanish.
 */
#include "vmx_priv.h"
#include <keel/io.h>
#include <keel/vm.h>

#define IO_QUAL_SIZE(q)  (((q) & 7) + 1)
#define IO_QUAL_IN       BIT(3)
#define IO_QUAL_STRING   BIT(4)
#define IO_QUAL_PORT(q)  ((q) >> 16 & 0xffff)

struct vcpu *exit_io(struct vcpu *v)
{
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	uint64_t *rax = &v->gpr.r[REG_RAX];
	uint32_t size = IO_QUAL_SIZE(q);
	uint64_t mask = (1ULL << (8 * size)) - 1;
	struct io_access a = { .addr = IO_QUAL_PORT(q), .size = size, .write = !(q & IO_QUAL_IN) };

	if (unlikely(q & IO_QUAL_STRING))
		return exit_io_string(v);
	if (a.write)
		a.value = *rax & mask;
	if (io_pio(v->vm, &a) && !a.write)
		a.value = ~0ULL;
	if (!a.write) {
		/* A 32-bit IN zero-extends into RAX; 8/16-bit INs merge. */
		if (size == 4)
			*rax = (uint32_t)a.value;
		else
			*rax = (*rax & ~mask) | (a.value & mask);
	}
	vmx_skip_instruction();
	return v;
}
