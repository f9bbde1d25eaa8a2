# SPDX-License-Identifier: MIT
# PV guests: C programs linked with Keel's PV runtime and newlib (tools/newlib.mk).
PV_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -mcmodel=small -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(NEWLIB)/include -isystem $(shell $(CC) -print-file-name=include) \
	-Iguests/include -Iguests/pv/include -MMD -MP
PV_RUNTIME := guests/pv/runtime/crt0.S guests/pv/runtime/runtime.c guests/pv/runtime/syscalls.c
PV_GUESTS := hello pvbench ping pong pvbad

$(B)/guests/pvobj/%.o: % $(NEWLIB)/lib/libc.a
	@mkdir -p $(dir $@)
	@echo "  PVCC    $<"
	$(Q)$(CC) $(PV_CFLAGS) -c $< -o $@

define pv_guest_rule
$(B)/guests/$(1).elf: $(patsubst %,$(B)/guests/pvobj/%.o,$(PV_RUNTIME) guests/pv/$(1).c) \
		guests/pv/pv.lds $(NEWLIB)/lib/libc.a
	@echo "  PVLD    $$@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-T guests/pv/pv.lds -o $$@ $$(filter %.o,$$^) -L$(NEWLIB)/lib -lm -lc -lgcc
endef
$(foreach g,$(PV_GUESTS),$(eval $(call pv_guest_rule,$(g))))

GUEST_BINS += $(patsubst %,$(B)/guests/%.elf,$(PV_GUESTS))
-include $(patsubst %,$(B)/guests/pvobj/%.d,$(PV_RUNTIME) $(patsubst %,guests/pv/%.c,$(PV_GUESTS)))
