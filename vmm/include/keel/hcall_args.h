/* SPDX-License-Identifier: MIT */
/*
 * Argument checks shared by the hypercalls: pure logic, host unit-tested
 * (test/unit/test_hcall_args.c). Each returns 0 or the -errno the call
 * gives back; a guest's bad argument never reaches anything else.
 */
#ifndef KEEL_HCALL_ARGS_H
#define KEEL_HCALL_ARGS_H

#include <stddef.h>
#include <stdint.h>

/* A guest buffer: at most max bytes, not wrapping, in the lower canonical half. */
int hc_check_buffer(uint64_t gva, uint64_t len, uint64_t max);
/* A guest name read into buf[0..n): NUL-terminated within n, 1..n-1 characters. */
int hc_check_name(const char *buf, size_t n);
/* KEEL_HC_SHUTDOWN's reason. */
int hc_check_shutdown_reason(uint64_t reason);

#endif
