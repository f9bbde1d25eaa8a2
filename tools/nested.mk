# SPDX-License-Identifier: MIT
# Keel under QEMU with KVM. `make run-kvm` is README's command line, for a
# host with a usable /dev/kvm. Without one, `make run-nested` shows the same
# path end to end: Bochs runs Debian's Linux, whose KVM (nested=1) runs QEMU
# with -accel kvm, which runs Keel with the test guests (tools/mknested.sh,
# test/system/test_nested_kvm.py; about 10 minutes).
NESTED_INPUTS := tools/mknested.sh $(wildcard tools/nested/*)

$(B)/nested-disk.img: $(NESTED_INPUTS) $(B)/linux-disk.img
	@echo "  DISK    $@"
	$(Q)KEEL_LINUX_CACHE=$(LINUX_CACHE) KEEL_LINUX_DISK=$(B)/linux-disk.img tools/mknested.sh $@

nested-disk: $(B)/nested-disk.img

run-nested: setup
	$(Q)$(MAKE) --no-print-directory $(B)/nested-disk.img $(B)/tests-esp.img
	$(Q)cp $(B)/tests-esp.img $(B)/nested-esp.img
	$(Q): > $(B)/nested-serial.log; \
		tools/run-nested.sh $(B)/nested-disk.img $(B)/nested-esp.img $(B)/nested-serial.log & \
		tail --pid=$$! -n +1 -f $(B)/nested-serial.log

run-kvm: setup
	$(Q)tools/check-kvm.sh
	$(Q)$(MAKE) --no-print-directory $(B)/esp.img
	$(Q)qemu-system-x86_64 -machine pc -accel kvm -cpu host,+vmx -m 512 -nographic \
		-bios /usr/share/ovmf/OVMF.fd -drive file=$(B)/esp.img,format=raw,if=ide \
		-serial mon:stdio -no-reboot

.PHONY: nested-disk run-nested run-kvm
