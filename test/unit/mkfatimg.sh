#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkfatimg.sh OUTDIR: the FAT images test_fat reads. OUTDIR/src holds the
# files as put on each image, which the test compares byte for byte with what
# guests/pv/loader/fat.c reads back. FAT12 is an mformat 1.44M floppy (512-byte
# clusters, so the kernel spans ~200 of them); FAT16 and FAT32 come from
# mkfs.fat (FAT32 needs >= 65525 clusters: 512-byte clusters on 34 MB).
set -euo pipefail
out=$1
src=$out/src
rm -rf "$out" && mkdir -p "$src/many"

# Fixed-seed bytes so a failure reproduces; odd sizes end mid-cluster.
python3 - "$src" <<'PY'
import random, sys
random.seed(4)
d = sys.argv[1]
open(d + "/kernel.elf", "wb").write(bytes(random.getrandbits(8) for _ in range(100001)))
open(d + "/vmlinuz", "wb").write(bytes(random.getrandbits(8) for _ in range(5000)))
open(d + "/module.bin", "wb").write(bytes(random.getrandbits(8) for _ in range(1537)))
PY
cat > "$src/menu.lst" <<'MENU'
# written by test/unit/mkfatimg.sh
default 1
timeout 3

title Rescue
    kernel /boot/vmlinuz-6.1.0-keel-amd64 single

title Keel test kernel
    root (hd0,0)
    kernel /boot/kernel.elf console=hvc0 loglevel=7
    module /boot/module.bin one two
MENU
: > "$src/empty.txt"
for i in $(seq -w 0 59); do echo "$i" > "$src/many/f$i.txt"; done

fill() {
	local img=$1
	mmd -i "$img" ::/boot ::/many
	mcopy -i "$img" "$src/menu.lst" "$src/kernel.elf" "$src/module.bin" ::/boot/
	mcopy -i "$img" "$src/vmlinuz" ::/boot/vmlinuz-6.1.0-keel-amd64
	mcopy -i "$img" "$src/empty.txt" ::/
	mcopy -i "$img" "$src"/many/* ::/many/
}

mformat -C -f 1440 -i "$out/fat12.img" ::
mkfs.fat -F 16 -C "$out/fat16.img" 16384 >/dev/null
mkfs.fat -F 32 -s 1 -C "$out/fat32.img" 34000 >/dev/null
for t in 12 16 32; do fill "$out/fat$t.img"; done
