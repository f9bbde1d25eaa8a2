#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mkdisk-linux.sh OUT.img: a raw PC disk (MBR) that boots Debian 12's Linux
# through Debian's GRUB, for the hvm guest (issue 3).
#
#   sector 0         GRUB's boot.img (first 440 bytes) + the partition table
#   sectors 1..2047  GRUB's core.img (i386-pc, every module it needs built in)
#   partition 1      FAT16 from LBA 2048 to the end, type 0x0e:
#                    /boot/grub/grub.cfg, /boot/vmlinuz, /boot/initrd.img
#
# The kernel is linux-image-amd64's vmlinuz; the initramfs is busybox-static
# plus guests/hvm/linux/init (prints "keel-linux: init started", then a shell
# on the console). The kernel needs no module to boot: nothing but the
# initramfs is mounted, the disk is only read by GRUB through the BIOS (INT
# 13h). The initramfs carries Debian's virtio modules (/lib/virtio/*.ko, in
# the order of /lib/virtio/order: dependencies first; CONFIG_VIRTIO_PCI,
# _BLK, _NET and _CONSOLE are =m in Debian's 6.1 config, only virtio-mq glue
# is built in), which init loads, so Keel's virtio devices (docs/virtio.md)
# have drivers; ext4 with its dependencies (/lib/fs, same layout), which
# only a test that mounts a filesystem loads (busybox's mke2fs makes ext2);
# and ata_piix with libata, SCSI and sd (/lib/ide), which only a test that
# reads the IDE disk as /dev/sda loads (Linux boots without: GRUB reads it).
#
# Debian packages are fetched with `apt-get download` into a cache and taken
# apart with dpkg-deb, never installed (tools/debcache.sh). Nothing needs
# root, loop devices or mount: mtools writes the FAT, python3 (stdlib only)
# writes the cpio archive and the MBR, and GRUB is put in place by hand exactly as grub-bios-setup
# would (grub-bios-setup itself insists on finding the block device that
# holds its -d directory, so it cannot work on a plain image file here).
#
# Host packages this script needs: apt, dpkg, mtools, python3, gzip, coreutils
# (mtools comes from tools/setup.sh, the rest is in every Debian 12 image);
# grub-mkimage runs out of the unpacked grub-common and needs its shared
# libraries: libdevmapper1.02.1, liblzma5 (both in Debian 12's base images).
# Debian packages it downloads: linux-image-amd64 (-> linux-image-6.1.0-N-amd64),
# grub-pc-bin, grub-common (for grub-mkimage), busybox-static.
#
# Environment:
#   KEEL_LINUX_CACHE   download and image cache (default build/linux-cache)
#   KEEL_LINUX_APPEND  extra kernel command-line arguments (default none)
#
# The finished image is kept in the cache under a hash of every input (the
# package versions, this script and debcache.sh, init, grub.cfg.in,
# KEEL_LINUX_APPEND): a rebuild with unchanged inputs only copies (or just
# touches) OUT.img.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT.img" >&2; exit 2; }
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
src=$top/guests/hvm/linux
append=${KEEL_LINUX_APPEND:-}
py=${PYTHON:-python3}
me=mkdisk-linux
. "$top/tools/debcache.sh"
mkdir -p "$(dirname "$out")"

# --- which packages, at which versions ---------------------------------------
kernel_pkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}

kpkg=$(kernel_pkg || true)
[ -n "$kpkg" ] || { apt_update || true; kpkg=$(kernel_pkg || true); }
[ -n "$kpkg" ] || die "apt does not know linux-image-amd64 (no Debian 12 package lists?)"
debs=()
for p in "$kpkg" grub-pc-bin grub-common busybox-static; do
	deb=$(cached_deb "$p")
	debs+=("$deb")
done

# --- cached image? -----------------------------------------------------------
key=$( {
	for d in "${debs[@]}"; do basename "$d"; done
	sha256sum < "$0"
	sha256sum < "$top/tools/debcache.sh"
	sha256sum < "$src/init"
	sha256sum < "$src/grub.cfg.in"
	printf 'append=%s\n' "$append"
} | sha256sum | cut -c1-16)
cached=$cache/linux-disk-$key.img

if [ -f "$cached" ]; then
	if cmp -s "$cached" "$out"; then
		touch "$out"
	else
		cp "$cached" "$out.tmp" && mv "$out.tmp" "$out"
	fi
	log "$out is up to date (cache $(basename "$cached"))"
	exit 0
fi

