/* SPDX-License-Identifier: MIT */
/*
 * The HPET (vmm/dev/hpet.c) alone at 0xfed00000, with guest time: after
 * each op Keel's before-entry work runs its deadline as hvm_events.c does,
 * and the lines, messages and registers are checked against what the
 * timers were told.
 */
#include <string.h>

#include <keel/dev/hpet.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

#define LINES (1u << 0 | 1u << 8 | HPET_ROUTE_CAP)

static struct vm vm;
static struct hpet hpet;
static uint64_t next_ns;
static unsigned messages;

static void legacy_changed(void *ctx, bool on)
{
	(void)ctx;
	FUZZ_CHECK(on == hpet_legacy(&hpet), "HPET: the hook says what LEG_RT_CNF now is");
	if (!on)
		FUZZ_CHECK(!fuzz_irqs.level[0] && !fuzz_irqs.level[8],
			   "HPET: IRQ 0 and 8 are let go before they are handed back");
}

static void send_msi(void *ctx, uint64_t addr, uint32_t data)
{
	bool known = false;

	(void)ctx;
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		known |= hpet.t[n].fsb == (addr << 32 | data);
	FUZZ_CHECK(addr >> 32 == 0 && known, "HPET: an FSB message is a timer's FSB route");
	messages++;
}

static void setup(struct vm *v)
{
	struct irq_line l = fuzz_irq_line(0);

	memset(&v->io, 0, sizeof(v->io));
	hpet_init(&hpet);
	for (unsigned line = 1; line < 32; line++)
		if (LINES & (1u << line))
			l = fuzz_irq_line(line);
	hpet.set_irq = l.set;
	hpet.ctx = l.ctx;
	hpet.legacy_changed = legacy_changed;
	hpet.msi = (struct msi_line){ send_msi, NULL };
	FUZZ_CHECK(!hpet_register(v, &hpet, HPET_BASE_DEFAULT), "the HPET registers its block");
	next_ns = 0;
}

/* The reset op: a PC reset returns the HPET to power-on, lines low. */
static void reset(struct vm *v)
{
	for (unsigned line = 0; line < 32; line++)
		if (hpet.lines & (1u << line))
			irq_set(&(struct irq_line){ hpet.set_irq, hpet.ctx, line }, false);
	setup(v);
}

static void after_op(struct vm *v)
{
	(void)v;
	if (fuzz_now >= next_ns)
		hpet_update(&hpet, fuzz_now);
	next_ns = hpet_next_event_ns(&hpet, fuzz_now);
	FUZZ_CHECK(next_ns >= fuzz_now, "HPET: the next event is not in the past");
	FUZZ_CHECK(!(hpet.status >> HPET_TIMERS), "HPET: status bits only for its timers");
	FUZZ_CHECK(!(hpet.lines & ~LINES), "HPET: only its lines are held");
	for (unsigned line = 0; line < 32; line++)
		if (LINES & (1u << line))
			FUZZ_CHECK(fuzz_irqs.level[line] == (bool)(hpet.lines & (1u << line)),
				   "HPET: a line is high exactly while a level timer holds it");
	if (!(hpet.config & HPET_CFG_ENABLE))
		FUZZ_CHECK(!hpet.lines, "HPET: a halted HPET raises no interrupt");
	if (!hpet_legacy(&hpet))
		FUZZ_CHECK(!(hpet.lines & (1u << 0 | 1u << 8)), "HPET: IRQ 0 and 8 only in legacy mode");
	for (unsigned n = 0; n < HPET_TIMERS; n++)
		FUZZ_CHECK(!(hpet.t[n].config & 0x100) || hpet.t[n].cmp >> 32 == 0,
			   "HPET: a 32-bit timer's comparator has no high half");
}

static const struct fuzz_target target = { .after_op = after_op, .reset = reset };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	fuzz_now = 0;
	messages = 0;
	setup(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
