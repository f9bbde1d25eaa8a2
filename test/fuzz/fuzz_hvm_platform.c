/* SPDX-License-Identifier: MIT */
/*
 * The whole PC of an hvm guest: vmm/hvm_build.c builds and resets it,
 * vmm/hvm_events.c runs its timers and injects its interrupts before each
 * entry, vmm/vm.c stops it; only what lies outside vmm/ is stood in for
 * (stub_hvm.c). The op stream plays exits: after each, the before-entry
 * work runs as vmx_exit_dispatch_hvm() runs it. Device input (extra op,
 * a % 4): 0 STI; HLT (and the scheduler waking it), 1 a byte typed on
 * Keel's console (b), 2 CLI/STI, 3 a triple fault. The acknowledge op is
 * an interrupt-window exit: one entry with interrupts enabled. A guest
 * that stops (debug-exit port, ACPI S5) ends the input.
 */
#include <stdlib.h>
#include <string.h>

#include <boot/boot_info.h>
#include <keel/hvm.h>
#include <keel/hvm_ram.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"
#include "fuzz_pic.h"
#include "stub_hvm.h"

#define RAM_BYTES  (16ULL << 20) /* the smallest hvm guest keel.cfg allows */
#define BIOS_BYTES (64u << 10)
#define DISK_BYTES (64u * 512 + 100)
#define WAKE_TRIES 8

int hvm_build(struct vm *vm, const struct boot_module *disk, const struct boot_module *fw);

static struct vm vm;
static uint8_t *ram, *disk, *bios;
static struct boot_module disk_mod = { .name = "disk.img" }, bios_mod = { .name = "bios.bin" };

/*
 * One VM entry as the exit path and the scheduler make it: the before-entry
 * work, which may reset the PC (then enter the fresh VMCS) or block a
 * halted vCPU; the scheduler then sleeps until its deadline and tries again.
 */
static void enter(bool devices_touched, bool halt)
{
	struct vcpu *v = &vm.vcpus[0];
	uint64_t until;

	switch (setjmp(stub_entry)) {
	case 0:
		if (halt && hvm_halt(v) != v)
			FUZZ_CHECK(0, "hvm: HLT returns the vCPU or blocks it");
		vcpu_before_entry(v, devices_touched);
		return;
	case STUB_ENTERED:
		return;
	default: /* blocked in HLT: the scheduler's wait, up to a few wake-ups */
		break;
	}
	until = stub_block_until;
	for (unsigned i = 0; i < WAKE_TRIES && until; i++) {
		FUZZ_CHECK(until >= STUB_TSC_BASE, "hvm: a halted vCPU sleeps until a deadline");
		if (until - STUB_TSC_BASE > fuzz_now)
			fuzz_now = until - STUB_TSC_BASE < FUZZ_TIME_MAX ? until - STUB_TSC_BASE
									 : FUZZ_TIME_MAX;
		until = hvm_halted_until(v);
	}
	if (until)
		return; /* still asleep: the next op's exit wakes it, as an interrupt would */
	if (!setjmp(stub_entry))
		vcpu_before_entry(v, true);
}

static void ack(struct vm *v, struct fuzz_in *in)
{
	bool was = stub_if;

	(void)v, (void)in;
	stub_if = true;
	enter(false, false);
	stub_if = was;
}

static void extra(struct vm *v, struct fuzz_in *in)
{
	switch (fuzz_u8(in) % 4) {
	case 0:
		stub_if = true;
		enter(true, true);
		break;
	case 1:
		stub_console_type(fuzz_u8(in));
		break;
	case 2:
		stub_if = !stub_if;
		break;
	default:
		hvm_request_reset(v, "reset after a triple fault");
		enter(false, false);
		break;
	}
}

static void reset(struct vm *v)
{
	hvm_request_reset(v, "fuzz: reset");
	enter(false, false);
}

/*
 * Lines as the PC wires them: each ISA IRQ to both 8259 and IOAPIC, IRQ 0
 * at pin 2; the HPET's at pins 20-23, and at IRQ 0 and 8 in legacy
 * replacement, where the PIT and RTC raise nothing.
 */