# --- build -------------------------------------------------------------------
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Take only what is needed out of each package (the kernel .deb also holds
# ~400 MB of modules that are not needed).
extract() { # DEB PATTERN...
	local deb=$1; shift
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/pkg" --wildcards "$@"
}
mkdir -p "$work/pkg"
extract "${debs[0]}" './boot/vmlinuz-*'
modules() { # DIR MODULE... : into $work/mods/DIR, listed in DIR/order
	local dir=$work/mods/$1; shift
	extract "${debs[0]}" $(for m in "$@"; do printf "./lib/modules/*/kernel/%s.ko " "$m"; done)
	mkdir -p "$dir"
	for m in "$@"; do
		cp "$work"/pkg/lib/modules/*/kernel/"$m".ko "$dir/"
		basename "$m" >> "$dir/order"
	done
}
modules virtio drivers/virtio/virtio_ring drivers/virtio/virtio \
	drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci_legacy_dev \
	drivers/virtio/virtio_pci drivers/block/virtio_blk net/core/failover \
	drivers/net/net_failover drivers/net/virtio_net drivers/char/virtio_console
modules fs lib/crc16 crypto/crc32c_generic fs/mbcache fs/jbd2/jbd2 fs/ext4/ext4
modules ide lib/crc64 crypto/crc64_rocksoft_generic lib/crc64-rocksoft crypto/crct10dif_common \
	crypto/crct10dif_generic lib/crc-t10dif block/t10-pi drivers/scsi/scsi_common \
	drivers/scsi/scsi_mod drivers/scsi/sd_mod drivers/ata/libata drivers/ata/ata_piix
extract "${debs[1]}" './usr/lib/grub/i386-pc/*'
extract "${debs[2]}" './usr/bin/grub-mkimage'
extract "${debs[3]}" './bin/busybox'
vmlinuz=$(ls "$work"/pkg/boot/vmlinuz-*)
kver=${vmlinuz##*/vmlinuz-}
grubdir=$work/pkg/usr/lib/grub/i386-pc
log "kernel $kver, $(basename "${debs[1]}" .deb), $(basename "${debs[3]}" .deb)"

# Binary pieces (cpio archive, MBR) in python3's standard library.
cat > "$work/img.py" <<'PYEOF'
import os, struct, sys

def cpio(out, busybox, init, mods):
    """A newc cpio archive for the initramfs; owner root, fixed times, and
    /dev/console as a node (no mknod needed on the build host); each
    directory of modules in mods (with its order file) goes to /lib."""
    ino = [100]
    def entry(f, name, mode, data=b"", rdev=(0, 0)):
        ino[0] += 1
        nlink = 2 if mode & 0o170000 == 0o040000 else 1
        hdr = "070701" + "".join("%08X" % v for v in (
            ino[0], mode, 0, 0, nlink, 946684800, len(data), 0, 0,
            rdev[0], rdev[1], len(name) + 1, 0))
        f.write(hdr.encode() + name.encode() + b"\0")
        f.write(b"\0" * (-(110 + len(name) + 1) % 4))
        f.write(data)
        f.write(b"\0" * (-len(data) % 4))
    with open(out, "wb") as f:
        for d in ("bin", "sbin", "usr", "usr/bin", "usr/sbin", "dev", "proc", "sys",
                  "tmp", "root", "etc", "mnt", "lib"):
            entry(f, d, 0o040755)
        for d in sorted(os.listdir(mods)):
            entry(f, "lib/" + d, 0o040755)
            order = os.path.join(mods, d, "order")
            for m in open(order).read().split():
                entry(f, "lib/%s/%s.ko" % (d, m), 0o100644,
                      open(os.path.join(mods, d, m + ".ko"), "rb").read())
            entry(f, "lib/%s/order" % d, 0o100644, open(order, "rb").read())
        entry(f, "dev/console", 0o020600, rdev=(5, 1))
        entry(f, "bin/busybox", 0o100755, open(busybox, "rb").read())
        entry(f, "bin/sh", 0o120777, b"busybox")
        entry(f, "init", 0o100755, open(init, "rb").read())
        entry(f, "TRAILER!!!", 0)

def chs(lba, heads=16, spt=63):
    c, rem = divmod(lba, heads * spt)
    h, s = divmod(rem, spt)
    if c > 1023:
        return b"\xfe\xff\xff"
    return bytes((h, (s + 1) | ((c >> 2) & 0xC0), c & 0xFF))

def mbr(img, boot_img, core_img, part_start, part_type):
    """What grub-bios-setup does for an msdos-labelled disk, without RS codes:
    boot.img in sector 0 around the partition table, core.img in sectors 1..,
    boot.img's kernel sector = 1, the boot-drive check replaced by NOPs
    (hard disk), and core.img's first blocklist = the rest of core.img."""
    boot = bytearray(open(boot_img, "rb").read())
    core = bytearray(open(core_img, "rb").read())
    assert len(boot) == 512 and boot[510:512] == b"\x55\xaa"
    nsec = (len(core) + 511) // 512
    if 1 + nsec > part_start:
        sys.exit("core.img (%d sectors) does not fit before LBA %d" % (nsec, part_start))
    core += b"\0" * (nsec * 512 - len(core))
    size = os.path.getsize(img)
    assert size % 512 == 0
    total = size // 512
    # GRUB_BOOT_MACHINE_BPB_START..END (0x03..0x5a): grub-bios-setup copies the
    # disk's own bytes there; a fresh disk has zeros.
    boot[0x03:0x5A] = bytes(0x5A - 0x03)
    struct.pack_into("<Q", boot, 0x5C, 1)       # GRUB_BOOT_MACHINE_KERNEL_SECTOR
    boot[0x64] = 0xFF                           # GRUB_BOOT_MACHINE_BOOT_DRIVE: use %dl
    assert boot[0x66] == 0xEB                   # GRUB_BOOT_MACHINE_DRIVE_CHECK: jmp 3f
    boot[0x66:0x68] = b"\x90\x90"               # hard disk: NOP it, as grub-bios-setup
    # 0x1b8: disk signature "KEEL", 2 reserved bytes, one partition, 0x55aa
    pe = bytes((0x80,)) + chs(part_start) + bytes((part_type,)) + chs(total - 1) + \
        struct.pack("<II", part_start, total - part_start)
    boot[0x1B8:0x200] = b"KEEL" + b"\0\0" + pe + bytes(48) + b"\x55\xaa"
    # diskboot.img's blocklist (struct grub_boot_blocklist: u64 start, u16 len,
    # u16 segment) at the end of core.img's first sector: the sectors after
    # it, loaded at 0x820:0 (GRUB_BOOT_I386_PC_KERNEL_SEG + 0x20); the entry
    # below it stays zero as the terminator.
    struct.pack_into("<QHH", core, 512 - 12, 2, nsec - 1, 0x820)
    assert core[512 - 24:512 - 12] == bytes(12)
    with open(img, "r+b") as f:
        f.write(boot)
        f.write(core)

if __name__ == "__main__":
    if sys.argv[1] == "cpio":
        cpio(*sys.argv[2:6])
    elif sys.argv[1] == "mbr":
        mbr(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6], 0))
