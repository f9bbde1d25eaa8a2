/* SPDX-License-Identifier: MIT */
/* One instruction at CPL 3 in a 64-bit test guest (guests/test/ring3.c). */
#ifndef GUESTS_RING3_H
#define GUESTS_RING3_H

#include <stdint.h>

/*
 * XSETBV(xcr, value) at CPL 3: returns 0 if it raised #GP with error code
 * 0, else 1 (it completed, or faulted otherwise: ring3.c prints which).
 */
int ring3_xsetbv_gp0(uint32_t xcr, uint64_t value);

#endif
