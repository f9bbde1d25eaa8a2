#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkdisk-efi.sh OUT.img LINUX_DISK.img: the UEFI twin of the keel-linux test
# disk (issue 9 part 8), for an hvm guest booted with firmware=OVMF.fd.
#
#   sector 0         an MBR: one partition entry, no boot code
#   partition 1      FAT16 from LBA 2048 to the end, type 0xef (EFI system
#                    partition, UEFI 2.9 5.2.2):
#                    /EFI/BOOT/BOOTX64.EFI   GRUB for x86_64-efi (Debian's
#                                            grub-efi-amd64-bin), every module
#                                            it needs built in
#                    /boot/grub/grub.cfg, /boot/vmlinuz, /boot/initrd.img
#                                            copied from LINUX_DISK.img (made
#                                            by tools/mkdisk-linux.sh), so the
#                                            kernel, initramfs and menu are the
#                                            same as the SeaBIOS disk's
#
# OVMF finds \EFI\BOOT\BOOTX64.EFI on the disk itself (the removable-media
# path, UEFI 2.9 3.5.1.1); no boot variable is needed, which matters because
# OVMF.fd mapped read-only keeps its variables in RAM only.
#
# GRUB's built-in early config finds the partition holding /boot/vmlinuz
# and reads /boot/grub/grub.cfg from it. grub-mkimage comes out of the
# grub-common .deb that mkdisk-linux.sh already keeps in the cache; only
# grub-efi-amd64-bin is downloaded (apt-get download, never installed;
# tools/debcache.sh).
#
# Environment: KEEL_LINUX_CACHE (default build/linux-cache), as mkdisk-linux.sh.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 OUT.img LINUX_DISK.img" >&2; exit 2; }
out=$1 linux=$2
top=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
me=mkdisk-efi
. "$top/tools/debcache.sh"
mkdir -p "$(dirname "$out")"

efi_deb=$(cached_deb grub-efi-amd64-bin)
common_deb=$(cached_deb grub-common)

work=$(mktemp -d "${TMPDIR:-/tmp}/mkdisk-efi.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/pkg" "$work/files"
dpkg-deb --fsys-tarfile "$efi_deb" | tar -x -C "$work/pkg" --wildcards './usr/lib/grub/x86_64-efi/*'
dpkg-deb --fsys-tarfile "$common_deb" | tar -x -C "$work/pkg" './usr/bin/grub-mkimage'

# The Linux disk's files, from its first partition (LBA 2048, mkdisk-linux.sh).
src="$linux@@$(( 2048 * 512 ))"
for f in boot/grub/grub.cfg boot/vmlinuz boot/initrd.img; do
	mcopy -n -i "$src" "::/$f" "$work/files/${f##*/}" || die "$linux has no /$f"
done

cat > "$work/early.cfg" <<'EOF'
search --no-floppy --file --set=root /boot/vmlinuz
set prefix=($root)/boot/grub
configfile $prefix/grub.cfg
EOF
"$work/pkg/usr/bin/grub-mkimage" -d "$work/pkg/usr/lib/grub/x86_64-efi" -O x86_64-efi \
	-p /boot/grub -c "$work/early.cfg" -o "$work/BOOTX64.EFI" \
	part_msdos part_gpt fat normal configfile search search_fs_file linux serial \
	terminal terminfo echo test

# 1 MiB before the partition, then the partition (debcache.sh's disk_layout).
bytes=0
for f in "$work"/files/* "$work/BOOTX64.EFI"; do bytes=$(( bytes + $(stat -c %s "$f") )); done
disk_layout $bytes

img=$work/disk.img
truncate -s $(( total * 512 )) "$img"
"$py" - "$img" $start $part <<'PYEOF'
import struct, sys
img, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
# One partition entry: not bootable, CHS fields saturated (LBA is what counts), type 0xef.
entry = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0xef, b"\xfe\xff\xff", start, count)
with open(img, "r+b") as f:
    f.seek(446)
    f.write(entry + b"\0" * 48 + b"\x55\xaa")
PYEOF
fat="$img@@$(( start * 512 ))"
mformat -i "$fat" -T $part -h 16 -s 63 -H $start -N 4b45454d -v KEEL-EFI ::
mmd -i "$fat" ::/EFI ::/EFI/BOOT ::/boot ::/boot/grub
mcopy -i "$fat" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$fat" "$work/files/grub.cfg" ::/boot/grub/grub.cfg
mcopy -i "$fat" "$work/files/vmlinuz" ::/boot/vmlinuz
mcopy -i "$fat" "$work/files/initrd.img" ::/boot/initrd.img
fat16_or_die "$fat"
mv "$img" "$out.tmp" && mv "$out.tmp" "$out"
log "$out: $(( total * 512 )) bytes, BOOTX64.EFI $(stat -c %s "$work/BOOTX64.EFI") bytes ($(basename "$efi_deb" .deb))"
