/* SPDX-License-Identifier: MIT */
/*
 * What vlapic.c shares with its x2APIC MSR interface (vlapic_x2apic.c):
 * register offsets of the xAPIC page (SDM 3A Table 11-1; the x2APIC MSR
 * of offset o is 0x800 + o / 16, Table 11-6) and register access.
 */
#ifndef VLAPIC_PRIV_H
#define VLAPIC_PRIV_H

#include <keel/dev/vlapic.h>

#define REG_ID    0x020
#define REG_VER   0x030
#define REG_TPR   0x080
#define REG_PPR   0x0a0
#define REG_EOI   0x0b0
#define REG_LDR   0x0d0
#define REG_DFR   0x0e0
#define REG_SVR   0x0f0
#define REG_ISR   0x100
#define REG_TMR   0x180
#define REG_IRR   0x200
#define REG_ESR   0x280
#define REG_CMCI  0x2f0
#define REG_ICR   0x300
#define REG_ICR2  0x310
#define REG_LVTT  0x320 /* timer, then thermal, perf, LINT0, LINT1, error */
#define REG_LVTE  0x370
#define REG_TMICT 0x380
#define REG_TMCCT 0x390
#define REG_TDCR  0x3e0

#define REG_SELF_IPI 0x3f0 /* x2APIC mode only */

/* 256-bit vectors (ISR, TMR, IRR) as eight 32-bit registers. */
static inline bool vec_test(const uint32_t *map, unsigned v)
{
	return map[v / 32] & (1u << (v % 32));
}

static inline void vec_set(uint32_t *map, unsigned v)
{
	map[v / 32] |= 1u << (v % 32);
}

static inline void vec_clear(uint32_t *map, unsigned v)
{
	map[v / 32] &= ~(1u << (v % 32));
}

static inline int vec_highest(const uint32_t *map)
{
	for (int i = 7; i >= 0; i--)
		if (map[i])
			return i * 32 + 31 - __builtin_clz(map[i]);
	return -1;
}

/* A register read or write as the xAPIC page has it (callers ran vlapic_update(now)). */
uint32_t vlapic_reg_read(struct vlapic *a, unsigned off, uint64_t now);
void vlapic_reg_write(struct vlapic *a, unsigned off, uint32_t v, uint64_t now);
/* A write there moves the timer's deadline (hvm_events.c recomputes it). */
bool vlapic_moves_deadline(unsigned off);
/* Send the IPI the ICR now holds: lo the command, dest the destination field. */
void vlapic_send_ipi(struct vlapic *a, uint32_t lo, uint32_t dest);

#endif
