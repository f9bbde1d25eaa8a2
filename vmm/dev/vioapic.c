/* SPDX-License-Identifier: MIT */
/*
 * I/O APIC (Intel 82093AA datasheet, order 290566: "Register Description"
 * and "Interrupt Delivery"), version 0x20 with its EOI register.
 *
 * Edge pins send one message per rising edge of the asserted level; a
 * masked edge pin loses the edge, as on the part. Level pins send while
 * asserted and unmasked, and set Remote IRR, which holds off further
 * messages until the LAPIC's EOI for the vector clears it; a line still
 * asserted then sends again. So a masked level pin sends when unmasked.
 * NMI, INIT and ExtINT require edge trigger mode (datasheet, delivery mode
 * field) and are treated as edge whatever the trigger bit says.
 */
#include <keel/bits.h>
#include <keel/dev/apic_bus.h>
#include <keel/dev/vioapic.h>
#include <keel/io.h>
#include <keel/string.h>

#define OFF_REGSEL 0x00
#define OFF_WIN    0x10
#define OFF_EOI    0x40

#define REG_ID   0x00
#define REG_VER  0x01
#define REG_ARB  0x02
#define REG_RTE  0x10 /* two registers per pin: low, high dword */

#define ID_SHIFT 24
#define ID_MASK  0x0f /* 4-bit APIC ID, bits 27:24 */
#define VERSION  (0x20u | (VIOAPIC_PINS - 1) << 16)

#define RTE_VECTOR(e)  ((uint8_t)(e))
#define RTE_DM(e)      (((e) >> 8) & 7)
#define RTE_LOGICAL    BIT(11)
#define RTE_ACTIVE_LOW BIT(13)
#define RTE_REMOTE_IRR BIT(14)
#define RTE_LEVEL      BIT(15)
/* Vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
#define RTE_RW (GENMASK(63, 56) | GENMASK(16, 15) | RTE_ACTIVE_LOW | GENMASK(11, 0))

#define DM_FIXED  0
#define DM_LOWEST 1
#define DM_NMI    4
#define DM_EXTINT 7

static bool asserted(const struct vioapic *io, unsigned pin)
{
	return ((io->line >> pin) & 1) != !!(io->rte[pin] & RTE_ACTIVE_LOW);
}

/* Level semantics only for fixed and lowest-priority messages. */
static bool level_pin(uint64_t e)
{
	return (e & RTE_LEVEL) && (RTE_DM(e) == DM_FIXED || RTE_DM(e) == DM_LOWEST);
}

static void send(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];

	switch (RTE_DM(e)) {
	case DM_FIXED:
	case DM_LOWEST:
		if (level_pin(e))
			io->rte[pin] |= RTE_REMOTE_IRR;
		if (io->deliver) {
			struct apic_msg m = { .dest = (uint8_t)(e >> 56), .vector = RTE_VECTOR(e),
					      .mode = (uint8_t)RTE_DM(e), .logical = e & RTE_LOGICAL,
					      .level = level_pin(e) };

			io->deliver(io->ctx, &m);
		}
		break;
	case DM_NMI:
		if (io->nmi)
			io->nmi(io->ctx);
		break;
	case DM_EXTINT:
		if (io->extint)
			io->extint(io->ctx);
		break;
	default:
		return; /* SMI, INIT and reserved modes reach nothing Keel models */
	}
	io->delivered[pin]++;
}

