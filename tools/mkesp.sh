#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkesp.sh OUT.img BOOTX64.EFI KEEL.ELF KEEL.CFG [GUEST_FILE...]
# An unpartitioned FAT image (what OVMF boots in Bochs and QEMU) with
#   \EFI\BOOT\BOOTX64.EFI and \keel\{keel.elf,keel.cfg,guest files}.
# Its size is a whole number of 16-head, 63-sector cylinders, as Bochs wants.
# Other *.cfg files among the guest files are configs the loader's boot menu
# offers. With ESP_CHECK=1 every file a config names (image, firmware,
# module; an hvm guest's default bios-256k.bin) must be among them.
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: $0 OUT.img BOOTX64.EFI keel.elf keel.cfg [files...]" >&2; exit 2; }
out=$1 efi=$2 elf=$3 cfg=$4; shift 4

named() { # CFG: the files its guest lines name, one a line
	awk '{ gsub(/args="[^"]*"/, ""); sub(/#.*/, ""); if ($1 != "guest") next
	       hvm = fw = 0
	       for (i = 2; i <= NF; i++) {
		       k = substr($i, 1, index($i, "=") - 1); v = substr($i, index($i, "=") + 1)
		       if (k == "image" || k == "firmware" || k == "module") print v
		       if (k == "firmware") fw = 1
		       if ($i == "type=hvm") hvm = 1
	       }
	       if (hvm && !fw) print "bios-256k.bin" }' "$1"
}
if [ "${ESP_CHECK:-0}" = 1 ]; then
	on_image=" $(for f in "$@"; do basename "$f"; done | tr '\n' ' ')"
	for c in "$cfg" $(for f in "$@"; do case $f in *.cfg) echo "$f" ;; esac; done); do
		for f in $(named "$c"); do
			case $on_image in *" $f "*) ;; *)
				echo "mkesp: $(basename "$c") names $f, which is not on $out" >&2
				exit 1 ;;
			esac
		done
	done
fi
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
