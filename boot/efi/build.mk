# SPDX-License-Identifier: MIT
# The gnu-efi loader, BOOTX64.EFI (Debian's gnu-efi: crt0, linker script, libefi).
EFI_INC  := /usr/include/efi
EFI_LIB  := /usr/lib
EFI_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -fpic -ffreestanding -fno-stack-protector \
	-fno-stack-check -fshort-wchar -mno-red-zone -maccumulate-outgoing-args \
	-DGNU_EFI_USE_MS_ABI -I$(EFI_INC) -I$(EFI_INC)/x86_64 -Iboot/include -MMD -MP
EFI_SRCS := boot/efi/main.c boot/efi/files.c boot/efi/memmap.c boot/efi/menu.c \
	boot/efi/console.c boot/efi/mp.c boot/config.c boot/elf64.c
EFI_OBJS := $(patsubst %,$(B)/efi/%.o,$(EFI_SRCS))

$(B)/efi/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  EFICC   $<"
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(B)/efi/loader.so: $(EFI_OBJS)
	@echo "  EFILD   $@"
	$(Q)ld -shared -Bsymbolic -nostdlib -znocombreloc -L$(EFI_LIB) -T$(EFI_LIB)/elf_x86_64_efi.lds \
		$(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ -lefi -lgnuefi

$(B)/BOOTX64.EFI: $(B)/efi/loader.so
	@echo "  EFIAPP  $@"
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@
