/* SPDX-License-Identifier: MIT */
/*
 * The ping-pong pair's rendezvous, by convention (Keel has no directory
 * service): ping's first grant (reference 0) is the shared page and its
 * first event port (1) the channel; pong binds to it and maps the page.
 */
#ifndef PINGPONG_H
#define PINGPONG_H

#include <stdint.h>

#define PING_GRANT_REF 0
#define PING_PORT      1
#define ROUNDS         10
#define BENCH_ROUNDS   101

struct pingpong_page {
	volatile uint32_t seq;
	char msg[60];
};

#endif
