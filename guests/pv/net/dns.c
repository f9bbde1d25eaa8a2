/* SPDX-License-Identifier: MIT */
/* The DNS responder; see dns.h. Sections: RFC 1035. */
#include <string.h>
#include "dns.h"

#define HDR 12

/* The end of the question's name at q[at..n) (4.1.2, no compression in a query), or 0. */
static size_t name_end(const uint8_t *q, size_t n, size_t at, char label[16])
{
	size_t first = at;

	while (at < n && q[at]) {
		if (q[at] > 63 || at + 1 + q[at] >= n)
			return 0;
		if (at == first) {
			size_t l = q[at] < 15 ? q[at] : 15;

			memcpy(label, q + at + 1, l);
			label[l] = '\0';
		}
		at += 1 + (size_t)q[at];
	}
	return at < n && at - first < 255 ? at + 1 : 0;
}

size_t dns_answer(const uint8_t *q, size_t n, uint32_t addr, uint8_t *out, size_t max,
		  char label[16])
{
	size_t end, len;
	int a;

	label[0] = '\0';
	/* A query (QR 0), standard (opcode 0), one question. */
	if (n < HDR || (q[2] & 0xf8) || q[4] || q[5] != 1)
		return 0;
	end = name_end(q, n, HDR, label);
	if (!end || end + 4 > n)
		return 0;
	end += 4; /* QTYPE, QCLASS */
	a = q[end - 4] == 0 && q[end - 3] == 1 && q[end - 2] == 0 && q[end - 1] == 1;
	if (!a)
		label[0] = '\0'; /* only an A query asks for something (nslookup sends AAAA too) */
	len = end + (a ? 16 : 0);
	if (len > max)
		return 0;
	memcpy(out, q, end);
	out[2] = 0x84 | (q[2] & 1); /* QR, AA, the query's RD */
	out[3] = 0;                 /* no recursion available, NOERROR */
	memset(out + 6, 0, 6);      /* counts: answers below, no authority, no additional */
	out[7] = (uint8_t)a;
	if (a) {
		static const uint8_t rr[12] = { 0xc0, HDR, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

		memcpy(out + end, rr, sizeof(rr)); /* the name by pointer, A, IN, TTL 60, 4 bytes */
		out[end + 12] = (uint8_t)(addr >> 24);
		out[end + 13] = (uint8_t)(addr >> 16);
		out[end + 14] = (uint8_t)(addr >> 8);
		out[end + 15] = (uint8_t)addr;
	}
	return len;
}
