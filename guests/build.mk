# SPDX-License-Identifier: MIT
# Test and benchmark guests: 64-bit ELFs linked at 1 MiB, and flat real-mode binaries.
GUEST_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-builtin -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-asynchronous-unwind-tables -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-Iguests/include -Iguests/common -Ivmm/include -MMD -MP
GUEST_LIB := guests/test/lib/start64.S guests/test/lib/guest.c vmm/lib/vsnprintf.c
GUESTS64 := exits64 bad64 bench64 spin64 xsa64 msrwalk
GUESTS64 += uartecho
GUESTS64 += xsavetest
GUESTS16 := real16 taskswitch16
# More sources for a 64-bit guest than guests/test/<name>.c
GUEST_SRCS_exits64 := guests/test/exits64_mmio.c
GUEST_SRCS_xsa64 := guests/test/xsa64_hc.c guests/test/xsa64_cpu.c guests/test/lib/probe.c \
	guests/test/lib/probe_entry.S
GUEST_SRCS_xsavetest := guests/test/ring3.c guests/test/ring3_entry.S

$(B)/guests/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@
$(B)/guests/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  GUESTAS $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -c $< -o $@

define guest64_rule
$(B)/guests/$(1).elf: $(patsubst %,$(B)/guests/obj/%.o,$(GUEST_LIB) guests/test/$(1).c $(GUEST_SRCS_$(1))) guests/test/guest.lds
	@echo "  GUESTLD $$@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -T guests/test/guest.lds -o $$@ $$(filter %.o,$$^) -lgcc
endef
$(foreach g,$(GUESTS64),$(eval $(call guest64_rule,$(g))))

$(B)/guests/%.bin: $(B)/guests/obj/guests/test/%.S.o
	@echo "  GUESTBIN $@"
	$(Q)ld -m elf_x86_64 -Ttext=0x7c00 -e _start --oformat binary -o $@ $<

GUEST_BINS += $(patsubst %,$(B)/guests/%.elf,$(GUESTS64)) $(patsubst %,$(B)/guests/%.bin,$(GUESTS16))

# HVM test disks: a boot sector and its stage 2, padded to a 1 MiB disk.
HVM_DISKS := mbrtest hvmfault apicmsr

$(B)/guests/%.img: $(B)/guests/obj/guests/hvm/%.S.o
	@echo "  DISK    $@"
	$(Q)ld -m elf_x86_64 -Ttext=0x7c00 -Tbss=0x9000 -e _start --oformat binary -o $@.tmp $<
	$(Q)truncate -s 1M $@.tmp && mv $@.tmp $@

GUEST_BINS += $(patsubst %,$(B)/guests/%.img,$(HVM_DISKS))

# HVM test disks written in C: boot64.S is the boot sector and enters long
# mode, the program follows it (guests/hvm/hvmdisk.lds).
HVM_C_DISKS := hpettest
HVM_C_DISKS += cputest
HVM_C_DISKS += hvmbench
HVM_C_DISKS += smptest
HVM_C_LIB := guests/hvm/boot64.S guests/hvm/disk.c vmm/lib/vsnprintf.c

$(patsubst %,$(B)/guests/%.img,$(HVM_C_DISKS)): $(B)/guests/%.img: \
		$(patsubst %,$(B)/guests/obj/%.o,$(HVM_C_LIB)) $(B)/guests/obj/guests/hvm/%.c.o \
		guests/hvm/hvmdisk.lds
	@echo "  DISK    $@"
	$(Q)ld -m elf_x86_64 -T guests/hvm/hvmdisk.lds --oformat binary -o $@.tmp $(filter %.o,$^)
	$(Q)truncate -s $(or $(HVM_DISK_SIZE_$*),1M) $@.tmp && mv $@.tmp $@

# hvmbench also reads its own disk through IDE and virtio-blk (2 MiB of it).
$(B)/guests/hvmbench.img: $(patsubst %,$(B)/guests/obj/guests/hvm/%.c.o,hvmbench_vblk hvmbench_ide)
HVM_DISK_SIZE_hvmbench := 4M

GUEST_BINS += $(patsubst %,$(B)/guests/%.img,$(HVM_C_DISKS))
# smptest's APs start in its own real-mode code (vcpus=N guests, docs/vcpus.md).
$(B)/guests/smptest.img: $(B)/guests/obj/guests/hvm/smptest_ap.S.o
