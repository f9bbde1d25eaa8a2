# SPDX-License-Identifier: MIT
# The PV boot loader's portable logic (menu.lst, FAT, ELF checks): linked into the loader
# guest and into host unit tests (test/unit). `make pvloader-check` (run by
# `make unit`) compiles it as strict freestanding C11 with the guests' code
# generation flags and checks that, linked together, it calls nothing but
# these <string.h> functions: no allocation, no stdio.
PVLOADER_SRCS := $(addprefix guests/pv/loader/,menu_lst.c fat.c fat_chain.c fat_dir.c elf_check.c)
PVLOADER_LIBC := memchr memcmp memcpy memset strchr strlen
PVLOADER_CHECK_CFLAGS := -std=c11 -pedantic -O2 -Wall -Wextra -Werror -Wshadow -Wconversion \
	-ffreestanding -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small

$(B)/pvloader-check/%.o: guests/pv/loader/%.c $(wildcard guests/pv/loader/*.h)
	@mkdir -p $(dir $@)
	@echo "  PVCHECK $<"
	$(Q)$(CC) $(PVLOADER_CHECK_CFLAGS) -c $< -o $@

$(B)/pvloader-check/loader.o: $(patsubst guests/pv/loader/%.c,$(B)/pvloader-check/%.o,$(PVLOADER_SRCS))
	$(Q)ld -r -o $@ $^
	$(Q)extra=$$(nm -u $@ | awk '{print $$2}' | grep -vxE '$(subst $(eval) ,|,$(PVLOADER_LIBC))' || true); \
	if [ -n "$$extra" ]; then echo "pvloader-check: calls outside <string.h>:" $$extra; rm -f $@; exit 1; fi

pvloader-check: $(B)/pvloader-check/loader.o

.PHONY: pvloader-check
