/* SPDX-License-Identifier: MIT */
/*
 * An HVM guest: a PC that boots from its firmware at the reset vector, and
 * boots again the same way when it resets.
 *
 * Guest-physical layout (QEMU "pc" compatible, which SeaBIOS expects):
 *   0 - low                 RAM, low = min(memory, ram-below-4g); see keel/hvm_ram.h
 *   0xc0000 - 0xfffff       inside RAM, shadowed as the i440FX PAM registers say:
 *                           writable only where a PAM segment enables writes.
 *                           0xe0000 - 0xfffff holds the firmware's last 128 KiB
 *                           after reset, which is what a PC reads from its ROM there
 *   4 GiB - firmware size   the firmware image, read-only (the reset vector is
 *                           its last 16 bytes)
 *   4 GiB - 4 GiB + rest    the rest of the RAM, if any
 */
#include <arch/vmx.h>
#include <boot/boot_info.h>
#include <drivers/rtc.h>
#include <keel/bits.h>
#include <keel/dev/pci_msi.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/hvm_ram.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/vm.h>

#define LOW_BIOS_SIZE (128 * KiB)
#define FOUR_GIB      (4 * GiB)


/* What a PC reads below 1 MiB after reset: the end of its firmware ROM. */
static void copy_low_bios(struct vm *vm, const struct boot_module *fw)
{
	uint64_t size = fw->size, copy = size < LOW_BIOS_SIZE ? size : LOW_BIOS_SIZE;

	memcpy(vm_gpa_to_hva(vm, MiB - copy, copy), (const void *)(fw->base + size - copy), copy);
}

static int map_firmware(struct vm *vm, const struct boot_module *fw)
{
	uint64_t size = fw->size;

	if (!size || size > 16 * MiB || (size & (64 * KiB - 1)) || (fw->base & (PAGE_SIZE - 1))) {
		printk("keel: guest '%s': firmware %s is %lu bytes: it must be a whole number of "
		       "64 KiB, at most 16 MiB\n", vm->name, fw->name, size);
		return -EINVAL;
	}
	copy_low_bios(vm, fw);
	return vm_add_memory(vm, FOUR_GIB - size, fw->base, size, false);
}

/*
 * A PAM segment's shadow RAM is writable only when the segment's WE bit is
 * set; writes elsewhere go to the ROM on a PC and are lost, so EPT makes the
 * RAM read-only and the EPT-violation path drops the write. Reads always
 * come from RAM: with RE clear a PC reads ROM, which for 0xe0000-0xfffff is
 * what Keel copied there at reset and what SeaBIOS copies again before it
 * turns RE on (the rest of 0xc0000-0xdffff has no ROM in this machine).
 */
static void pam_changed(void *ctx, unsigned seg, unsigned mode)
{
	static const uint8_t any[I440FX_PAM_REGS];
	struct vm *vm = ctx;
	struct i440fx_pam_seg s;

	i440fx_pam_decode(any, seg, &s);
	if (arch_vm_protect(vm, s.base, s.size, mode & PAM_WO) == -ENODEV && !vm->hvm->pam_off) {
		vm->hvm->pam_off = true;
		printk("keel: guest '%s': this CPU has no INVEPT, so the BIOS area stays writable\n",
		       vm->name);
	}
}

/* After reset every PAM segment is PAM_OFF: writes to the BIOS area are lost. */
static void pam_reset(struct vm *vm)
{
	for (unsigned seg = 0; seg < I440FX_PAM_SEGS; seg++)
		pam_changed(vm, seg, PAM_OFF);
}

static void hvm_power_off(void *ctx)
{
	struct vm *vm = ctx;

	vm->orderly_stop = true;
	vm_stop(vm, "powered itself off (ACPI S5)");
}

void hvm_request_reset(struct vm *vm, const char *why)
{
	if (!vm->hvm->reset_why)
		vm->hvm->reset_why = why;
}