/* A level pin sends if it is asserted, unmasked and not waiting for an EOI. */
static void service_level(struct vioapic *io, unsigned pin)
{
	uint64_t e = io->rte[pin];

	if (level_pin(e) && asserted(io, pin) && !(e & (VIOAPIC_RTE_MASKED | RTE_REMOTE_IRR)))
		send(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned pin, bool level)
{
	bool was;

	if (pin >= VIOAPIC_PINS)
		return;
	was = asserted(io, pin);
	if (level)
		io->line |= 1u << pin;
	else
		io->line &= ~(1u << pin);
	if (level_pin(io->rte[pin]))
		service_level(io, pin);
	else if (!was && asserted(io, pin) && !(io->rte[pin] & VIOAPIC_RTE_MASKED))
		send(io, pin);
}

void vioapic_line_set(void *ctx, unsigned pin, bool level)
{
	vioapic_set_irq(ctx, pin, level);
}

/*
 * A guest that EOIs without quieting its device gets the interrupt again at
 * once, every time; QEMU throttles such storms, Keel does not (yet).
 */
void vioapic_eoi(struct vioapic *io, uint8_t vector)
{
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++) {
		uint64_t e = io->rte[pin];

		if (!(e & RTE_LEVEL) || !(e & RTE_REMOTE_IRR) || RTE_VECTOR(e) != vector)
			continue;
		io->rte[pin] = e & ~RTE_REMOTE_IRR;
		service_level(io, pin);
	}
}

static void write_rte(struct vioapic *io, unsigned pin, bool high, uint32_t v)
{
	uint64_t e = io->rte[pin], w = high ? (uint64_t)v << 32 | (uint32_t)e :
					      (e & ~0xffffffffULL) | v;

	e = (e & ~RTE_RW) | (w & RTE_RW);
	/*
	 * Switching a pin to edge clears Remote IRR: Linux's EOI for IOAPICs
	 * without an EOI register toggles the trigger mode to get exactly that
	 * (__eoi_ioapic_pin()), and QEMU and KVM do the same.
	 */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->rte[pin] = e;
	service_level(io, pin);
}

static uint32_t win_read(const struct vioapic *io)
{
	unsigned r = io->regsel;

	switch (r) {
	case REG_ID:
	case REG_ARB: /* the arbitration ID is loaded from the ID */
		return (uint32_t)io->id << ID_SHIFT;
	case REG_VER:
		return VERSION;
	}
	if (r >= REG_RTE && r < REG_RTE + 2 * VIOAPIC_PINS)
		return (uint32_t)(io->rte[(r - REG_RTE) / 2] >> (r & 1 ? 32 : 0));
	return 0;
}

static void win_write(struct vioapic *io, uint32_t v)
{
	unsigned r = io->regsel;

	if (r == REG_ID)
		io->id = (v >> ID_SHIFT) & ID_MASK;
	else if (r >= REG_RTE && r < REG_RTE + 2 * VIOAPIC_PINS)
		write_rte(io, (r - REG_RTE) / 2, r & 1, v);
	/* VER and ARB are read-only */
}

/* The datasheet allows only dword accesses; others read 0 and do nothing. */
static int vioapic_mmio(struct vm *vm, void *dev, struct io_access *a)
{
	struct vioapic *io = dev;
	unsigned off = (unsigned)(a->addr & (VIOAPIC_MMIO_LEN - 1));
	uint32_t v = (uint32_t)a->value, r = 0;

	(void)vm;
	if (a->size == 4) {
		if (off == OFF_REGSEL) {
			if (a->write)
				io->regsel = v & 0xff;
			r = io->regsel;
		} else if (off == OFF_WIN) {
			if (a->write)
				win_write(io, v);
			else
				r = win_read(io);
		} else if (off == OFF_EOI && a->write) {
			vioapic_eoi(io, (uint8_t)v);
		}
	}
	if (!a->write)
		a->value = r;
	return 0;
}

void vioapic_init(struct vioapic *io, uint8_t id)
{
	memset(io, 0, sizeof(*io));
	io->id = id & ID_MASK;
	for (unsigned pin = 0; pin < VIOAPIC_PINS; pin++)
		io->rte[pin] = VIOAPIC_RTE_MASKED;
}

int vioapic_register(struct vm *vm, struct vioapic *io, uint64_t base)
{
	return io_register_mmio(vm, base, VIOAPIC_MMIO_LEN, vioapic_mmio, io);
}
