/* SPDX-License-Identifier: MIT */
/* Link test for the newlib PV guests use (make test-newlib): a static
 * Linux program with newlib as its only C library and stubs.c in place of
 * the PV runtime, so that what libc computes can be checked on the host. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stubs.h"

static int checks, failures;

static void check(const char *what, int ok, const char *got)
{
	checks++;
	if (ok)
		return;
	failures++;
	host_puts("newlib: FAIL ");
	host_puts(what);
	host_puts(": got \"");
	host_puts(got);
	host_puts("\"\n");
}

static void check_str(const char *what, const char *got, const char *want)
{
	check(what, strcmp(got, want) == 0, got);
}

static void test_snprintf(void)
{
	char b[80];
	int n;

	n = snprintf(b, sizeof(b), "%d|%5s|%-5x|%#o|%lld|%zu|%c|%p", -42, "ab", 0xbeef, 8,
		     -9000000000LL, (size_t)123, 'z', (void *)0x1000);
	check_str("snprintf integers", b, "-42|   ab|beef |010|-9000000000|123|z|0x1000");
	check("snprintf return value", n == (int)strlen(b), b);
	n = snprintf(b, 5, "%s", "abcdefgh");
	check_str("snprintf truncates", b, "abcd");
	check("snprintf returns the untruncated length", n == 8, b);
	snprintf(b, sizeof(b), "%" PRIu64 " %hhd", UINT64_MAX, (signed char)-1);
	check_str("snprintf C99 lengths", b, "18446744073709551615 -1");
}

static void test_double_printf(void)
{
	char b[80];

	snprintf(b, sizeof(b), "%.3f %g %e %.17g %a", 3.14159, 1e-5, 12345.678, 0.1, 1.0);
	check_str("snprintf doubles", b, "3.142 1e-05 1.234568e+04 0.10000000000000001 0x1p+0");
	snprintf(b, sizeof(b), "%f %.0f %g", -0.0, 2.5, 1e300 * 1e300);
	check_str("snprintf signed zero, rounding, inf", b, "-0.000000 2 inf");
}

static void test_strtol(void)
{
	char b[80];
	char *end;
	long v;

	v = strtol("  -0x1fz", &end, 0);
	snprintf(b, sizeof(b), "%ld %s", v, end);
	check_str("strtol base 0", b, "-31 z");
	v = strtol("777", NULL, 8);
	snprintf(b, sizeof(b), "%ld", v);
	check_str("strtol base 8", b, "511");
	errno = 0;
	v = strtol("99999999999999999999", NULL, 10);
	snprintf(b, sizeof(b), "%ld %d", v, errno);
	check("strtol overflow", v == LONG_MAX && errno == ERANGE, b);
}

static void test_strtod_libm(void)
{
	char b[80];
	char *end;
	volatile double two = 2.0;
	double d = strtod("2.5e3x", &end);

	snprintf(b, sizeof(b), "%g %s %.6f", d, end, sqrt(two) * sqrt(two));
	check_str("strtod and libm's sqrt", b, "2500 x 2.000000");
}

static int in_heap(const void *p, size_t n)
{
	const char *c = p;

	return c >= newlib_heap && c + n <= newlib_heap + newlib_heap_size;
}

static void test_malloc(void)
{
	enum { N = 64 };
	unsigned char *p[N];
	int ok = 1;

	for (int i = 0; i < N; i++) {
		size_t n = 1 + 37 * i;

		p[i] = malloc(n);
		ok &= p[i] && in_heap(p[i], n) && (uintptr_t)p[i] % 16 == 0;
		if (p[i])
			memset(p[i], i, n);
	}
	check("malloc from sbrk's array, 16-byte aligned", ok, "");
	for (int i = 0; i < N; i += 2)
		free(p[i]);
	for (int i = 0; i < N; i += 2)
		ok &= (p[i] = malloc(1 + 37 * i)) != NULL;
	for (int i = 1; i < N && ok; i += 2)
		for (size_t j = 0; j < 1 + 37u * i; j++)
			ok &= p[i][j] == i;
	check("free, malloc again: other blocks untouched", ok, "");
	p[1] = realloc(p[1], 100000);
	ok = p[1] && in_heap(p[1], 100000);
	for (size_t j = 0; j < 38 && ok; j++)
		ok &= p[1][j] == 1;
	check("realloc keeps the contents", ok, "");
	unsigned char *z = calloc(1000, 1);
	ok = z != NULL;
	for (size_t j = 0; j < 1000 && ok; j++)
		ok &= z[j] == 0;
	check("calloc zeroes", ok, "");
	free(z);
	for (int i = 0; i < N; i++)
		free(p[i]);
	errno = 0;
	check("malloc beyond the heap fails with ENOMEM",
	      malloc(2 * newlib_heap_size) == NULL && errno == ENOMEM, "");
}

static void test_stdio(void)
{
	char s[16];
	int i = 0;
	double d = 0;

	printf("hello %s %d\n", "newlib", 42);
	fputs("no newline yet", stdout);
	fprintf(stderr, "<err>");
	fflush(stdout);
	newlib_out[newlib_out_len < sizeof(newlib_out) ? newlib_out_len : sizeof(newlib_out) - 1] = 0;
	check_str("printf through write(), line-buffered stdout, unbuffered stderr", newlib_out,
		  "hello newlib 42\n<err>no newline yet");
	int n = sscanf("12 ab 3.5", "%d %15s %lf", &i, s, &d);
	check("sscanf", n == 3 && i == 12 && strcmp(s, "ab") == 0 && d == 3.5, s);
}

int main(void)
{
	char b[80];

	test_snprintf();
	test_double_printf();
	test_strtol();
	test_strtod_libm();
	test_malloc();
	test_stdio();
	snprintf(b, sizeof(b), "newlib: %d of %d checks passed\n", checks - failures, checks);
	host_puts(b);
	return failures != 0;
}
