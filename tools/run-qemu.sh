#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-qemu.sh ESP.img SERIAL.log [TIMEOUT_S]   (QEMU_CPU: the -cpu model, default qemu64;
# QEMU_SMP: the number of CPUs, default 1)
# Boots the ESP image in QEMU (TCG, no VT-x) with Debian's OVMF, headless,
# serial to SERIAL.log. QEMU's "pc" machine has PIIX4 power management and
# ACPI tables, so Keel powers it off at the end.
set -uo pipefail
esp=$1 serial=$2 limit=${3:-120}
# --foreground keeps QEMU in this script's process group, so a test that has
# seen what it waited for can kill the whole group at once.
: > "$serial"
timeout --foreground "$limit" qemu-system-x86_64 -machine pc -accel tcg -cpu "${QEMU_CPU:-qemu64}" -smp "${QEMU_SMP:-1}" -m 256 -nographic -no-reboot \
	-bios /usr/share/ovmf/OVMF.fd -drive file="$esp",format=raw,if=ide \
	-serial file:"$serial" -monitor none -display none -net none </dev/null >/dev/null 2>&1
exit 0
