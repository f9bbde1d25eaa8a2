/* SPDX-License-Identifier: MIT */
/* Posted-interrupt descriptors (SDM 3C 30.6); see keel/dev/vlapic_pir.h. */
#include <keel/dev/vlapic_pir.h>
#include <keel/dev/vlapic.h>
#include "vlapic_priv.h"

enum vlapic_post vlapic_pir_post(struct vlapic_pir *d, uint8_t vector)
{
	uint64_t on;

	if (vector < 16)
		return VLAPIC_POST_REFUSED;
	__atomic_fetch_or(&d->pir[vector / 64], 1ull << (vector % 64), __ATOMIC_SEQ_CST);
	on = __atomic_fetch_or(&d->on, VLAPIC_PIR_ON, __ATOMIC_SEQ_CST);
	return on & VLAPIC_PIR_ON ? VLAPIC_POST_QUEUED : VLAPIC_POST_NOTIFY;
}

unsigned vlapic_pir_take(struct vlapic_pir *d, struct vlapic *a)
{
	unsigned n = 0;

	__atomic_fetch_and(&d->on, ~VLAPIC_PIR_ON, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t w;

		if (!__atomic_load_n(&d->pir[i], __ATOMIC_RELAXED))
			continue;
		w = __atomic_exchange_n(&d->pir[i], 0, __ATOMIC_SEQ_CST);
		for (; w; w &= w - 1, n++)
			vlapic_set_irq(a, (uint8_t)(i * 64 + (unsigned)__builtin_ctzll(w)), false);
	}
	return n;
}

bool vlapic_pir_postable(const struct vlapic *a, uint8_t vector, bool level)
{
	/* A vector last accepted as level keeps the model path, which clears its TMR bit. */
	return !level && vector >= 16 && vlapic_enabled(a) && !vec_test(a->tmr, vector);
}

enum vlapic_post vlapic_post(struct vlapic *a, uint8_t vector, bool level)
{
	enum vlapic_post r;

	if (!a->pir || !vlapic_pir_postable(a, vector, level))
		return VLAPIC_POST_REFUSED;
	r = vlapic_pir_post(a->pir, vector);
	a->vapic_intr_status = VLAPIC_PIR_RESYNC; /* the next pull takes PIR after the page */
	a->vapic_vec_dirty = true;                /* the next push takes it before writing IRR */
	return r;
}

unsigned vlapic_pir_sync(struct vlapic *a)
{
	return a->pir ? vlapic_pir_take(a->pir, a) : 0;
}