static void hvm_reset(void *ctx, bool hard)
{
	hvm_request_reset(ctx, hard ? "hard reset through port 0xcf9" :
				      "soft reset through port 0xcf9");
}

/* Said once per guest, resets included: the disk is an image in Keel's memory. */
static void disk_first_write(void *ctx)
{
	struct vm *vm = ctx;

	if (vm->disk_write_said)
		return;
	vm->disk_write_said = true;
	printk("keel: guest '%s' writes to its disk %s: the disk lives in memory, so what it "
	       "writes is lost at power-off\n", vm->name, vm->hvm->disk->name);
}

/* The PCI platform: i440FX host bridge, PIIX3 ISA bridge, PIIX4 power management. */
static int pci_platform_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	pci_bus_init(&h->pci);
	h->pci.reset = hvm_reset;
	h->pci.reset_ctx = vm;
	h->southbridge.sci = (struct irq_line){ hvm_isa_irq, h, PIIX_SCI_IRQ };
	h->southbridge.power_off = hvm_power_off;
	h->southbridge.ctx = vm;
	h->northbridge.pam_changed = pam_changed;
	h->northbridge.ctx = vm;
	err = i440fx_init(&h->northbridge, &h->pci);
	if (!err)
		err = piix_init(&h->southbridge, &h->pci);
	if (!err)
		err = piix_ide_init(&h->ide, &h->pci, &(struct irq_line){ hvm_isa_irq, h, 14 },
				    &(struct irq_line){ hvm_isa_irq, h, 15 });
	if (!err)
		err = hvm_virtio_build(vm, h);
	if (!err)
		err = pci_bus_register(vm, &h->pci);
	if (!err)
		err = piix_register(vm, &h->southbridge);
	if (!err)
		err = piix_ide_register(vm, &h->ide);
	return err;
}

static void kbc_reset(void *ctx)
{
	hvm_request_reset(ctx, "reset by the keyboard controller");
}

static void port92_reset(void *ctx)
{
	hvm_request_reset(ctx, "reset through port 0x92");
}

/*
 * What SeaBIOS reads from fw_cfg: the RAM map (etc/e820), the machine's RAM
 * and CPU count, the serial console port that makes INT 10h output appear
 * on COM1 (etc/sercon-port), and the boot order.
 */
static int firmware_config_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	fw_cfg_init(&h->fw_cfg);
	/* The RAM vm_build mapped in EPT, so the map and EPT agree by construction. */
	err = fw_cfg_add_e820(&h->fw_cfg, h->e820, hvm_ram_e820(vm->mem, vm->nr_ram, h->e820));
	if (!err)
		err = fw_cfg_add_machine(&h->fw_cfg, vm->ram_size, vm->nr_vcpus, vm->nr_vcpus);
	if (!err)
		err = fw_cfg_add_sercon_port(&h->fw_cfg, 0x3f8);
	/*
	 * Boot from the disk on the primary IDE channel (PIIX IDE at 00:01.1),
	 * then from the virtio-blk disk= at 00:04.0 where there is one: QEMU's
	 * paths. OVMF tries the options it matches in this order before any
	 * other (its shell included); a path with no device is skipped.
	 */
	if (!err)
		err = fw_cfg_add_bootorder(&h->fw_cfg, "/pci@i0cf8/ide@1,1/drive@0/disk@0\n"
						       "/pci@i0cf8/scsi@4/disk@0,0");
	if (!err)
		err = fw_cfg_register(vm, &h->fw_cfg);
	return err;
}

/*
 * The ISA devices: CMOS/RTC, port 0x92, the keyboard controller. The CMOS
 * is battery-backed: it keeps its time and contents across a reset (cold
 * is false then).
 */
