/* SPDX-License-Identifier: MIT */
/*
 * hello: the smallest useful PV guest. newlib's printf, malloc and strtol
 * on top of Keel's PV runtime, then a look at what Keel told it (start
 * info, memory, time) and the errors bad hypercall arguments get.
 */
#include <inttypes.h>
#include <keel_pv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

static void expect(const char *what, long got, long want)
{
	printf("hello: %s = %ld%s\n", what, got, got == want ? "" : " (WRONG)");
	if (got != want)
		failures++;
}

int main(int argc, char **argv)
{
	struct keel_memory_info mi;
	uint64_t t0, t1;
	char *buf;

	printf("hello from %s (domain %u), %d argument(s):", argv[0], keel_start_info->domid,
	       argc - 1);
	for (int i = 1; i < argc; i++)
		printf(" [%s]", argv[i]);
	printf("\n");
	if (keel_start_info->module_size) {
		const char *m = (const char *)keel_start_info->module_start;
		size_t n = keel_start_info->module_size < 60 ? keel_start_info->module_size : 60;
		const char *nl = memchr(m, '\n', n);

		printf("hello: module of %" PRIu64 " bytes: %.*s\n", keel_start_info->module_size,
		       (int)(nl ? (size_t)(nl - m) : n), m);
	}
	printf("hello: running %s\n", keel_start_info->flags & KEEL_START_VMX ?
					     "in a VM (hypercalls by vmcall)" :
					     "deprivileged in ring 3 (hypercalls by syscall)");

	printf("hello: console by %s, up to %u bytes a call, typed input %s\n",
	       keel_start_info->console == KEEL_CONSOLE_HYPERCALL ? "hypercalls" : "?",
	       keel_start_info->console_max, keel_start_info->console_input ? "comes here" :
									  "goes to the hvm guest");

	buf = malloc(256 * 1024);
	if (!buf)
		return 10;
	memset(buf, 'k', 256 * 1024);
	snprintf(buf, 64, "%s-%ld-%.3f", "malloc", strtol("0x2a", NULL, 0), 2.0 / 3.0);
	printf("hello: %s\n", buf);
	free(buf);

	expect("memory query", keel_hcall(KEEL_HC_MEMORY_QUERY, (long)&mi, 0, 0), 0);
	printf("hello: %" PRIu64 " KiB of RAM, heap %" PRIu64 " KiB\n", mi.ram_size / 1024,
	       (mi.heap_end - mi.heap_start) / 1024);
	t0 = keel_time_ns();
	t1 = keel_time_ns();
	printf("hello: time runs: %s\n", t1 > t0 && t0 > 0 ? "yes" : "no");
	expect("my domain id", keel_hcall(KEEL_HC_DOMAIN_FIND, (long)argv[0], 0, 0),
	       keel_start_info->domid);

	/* Bad arguments get errors, and the guest goes on. */
	expect("console write from unmapped memory",
	       keel_hcall(KEEL_HC_CONSOLE_WRITE, 0x7000000000L, 4, 0), -KEEL_EFAULT);
	expect("console write from a non-canonical address",
	       keel_hcall(KEEL_HC_CONSOLE_WRITE, (long)0xffff800000000000UL, 4, 0), -KEEL_EFAULT);
	expect("console write of 1 MiB", keel_hcall(KEEL_HC_CONSOLE_WRITE, (long)argv[0],
						       1 << 20, 0), -KEEL_EINVAL);
	expect("memory query into unmapped memory",
	       keel_hcall(KEEL_HC_MEMORY_QUERY, 0x7000000000L, 0, 0), -KEEL_EFAULT);
	expect("domain find of an unknown name",
	       keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"nosuch", 0, 0), -KEEL_ENOENT);
	expect("domain find of an empty name", keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"", 0, 0),
	       -KEEL_EINVAL);
	expect("shutdown with reason 7", keel_hcall(KEEL_HC_SHUTDOWN, 7, 0, 0), -KEEL_EINVAL);
	expect("call 100", keel_hcall(100, 0, 0, 0), -KEEL_ENOSYS);

	printf("hello: %s\n", failures ? "SOME CHECKS FAILED" : "all checks passed");
	return failures;
}
