# SPDX-License-Identifier: MIT
KEEL_SRCS += vmm/main.c vmm/lib/string.c vmm/lib/vsnprintf.c vmm/lib/printk.c
