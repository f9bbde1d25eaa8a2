# SPDX-License-Identifier: MIT
KEEL_SRCS += drivers/uart/uart16550.c
