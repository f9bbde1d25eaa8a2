# SPDX-License-Identifier: MIT
# libFuzzer targets (test/fuzz/README.md). Each test/fuzz/fuzz_X.c is linked
# with the Keel sources it drives into $(B)/fuzz/fuzz_X, built by clang with
# libFuzzer, ASan and UBSan. Register a target here:
#   FUZZ_TARGETS   += X
#   FUZZ_SRCS_X    := dir/file.c ...   (Keel sources and test/fuzz helpers)
#   FUZZ_CFLAGS_X  := flags for test/fuzz/fuzz_X.c only (optional)
#   FUZZ_LDLIBS_X  := libraries (optional)
#   FUZZ_ARGS_X    := libFuzzer flags for `make fuzz` (optional)
# `make fuzz` runs each for FUZZ_SECONDS; `make fuzz-replay` runs each once
# over its committed corpus and crash reproducers; `make fuzz-X` runs one.

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60

# The device targets: the I/O registry, the op stream, a console stand-in.
FUZZ_DEV := vmm/io.c test/fuzz/fuzz_ops.c test/fuzz/stub_console.c

FUZZ_TARGETS += config
FUZZ_SRCS_config := boot/config.c

FUZZ_TARGETS += elf64
FUZZ_SRCS_elf64 := boot/elf64.c

# The PV boot loader's parsers (guests/pv/loader).
FUZZ_TARGETS += menu_lst
FUZZ_SRCS_menu_lst := guests/pv/loader/menu_lst.c

FUZZ_TARGETS += fat
FUZZ_SRCS_fat := $(PVLOADER_SRCS)
FUZZ_ARGS_fat := -max_len=65536

FUZZ_TARGETS += elf_check
FUZZ_SRCS_elf_check := guests/pv/loader/elf_check.c

# Device models, each alone behind the I/O registry (vmm/dev).
FUZZ_TARGETS += vpic
FUZZ_SRCS_vpic := $(FUZZ_DEV) vmm/dev/vpic.c

FUZZ_TARGETS += vpit
FUZZ_SRCS_vpit := $(FUZZ_DEV) vmm/dev/vpit.c

FUZZ_TARGETS += rtc_cmos
FUZZ_SRCS_rtc_cmos := $(FUZZ_DEV) vmm/dev/rtc_cmos.c

FUZZ_TARGETS += uart16550
FUZZ_SRCS_uart16550 := $(FUZZ_DEV) vmm/dev/uart16550.c

FUZZ_TARGETS += fw_cfg
FUZZ_SRCS_fw_cfg := $(FUZZ_DEV) vmm/dev/fw_cfg.c

FUZZ_TARGETS += ata
FUZZ_SRCS_ata := $(FUZZ_DEV) vmm/dev/ata.c vmm/dev/ata_identify.c vmm/dev/piix_ide.c \
	vmm/dev/pci_bus.c

FUZZ_TARGETS += vlapic
FUZZ_SRCS_vlapic := $(FUZZ_DEV) vmm/dev/vlapic.c vmm/dev/vlapic_timer.c

FUZZ_TARGETS += vioapic
FUZZ_SRCS_vioapic := $(FUZZ_DEV) vmm/dev/vioapic.c

FUZZ_TARGETS += hpet
FUZZ_SRCS_hpet := $(FUZZ_DEV) vmm/dev/hpet.c

FUZZ_TARGETS += port92_i8042
FUZZ_SRCS_port92_i8042 := $(FUZZ_DEV) vmm/dev/port92.c vmm/dev/i8042.c

FUZZ_TARGETS += pci
FUZZ_SRCS_pci := $(FUZZ_DEV) vmm/dev/pci_bus.c vmm/dev/i440fx.c vmm/dev/piix.c

# The guest MSR model with a vLAPIC that follows IA32_APIC_BASE, as exit_msr.c wires it.
FUZZ_TARGETS += vmsr
FUZZ_SRCS_vmsr := $(FUZZ_DEV) vmm/vmsr.c vmm/vmsr_mtrr.c vmm/dev/vlapic.c vmm/dev/vlapic_timer.c

# The MMIO decoder and its arithmetic, against Capstone and the host CPU;
# -mno-red-zone: the host's flags are read with pushf in inline asm.
FUZZ_TARGETS += decode
FUZZ_SRCS_decode := arch/x86/decode.c arch/x86/decode_store.c arch/x86/alu.c test/unit/decode_ref.c
FUZZ_CFLAGS_decode := -mno-red-zone
FUZZ_LDLIBS_decode := -lcapstone

