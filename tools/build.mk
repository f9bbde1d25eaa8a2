# SPDX-License-Identifier: MIT
# Images and the top-level jobs: run, test, bench, usb.
KEEL_CFG ?= tools/keel.cfg
BOCHS_CPU ?= corei7_skylake_x

# The PC firmware hvm guests boot, from Debian's seabios package.
SEABIOS := /usr/share/seabios/bios-256k.bin

$(B)/esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(GUEST_BINS) $(KEEL_CFG) tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf $(KEEL_CFG) $(GUEST_BINS) \
		$(wildcard $(SEABIOS))

$(B)/bench-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/guests/bench64.elf test/bench/bench.cfg
	@echo "  ESP     $@"
	$(Q)tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf test/bench/bench.cfg $(B)/guests/bench64.elf

# A GPT disk image with one EFI system partition, ready for dd to a USB stick.
$(B)/keel-usb.img: $(B)/esp.img tools/mkusb.sh
	@echo "  USB     $@"
	$(Q)tools/mkusb.sh $@ $(B)/esp.img

setup:
	$(Q)tools/setup.sh

esp: $(B)/esp.img
usb: $(B)/keel-usb.img

# Boot Keel with its default guests in Bochs + OVMF; the serial console is
# shown as it arrives and kept in build/serial.log.
run: setup
	$(Q)$(MAKE) --no-print-directory $(B)/esp.img
	$(Q)tools/run-bochs.sh --follow $(B)/esp.img $(B)/serial.log $(BOCHS_CPU)

# Linux in the hvm guest: several minutes in Bochs (its kernel decompresses
# for ~4.5 billion emulated instructions). The console is shown, not typed into.
$(B)/linux-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/linux-disk.img tools/keel-linux.cfg
	@echo "  ESP     $@"
	$(Q)ESP_CYLINDERS=100 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf tools/keel-linux.cfg \
		$(B)/linux-disk.img $(SEABIOS)

run-linux: setup
	$(Q)$(MAKE) --no-print-directory $(B)/linux-esp.img
	$(Q)BOCHS_MEGS=512 tools/run-bochs.sh --follow $(B)/linux-esp.img $(B)/serial.log $(BOCHS_CPU) 1800

bench: setup
	$(Q)$(MAKE) --no-print-directory $(B)/bench-esp.img
	$(Q)tools/bench.sh $(B)/bench-esp.img $(BOCHS_CPU)

SYSTEST_JOBS ?= 2
systest: all $(B)/esp.img $(B)/linux-disk.img
	$(Q)cd test/system && KEEL_BUILD=$(abspath $(B)) /usr/bin/python3 -m pytest -v -n $(SYSTEST_JOBS) \
		-p no:cacheprovider .

check-layering:
	$(Q)tools/check-layering.sh

test: setup
	$(Q)tools/check-layering.sh
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory systest

.PHONY: setup esp usb run run-linux bench systest test check-layering
