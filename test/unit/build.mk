# SPDX-License-Identifier: MIT
# Host unit tests (cmocka). Each test/unit/test_X.c is linked with the Keel
# sources it exercises into $(B)/unit/test_X. Register a test with two lines
# here (or in a fragment included before this one):
#   UNIT_TESTS      += X
#   UNIT_SRCS_X     := dir/file.c ...
# and optionally extra compiler flags for test_X.c and its sources, e.g. an
# include path for a directory's private headers:
#   UNIT_CFLAGS_X   := -Idir
# and libraries to link it with:
#   UNIT_LDLIBS_X   := -lfoo
# (a source shared by several tests must get the same flags from each).
# `make unit` builds and runs them all; `make unit-X` runs one.

UNIT_TESTS += config
UNIT_SRCS_config := boot/config.c

UNIT_TESTS += elf64
UNIT_SRCS_elf64 := boot/elf64.c

UNIT_TESTS += acpi
UNIT_SRCS_acpi := drivers/acpi/tables.c

UNIT_TESTS += vmx_negotiate
UNIT_SRCS_vmx_negotiate := arch/x86/vmx/vmx_negotiate.c
UNIT_CFLAGS_vmx_negotiate := -Iarch/x86/vmx

UNIT_TESTS += ept
UNIT_SRCS_ept := arch/x86/vmx/ept.c
UNIT_CFLAGS_ept := -Iarch/x86/vmx

UNIT_TESTS += page_map
UNIT_SRCS_page_map := arch/x86/page_map.c

UNIT_TESTS += decode
UNIT_SRCS_decode := arch/x86/decode.c

# The doorbell's length-only decoder, against decode_mmio().
UNIT_TESTS += decode_store
UNIT_SRCS_decode_store := arch/x86/decode_store.c arch/x86/decode.c

UNIT_TESTS += alu
UNIT_SRCS_alu := arch/x86/alu.c
UNIT_CFLAGS_alu := -mno-red-zone

UNIT_TESTS += frames
UNIT_SRCS_frames := vmm/mm/frames.c

UNIT_TESTS += io
UNIT_SRCS_io := vmm/io.c vmm/dev/uart16550.c vmm/dev/testdev.c

UNIT_TESTS += vpic
UNIT_SRCS_vpic := vmm/dev/vpic.c

UNIT_TESTS += vpit
UNIT_SRCS_vpit := vmm/dev/vpit.c vmm/dev/vpic.c

UNIT_TESTS += pci
UNIT_SRCS_pci := vmm/io.c vmm/dev/pci_bus.c vmm/dev/i440fx.c vmm/dev/piix.c

UNIT_TESTS += rtc_cmos
UNIT_SRCS_rtc_cmos := vmm/dev/rtc_cmos.c

UNIT_TESTS += fw_cfg
UNIT_SRCS_fw_cfg := vmm/dev/fw_cfg.c

UNIT_TESTS += hvm_ram
UNIT_SRCS_hvm_ram := vmm/hvm_ram.c

UNIT_TESTS += port92_i8042
UNIT_SRCS_port92_i8042 := vmm/dev/port92.c vmm/dev/i8042.c

UNIT_TESTS += vlapic
UNIT_SRCS_vlapic := vmm/dev/vlapic.c vmm/dev/vlapic_timer.c

UNIT_TESTS += apic_bus
UNIT_SRCS_apic_bus := vmm/dev/apic_bus.c vmm/dev/pci_msi.c vmm/dev/pci_bus.c vmm/dev/vlapic.c \
	vmm/dev/vlapic_timer.c vmm/dev/vlapic_x2apic.c

UNIT_TESTS += vioapic
UNIT_SRCS_vioapic := vmm/dev/vioapic.c vmm/dev/vlapic.c vmm/dev/vlapic_timer.c

UNIT_TESTS += hpet
UNIT_SRCS_hpet := vmm/dev/hpet.c

UNIT_TESTS += pci_msi
UNIT_SRCS_pci_msi := vmm/dev/pci_msi.c vmm/dev/pci_bus.c vmm/dev/vlapic.c vmm/dev/vlapic_timer.c

UNIT_TESTS += evtchn
UNIT_SRCS_evtchn := vmm/evtchn.c

UNIT_TESTS += grant
UNIT_SRCS_grant := vmm/grant.c

UNIT_TESTS += hcall_args
UNIT_SRCS_hcall_args := vmm/hcall_args.c

UNIT_TESTS += hypercall
UNIT_SRCS_hypercall := vmm/hypercall.c

UNIT_TESTS += vm_mem
UNIT_SRCS_vm_mem := vmm/vm_mem.c vmm/hvm_shadow.c vmm/dev/i440fx.c vmm/dev/pci_bus.c vmm/io.c

UNIT_TESTS += console_keys
UNIT_SRCS_console_keys := vmm/console_keys.c

UNIT_TESTS += console
UNIT_SRCS_console := vmm/console.c vmm/console_input.c vmm/console_keys.c

UNIT_TESTS += ring
UNIT_SRCS_ring :=

