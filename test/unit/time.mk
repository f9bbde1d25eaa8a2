# SPDX-License-Identifier: MIT
# Time arithmetic at its edges: TSC <-> ns conversions, TSC deadlines, the
# run queue's slice ends and wake-ups (test/unit/test_time.c).
UNIT_TESTS += time
UNIT_SRCS_time := vmm/runq.c

# Included at the end of build.mk, after it generated the rules: add this one's.
ifdef UNIT_RULES
UNIT_RULES += time
UNIT_BINS += $(B)/unit/test_time
$(eval $(call unit_test_rule,time))
unit: $(B)/unit/test_time
endif
