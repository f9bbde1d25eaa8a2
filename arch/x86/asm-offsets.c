/* SPDX-License-Identifier: MIT */
/* Structure offsets for assembly, extracted by the Makefile (STYLE.md 4). */
#include <stddef.h>

#define DEFINE(sym, val) __asm__ volatile("\n.ascii \"->" #sym " %0\"" ::"i"(val))

void asm_offsets(void);
void asm_offsets(void)
{
	DEFINE(ASM_OFFSETS_VERSION, 1);
}
