#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mknested.sh OUT.img: the disk Bochs boots for the nested-KVM test: Debian
# 12's Linux in Bochs, KVM with nested=1 in it, QEMU with -accel kvm in
# that, and Keel in QEMU (test/system/test_nested_kvm.py, make run-nested).
#
#   first MiB     the Linux hvm disk's MBR and GRUB core.img (tools/mkdisk-linux.sh
#                 builds build/linux-disk.img; its GRUB reads (hd0,msdos1)/boot/grub)
#   partition 1   FAT from LBA 2048: /boot/grub/grub.cfg (tools/nested/grub.cfg),
#                 /boot/vmlinuz, /boot/initrd.cpio (uncompressed: Bochs copies
#                 faster than it inflates)
#
# The initramfs: busybox-static, tools/nested/init, kvm.ko, kvm-intel.ko and
# the ATA disk drivers (for Keel's ESP, Bochs's second disk, which is all
# that changes between runs) with what they depend on; kvmcaps (built here,
# static); qemu-system-x86_64, every library ldd lists and the dynamic
# loader; OVMF.fd and the ROMs QEMU opens for README's command line (its
# pc machine's VGA BIOS and NIC option ROM, kvmvapic.bin).
#
# Kernel and busybox come from the Debian packages mkdisk-linux.sh keeps in
# KEEL_LINUX_CACHE (build/linux-cache); QEMU, OVMF, SeaBIOS's VGA BIOS and
# iPXE's ROM from this machine's Debian packages (tools/setup.sh installs
# them). OUT.img is rebuilt only when a key of all inputs (package
# versions, these scripts) changes; it is kept beside OUT as OUT.key.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.img" >&2; exit 2; }
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/tools/nested
cache=${KEEL_LINUX_CACHE:-$top/build/linux-cache}
bootdisk=${KEEL_LINUX_DISK:-$top/build/linux-disk.img}
py=${PYTHON:-python3}
qemu=/usr/bin/qemu-system-x86_64
# Firmware QEMU opens for README's command line (found with strace: -bios,
# kvmvapic.bin under KVM, the pc machine's std VGA BIOS, the e1000's ROM).
firmware=(/usr/share/ovmf/OVMF.fd /usr/share/qemu/kvmvapic.bin
	/usr/share/seabios/vgabios-stdvga.bin /usr/lib/ipxe/qemu/efi-e1000.rom)

die() { echo "mknested: error: $*" >&2; exit 1; }
log() { echo "mknested: $*" >&2; }

newest() { find "$cache" -maxdepth 1 -name "$1" | sort -V | tail -n1; }
kdeb=$(newest 'linux-image-[0-9]*_amd64.deb')
bdeb=$(newest 'busybox-static_*.deb')
[ -n "$kdeb" ] && [ -n "$bdeb" ] ||
	die "no kernel or busybox-static .deb in $cache: make build/linux-disk.img first"
[ -f "$bootdisk" ] || die "$bootdisk missing: make build/linux-disk.img first"
[ -x "$qemu" ] || die "$qemu missing: tools/setup.sh installs qemu-system-x86"
for f in "${firmware[@]}"; do [ -f "$f" ] || die "$f missing (tools/setup.sh)"; done

key=$( {
	basename "$kdeb"; basename "$bdeb"
	dpkg-query -W qemu-system-x86 qemu-system-data ovmf seabios ipxe-qemu libc6 2>/dev/null || true
	sha256sum "$qemu" "${firmware[@]}" "$0" "$src"/* | cut -c1-64
	head -c 1048576 "$bootdisk" | sha256sum
} | sha256sum | cut -c1-16)
if [ -f "$out" ] && [ "$(cat "$out.key" 2>/dev/null)" = "$key" ]; then
	touch "$out"
	log "$out is up to date (key $key)"
	exit 0
fi

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/nested-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,lib/modules,usr/bin,usr/sbin} "$work/pkg"
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-946684800} MTOOLS_SKIP_CHECK=1

# Kernel and modules (all .ko for the dependency walk: 2 s, 400 MB, deleted after).
dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$work/pkg" --wildcards './boot/vmlinuz-*' \
	'./lib/modules/*.ko'
dpkg-deb --fsys-tarfile "$bdeb" | tar -x -C "$work/pkg" ./bin/busybox
vmlinuz=$(ls "$work"/pkg/boot/vmlinuz-*)
"$py" "$src/moddeps.py" "$work/pkg/lib/modules" ata_piix sd_mod kvm-intel > "$work/order"
while read -r ko; do
	cp "$ko" "$root/lib/modules/"
	basename "$ko" .ko
done < "$work/order" > "$root/lib/modules/order"

cp "$work/pkg/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$src/init" "$root/init"
gcc -static -O2 -Wall -Wextra -Werror -o "$root/bin/kvmcaps" "$src/kvmcaps.c"

# QEMU where it was installed, so it finds its data as on this machine
# (/usr/bin/../share/...), and its libraries (ldd: "name => path" and the loader).
cp "$qemu" "$root/usr/bin/"
ldd "$qemu" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
	while read -r lib; do
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || die "ldd named no dynamic loader"
for f in "${firmware[@]}"; do
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
done

"$py" "$src/mkcpio.py" "$root" "$work/initrd.cpio"

# The disk: GRUB's first MiB, then one FAT partition (type 0x0e) for the rest,
# sized for the files plus 4 MiB and rounded to whole 16x63 cylinders (Bochs).
start=2048
files=$(( $(stat -c %s "$vmlinuz") + $(stat -c %s "$work/initrd.cpio") ))
cyl=$(( 16 * 63 ))
total=$(( (start + (files + 4 * 1048576) / 512 + cyl - 1) / cyl * cyl ))
img=$work/disk.img
truncate -s $(( total * 512 )) "$img"
head -c $(( start * 512 )) "$bootdisk" | dd of="$img" conv=notrunc status=none
"$py" - "$img" $start $(( total - start )) <<'PYEOF'
import struct, sys
img, start, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(img, "r+b") as f:
    f.seek(0x1BE)
    # active, CHS unused (LBA only: 0xfe 0xff 0xff), type 0x0e (FAT16 LBA)
    f.write(b"\x80\xfe\xff\xff\x0e\xfe\xff\xff" + struct.pack("<II", start, count) + bytes(48))
PYEOF
fat="$img@@$(( start * 512 ))"
mformat -i "$fat" -T $(( total - start )) -h 16 -s 63 -H $start -v KEEL-NESTED ::
mmd -i "$fat" ::/boot ::/boot/grub
mcopy -i "$fat" "$src/grub.cfg" ::/boot/grub/grub.cfg
mcopy -i "$fat" "$vmlinuz" ::/boot/vmlinuz
mcopy -i "$fat" "$work/initrd.cpio" ::/boot/initrd.cpio

mv "$img" "$out"
echo "$key" > "$out.key"
log "$out: $(( total * 512 )) bytes, kernel ${vmlinuz##*/vmlinuz-}, initramfs" \
	"$(stat -c %s "$work/initrd.cpio") bytes, modules $(tr '\n' ' ' < "$root/lib/modules/order")"
