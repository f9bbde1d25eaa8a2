# SPDX-License-Identifier: MIT
# PV guests: C programs linked with Keel's PV runtime and newlib (tools/newlib.mk).
PV_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -mno-red-zone -mcmodel=small -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(NEWLIB)/include -isystem $(shell $(CC) -print-file-name=include) \
	-Iguests/include -Iguests/common -Iguests/pv/include -MMD -MP
PV_RUNTIME := guests/pv/runtime/crt0.S guests/pv/runtime/runtime.c guests/pv/runtime/syscalls.c \
	guests/pv/runtime/callbacks.S guests/pv/runtime/callbacks.c guests/pv/runtime/net.c
PV_GUESTS := hello pvbench ping pong pvbad pvboot pvcb pvspin pvxsa canary pvidle netsvc netcli gshare
# A guest's sources besides guests/pv/NAME.c.
PV_SRCS_pvboot := $(addprefix guests/pv/,pvboot_menu.c pvboot_load.c pvboot_tramp.S) \
	$(PVLOADER_SRCS)
PV_SRCS_pvxsa := guests/pv/pvxsa_priv.c guests/pv/pvxsa_cpu.c guests/pv/pvxsa_hc.c
PV_SRCS_netsvc := guests/pv/net/inet.c guests/pv/net/dns.c guests/pv/net/pvnet.c \
	guests/pv/net/tcp.c guests/pv/net/tcp_out.c
PV_SRCS_netcli := guests/pv/net/inet.c guests/pv/net/pvnet.c guests/pv/net/tcp.c \
	guests/pv/net/tcp_out.c

$(B)/guests/pvobj/%.o: % $(NEWLIB)/lib/libc.a
	@mkdir -p $(dir $@)
	@echo "  PVCC    $<"
	$(Q)$(CC) $(PV_CFLAGS) -c $< -o $@

define pv_guest_rule
$(B)/guests/$(1).elf: $(patsubst %,$(B)/guests/pvobj/%.o,$(PV_RUNTIME) guests/pv/$(1).c \
		$(PV_SRCS_$(1))) guests/pv/pv.lds $(NEWLIB)/lib/libc.a
	@echo "  PVLD    $$@"
	$(Q)$(CC) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments \
		-T guests/pv/pv.lds -o $$@ $$(filter %.o,$$^) -L$(NEWLIB)/lib -lm -lc -lgcc
endef
$(foreach g,$(PV_GUESTS),$(eval $(call pv_guest_rule,$(g))))

GUEST_BINS += $(patsubst %,$(B)/guests/%.elf,$(PV_GUESTS))
-include $(patsubst %,$(B)/guests/pvobj/%.d,$(PV_RUNTIME) $(patsubst %,guests/pv/%.c,$(PV_GUESTS)) \
	$(foreach g,$(PV_GUESTS),$(PV_SRCS_$(g))))

# pvboot's test disks, FAT12 floppies made with mtools: hello with a menu.lst
# that boots it with arguments and a module, and a menu.lst with a typo.
PVDISK_FILES := guests/pv/disk/menu.lst guests/pv/disk/note.txt $(B)/guests/hello.elf

$(B)/guests/pvdisk.img: $(PVDISK_FILES)
	@echo "  FATIMG  $@"
	$(Q)rm -f $@.tmp && mformat -C -f 1440 -i $@.tmp :: && mmd -i $@.tmp ::/boot && \
		mcopy -i $@.tmp $^ ::/boot/ && mv $@.tmp $@

$(B)/guests/pvdisk-bad.img: guests/pv/disk/bad-menu.lst $(B)/guests/hello.elf
	@echo "  FATIMG  $@"
	$(Q)rm -f $@.tmp && mformat -C -f 1440 -i $@.tmp :: && mmd -i $@.tmp ::/boot && \
		mcopy -i $@.tmp $< ::/boot/menu.lst && \
		mcopy -i $@.tmp $(B)/guests/hello.elf ::/boot/ && mv $@.tmp $@

GUEST_BINS += $(B)/guests/pvdisk.img $(B)/guests/pvdisk-bad.img
