/* SPDX-License-Identifier: MIT */
/* exits64's checks that live outside exits64.c. */
#ifndef EXITS64_H
#define EXITS64_H

/* STOS/MOVS and OR/AND/XOR/TEST/CMP on the MMIO test device (exits64_mmio.c). */
void test_mmio_strings(void);
void test_mmio_alu(void);

#endif
