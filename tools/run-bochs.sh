#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-bochs.sh ESP.img SERIAL.log [CPU_MODEL] [TIMEOUT_S]
# Boots the ESP image in Bochs 2.7 with Debian's OVMF as firmware, headless,
# serial to SERIAL.log. Bochs exits 1 after every power-off, so callers
# judge a run by the serial log.
# With BOCHS_SERIAL_SOCKET=PORT, COM1 is instead a TCP server on localhost
# that Bochs waits on before it starts: the caller talks to the console
# (tools/console.py, the system tests). SERIAL.log is only emptied then.
# BOCHS_CPUS=N gives the machine N CPUs (cpu: count=N; default 1).
set -uo pipefail
esp=$1 serial=$2 model=${3:-corei7_skylake_x} limit=${4:-600}
megs=${BOCHS_MEGS:-256}
cpus=${BOCHS_CPUS:-1}
size=$(stat -c %s "$esp")
cyl=$((size / (16 * 63 * 512)))
dir=$(mktemp -d /tmp/keel-bochs.XXXXXX)
trap 'rm -rf "$dir"' EXIT
# OVMF.fd is the firmware ROM (it carries its own variable store, and Bochs
# maps it read-only at the top of 4 GiB). ips sets emulated time only.
com1="com1: enabled=1, mode=file, dev=$serial"
[ -n "${BOCHS_SERIAL_SOCKET:-}" ] && com1="com1: enabled=1, mode=socket-server, dev=localhost:$BOCHS_SERIAL_SOCKET"
cat > "$dir/bochsrc" <<RC
megs: $megs
romimage: file=/usr/share/ovmf/OVMF.fd
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model=$model, count=$cpus, ips=50000000, reset_on_triple_fault=0
display_library: term
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path=$esp, mode=flat, cylinders=$cyl, heads=16, spt=63
boot: disk
$com1
port_e9_hack: enabled=1
clock: sync=none, time0=946684800
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
echo c > "$dir/cmds"
# --foreground keeps Bochs in this script's process group, so whoever started
# the script can kill the whole group at once (timeout would make a new one).
: > "$serial"
TERM=dumb timeout --foreground -s KILL "$limit" bochs -q -unlock -f "$dir/bochsrc" -rc "$dir/cmds" </dev/null >"$dir/stdout" 2>&1 &
pid=$!
wait $pid
rc=$?
[ -n "${BOCHS_KEEP_LOG:-}" ] && cp "$dir/bochs.log" "$BOCHS_KEEP_LOG"
[ $rc -eq 137 ] && echo "run-bochs: timed out after ${limit}s (Bochs ignores SIGTERM, so it was killed)" >&2
exit 0
