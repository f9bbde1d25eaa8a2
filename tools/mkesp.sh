#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkesp.sh OUT.img BOOTX64.EFI KEEL.ELF KEEL.CFG [GUEST_FILE...]
# An unpartitioned FAT image (what OVMF boots in Bochs and QEMU) with
#   \EFI\BOOT\BOOTX64.EFI and \keel\{keel.elf,keel.cfg,guest files}.
# Its size is a whole number of 16-head, 63-sector cylinders, as Bochs wants.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 OUT.img BOOTX64.EFI keel.elf keel.cfg [files...]" >&2; exit 2; }
out=$1 efi=$2 elf=$3 cfg=$4; shift 4
cyl=${ESP_CYLINDERS:-64}           # 64 x 16 x 63 x 512 = 31.5 MiB
tmp="$out.tmp"
rm -f "$tmp"
truncate -s $((cyl * 16 * 63 * 512)) "$tmp"
mformat -i "$tmp" -t "$cyl" -h 16 -s 63 -v KEELESP ::
mmd -i "$tmp" ::/EFI ::/EFI/BOOT ::/keel
mcopy -i "$tmp" "$efi" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$tmp" "$elf" ::/keel/keel.elf
mcopy -i "$tmp" "$cfg" ::/keel/keel.cfg
for f in "$@"; do mcopy -i "$tmp" "$f" "::/keel/$(basename "$f")"; done
mv "$tmp" "$out"
