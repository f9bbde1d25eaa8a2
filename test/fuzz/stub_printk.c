/* SPDX-License-Identifier: MIT */
/*
 * Keel's console for the fuzz targets: printk output is dropped (it would
 * swamp libFuzzer's), unless FUZZ_VERBOSE is set, to read what a crashing
 * input made Keel say. panic() is a broken host invariant: it aborts.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/printk.h>

static int verbose = -1;

void console_write(const char *s, size_t len)
{
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fwrite(s, 1, len, stderr);
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fuzz: Keel panicked: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
