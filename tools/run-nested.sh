#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run-nested.sh NESTED.img ESP.img SERIAL.log [TIMEOUT_S]
# Boots the nested-KVM disk (tools/mknested.sh) in Bochs with Bochs's own
# BIOS, Keel's ESP image as its second disk: Linux loads KVM, QEMU runs
# Keel with -accel kvm on that ESP, Keel's console is Linux's, which is
# COM1, written to SERIAL.log. Headless like tools/run-bochs.sh; Bochs
# exits when Linux powers off, or is killed at the timeout (default 1800 s).
#
# ips=1e9 (tools/nested/grub.cfg tells Linux: tsc_early_khz=1000000) and
# 2 GiB of RAM: the initramfs unpacked, and QEMU's 512 MiB guest, with room.
set -uo pipefail
nested=$1 esp=$2 serial=$3 limit=${4:-1800}
cyl() { echo $(( $(stat -c %s "$1") / (16 * 63 * 512) )); }
dir=$(mktemp -d /tmp/keel-nested.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/bochsrc" <<RC
megs: 2048
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/bochs/VGABIOS-lgpl-latest
cpu: model=corei7_skylake_x, count=1, ips=1000000000, reset_on_triple_fault=0
display_library: term
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path=$nested, mode=flat, cylinders=$(cyl "$nested"), heads=16, spt=63
ata0-slave: type=disk, path=$esp, mode=flat, cylinders=$(cyl "$esp"), heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=$serial
clock: sync=none, time0=946684800
log: $dir/bochs.log
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
RC
echo c > "$dir/cmds"
: > "$serial"
# --foreground: the caller may kill this script's whole process group.
TERM=dumb timeout --foreground -s KILL "$limit" bochs -q -unlock -f "$dir/bochsrc" \
	-rc "$dir/cmds" </dev/null >"$dir/stdout" 2>&1
rc=$?
[ -n "${BOCHS_KEEP_LOG:-}" ] && cp "$dir/bochs.log" "$BOCHS_KEEP_LOG"
[ $rc -eq 137 ] && echo "run-nested: timed out after ${limit}s (Bochs was killed)" >&2
exit 0
