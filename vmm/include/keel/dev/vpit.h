/* SPDX-License-Identifier: MIT */
/*
 * 8254 PIT (ports 0x40-0x43) and system control port B (0x61), driven by
 * guest time: counter values and OUT levels are computed from vm_time_ns()
 * rather than ticked. Channel 0's OUT drives irq0; Keel calls vpit_update()
 * before each VM entry and arms a host timer for vpit_next_event_ns().
 */
#ifndef KEEL_DEV_VPIT_H
#define KEEL_DEV_VPIT_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/irq.h>

struct vm;

#define VPIT_HZ 1193182ULL

struct vpit_chan {
	uint32_t cr;        /* count register as last written, 1..65536 */
	uint32_t count;     /* initial count of the running cycle */
	uint64_t start;     /* PIT tick at which the running cycle began */
	uint64_t held;      /* elapsed ticks, frozen while the gate stops counting */
	uint64_t switch_at; /* modes 2/3: tick at which cr takes over from count */
	uint8_t ctrl;       /* control word bits 5:0 (RW, mode, BCD), as read back */
	uint8_t mode;       /* 0-5; 6 and 7 alias 2 and 3 */
	uint8_t state;      /* enum vpit_state in vpit.c */
	bool gate, frozen, pending, null_count;
	bool write_hi, read_hi; /* lo/hi access flip-flops */
	uint8_t write_lsb;
	uint8_t latch_left; /* bytes of a latched count still to be read */
	uint16_t latch;
	bool status_latched;
	uint8_t status;
};

struct vpit {
	bool touched; /* accessed since Keel last read its next deadline (vmm/hvm_events.c) */
	struct vpit_chan ch[3];
	struct irq_line irq0;
	uint8_t port61;     /* writable bits 3:0 of port 0x61 */
	uint64_t last_tick; /* OUT0 rising edges are accounted up to this tick */
	uint64_t edges;     /* rising edges of OUT0 not yet signalled */
	uint64_t irqs;      /* pulses sent on irq0 */
	uint64_t missed;    /* rising edges folded into an earlier pulse */
};

void vpit_init(struct vpit *p, const struct irq_line *irq0);
int vpit_register(struct vm *vm, struct vpit *p);
/* Guest ns of OUT0's next rising edge, `now` if one is due, VTIME_NEVER if none. */
uint64_t vpit_next_event_ns(struct vpit *p, uint64_t now);
/* One pulse on irq0 if OUT0 rose at least once since the last update. */
void vpit_update(struct vpit *p, uint64_t now);

#endif
