/* SPDX-License-Identifier: MIT */
/* pvxsa's probe classes, one file each (pvxsa.c runs them). */
#ifndef PVXSA_H
#define PVXSA_H

#include <stdbool.h>
#include <stdint.h>

extern bool pvxsa_vmx;               /* in a VM at CPL 0; else ring 3 without VT-x */
extern uint8_t pvxsa_scratch[4096];  /* memory Keel may write for a probe */
extern volatile unsigned pvxsa_upcalls, pvxsa_timer_events;

/* (Re)register pvxsa's upcall and fault entries. */
void pvxsa_callbacks(void);

unsigned pvxsa_privileged(void);     /* pvxsa_priv.c; each returns its unexpected count */
unsigned pvxsa_int_flood(void);      /* pvxsa_cpu.c */
unsigned pvxsa_msrs(void);           /* pvxsa_cpu.c */
unsigned pvxsa_msr_switch(void);     /* pvxsa_cpu.c */
unsigned pvxsa_memory(void);         /* pvxsa_cpu.c */
unsigned pvxsa_hypercalls(const char *peer, uint64_t guests); /* pvxsa_hc.c */
unsigned pvxsa_partial(void);        /* pvxsa_hc.c */
unsigned pvxsa_timer_flood(void);    /* pvxsa_hc.c */
void pvxsa_snapshot(void);           /* pvxsa_hc.c: what pvxsa_own_state compares with */
unsigned pvxsa_own_state(void);      /* pvxsa_hc.c */

#endif
