/* SPDX-License-Identifier: MIT */
/* The newlib link test's stand-in for the PV runtime (stubs.c), and the
 * raw Linux calls the test reports through. */
#ifndef NEWLIB_TEST_STUBS_H
#define NEWLIB_TEST_STUBS_H

#include <stddef.h>

/* What libc wrote to fds 1 and 2, in order; newlib_out_len stops growing
 * when the buffer is full. */
extern char newlib_out[4096];
extern size_t newlib_out_len;

/* The array sbrk hands out. */
extern char newlib_heap[];
extern const size_t newlib_heap_size;

/* Linux's write(2) to the real stdout, bypassing newlib and the stubs. */
void host_puts(const char *s);

#endif