static int isa_devices_build(struct vm *vm, struct hvm_platform *h, bool cold)
{
	struct irq_line irq8 = { hvm_isa_irq, h, 8 };
	struct irq_line irq1 = { hvm_isa_irq, h, 1 };
	struct irq_line irq12 = { hvm_isa_irq, h, 12 };
	int err;

	if (cold) {
		rtc_cmos_init(&h->rtc, rtc_read_epoch(), &irq8);
		rtc_cmos_set_memory(&h->rtc, vm->mem[0].size, vm->ram_size - vm->mem[0].size);
		/* SeaBIOS takes the larger of this + 1 and fw_cfg's CPU count, as QEMU sets both. */
		rtc_cmos_set_nvram(&h->rtc, CMOS_SMP_COUNT, (uint8_t)(vm->nr_vcpus - 1));
	}
	port92_init(&h->port92, port92_reset, vm);
	i8042_init(&h->kbc, &irq1, &irq12, kbc_reset, vm);
	err = rtc_cmos_register(vm, &h->rtc);
	if (!err)
		err = port92_register(vm, &h->port92);
	if (!err)
		err = i8042_register(vm, &h->kbc);
	return err;
}

/*
 * An ISA interrupt line drives both the 8259s and the IOAPIC, as on a PC;
 * IRQ 0 arrives at IOAPIC pin 2 (the override every PC's MADT declares).
 */
static void isa_line(struct hvm_platform *h, unsigned irq, bool level)
{
	vpic_set_irq(&h->pic, irq, level);
	vioapic_set_irq(&h->ioapic, irq == 0 ? 2 : irq, level);
}

/* The ISA devices' lines; in HPET legacy replacement IRQ 0 and 8 are the HPET's alone. */
void hvm_isa_irq(void *ctx, unsigned irq, bool level)
{
	struct hvm_platform *h = ctx;

	if ((irq == 0 || irq == 8) && hpet_legacy(&h->hpet))
		return;
	isa_line(h, irq, level);
}

/* The HPET's lines: ISA IRQ 0 and 8 in legacy replacement, else IOAPIC pins 20-23. */
static void hpet_irq(void *ctx, unsigned line, bool level)
{
	struct hvm_platform *h = ctx;

	if (line < 16)
		isa_line(h, line, level);
	else
		vioapic_set_irq(&h->ioapic, line, level);
}

/*
 * LEG_RT_CNF turned on: the PIT's and RTC's levels leave IRQ 0 and 8 (the
 * HPET drives them next); off: the RTC's level is IRQ 8's again.
 */
static void hpet_legacy_changed(void *ctx, bool on)
{
	struct hvm_platform *h = ctx;

	isa_line(h, 0, false);
	isa_line(h, 8, !on && h->rtc.irq_level);
}

/* The HPET at 0xfed00000, where SeaBIOS looks for it; FSB messages go to the local APIC. */
static int hpet_build(struct vm *vm, struct hvm_platform *h)
{
	hpet_init(&h->hpet);
	h->hpet.set_irq = hpet_irq;
	h->hpet.legacy_changed = hpet_legacy_changed;
	h->hpet.ctx = h;
	h->hpet.msi = (struct msi_line){ msi_to_apic_bus, &h->bus };
	return hpet_register(vm, &h->hpet, HPET_BASE_DEFAULT);
}

/* A local APIC per vCPU (IDs 0..n-1, vmm/hvm_smp.c) and one IOAPIC (ID 0), at the PC's addresses. */
static int apic_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	vioapic_init(&h->ioapic, 0);
	err = hvm_smp_build(vm, h);
	if (!err)
		err = vioapic_register(vm, &h->ioapic, 0xfec00000);
	return err;
}

