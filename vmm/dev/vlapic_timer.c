/* SPDX-License-Identifier: MIT */
/*
 * The local APIC timer (Intel SDM Vol. 3A 11.5.4), computed from guest
 * time. The count decrements once per `divisor` bus clocks at VLAPIC_BUS_HZ
 * (1 GHz, so a bus clock is a nanosecond and no multiplication is needed).
 * Instead of a counter, the model keeps the guest time of the next expiry;
 * the current count follows from the time left.
 *
 * One-shot and periodic: writing the initial count (re)starts the timer,
 * writing 0 stops it; a change between these two modes through the LVT
 * takes effect at the next expiry and never starts a stopped timer.
 * TSC-deadline mode (SDM 11.5.4.1): IA32_TSC_DEADLINE arms it, for one
 * interrupt; the initial count is ignored and the current count reads 0;
 * a change of the LVT's mode to or from it disarms the timer.
 */
#include <keel/dev/vlapic.h>
#include <keel/vtime.h>

_Static_assert(VLAPIC_BUS_HZ == 1000000000ULL, "the timer code takes one bus clock per ns");

/* Divide configuration bits 3,1,0 (SDM Figure 11-10): 0-6 divide by 2^(n+1), 7 by 1. */
static unsigned div_shift(uint32_t tdcr)
{
	unsigned n = (tdcr & 3) | ((tdcr >> 1) & 4);

	return n == 7 ? 0 : n + 1;
}

static uint64_t period_ns(const struct vlapic *a)
{
	return (uint64_t)a->tmict << div_shift(a->tdcr);
}

static bool timer_masked(const struct vlapic *a)
{
	return a->lvt[VLAPIC_LVT_TIMER] & VLAPIC_LVT_MASKED;
}

static bool deadline_mode(uint32_t lvt)
{
	return (lvt & VLAPIC_LVT_MODE) == VLAPIC_LVT_DEADLINE;
}

void vlapic_update(struct vlapic *a, uint64_t now)
{
	uint32_t lvt = a->lvt[VLAPIC_LVT_TIMER];

	if (a->timer_next == VTIME_NEVER || now < a->timer_next)
		return;
	if ((lvt & VLAPIC_LVT_MODE) == VLAPIC_LVT_PERIODIC) {
		uint64_t p = period_ns(a), k = (now - a->timer_next) / p + 1;

		a->timer_next += k * p;
		a->timer_missed += k - 1;
	} else {
		a->timer_next = VTIME_NEVER; /* one-shot: the count stays at 0 */
		a->tsc_deadline = 0;         /* TSC-deadline: the interrupt disarms it */
	}
	a->timer_fired++;
	if (!(lvt & VLAPIC_LVT_MASKED))
		vlapic_set_irq(a, (uint8_t)lvt, false); /* the timer is edge, fixed */
}

uint64_t vlapic_next_event_ns(struct vlapic *a, uint64_t now)
{
	/* A masked timer still counts, but raises nothing worth waking for. */
	if (a->timer_next == VTIME_NEVER || timer_masked(a))
		return VTIME_NEVER;
	return a->timer_next > now ? a->timer_next : now;
}

/* Callers run vlapic_update(now) first, so a running timer expires after now. */
uint32_t vlapic_timer_current(const struct vlapic *a, uint64_t now)
{
	unsigned s = div_shift(a->tdcr);

	if (a->timer_next == VTIME_NEVER || a->timer_next <= now ||
	    deadline_mode(a->lvt[VLAPIC_LVT_TIMER]))
		return 0;
	/* Whole or partial ticks left before the expiry: the initial count right after a load. */
	return (uint32_t)((a->timer_next - now + (1ULL << s) - 1) >> s);
}

void vlapic_timer_write_initial(struct vlapic *a, uint32_t count, uint64_t now)
{
	if (deadline_mode(a->lvt[VLAPIC_LVT_TIMER]))
		return;
	a->tmict = count;
	a->timer_next = count ? now + period_ns(a) : VTIME_NEVER;
}

/*
 * The SDM does not say what a new divisor does to a running count; keep
 * the count where it is and run the rest at the new rate (as KVM does).
 */
void vlapic_timer_write_divide(struct vlapic *a, uint32_t tdcr, uint64_t now)
{
	uint32_t left = vlapic_timer_current(a, now);

	a->tdcr = tdcr & 0xb;
	if (deadline_mode(a->lvt[VLAPIC_LVT_TIMER]))
		return;
	if (a->timer_next != VTIME_NEVER && a->timer_next > now)
		a->timer_next = now + ((uint64_t)left << div_shift(a->tdcr));
}

void vlapic_timer_write_lvt(struct vlapic *a, uint32_t v)
{
	if (deadline_mode(v) == deadline_mode(a->lvt[VLAPIC_LVT_TIMER]))
		return;
	a->timer_next = VTIME_NEVER;
	a->tsc_deadline = 0;
	a->tmict = 0;
}

uint64_t vlapic_tsc_deadline_read(const struct vlapic *a)
{
	return deadline_mode(a->lvt[VLAPIC_LVT_TIMER]) ? a->tsc_deadline : 0;
}

void vlapic_tsc_deadline_write(struct vlapic *a, uint64_t tsc, uint64_t at_ns)
{
	if (!a->hw_enabled || !deadline_mode(a->lvt[VLAPIC_LVT_TIMER]))
		return;
	a->tsc_deadline = tsc;
	a->timer_next = tsc ? at_ns : VTIME_NEVER;
}
