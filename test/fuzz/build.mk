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