# The whole PC as vmm/hvm_build.c wires it, hvm_events.c drives it and vm.c
# stops it; stub_hvm.c stands in for VT-x, the scheduler and the host.
FUZZ_TARGETS += hvm_platform
FUZZ_SRCS_hvm_platform := vmm/io.c test/fuzz/fuzz_ops.c test/fuzz/stub_hvm.c vmm/hvm_build.c \
	vmm/hvm_events.c vmm/hvm_ram.c vmm/hvm_shadow.c vmm/vm.c vmm/vm_mem.c vmm/console_keys.c \
	vmm/dev/uart16550.c vmm/dev/debug_exit.c vmm/dev/testdev.c vmm/dev/debugcon.c \
	vmm/dev/vpic.c vmm/dev/vpit.c vmm/dev/pci_bus.c vmm/dev/i440fx.c vmm/dev/piix.c \
	vmm/dev/rtc_cmos.c vmm/dev/fw_cfg.c vmm/dev/port92.c vmm/dev/i8042.c vmm/dev/vlapic.c \
	vmm/dev/vlapic_timer.c vmm/dev/vioapic.c vmm/dev/ata.c vmm/dev/ata_identify.c \
	vmm/dev/piix_ide.c vmm/dev/hpet.c vmm/dev/pci_msi.c $(VIRTIO_SRCS) test/fuzz/stub_net.c \
	vmm/hvm_smp.c vmm/dev/apic_bus.c vmm/dev/vlapic_apicv.c vmm/dev/vlapic_pir.c

# Keel's console: focus, held output, typed input, with guest bytes and keys.
FUZZ_TARGETS += console
FUZZ_SRCS_console := vmm/console.c vmm/console_input.c vmm/console_keys.c test/fuzz/stub_uart.c

# Hypercalls from every guest type (two PV, elf64, hvm, real mode) with the
# invariants that keep guests apart checked after each call.
FUZZ_TARGETS += hypercall
FUZZ_SRCS_hypercall := vmm/hypercall.c vmm/hcall_pv.c vmm/hcall_args.c vmm/hcall_evtchn.c \
	vmm/hcall_grant.c vmm/hcall_console.c vmm/evtchn.c vmm/grant.c vmm/pv_callbacks.c \
	vmm/console.c vmm/console_input.c vmm/console_keys.c test/fuzz/stub_uart.c \
	vmm/hcall_net.c vmm/vswitch.c

# The virtual switch: frames from several ports, forged sources, ageing, full queues.
FUZZ_TARGETS += vswitch
FUZZ_SRCS_vswitch := vmm/vswitch.c

# virtio-net on the transport and the switch, its rings written by a hostile driver.
FUZZ_TARGETS += virtio_net
FUZZ_SRCS_virtio_net := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_net.c vmm/vswitch.c

# virtio-console's receive queue with typed bytes waiting; seeds from mkseeds_virtio_console.py.
FUZZ_TARGETS += virtio_console
FUZZ_SRCS_virtio_console := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_console.c

# netsvc's TCP (guests/pv/net) fed hostile segments; seeds from mkseeds_tcp.py.
FUZZ_TARGETS += tcp
FUZZ_SRCS_tcp := guests/pv/net/inet.c guests/pv/net/tcp.c guests/pv/net/tcp_out.c
FUZZ_CFLAGS_tcp := -Iguests/pv/net

FUZZ_CFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Iboot/include -Ivmm/include -Iarch/x86/include -Idrivers/include -Iguests/include \
	-Iguests/pv/loader -MMD -MP
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

$(B)/fuzz/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_XCFLAGS) -c $< -o $@

define fuzz_target_rule
$(B)/fuzz/obj/test/fuzz/fuzz_$(1).c.o: FUZZ_XCFLAGS := $(FUZZ_CFLAGS_$(1))
$(B)/fuzz/fuzz_$(1): $(patsubst %,$(B)/fuzz/obj/%.o,test/fuzz/fuzz_$(1).c test/fuzz/stub_printk.c \
		$(FUZZ_SRCS_$(1)))
	@echo "  FUZZLD  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_LDFLAGS) -o $$@ $$^ $$(FUZZ_LDLIBS_$(1))

fuzz-$(1): $(B)/fuzz/fuzz_$(1)
	$$(Q)test/fuzz/run.sh fuzz $$(FUZZ_SECONDS) $(B) $(1) $$(FUZZ_ARGS_$(1))

.PHONY: fuzz-$(1)
endef

FUZZ_RULES := $(sort $(FUZZ_TARGETS))
FUZZ_BINS := $(patsubst %,$(B)/fuzz/fuzz_%,$(FUZZ_RULES))
$(foreach t,$(FUZZ_RULES),$(eval $(call fuzz_target_rule,$(t))))

# One target at a time (the machine is shared); stops at the first crash.
fuzz: $(FUZZ_BINS)
	$(Q)$(foreach t,$(FUZZ_RULES),test/fuzz/run.sh fuzz $(FUZZ_SECONDS) $(B) $(t) \
		$(FUZZ_ARGS_$(t)) &&) true

fuzz-replay: $(FUZZ_BINS)
	$(Q)test/fuzz/run.sh replay $(B) $(FUZZ_RULES)

.PHONY: fuzz fuzz-replay