static void check_wiring(const struct hvm_platform *h)
{
	uint32_t io = h->ioapic.line, hpet = h->hpet.lines;
	bool legacy = hpet_legacy(&h->hpet);

	FUZZ_CHECK(h->pic.line[0] == (bool)(hpet & 1u) && (bool)(io & 1u << 2) == h->pic.line[0],
		   "hvm: IRQ 0 is pulsed by the PIT, held only by a level-triggered HPET timer 0");
	FUZZ_CHECK(!(io & 1u) && !(io >> 16 & 0xf), "hvm: IOAPIC pins 0 and 16-19 are not wired");
	FUZZ_CHECK(io >> 20 == hpet >> 20, "hvm: IOAPIC pins 20-23 are the HPET's lines");
	FUZZ_CHECK(legacy || !(hpet & (1u << 0 | 1u << 8)), "hvm: the HPET has IRQ 0 and 8 only in "
		   "legacy replacement");
	for (unsigned irq = 3; irq < 16; irq++)
		FUZZ_CHECK(h->pic.line[irq] == (bool)(io >> irq & 1),
			   "hvm: an ISA line reaches the 8259 and the IOAPIC alike");
	FUZZ_CHECK(vm.uart.irq_level == h->pic.line[4] && h->kbc.irq1_level == h->pic.line[1] &&
		   h->kbc.irq12_level == h->pic.line[12] && h->southbridge.sci_level == h->pic.line[9] &&
		   h->ide.chan[0].irq_level == h->pic.line[14] &&
		   h->ide.chan[1].irq_level == h->pic.line[15],
		   "hvm: an interrupt line is what its device says it drives");
	/* Also across a reset, which keeps the CMOS (and IRQF) but rebuilds the PICs. */
	FUZZ_CHECK(h->pic.line[8] == (legacy ? (bool)(hpet & 1u << 8) : h->rtc.irq_level),
		   "hvm: IRQ 8 is what the RTC says it drives, or the HPET in legacy replacement");
}

static void after_op(struct vm *v)
{
	struct hvm_platform *h;

	enter(true, false);
	h = v->hvm;
	fuzz_check_pic(&h->pic);
	check_wiring(h);
	FUZZ_CHECK(h->next_event_ns >= fuzz_now, "hvm: the next device deadline is not in the past");
	FUZZ_CHECK(v->io.nr_pio <= IO_RANGES_MAX && v->io.nr_mmio <= IO_RANGES_MAX,
		   "hvm: the I/O registry stays in its tables");
}

static const struct fuzz_target target = { .after_op = after_op, .ack = ack, .extra = extra,
					   .reset = reset };

/* vm_build() for an hvm guest, less what needs VT-x. */
static void build(void)
{
	struct vm_mem_region r[HVM_RAM_REGIONS];
	unsigned n = hvm_ram_layout(RAM_BYTES, CFG_RAM_BELOW_4G_MAX, (uintptr_t)ram, r);

	memset(&vm, 0, sizeof(vm));
	memcpy(vm.name, "fuzz", 5);
	vm.exit_status = -1;
	vm.vcpus[0].vm = &vm;
	vm.nr_vcpus = 1;
	vm.ram_size = RAM_BYTES;
	vm.ram_hpa = (uintptr_t)ram;
	for (unsigned i = 0; i < n; i++)
		FUZZ_CHECK(!vm_add_memory(&vm, r[i].gpa, r[i].hpa, r[i].size, true), "hvm: RAM maps");
	vm.nr_ram = n;
	FUZZ_CHECK(!vm_attach_devices(&vm) && !hvm_build(&vm, &disk_mod, &bios_mod),
		   "hvm: the PC builds");
	vm.state = VM_RUNNING;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ram) {
		ram = aligned_alloc(2u << 20, RAM_BYTES);
		bios = aligned_alloc(4096, BIOS_BYTES);
		disk = malloc(DISK_BYTES);
		memset(bios, 0xf4, BIOS_BYTES);
		disk_mod.base = (uintptr_t)disk;
		disk_mod.size = DISK_BYTES;
		bios_mod.base = (uintptr_t)bios;
		bios_mod.size = BIOS_BYTES;
	}
	memset(disk, 0x5a, DISK_BYTES);
	memset(&fuzz_irqs, 0, sizeof(fuzz_irqs));
	stub_hvm_clear();
	fuzz_now = 0;
	build();
	if (!setjmp(stub_stop)) {
		enter(true, false); /* the first entry (sched.c's enter) */
		fuzz_run_ops(&vm, data, size, &target);
	}
	free(vm.hvm);
	return 0;
}
