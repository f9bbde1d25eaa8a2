/* SPDX-License-Identifier: MIT */
/* xsa64's probe classes, one file each (xsa64.c runs them). */
#ifndef XSA64_H
#define XSA64_H

#include <stdint.h>

/* Scratch memory Keel may write for a probe: one page, 4 KiB aligned. */
extern uint8_t xsa64_scratch[4096];

/* A page-mapping helper: map `gpa`'s 2 MiB frame at a fresh address (xsa64.c). */
volatile uint8_t *xsa64_map_gpa(uint64_t gpa);
/* Map the scratch page at a fresh address with nothing mapped after it (xsa64.c). */
uint64_t xsa64_scratch_edge(void);

unsigned xsa64_hypercalls(uint64_t ram);   /* xsa64_hc.c; each returns its unexpected count */
unsigned xsa64_partial(void);              /* xsa64_hc.c */
unsigned xsa64_msrs(void);                 /* xsa64_cpu.c */
unsigned xsa64_msr_switch(void);           /* xsa64_cpu.c */
unsigned xsa64_vmx(void);                  /* xsa64_cpu.c */
unsigned xsa64_cpu(void);                  /* xsa64_cpu.c */
void xsa64_cr0_pg(void);                   /* xsa64_cpu.c */

#endif
