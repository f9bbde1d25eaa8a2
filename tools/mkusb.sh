#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkusb.sh OUT.img ESP.img: a GPT disk whose one partition (type EF00, EFI
# system partition) holds the ESP image, ready for `dd` to a USB stick.
set -euo pipefail
out=$1 esp=$2
esp_bytes=$(stat -c %s "$esp")
start=2048                                   # 1 MiB alignment, in 512-byte sectors
sectors=$(( (esp_bytes + 511) / 512 ))
total=$(( start + sectors + 2048 ))          # room for the backup GPT
rm -f "$out.tmp"
truncate -s $(( total * 512 )) "$out.tmp"
sgdisk -o -n 1:$start:$(( start + sectors - 1 )) -t 1:ef00 -c 1:KEEL-ESP "$out.tmp" >/dev/null
dd if="$esp" of="$out.tmp" bs=512 seek=$start conv=notrunc status=none
mv "$out.tmp" "$out"
