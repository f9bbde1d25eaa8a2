# SPDX-License-Identifier: MIT
# The keel-linux hvm test disk (issue 3): Debian 12's GRUB (i386-pc) in the
# MBR, Debian's 6.1 kernel and a busybox-static initramfs on a FAT16
# partition. tools/mkdisk-linux.sh downloads the Debian packages into
# LINUX_CACHE and keeps the finished image there under a hash of its inputs
# (package versions included): remaking it with unchanged inputs is a copy.
# A newer Debian kernel is picked up when an input file below changes or the
# image is removed (`rm build/linux-disk.img` or `make -B linux-disk`).
LINUX_CACHE ?= $(B)/linux-cache
LINUX_DISK_INPUTS := tools/mkdisk-linux.sh tools/debcache.sh guests/hvm/linux/init \
	guests/hvm/linux/grub.cfg.in

$(B)/linux-disk.img: $(LINUX_DISK_INPUTS)
	@echo "  DISK    $@"
	$(Q)KEEL_LINUX_CACHE=$(LINUX_CACHE) tools/mkdisk-linux.sh $@

linux-disk: $(B)/linux-disk.img

# The same disk booted by QEMU TCG + SeaBIOS, no Keel: GRUB -> Linux -> shell.
test-linux-disk-qemu: $(B)/linux-disk.img
	$(Q)tools/test-linux-disk-qemu.sh $(B)/linux-disk.img

.PHONY: linux-disk test-linux-disk-qemu
