/* SPDX-License-Identifier: MIT */
/*
 * What must hold of the 8259 pair after every op, alone or in the PC: a
 * level-triggered request follows its line (PIIX3 ELCR: the IRR bit is the
 * line), and INT asserted means the acknowledge that follows delivers a
 * request that was there, from the master or through the cascade.
 */
#ifndef TEST_FUZZ_FUZZ_PIC_H
#define TEST_FUZZ_FUZZ_PIC_H

#include <keel/dev/vpic.h>

#include "fuzz.h"

static inline uint8_t fuzz_pic_lines(const struct vpic *p, unsigned chip)
{
	uint8_t v = 0;

	for (unsigned ir = 0; ir < 8; ir++)
		v |= (uint8_t)(p->line[chip * 8 + ir] << ir);
	return v;
}

static inline void fuzz_check_pic(const struct vpic *p)
{
	for (unsigned i = 0; i < 2; i++) {
		uint8_t elcr = p->elcr[i] & (i ? 0xff : (uint8_t)~0x04);

		FUZZ_CHECK((p->chip[i].irr & elcr) == (fuzz_pic_lines(p, i) & elcr),
			   "vPIC: a level-triggered request follows its line");
	}
	if (vpic_has_interrupt(p)) {
		struct vpic copy = *p;
		const struct vpic_chip *m = &p->chip[0], *s = &p->chip[1];
		int vec = vpic_ack(&copy);
		uint8_t req = m->irr & ~m->imr;

		FUZZ_CHECK(vec >= 0 && vec < 256, "vPIC: a vector is a byte");
		FUZZ_CHECK(((unsigned)vec & 0xf8) == m->irq_base ? (req >> (vec & 7) & 1) ||
			   ((unsigned)vec & 0xf8) == s->irq_base : ((unsigned)vec & 0xf8) == s->irq_base,
			   "vPIC: INT asserted delivers a pending request");
		FUZZ_CHECK(((unsigned)vec & 0xf8) == m->irq_base || (req & 0x04),
			   "vPIC: a slave vector comes through the cascade");
	}
}

#endif
