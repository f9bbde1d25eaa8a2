# SPDX-License-Identifier: MIT
KEEL_SRCS += drivers/uart/uart16550.c
KEEL_SRCS += drivers/acpi/tables.c drivers/acpi/power.c drivers/timer/tsc_calibrate.c drivers/acpi/piix4.c drivers/pci/pci_cfg.c \
	drivers/intc/pic8259.c drivers/intc/lapic.c drivers/rtc/cmos_rtc.c \
	drivers/timer/lapic_timer.c drivers/timer/lapic_timer_calc.c
include drivers/video/build.mk
