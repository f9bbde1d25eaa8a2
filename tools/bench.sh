#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh BENCH-ESP.img [CPU_MODEL]: boot the benchmark guest in Bochs and
# print its exit-latency table. In Bochs one TSC tick is one emulated
# instruction and VM transitions are free: the figures are Keel's
# instruction counts per round trip, deterministic from run to run.
set -euo pipefail
esp=$1 model=${2:-corei7_skylake_x}
log=$(dirname "$esp")/bench-serial.log
"$(dirname "$0")/run-bochs.sh" "$esp" "$log" "$model" 600
if ! grep -aq "bench64: done" "$log"; then
	echo "bench: the benchmark guest did not finish; serial log: $log" >&2
	exit 1
fi
echo "Keel exit-latency benchmark, Bochs 2.7 model $model (ticks = instructions)"
printf '%-8s %8s %8s\n' exit min median
grep -a "BENCH " "$log" | sed 's/.*BENCH //' | awk '{printf "%-8s %8s %8s\n", $1, $3, $5}'
