/* SPDX-License-Identifier: MIT */
/*
 * A tiny DNS responder (RFC 1035) for netsvc: every A query is answered
 * with one address, other types with no answer; enough for a client's
 * UDP exchange (busybox nslookup) with the service.
 */
#ifndef PV_NET_DNS_H
#define PV_NET_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53

/*
 * The response to the query q[0..n) in out[0..max), answering an A query
 * with addr: its length, 0 if q is not one well-formed standard query.
 * label gets an A query's first name label (NUL-terminated, up to 15
 * bytes), "" for other queries.
 */
size_t dns_answer(const uint8_t *q, size_t n, uint32_t addr, uint8_t *out, size_t max,
		  char label[16]);

#endif
