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
# grub-efi-amd64-bin is downloaded (apt-get download, never installed).
#
# Environment: KEEL_LINUX_CACHE (default build/linux-cache), as mkdisk-linux.sh.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 OUT.img LINUX_DISK.img" >&2; exit 2; }
out=$1 linux=$2
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEEL_LINUX_CACHE:-$top/build/linux-cache}
py=${PYTHON:-python3}
mkdir -p "$cache" "$(dirname "$out")"
cache=$(cd "$cache" && pwd)

log() { echo "mkdisk-efi: $*" >&2; }
die() { echo "mkdisk-efi: error: $*" >&2; exit 1; }

# "DEB" of package $1 in the cache, downloaded at apt's candidate version if missing
cached_deb() {
	local p=$1 v deb
	v=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }')
	if [ -z "$v" ]; then
		log "apt-get update"
		apt-get update -q >&2 || true
		v=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }')
	fi
	[ -n "$v" ] || die "apt has no candidate version of $p"
	deb=$(find "$cache" -maxdepth 1 -name "${p}_${v//:/%3a}_*.deb" | head -n1)
	if [ -z "$deb" ]; then
		log "apt-get download $p=$v"
		( cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$p=$v" >&2 ) ||
			die "apt-get download $p=$v failed"
		deb=$(find "$cache" -maxdepth 1 -name "${p}_${v//:/%3a}_*.deb" | head -n1)
		[ -n "$deb" ] || die "apt-get download $p=$v left no .deb in $cache"
	fi
	echo "$deb"
}

efi_deb=$(cached_deb grub-efi-amd64-bin)
common_deb=$(cached_deb grub-common)

work=$(mktemp -d "${TMPDIR:-/tmp}/mkdisk-efi.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-946684800}   # mtools' timestamps
export MTOOLS_SKIP_CHECK=1

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

# Disk: 1 MiB before the partition, the files plus 2 MiB, at least 16 MiB
# (FAT16), rounded up to whole 16-head, 63-sector cylinders (Bochs's geometry).
start=2048
bytes=0
for f in "$work"/files/* "$work/BOOTX64.EFI"; do bytes=$(( bytes + $(stat -c %s "$f") )); done
part=$(( (bytes + 2 * 1048576 + 1048575) / 1048576 * 2048 ))
[ $part -ge 32768 ] || part=32768
cyl=$(( 16 * 63 ))
total=$(( (start + part + cyl - 1) / cyl * cyl ))
part=$(( total - start ))

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
minfo -i "$fat" :: > "$work/minfo"
grep -q 'disk type="FAT16' "$work/minfo" || die "the partition is not FAT16"
mv "$img" "$out.tmp" && mv "$out.tmp" "$out"
log "$out: $(( total * 512 )) bytes, BOOTX64.EFI $(stat -c %s "$work/BOOTX64.EFI") bytes ($(basename "$efi_deb" .deb))"