PYEOF

# initramfs
"$py" "$work/img.py" cpio "$work/initrd.cpio" "$work/pkg/bin/busybox" "$src/init" "$work/mods"
gzip -9 -n < "$work/initrd.cpio" > "$work/initrd.img"

# grub.cfg
sed -e "s|@KVER@|$kver|g" -e "s|@APPEND@|$append|g" "$src/grub.cfg.in" > "$work/grub.cfg"

# core.img: all modules built in, so the partition needs no /boot/grub/i386-pc.
"$work/pkg/usr/bin/grub-mkimage" -d "$grubdir" -O i386-pc -p '(hd0,msdos1)/boot/grub' \
	-o "$work/core.img" \
	biosdisk part_msdos fat normal linux serial terminal terminfo echo test configfile

# 1 MiB for the MBR and core.img, then the partition (debcache.sh's disk_layout).
disk_layout $(( $(stat -c %s "$vmlinuz") + $(stat -c %s "$work/initrd.img") +
	$(stat -c %s "$work/grub.cfg") ))

img=$work/disk.img
truncate -s $(( total * 512 )) "$img"
"$py" "$work/img.py" mbr "$img" "$grubdir/boot.img" "$work/core.img" $start 0x0e
fat="$img@@$(( start * 512 ))"
mformat -i "$fat" -T $part -h 16 -s 63 -H $start -N 4b45454c -v KEEL-LINUX ::
mmd -i "$fat" ::/boot ::/boot/grub
mcopy -i "$fat" "$work/grub.cfg" ::/boot/grub/grub.cfg
mcopy -i "$fat" "$vmlinuz" ::/boot/vmlinuz
mcopy -i "$fat" "$work/initrd.img" ::/boot/initrd.img
fat16_or_die "$fat"

find "$cache" -maxdepth 1 -name 'linux-disk-*.img' -delete
mv "$img" "$cached"
cp "$cached" "$out.tmp" && mv "$out.tmp" "$out"
log "$out: $(( total * 512 )) bytes, kernel $kver, initramfs $(stat -c %s "$work/initrd.img") bytes, core.img $(stat -c %s "$work/core.img") bytes"
