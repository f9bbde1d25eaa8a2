/* SPDX-License-Identifier: MIT */
/* Hypercall argument checks; see keel/hcall_args.h. */
#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hcall_args.h>

/* Guest-virtual addresses a PV guest may pass: below the canonical hole. */
#define GVA_LIMIT (1ULL << 47)

int hc_check_buffer(uint64_t gva, uint64_t len, uint64_t max)
{
	if (len > max)
		return -EINVAL;
	if (gva >= GVA_LIMIT || len > GVA_LIMIT - gva)
		return -EFAULT;
	return 0;
}

int hc_check_name(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			return i ? 0 : -EINVAL;
	return -EINVAL;
}

int hc_check_shutdown_reason(uint64_t reason)
{
	return reason == KEEL_SHUTDOWN_POWEROFF || reason == KEEL_SHUTDOWN_CRASH ? 0 : -EINVAL;
}
