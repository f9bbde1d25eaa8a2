/* SPDX-License-Identifier: MIT */
/*
 * Dual 8259A PIC with the PIIX3 ELCR. References: Intel 8259A datasheet
 * (order 231468) for ICW/OCW semantics, Intel 82371FB/SB (PIIX/PIIX3)
 * datasheet 2.3.x for ELCR and for ICW1.LTIM being ignored in favour of it.
 */
#include <keel/bits.h>
#include <keel/dev/vpic.h>
#include <keel/io.h>
#include <keel/string.h>

#define ICW1_IC4  0x01
#define ICW1_SNGL 0x02
#define ICW1_INIT 0x10
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10
#define OCW3_SEL  0x08
#define OCW3_RIS  0x01
#define OCW3_RR   0x02
#define OCW3_POLL 0x04
#define OCW3_SMM  0x20
#define OCW3_ESMM 0x40
#define CASCADE_IR 2

/* IRQ 0, 1, 2, 8 and 13 are hard-wired edge on PIIX3 (ELCR1/ELCR2 notes). */
static const uint8_t elcr_writable[2] = { 0xf8, 0xde };

static uint8_t bit8(unsigned ir)
{
	return (uint8_t)BIT(ir & 7);
}

/* 0 is the highest priority; 8 means no bit set in mask. */
static unsigned priority(const struct vpic_chip *c, uint8_t mask)
{
	unsigned p = 0;

	if (!mask)
		return 8;
	while (!(mask & bit8(p + c->priority_add)))
		p++;
	return p;
}

static unsigned prio_to_ir(const struct vpic_chip *c, unsigned p)
{
	return (p + c->priority_add) & 7;
}

/* The IR this chip would present on INTA, or -1 (its INT output is low). */
static int chip_pending(const struct vpic_chip *c, bool master)
{
	uint8_t req = c->irr & ~c->imr, in_service = c->isr;
	unsigned p;

	if (!req)
		return -1; /* the common case, checked before every hvm entry */
	/* Special mask mode: any unmasked level whose ISR bit is clear may interrupt (OCW3). */
	if (c->special_mask) {
		p = priority(c, req & ~in_service);
		return p == 8 ? -1 : (int)prio_to_ir(c, p);
	}
	/* Special fully nested: the slave may interrupt while IR2 is in service (ICW4). */
	if (master && c->special_fully_nested)
		in_service &= ~bit8(CASCADE_IR);
	p = priority(c, req);
	if (p == 8 || p >= priority(c, in_service))
		return -1;
	return (int)prio_to_ir(c, p);
}

static void chip_input(struct vpic_chip *c, unsigned ir, bool level, bool level_mode)
{
	uint8_t m = bit8(ir);

	if (level_mode)
		c->irr = level ? c->irr | m : c->irr & ~m;
	else if (level && !(c->last_irr & m))
		c->irr |= m;
	c->last_irr = level ? c->last_irr | m : c->last_irr & ~m;
}

/* Input levels of chip i; for the master, IR2 is the slave's INT output. */
static uint8_t chip_lines(const struct vpic *p, unsigned i)
{
	uint8_t v = 0;

	for (unsigned ir = 0; ir < 8; ir++)
		if (p->line[i * 8 + ir])
			v |= bit8(ir);
	if (i == 0) {
		v &= ~bit8(CASCADE_IR);
		if (chip_pending(&p->chip[1], false) >= 0)
			v |= bit8(CASCADE_IR);
	}
	return v;
}

static void cascade_update(struct vpic *p)
{
	chip_input(&p->chip[0], CASCADE_IR, chip_pending(&p->chip[1], false) >= 0, false);
}

/* Level-mode IRR follows the line, so only an edge request is consumed. */
static void intack(struct vpic *p, unsigned i, unsigned ir)
{
	struct vpic_chip *c = &p->chip[i];

	if (!(p->elcr[i] & bit8(ir)))
		c->irr &= ~bit8(ir);
	if (!c->auto_eoi)
		c->isr |= bit8(ir);
	else if (c->rotate_on_auto_eoi)
		c->priority_add = (ir + 1) & 7;
}

int vpic_ack(struct vpic *p)
{
	int ir = chip_pending(&p->chip[0], true), sir;

	if (ir < 0)
		return p->chip[0].irq_base | 7; /* spurious: no ISR bit set */
	intack(p, 0, (unsigned)ir);
	if (ir != CASCADE_IR) {
		cascade_update(p);
		return p->chip[0].irq_base | ir;
	}
	sir = chip_pending(&p->chip[1], false);
	if (sir >= 0)
		intack(p, 1, (unsigned)sir);
	else
		sir = 7; /* spurious on the slave; the master's IR2 stays in service */
	/*
	 * The slave's request was consumed by this INTA cycle: if its INT is
	 * still high (AEOI, or a new request) that is a fresh edge on IR2.
	 */
	p->chip[0].last_irr &= ~bit8(CASCADE_IR);
	cascade_update(p);
	return p->chip[1].irq_base | sir;
}

bool vpic_has_interrupt(const struct vpic *p)
{
	return chip_pending(&p->chip[0], true) >= 0;
}

void vpic_set_irq(struct vpic *p, unsigned irq, bool level)
{
	unsigned i = irq >> 3;

	if (irq >= 16 || irq == CASCADE_IR)
		return;
	p->line[irq] = level;
	chip_input(&p->chip[i], irq & 7, level, p->elcr[i] & bit8(irq));
	cascade_update(p);
}

