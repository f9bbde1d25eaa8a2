/* SPDX-License-Identifier: MIT */
/*
 * x * num / den without wrapping, for rate conversions (TSC <-> ns, LAPIC
 * timer counts). Inline so that Keel and host tests share it without
 * libgcc: a 128-by-64 division is the only thing gcc would call out for,
 * and it is done by hand, only for products past 2^64 (rates above
 * ~18 GHz); the usual path is two 64-bit divisions.
 */
#ifndef DRIVERS_MUL_DIV_H
#define DRIVERS_MUL_DIV_H

#include <stdbool.h>
#include <stdint.h>

/* n / d for n < d * 2^64 (the quotient fits in 64 bits), a bit at a time. */
static inline uint64_t mul_div_wide(unsigned __int128 n, uint64_t d, uint64_t *rem)
{
	uint64_t hi = (uint64_t)(n >> 64), lo = (uint64_t)n, q = 0;

	for (int i = 0; i < 64; i++) {
		uint64_t carry = hi >> 63; /* hi < d before the shift, so the 65-bit value is < 2d */

		hi = hi << 1 | lo >> 63;
		lo <<= 1;
		q <<= 1;
		if (carry || hi >= d) {
			hi -= d; /* modulo 2^64: exact, the result is < d */
			q |= 1;
		}
	}
	*rem = hi;
	return q;
}

/*
 * x * num / den (den > 0), rounded down, or up if up; UINT64_MAX when the
 * result does not fit in 64 bits. Exact for every input: split at whole
 * multiples of den, x * num / den = (x / den) * num + (x % den) * num / den,
 * where the second term is below num.
 */
static inline uint64_t mul_div_sat(uint64_t x, uint64_t num, uint64_t den, bool up)
{
	uint64_t q = x / den, r = x % den, whole, part, rem, res;
	unsigned __int128 rn = (unsigned __int128)r * num;

	if (__builtin_mul_overflow(q, num, &whole))
		return UINT64_MAX;
	if (rn >> 64) {
		part = mul_div_wide(rn, den, &rem);
	} else {
		part = (uint64_t)rn / den;
		rem = (uint64_t)rn % den;
	}
	if (__builtin_add_overflow(whole, part, &res))
		return UINT64_MAX;
	if (up && rem && __builtin_add_overflow(res, 1, &res))
		return UINT64_MAX;
	return res;
}

#endif
