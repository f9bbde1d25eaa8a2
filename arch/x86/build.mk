# SPDX-License-Identifier: MIT
KEEL_SRCS += arch/x86/entry.S
