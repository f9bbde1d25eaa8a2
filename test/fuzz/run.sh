#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh fuzz SECONDS BUILD TARGET [OPTION...]  run a target for SECONDS
# run.sh replay BUILD TARGET...                 run each target once over its committed inputs
# A target is BUILD/fuzz/fuzz_TARGET. `fuzz` grows BUILD/fuzz/corpus/TARGET from
# test/fuzz/corpus/TARGET and fails at the first crash, naming the reproducer;
# OPTIONs are more libFuzzer flags.
set -uo pipefail
here=test/fuzz
mode=$1; shift

inputs() { # the committed files for a target: seeds and past crash reproducers
	find "$here/corpus/$1" "$here/crashes/$1" -type f ! -name README.md 2>/dev/null | sort
}

if [ "$mode" = fuzz ]; then
	secs=$1 b=$2 t=$3; shift 3
	corpus=$b/fuzz/corpus/$t crashes=$b/fuzz/crashes/$t log=$b/fuzz/log/$t.log
	mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
	"$b/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -print_final_stats=0 \
		-artifact_prefix="$crashes/" "$@" "$corpus" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	if [ $rc -ne 0 ]; then
		grep -E 'fuzz: |ERROR: |SUMMARY: |^    #[0-9]+ ' "$log" | head -20
		repro=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
		echo "fuzz: $t crashed (exit $rc); log $log"
		[ -n "$repro" ] && echo "fuzz: reproduce with: $b/fuzz/fuzz_$t $repro"
		exit 1
	fi
	stats=$(grep -E '^#[0-9]+' "$log" | tail -1 | tr -s ' \t' ' ')
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
	echo "  FUZZ    $t: $stats (${took:-?} s)"
	exit 0
fi

b=$1; shift
passed=0 failed=0
for t in "$@"; do
	mapfile -t files < <(inputs "$t")
	if [ ${#files[@]} -eq 0 ]; then
		echo "  REPLAY  $t: no inputs"
		passed=$((passed + 1))
		continue
	fi
	log=$b/fuzz/log/$t.replay.log
	mkdir -p "$(dirname "$log")"
	if "$b/fuzz/fuzz_$t" "${files[@]}" >"$log" 2>&1; then
		echo "  REPLAY  $t: ${#files[@]} inputs"
		passed=$((passed + 1))
	else
		grep -E 'fuzz: |ERROR: |SUMMARY: |^Running: ' "$log" | tail -8
		echo "  REPLAY  $t: FAILED (log $log)"
		failed=$((failed + 1))
	fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ $failed -eq 0 ]
