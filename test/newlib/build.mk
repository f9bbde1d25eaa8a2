# SPDX-License-Identifier: MIT
# make test-newlib: newlib's libc.a and libm.a linked into a static Linux
# program with its own _start and syscall stubs (test/newlib/stubs.c), run on
# the host. The flags are those PV guests will use; builds newlib first if it
# is not in NEWLIB_CACHE (tools/newlib.mk).
NEWLIB_TEST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -nostdinc -isystem $(NEWLIB)/include \
	-isystem $(shell $(CC) -print-file-name=include) -MMD -MP
NEWLIB_TEST_OBJS := $(patsubst %,$(B)/newlib-test/%.o,start.S test_newlib.c stubs.c)

$(B)/newlib-test/%.o: test/newlib/% $(NEWLIB)/lib/libc.a
	@mkdir -p $(dir $@)
	@echo "  NLCC    $<"
	$(Q)$(CC) $(NEWLIB_TEST_CFLAGS) -c $< -o $@

$(B)/newlib-test/test_newlib: $(NEWLIB_TEST_OBJS) $(NEWLIB)/lib/libc.a
	@echo "  NLLD    $@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -o $@ $(NEWLIB_TEST_OBJS) \
		-L$(NEWLIB)/lib -lm -lc -lgcc

test-newlib: $(B)/newlib-test/test_newlib
	$(Q)$<

.PHONY: test-newlib
