/* SPDX-License-Identifier: MIT */
/*
 * An HVM guest: a PC that boots from its firmware at the reset vector.
 *
 * Guest-physical layout (QEMU "pc" compatible, which SeaBIOS expects):
 *   0 - low                 RAM, low = min(memory, ram-below-4g); see keel/hvm_ram.h
 *   0xe0000 - 0xfffff       inside RAM: preloaded with the firmware's last 128 KiB,
 *                           which is what a PC's shadow RAM holds after reset
 *   4 GiB - firmware size   the firmware image, read-only (the reset vector is
 *                           its last 16 bytes)
 *   4 GiB - 4 GiB + rest    the rest of the RAM, if any
 */
#include <arch/vmx.h>
#include <boot/boot_info.h>
#include <drivers/rtc.h>
#include <keel/bits.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/hvm_ram.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define LOW_BIOS_SIZE (128 * KiB)
#define FOUR_GIB      (4 * GiB)

static void hvm_isa_irq(void *ctx, unsigned irq, bool level);

static int map_firmware(struct vm *vm, const struct boot_module *fw)
{
	uint64_t size = fw->size, copy = size < LOW_BIOS_SIZE ? size : LOW_BIOS_SIZE;

	if (!size || size > 16 * MiB || (size & (64 * KiB - 1)) || (fw->base & (PAGE_SIZE - 1))) {
		printk("keel: guest '%s': firmware %s is %lu bytes: it must be a whole number of "
		       "64 KiB, at most 16 MiB\n", vm->name, fw->name, size);
		return -EINVAL;
	}
	memcpy(vm_gpa_to_hva(vm, MiB - copy, copy), (const void *)(fw->base + size - copy), copy);
	return vm_add_memory(vm, FOUR_GIB - size, fw->base, size, false);
}

static void hvm_power_off(void *ctx)
{
	struct vm *vm = ctx;

	vm->orderly_stop = true;
	vm_stop(vm, "powered itself off (ACPI S5)");
}

static void hvm_reset(void *ctx, bool hard)
{
	struct vm *vm = ctx;

	vm->orderly_stop = true;
	vm_stop(vm, "asked for a %s reset, which Keel does not do yet", hard ? "hard" : "soft");
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
	err = i440fx_init(&h->northbridge, &h->pci);
	if (!err)
		err = piix_init(&h->southbridge, &h->pci);
	if (!err)
		err = piix_ide_init(&h->ide, &h->pci, &(struct irq_line){ hvm_isa_irq, h, 14 },
				    &(struct irq_line){ hvm_isa_irq, h, 15 });
	if (!err)
		err = pci_bus_register(vm, &h->pci);
	if (!err)
		err = piix_register(vm, &h->southbridge);
	if (!err)
		err = piix_ide_register(vm, &h->ide);
	return err;
}

static void hvm_cpu_reset(void *ctx)
{
	hvm_reset(ctx, false);
}

/*
 * What SeaBIOS reads from fw_cfg: the RAM map (etc/e820), the machine's RAM
 * and CPU count, and the serial console port that makes INT 10h output
 * appear on COM1 (etc/sercon-port).
 */
static int firmware_config_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	fw_cfg_init(&h->fw_cfg);
	/* The RAM vm_build mapped in EPT, so the map and EPT agree by construction. */
	err = fw_cfg_add_e820(&h->fw_cfg, h->e820, hvm_ram_e820(vm->mem, vm->nr_ram, h->e820));
	if (!err)
		err = fw_cfg_add_machine(&h->fw_cfg, vm->ram_size, 1, 1);
	if (!err)
		err = fw_cfg_add_sercon_port(&h->fw_cfg, 0x3f8);
	if (!err)
		err = fw_cfg_register(vm, &h->fw_cfg);
	return err;
}

/* The ISA devices: CMOS/RTC, port 0x92, the keyboard controller. */
static int isa_devices_build(struct vm *vm, struct hvm_platform *h)
{
	struct irq_line irq8 = { hvm_isa_irq, h, 8 };
	struct irq_line irq1 = { hvm_isa_irq, h, 1 };
	struct irq_line irq12 = { hvm_isa_irq, h, 12 };
	int err;

	rtc_cmos_init(&h->rtc, rtc_read_epoch(), &irq8);
	rtc_cmos_set_memory(&h->rtc, vm->mem[0].size, vm->ram_size - vm->mem[0].size);
	port92_init(&h->port92, hvm_cpu_reset, vm);
	i8042_init(&h->kbc, &irq1, &irq12, hvm_cpu_reset, vm);
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
static void hvm_isa_irq(void *ctx, unsigned irq, bool level)
{
	struct hvm_platform *h = ctx;

	vpic_set_irq(&h->pic, irq, level);
	vioapic_set_irq(&h->ioapic, irq == 0 ? 2 : irq, level);
}

static void ioapic_deliver(void *ctx, uint8_t vector, bool level)
{
	vlapic_set_irq(&((struct hvm_platform *)ctx)->lapic, vector, level);
}

static void lapic_eoi_level(void *ctx, uint8_t vector)
{
	vioapic_eoi(&((struct hvm_platform *)ctx)->ioapic, vector);
}

/* One local APIC (ID 0) and one IOAPIC (ID 0), at the PC's addresses. */
static int apic_build(struct vm *vm, struct hvm_platform *h)
{
	int err;

	vlapic_init(&h->lapic, 0);
	h->lapic.eoi_level = lapic_eoi_level;
	h->lapic.ctx = h;
	vioapic_init(&h->ioapic, 0);
	h->ioapic.deliver = ioapic_deliver;
	h->ioapic.ctx = h;
	err = vlapic_register(vm, &h->lapic, 0xfee00000);
	if (!err)
		err = vioapic_register(vm, &h->ioapic, 0xfec00000);
	return err;
}

/* The PC's devices and their interrupt wiring. */
static int hvm_platform_build(struct vm *vm)
{
	struct hvm_platform *h = frame_alloc(sizeof(*h), PAGE_SIZE);
	struct irq_line irq0 = { hvm_isa_irq, h, 0 };
	int err;

	vm->hvm = h;
	h->next_event_ns = 0;
	vpic_init(&h->pic);
	vpit_init(&h->pit, &irq0);
	err = vpic_register(vm, &h->pic);
	if (!err)
		err = vpit_register(vm, &h->pit);
	if (!err)
		err = apic_build(vm, h);
	if (!err)
		err = pci_platform_build(vm, h);
	if (!err)
		err = isa_devices_build(vm, h);
	if (!err)
		err = firmware_config_build(vm, h);
	if (!err)
		err = debugcon_attach(vm, 0x402);
	vm->uart.irq = (struct irq_line){ hvm_isa_irq, h, 4 };
	return err;
}

int hvm_build(struct vm *vm, const struct boot_module *disk, const struct boot_module *fw)
{
	int err;

	err = map_firmware(vm, fw);
	if (err)
		return err;
	err = hvm_platform_build(vm);
	if (!err)
		err = ata_attach_disk(&vm->hvm->ide.chan[0], 0, (uint8_t *)disk->base, disk->size);
	if (err) {
		printk("keel: guest '%s': platform setup failed (%d)\n", vm->name, err);
		return err;
	}
	arch_vcpu_setup_reset(&vm->vcpu);
	return 0;
}
