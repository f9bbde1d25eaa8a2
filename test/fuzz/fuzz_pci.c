/* SPDX-License-Identifier: MIT */
/*
 * PCI bus 0 with the i440FX host bridge and the PIIX3/PIIX4 functions
 * (vmm/dev/pci_bus.c, i440fx.c, piix.c), wired as hvm_build.c wires them:
 * config space through 0xcf8/0xcfc, the reset register 0xcf9, the PM I/O
 * range wherever the guest puts it, the SCI on IRQ 9, and the PM timer
 * polled at its deadline as keel/dev/piix.h asks. A reset (0xcf9 or the
 * op) rebuilds the bus before the next op, as hvm_reset_now() does.
 */
#include <string.h>

#include <keel/dev/i440fx.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"

static struct vm vm;
static struct pci_bus bus;
static struct i440fx nb;
static struct piix sb;
static bool reset_due;

static void pam_changed(void *ctx, unsigned seg, unsigned mode)
{
	struct i440fx_pam_seg s;

	FUZZ_CHECK(ctx == &vm && seg < I440FX_PAM_SEGS && mode <= PAM_RW,
		   "i440FX: a PAM change names a segment and a mode");
	FUZZ_CHECK(!i440fx_pam_decode(&nb.dev->cfg[I440FX_PAM0], seg, &s) && s.mode == mode,
		   "i440FX: a reported PAM mode is what the registers now say");
}

static void bus_reset(void *ctx, bool hard)
{
	(void)hard;
	FUZZ_CHECK(ctx == &vm, "a reset request carries the VM it was given");
	reset_due = true;
}

static void power_off(void *ctx)
{
	FUZZ_CHECK(ctx == &vm, "a power-off carries the VM it was given");
}

static void build(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	memset(&nb, 0, sizeof(nb));
	memset(&sb, 0, sizeof(sb));
	fuzz_irqs.level[9] = false;
	pci_bus_init(&bus);
	bus.reset = bus_reset;
	bus.reset_ctx = v;
	sb.sci = fuzz_irq_line(PIIX_SCI_IRQ);
	sb.power_off = power_off;
	sb.ctx = v;
	nb.pam_changed = pam_changed;
	nb.ctx = v;
	FUZZ_CHECK(!i440fx_init(&nb, &bus) && !piix_init(&sb, &bus) && !pci_bus_register(v, &bus) &&
		   !piix_register(v, &sb), "the PCI platform sets up");
	reset_due = false;
}

static void after_op(struct vm *v)
{
	uint64_t deadline = piix_pm_deadline(v, &sb);

	if (deadline <= fuzz_now)
		piix_pm_poll(v, &sb);
	FUZZ_CHECK(sb.sci_level == fuzz_irqs.level[PIIX_SCI_IRQ],
		   "PIIX4: the SCI is what the PM function says it drives");
	FUZZ_CHECK(bus.nr_fns <= PCI_BUS_MAX_FNS && sb.nr_pm_claimed <= PIIX_PM_CLAIMS,
		   "PCI: functions and PM claims stay in their tables");
	if (reset_due)
		build(v);
}

static const struct fuzz_target target = { .after_op = after_op, .reset = build };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	fuzz_now = 0;
	build(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
