# SPDX-License-Identifier: MIT
# Images and the top-level jobs: run, test, bench, usb.
BOCHS_CPU ?= corei7_skylake_x
# `make run` is interactive: Bochs runs until Keel powers off or Ctrl-].
RUN_TIMEOUT ?= 86400

# The PC firmware hvm guests boot, from Debian's seabios package.
SEABIOS := /usr/share/seabios/bios-256k.bin

# What `make run` boots and `make usb` holds: tools/keel.cfg (Debian's Linux)
# with every guest image beside it, and keel-tests.cfg and keel-bench.cfg,
# which the loader's boot menu offers. 100 cylinders (50 MiB) leave room for
# the Linux disk. ESP_CHECK: every file a config names must be on the image.
ESP_FILES += $(B)/linux-disk.img $(GUEST_BINS) $(wildcard $(SEABIOS)) tools/keel-tests.cfg \
	tools/keel-bench.cfg
$(B)/esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(ESP_FILES) tools/keel.cfg tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 ESP_CYLINDERS=100 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf \
		tools/keel.cfg $(ESP_FILES)

# `make run-tests`: the test guests only, so no Debian download is needed.
$(B)/tests-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(GUEST_BINS) tools/keel-tests.cfg tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf tools/keel-tests.cfg \
		$(GUEST_BINS) $(wildcard $(SEABIOS))

# `make bench`: keel-bench.cfg alone, as the image's keel.cfg (so no menu).
BENCH_FILES := $(B)/guests/bench64.elf $(B)/guests/pvbench.elf $(B)/guests/ping.elf $(B)/guests/pong.elf
# The hvm guests of keel-bench.cfg run in a boot of their own (bench-hvm-esp.img):
# beside the others a runnable hvm vCPU would change the event round trip.
$(B)/keel-bench-vm.cfg: tools/keel-bench.cfg
	$(Q)grep -v '^guest .*type=hvm' $< > $@
$(B)/keel-bench-hvm.cfg: tools/keel-bench.cfg
	$(Q)grep -v '^guest ' $< > $@.tmp && grep '^guest .*type=hvm' $< >> $@.tmp && mv $@.tmp $@
$(B)/bench-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(BENCH_FILES) $(B)/keel-bench-vm.cfg tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/keel-bench-vm.cfg \
		$(BENCH_FILES)
# hvmbench: the hvm section (SeaBIOS boots it from its disk image).
BENCH_HVM_FILES := $(B)/guests/hvmbench.img $(wildcard $(SEABIOS))
$(B)/bench-hvm-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(BENCH_HVM_FILES) $(B)/keel-bench-hvm.cfg \
		tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/keel-bench-hvm.cfg \
		$(BENCH_HVM_FILES)
# smptest with vcpus=2: the IPI round trip between two vCPUs of one hvm guest (docs/vcpus.md).
BENCH_VCPUS_FILES := $(B)/guests/smptest.img $(wildcard $(SEABIOS))
$(B)/bench-vcpus-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(BENCH_VCPUS_FILES) tools/keel-bench-vcpus.cfg \
		tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf tools/keel-bench-vcpus.cfg \
		$(BENCH_VCPUS_FILES)

# smptest's vCPUs spread over two host CPUs (cpus=0-1; Bochs cpu: count=2): the IPI round trip across them.
$(B)/keel-bench-vcpus2.cfg: tools/keel-bench-vcpus.cfg
	$(Q)sed 's/^\(guest name=smptest .*\)$$/\1 cpus=0-1/' $< > $@.tmp && mv $@.tmp $@
$(B)/bench-vcpus2-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(BENCH_VCPUS_FILES) \
		$(B)/keel-bench-vcpus2.cfg tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/keel-bench-vcpus2.cfg \
		$(BENCH_VCPUS_FILES)

# ping and pong on two host CPUs (Bochs cpu: count=2): the cross-CPU event round trip.
$(B)/keel-bench-smp.cfg: tools/keel-bench.cfg
	$(Q)grep -v '^guest ' $< > $@.tmp && \
		sed -n 's/^\(guest name=ping .*\)$$/\1 cpus=0/p; s/^\(guest name=pong .*\)$$/\1 cpus=1/p' \
		$< >> $@.tmp && mv $@.tmp $@
$(B)/bench-smp-esp.img: $(B)/BOOTX64.EFI $(B)/keel.elf $(BENCH_FILES) $(B)/keel-bench-smp.cfg \
		tools/mkesp.sh
	@echo "  ESP     $@"
	$(Q)ESP_CHECK=1 tools/mkesp.sh $@ $(B)/BOOTX64.EFI $(B)/keel.elf $(B)/keel-bench-smp.cfg \
		$(BENCH_FILES)

# A GPT disk image with one EFI system partition, ready for dd to a USB stick.
$(B)/keel-usb.img: $(B)/esp.img tools/mkusb.sh
	@echo "  USB     $@"
	$(Q)tools/mkusb.sh $@ $(B)/esp.img

setup:
	$(Q)tools/setup.sh

esp: $(B)/esp.img
usb: $(B)/keel-usb.img

# Boot Keel in Bochs + OVMF with Keel's serial console on this terminal
# (tools/console.py; also kept in build/serial.log). Linux's kernel takes
# about 2 minutes to reach its shell in Bochs.
run: setup
	$(Q)$(MAKE) --no-print-directory $(B)/esp.img
	$(Q)BOCHS_MEGS=512 /usr/bin/python3 tools/console.py $(B)/esp.img $(B)/serial.log \
		$(BOCHS_CPU) $(RUN_TIMEOUT)

run-linux: run

run-tests: setup
	$(Q)$(MAKE) --no-print-directory $(B)/tests-esp.img
	$(Q)/usr/bin/python3 tools/console.py $(B)/tests-esp.img $(B)/serial.log $(BOCHS_CPU) \
		$(RUN_TIMEOUT)

bench: setup
	$(Q)$(MAKE) --no-print-directory $(B)/bench-esp.img $(B)/bench-hvm-esp.img $(B)/bench-smp-esp.img \
		$(B)/bench-vcpus-esp.img $(B)/bench-vcpus2-esp.img
	$(Q)tools/bench.sh $(B)/bench-esp.img $(BOCHS_CPU)

SYSTEST_JOBS ?= 2
systest: all $(B)/esp.img $(B)/linux-disk.img $(B)/nested-disk.img $(B)/efi-disk.img
	$(Q)cd test/system && KEEL_BUILD=$(abspath $(B)) /usr/bin/python3 -m pytest -v -n $(SYSTEST_JOBS) \
		-p no:cacheprovider .

check-layering:
	$(Q)tools/check-layering.sh

test: setup
	$(Q)tools/check-layering.sh
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory fuzz-replay
	$(Q)$(MAKE) --no-print-directory test-newlib
	$(Q)$(MAKE) --no-print-directory systest

.PHONY: setup esp usb run run-linux run-tests bench systest test check-layering

# Keel under KVM: make run-kvm, and the nested-KVM disk for Bochs.
include tools/nested.mk
