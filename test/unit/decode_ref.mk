# SPDX-License-Identifier: MIT
# The MMIO decoder against Capstone (libcapstone-dev): test_decode_ref.c,
# with the comparison in decode_ref.c for fuzz targets to share.
UNIT_TESTS += decode_ref
UNIT_SRCS_decode_ref := test/unit/decode_ref.c arch/x86/decode.c
UNIT_LDLIBS_decode_ref := -lcapstone

# Included at the end of build.mk, after it generated the rules: add this one's.
ifdef UNIT_RULES
UNIT_RULES += decode_ref
UNIT_BINS += $(B)/unit/test_decode_ref
$(eval $(call unit_test_rule,decode_ref))
unit: $(B)/unit/test_decode_ref
endif