void vpic_line_set(void *ctx, unsigned irq, bool level)
{
	vpic_set_irq(ctx, irq, level);
}

/* ICW1: a fresh init sequence; ICW4 functions are zero unless IC4 asks for ICW4. */
static void icw1(struct vpic *p, unsigned i, uint8_t v)
{
	struct vpic_chip *c = &p->chip[i];
	uint8_t lines = chip_lines(p, i);

	*c = (struct vpic_chip){
		.init_state = 1,
		.init4 = v & ICW1_IC4,
		.single_mode = v & ICW1_SNGL,
		/* The edge sense circuit is reset: a held line must go low first. */
		.last_irr = lines,
		.irr = lines & p->elcr[i],
	};
}

static void icw_next(struct vpic_chip *c, uint8_t v)
{
	switch (c->init_state) {
	case 1:
		c->irq_base = v & 0xf8;
		c->init_state = !c->single_mode ? 2 : c->init4 ? 3 : 0;
		break;
	case 2:
		c->icw3 = v;
		c->init_state = c->init4 ? 3 : 0;
		break;
	default:
		/* uPM (bit 0) and buffered mode are not modelled: always 8086 mode. */
		c->auto_eoi = v & ICW4_AEOI;
		c->special_fully_nested = v & ICW4_SFNM;
		c->init_state = 0;
		break;
	}
}

static void eoi(struct vpic_chip *c, unsigned ir, bool rotate)
{
	c->isr &= ~bit8(ir);
	if (rotate)
		c->priority_add = (ir + 1) & 7;
}

static void ocw2(struct vpic_chip *c, uint8_t v)
{
	unsigned cmd = v >> 5, p;

	switch (cmd) {
	case 0: /* clear / set rotate in automatic EOI mode */
	case 4:
		c->rotate_on_auto_eoi = cmd == 4;
		break;
	case 1: /* non-specific EOI, plain or rotating */
	case 5:
		/* In special mask mode a masked ISR bit is not cleared by it. */
		p = priority(c, c->special_mask ? c->isr & ~c->imr : c->isr);
		if (p != 8)
			eoi(c, prio_to_ir(c, p), cmd == 5);
		break;
	case 3: /* specific EOI, plain or rotating */
	case 7:
		eoi(c, v & 7, cmd == 7);
		break;
	case 6: /* set priority: L2-L0 becomes the lowest */
		c->priority_add = ((v & 7) + 1) & 7;
		break;
	default: /* 2: no operation */
		break;
	}
}

static void ocw3(struct vpic_chip *c, uint8_t v)
{
	if (v & OCW3_POLL)
		c->poll = true;
	if (v & OCW3_RR)
		c->read_isr = v & OCW3_RIS;
	if (v & OCW3_ESMM)
		c->special_mask = v & OCW3_SMM;
}

/* A poll read is an acknowledge: bit 7 set and the IR if a request is pending. */
static uint8_t poll_read(struct vpic *p, unsigned i)
{
	int ir = chip_pending(&p->chip[i], i == 0);

	if (ir < 0)
		return 0;
	intack(p, i, (unsigned)ir);
	return 0x80 | (uint8_t)ir;
}

static void elcr_write(struct vpic *p, unsigned i, uint8_t v)
{
	struct vpic_chip *c = &p->chip[i];
	uint8_t lines = chip_lines(p, i);

	p->elcr[i] = v & elcr_writable[i];
	c->irr = (c->irr & ~p->elcr[i]) | (lines & p->elcr[i]);
}

static void port_write(struct vpic *p, uint16_t port, uint8_t v)
{
	unsigned i = port >= 0xa0 && port < 0x4d0, reg = port & 1;
	struct vpic_chip *c = &p->chip[i];

	if (port >= 0x4d0)
		elcr_write(p, reg, v);
	else if (reg)
		c->init_state ? icw_next(c, v) : (void)(c->imr = v);
	else if (v & ICW1_INIT)
		icw1(p, i, v);
	else if (v & OCW3_SEL)
		ocw3(c, v);
	else
		ocw2(c, v);
}

static uint8_t port_read(struct vpic *p, uint16_t port)
{
	unsigned i = port >= 0xa0 && port < 0x4d0, reg = port & 1;
	struct vpic_chip *c = &p->chip[i];

	if (port >= 0x4d0)
		return p->elcr[reg];
	if (c->poll) {
		c->poll = false;
		return poll_read(p, i);
	}
	if (reg)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

/* Wider accesses split into byte accesses to consecutive ports, as on ISA. */
static int vpic_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct vpic *p = dev;
	uint64_t v = 0;

	(void)vm;
	for (unsigned b = 0; b < a->size && b < 8; b++) {
		uint16_t port = (uint16_t)(a->addr + b);

		if (a->write)
			port_write(p, port, (uint8_t)(a->value >> (8 * b)));
		else
			v |= (uint64_t)port_read(p, port) << (8 * b);
	}
	if (!a->write)
		a->value = v;
	cascade_update(p);
	return 0;
}

/* Power-on: all masked until the firmware or kernel runs the init sequence. */
void vpic_init(struct vpic *p)
{
	memset(p, 0, sizeof(*p));
	p->chip[0].imr = 0xff;
	p->chip[1].imr = 0xff;
}

int vpic_register(struct vm *vm, struct vpic *p)
{
	int r = io_register_pio(vm, 0x20, 2, vpic_io, p);

	if (!r)
		r = io_register_pio(vm, 0xa0, 2, vpic_io, p);
	if (!r)
		r = io_register_pio(vm, 0x4d0, 2, vpic_io, p);
	return r;
}
