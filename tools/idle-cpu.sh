#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# idle-cpu.sh KEEL.ELF [WINDOW_S [BUILD_DIR]]   (QEMU_CPU: the -cpu model, default qemu64)
# What an idle Keel costs its host: boots pvidle (sleeping WINDOW_S + 20 s
# on its timer, so every guest is blocked) with KEEL.ELF in QEMU TCG, waits
# until it sleeps, and prints QEMU's CPU time (utime + stime from
# /proc/PID/stat) over the next WINDOW_S seconds of wall time. BUILD_DIR
# (default build) has BOOTX64.EFI and guests/pvidle.elf.
set -euo pipefail
elf=$1 window=${2:-60} build=${3:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/keel-idle.XXXXXX)
trap 'kill -- -$runner 2>/dev/null || true; rm -rf "$dir"' EXIT
printf 'guest name=idle type=pv image=pvidle.elf memory=4M args="ms=%d"\n' \
	$(((window + 20) * 1000)) > "$dir/keel.cfg"
"$root/tools/mkesp.sh" "$dir/esp.img" "$build/BOOTX64.EFI" "$elf" "$dir/keel.cfg" \
	"$build/guests/pvidle.elf" > /dev/null
# Its own process group, so the trap ends this QEMU and nothing else.
setsid "$root/tools/run-qemu.sh" "$dir/esp.img" "$dir/serial.log" $((window + 120)) &
runner=$!
for _ in $(seq 120); do
	grep -aq "pvidle: sleeping" "$dir/serial.log" 2>/dev/null && break
	sleep 1
done
grep -aq "pvidle: sleeping" "$dir/serial.log" || { echo "idle-cpu: pvidle never slept" >&2; exit 1; }
qemu=$(pgrep -g "$runner" -x qemu-system-x86)
hz=$(getconf CLK_TCK)
cpu() { awk '{ print $14 + $15 }' "/proc/$qemu/stat"; }
sleep 2
t0=$(cpu)
sleep "$window"
t1=$(cpu)
grep -a "^idle:" "$dir/serial.log" | tr -d '\r' || true
awk -v d=$((t1 - t0)) -v hz="$hz" -v w="$window" \
	'BEGIN { printf "idle-cpu: QEMU used %.2f s of CPU in %d s idle: %.2f%% of one CPU\n", d / hz, w, 100 * d / hz / w }'
