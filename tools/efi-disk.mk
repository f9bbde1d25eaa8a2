# SPDX-License-Identifier: MIT
# The keel-efi hvm test disk (issue 9 part 8): the keel-linux disk's kernel,
# initramfs and grub.cfg on an EFI system partition with GRUB for x86_64-efi
# as \EFI\BOOT\BOOTX64.EFI, for a guest with firmware=OVMF.fd.
# tools/mkdisk-efi.sh keeps grub-efi-amd64-bin's .deb in LINUX_CACHE.
$(B)/efi-disk.img: $(B)/linux-disk.img tools/mkdisk-efi.sh tools/debcache.sh
	@echo "  DISK    $@"
	$(Q)KEEL_LINUX_CACHE=$(LINUX_CACHE) tools/mkdisk-efi.sh $@ $(B)/linux-disk.img

efi-disk: $(B)/efi-disk.img

.PHONY: efi-disk

# The same disk booted by QEMU TCG + OVMF, no Keel: GRUB for EFI -> Linux -> shell.
# 512 MiB: with 256 GRUB 2.06 says "error: out of memory" loading the kernel.
test-efi-disk-qemu: $(B)/efi-disk.img
	$(Q)KEEL_QEMU_BIOS=/usr/share/ovmf/OVMF.fd KEEL_QEMU_MEM=512 \
		tools/test-linux-disk-qemu.sh $(B)/efi-disk.img

.PHONY: test-efi-disk-qemu