UNIT_TESTS += lapic_timer
UNIT_SRCS_lapic_timer := drivers/timer/lapic_timer_calc.c

UNIT_TESTS += ata
UNIT_SRCS_ata := vmm/io.c vmm/dev/ata.c vmm/dev/ata_identify.c vmm/dev/piix_ide.c vmm/dev/pci_bus.c

# The PV boot loader's menu.lst parser and FAT reader (guests/pv/loader).
UNIT_TESTS += menu_lst
UNIT_SRCS_menu_lst := guests/pv/loader/menu_lst.c
UNIT_CFLAGS_menu_lst := -Iguests/pv/loader

UNIT_TESTS += fat
UNIT_SRCS_fat := $(PVLOADER_SRCS)
UNIT_CFLAGS_fat := -Iguests/pv/loader

UNIT_TESTS += elf_check
UNIT_SRCS_elf_check := $(PVLOADER_SRCS)
UNIT_CFLAGS_elf_check := -Iguests/pv/loader

UNIT_TESTS += runq
UNIT_SRCS_runq := vmm/runq.c

UNIT_TESTS += sched_place
UNIT_SRCS_sched_place := vmm/sched_place.c

UNIT_TESTS += exit_trace
UNIT_SRCS_exit_trace := vmm/exit_trace.c

UNIT_TESTS += vmsr
UNIT_SRCS_vmsr := vmm/vmsr.c vmm/vmsr_mtrr.c

UNIT_TESTS += vswitch
UNIT_SRCS_vswitch := vmm/vswitch.c

UNIT_TESTS += hcall_net
UNIT_SRCS_hcall_net := vmm/hcall_net.c vmm/vswitch.c vmm/evtchn.c vmm/hcall_args.c

# virtio-net on the transport and the switch (VIRTIO_TRANSPORT: vmm/dev/virtio.mk).
UNIT_TESTS += virtio_net
UNIT_SRCS_virtio_net := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_net.c vmm/vswitch.c

# The PV network guests' IPv4 stack and DNS responder (guests/pv/net).
UNIT_TESTS += inet
UNIT_SRCS_inet := guests/pv/net/inet.c guests/pv/net/dns.c
UNIT_CFLAGS_inet := -Iguests/pv/net

# netsvc's TCP, fed hostile segments (guests/pv/net/tcp*.c).
UNIT_TESTS += tcp
UNIT_SRCS_tcp := guests/pv/net/inet.c guests/pv/net/tcp.c guests/pv/net/tcp_out.c
UNIT_CFLAGS_tcp := -Iguests/pv/net

# The same sources as Keel, built for the host and run under ASan/UBSan;
# any sanitizer report aborts the test so it counts as a failure.
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Iboot/include -Ivmm/include -Iarch/x86/include -Idrivers/include -Iguests/include \
	-MMD -MP
UNIT_LDFLAGS := -fsanitize=address,undefined
UNIT_LDLIBS := -lcmocka

$(B)/unit/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $(UNIT_XCFLAGS) -c $< -o $@

# Rules are generated when this fragment is read, so UNIT_TESTS must be
# complete by then; `unit` checks that nothing was registered later.
define unit_test_rule
$(patsubst %,$(B)/unit/obj/%.o,test/unit/test_$(1).c $(UNIT_SRCS_$(1))): UNIT_XCFLAGS := $(UNIT_CFLAGS_$(1))
$(B)/unit/test_$(1): $(patsubst %,$(B)/unit/obj/%.o,test/unit/test_$(1).c $(UNIT_SRCS_$(1)))
	@echo "  HOSTLD  $$@"
	$$(Q)$$(HOSTCC) $$(UNIT_LDFLAGS) -o $$@ $$^ $$(UNIT_LDLIBS_$(1)) $$(UNIT_LDLIBS)

unit-$(1): $(B)/unit/test_$(1)
	@echo "  UNIT    $$<"
	$$(Q)$$<

.PHONY: unit-$(1)
endef

UNIT_RULES := $(sort $(UNIT_TESTS))
UNIT_BINS := $(patsubst %,$(B)/unit/test_%,$(UNIT_RULES))
$(foreach t,$(UNIT_RULES),$(eval $(call unit_test_rule,$(t))))

# Runs every test even after a failure, then fails if any did.
unit: $(UNIT_BINS)
	$(if $(filter-out $(UNIT_RULES),$(UNIT_TESTS)),$(error unit tests registered \
		after test/unit/build.mk was read: $(filter-out $(UNIT_RULES),$(UNIT_TESTS))))
	$(Q)failed=; for t in $(UNIT_BINS); do \
		echo "  UNIT    $$t"; $$t || failed="$$failed $${t##*/}"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BINS)) test programs passed"

.PHONY: unit

# test_fat reads images made with mtools and mkfs.fat from beside itself.
$(B)/unit/fat/stamp: test/unit/mkfatimg.sh
	@echo "  FATIMG  $(dir $@)"
	$(Q)test/unit/mkfatimg.sh $(dir $@) && touch $@
$(B)/unit/test_fat: | $(B)/unit/fat/stamp
unit: pvloader-check

include test/unit/decode_ref.mk
include test/unit/time.mk