/* The PC's devices and their interrupt wiring, in their power-on state. */
static int hvm_platform_build(struct vm *vm, struct hvm_platform *h, bool cold)
{
	struct irq_line irq0 = { hvm_isa_irq, h, 0 };
	int err;

	h->next_event_ns = 0;
	vpic_init(&h->pic);
	vpit_init(&h->pit, &irq0);
	err = vpic_register(vm, &h->pic);
	if (!err)
		err = vpit_register(vm, &h->pit);
	if (!err)
		err = apic_build(vm, h);
	if (!err)
		err = hpet_build(vm, h);
	if (!err)
		err = pci_platform_build(vm, h);
	if (!err)
		err = isa_devices_build(vm, h, cold);
	if (!err)
		err = firmware_config_build(vm, h);
	if (!err)
		err = debugcon_attach(vm, 0x402);
	if (!err)
		err = ata_attach_disk(&h->ide.chan[0], 0, (uint8_t *)h->disk->base, h->disk->size);
	h->ide.chan[0].drive[0].first_write = disk_first_write;
	h->ide.chan[0].drive[0].ctx = vm;
	vm->uart.irq = (struct irq_line){ hvm_isa_irq, h, 4 };
	pam_reset(vm);
	return err;
}

/*
 * RESET# (port 0xcf9, the 8042, port 0x92) or a triple fault, whose shutdown
 * cycle a PC's chipset turns into a reset: the devices go back to their
 * power-on state, keeping what a PC keeps (RAM, the CMOS, the disk), and the
 * CPU starts again at the reset vector. Called before a VM entry, never
 * from inside a device model.
 */
void hvm_reset_now(struct vm *vm)
{
	struct hvm_platform *h = vm->hvm;
	struct rtc_cmos rtc = h->rtc;
	const struct boot_module *disk = h->disk, *fw = h->firmware, *vdisk = h->vdisk;
	bool vdisk_said = h->vdisk_said;
	uint64_t irqs = h->irqs_injected;
	unsigned resets = h->resets + 1;
	int err;

	vm_console_flush(vm);
	printk("keel: guest '%s': %s; the PC restarts at its reset vector\n", vm->name,
	       h->reset_why);
	memset(&vm->io, 0, sizeof(vm->io));
	memset(h, 0, sizeof(*h));
	h->rtc = rtc;
	h->disk = disk;
	h->firmware = fw;
	h->vdisk = vdisk;
	h->vdisk_said = vdisk_said;
	h->irqs_injected = irqs;
	h->resets = resets;
	err = vm_attach_devices(vm);
	if (!err)
		err = hvm_platform_build(vm, h, false);
	if (err)
		vm_stop(vm, "the reset failed (%d)", err);
	/* The CMOS keeps IRQF over a reset: its line is still high for the fresh controllers. */
	if (h->rtc.irq_level)
		irq_set(&h->rtc.irq8, true);
	copy_low_bios(vm, fw);
	/*
	 * Every vCPU: the BSP at the reset vector, the others waiting for SIPI
	 * (hvm_smp.c). A VMCS is renewed only on the CPU of its vCPU (it may be
	 * active there, SDM 3C 25.1): in a split guest the others are told
	 * (hvm_smp_reset_remote), the one resetting goes last, its VMCS current.
	 */
	for (unsigned i = vm->nr_vcpus; i-- > 0;)
		if (!vm->split || vm->vcpus[i].cpu == sched_cpu())
			arch_vcpu_setup_reset(&vm->vcpus[i]);
	if (vm->split)
		hvm_smp_reset_remote(vm);
}

int hvm_build(struct vm *vm, const struct boot_module *disk, const struct boot_module *fw)
{
	int err;

	err = map_firmware(vm, fw);
	if (err)
		return err;
	vm->hvm = frame_alloc(sizeof(*vm->hvm), PAGE_SIZE);
	memset(vm->hvm, 0, sizeof(*vm->hvm));
	vm->hvm->disk = disk;
	vm->hvm->firmware = fw;
	err = hvm_platform_build(vm, vm->hvm, true);
	if (err) {
		printk("keel: guest '%s': platform setup failed (%d)\n", vm->name, err);
		return err;
	}
	for (unsigned i = vm->nr_vcpus; i-- > 0;)
		arch_vcpu_setup_reset(&vm->vcpus[i]);
	return 0;
}
