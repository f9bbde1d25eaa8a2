# SPDX-License-Identifier: MIT
# Keel: one non-recursive Makefile. Each directory contributes a build.mk
# fragment that appends to the variables below; all output goes to build/.

.DEFAULT_GOAL := all
B := build
V ?= 0
Q := $(if $(filter 1,$(V)),,@)

CC      := gcc
HOSTCC  := gcc
OBJCOPY := objcopy

# Keel itself: freestanding, no SSE, no red zone (STYLE.md 15). A static PIE
# linked at 0: the loader puts it wherever the firmware has room and Keel
# applies its own R_X86_64_RELATIVE relocations first thing (entry.S).
KEEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpie \
	-fno-stack-protector -fno-builtin -mno-red-zone -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-Iboot/include -Ivmm/include -Iarch/x86/include -Idrivers/include -Iguests/include \
	-I$(B)/gen -MMD -MP
ifeq ($(DEBUG),1)
KEEL_CFLAGS += -DKEEL_DEBUG
endif
KEEL_ASFLAGS := $(filter-out -std=gnu11,$(KEEL_CFLAGS)) -D__ASSEMBLY__
KEEL_LDFLAGS := -nostdlib -static-pie -Wl,--build-id=none,--no-dynamic-linker,-z,text -z max-page-size=4096 -T arch/x86/keel.lds

KEEL_SRCS :=
GUEST_BINS :=
UNIT_TESTS :=
ESP_FILES :=

include boot/efi/build.mk
include arch/x86/build.mk
include drivers/build.mk
include vmm/build.mk
include vmm/dev/virtio.mk
include vmm/cpu.mk
include vmm/apicv.mk
include vmm/posted.mk
# Every fragment that adds to GUEST_BINS comes before tools/build.mk, whose
# image rules list GUEST_BINS as prerequisites (expanded when read): so
# `make build/tests-esp.img` works as the first command on a clean clone.
include guests/build.mk
include guests/pv/loader/build.mk
include tools/newlib.mk
include guests/pv/build.mk
include test/unit/build.mk
include test/fuzz/build.mk
include tools/build.mk
include tools/linux-disk.mk
include tools/efi-disk.mk
include test/newlib/build.mk

KEEL_OBJS := $(patsubst %,$(B)/keel/%.o,$(KEEL_SRCS))

$(B)/keel/%.c.o: %.c Makefile | $(B)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KEEL_CFLAGS) -c $< -o $@

$(B)/keel/%.S.o: %.S Makefile | $(B)/gen/asm-offsets.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KEEL_ASFLAGS) -c $< -o $@

# asm offsets are generated from C (STYLE.md 4): compile to assembly, pick
# out the "->SYM value" markers.
$(B)/gen/asm-offsets.h: arch/x86/asm-offsets.c $(wildcard vmm/include/keel/*.h arch/x86/include/arch/*.h)
	@mkdir -p $(dir $@)
	@echo "  GEN     $@"
	$(Q)$(CC) $(filter-out -MMD -MP,$(KEEL_CFLAGS)) -S $< -o $@.s
	$(Q)sed -n 's/.*->\([A-Za-z0-9_]*\) \$$\{0,1\}\([-0-9]*\).*/#define \1 \2/p' $@.s > $@.tmp
	$(Q)mv $@.tmp $@

$(B)/keel.elf: $(KEEL_OBJS) arch/x86/keel.lds
	@echo "  LD      $@"
	$(Q)$(CC) $(KEEL_LDFLAGS) -o $@ $(KEEL_OBJS) -lgcc

all: $(B)/keel.elf $(B)/BOOTX64.EFI $(GUEST_BINS)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)

.PHONY: all clean
