#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench.sh BENCH-ESP.img [CPU_MODEL [NO_VTX_MODEL]]: boot the benchmark
# guests in Bochs and print their tables: once on a CPU with VT-x (bench64's
# exits, pvbench in a VM), once on one without (pvbench deprivileged). In
# Bochs one TSC tick is one emulated instruction and VM transitions are
# free: the figures are Keel's instruction counts per round trip,
# deterministic from run to run. A bench-hvm-esp.img beside BENCH-ESP.img
# (the hvm guests of keel-bench.cfg) is booted too, on CPU_MODEL: the hvm
# section.
set -euo pipefail
esp=$1 model=${2:-corei7_skylake_x} novtx=${3:-ryzen}
dir=$(dirname "$esp")

run() { # MODEL LOG GUEST...: run, check each guest finished, print its BENCH lines
	local m=$1 log=$2
	shift 2
	"$(dirname "$0")/run-bochs.sh" "$esp" "$log" "$m" 600
	for g in "$@"; do
		if ! grep -aq "$g: done" "$log"; then
			echo "bench: $g did not finish on $m; serial log: $log" >&2
			exit 1
		fi
	done
}

run "$model" "$dir/bench-serial.log" bench64 pvbench ping
run "$novtx" "$dir/bench-novtx-serial.log" pvbench ping
hvm_esp=$dir/bench-hvm-esp.img
[ -f "$hvm_esp" ] && esp=$hvm_esp run "$model" "$dir/bench-hvm-serial.log" hvmbench
# ping on CPU 0, pong on CPU 1 (keel-bench-smp.cfg): each event crosses CPUs by IPI.
smp_esp=$dir/bench-smp-esp.img
[ -f "$smp_esp" ] && esp=$smp_esp BOCHS_CPUS=2 run "$model" "$dir/bench-smp-serial.log" ping
# The same in ring 3 (no VT-x): ping and pong deprivileged on CPUs 0 and 1.
[ -f "$smp_esp" ] && esp=$smp_esp BOCHS_CPUS=2 run "$novtx" "$dir/bench-smp-novtx-serial.log" ping
vcpus_esp=$dir/bench-vcpus-esp.img # smptest, vcpus=2: the IPI round trip between its vCPUs
[ -f "$vcpus_esp" ] && esp=$vcpus_esp run "$model" "$dir/bench-vcpus-serial.log" smptest
# The same with cpus=0-1 on a two-CPU machine: each vCPU on a host CPU of its own.
vcpus2_esp=$dir/bench-vcpus2-esp.img
[ -f "$vcpus2_esp" ] && esp=$vcpus2_esp BOCHS_CPUS=2 run "$model" "$dir/bench-vcpus2-serial.log" smptest
echo "Keel exit-latency benchmark, Bochs 2.7 (ticks = instructions)"
printf '%-30s %-8s %8s %8s\n' where exit min median
grep -a "\[bench64\] BENCH " "$dir/bench-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, VM exit" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
grep -a "\[\(pvbench\|ping\)\] BENCH " "$dir/bench-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, PV in a VM" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
grep -a "\[hvmbench\] BENCH " "$dir/bench-hvm-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, hvm guest" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
[ -f "$smp_esp" ] && grep -a "\[ping\] BENCH " "$dir/bench-smp-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, PV 2 CPUs" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
[ -f "$vcpus_esp" ] && grep -a "\[smptest\] BENCH " "$dir/bench-vcpus-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, hvm 2 vCPUs" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
[ -f "$vcpus2_esp" ] && grep -a "\[smptest\] BENCH " "$dir/bench-vcpus2-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$model, 2 vCPUs 2 CPUs" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
grep -a "\[\(pvbench\|ping\)\] BENCH " "$dir/bench-novtx-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$novtx, PV ring 3" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
[ -f "$smp_esp" ] && grep -a "\[ping\] BENCH " "$dir/bench-smp-novtx-serial.log" | sed 's/.*BENCH //' |
	awk -v w="$novtx, PV ring 3, 2 CPUs" '{printf "%-30s %-8s %8s %8s\n", w, $1, $3, $5}'
if grep -aq "\[hvmbench\] DISK " "$dir/bench-hvm-serial.log"; then
	echo "hvm guest disk reads, same bytes through each (exits counted by hvmbench's drivers," \
		"ticks by its TSC)"
	grep -a "\[hvmbench\] DISK " "$dir/bench-hvm-serial.log" | sed 's/.*DISK //'
fi
