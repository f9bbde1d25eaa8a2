#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-kvm.sh: can this host run Keel under QEMU with -accel kvm (make
# run-kvm)? Keel needs VT-x in its VM, so KVM must be kvm_intel with
# nested=1, and /dev/kvm usable by this user. Exits 1 with what is missing.
fail() {
	echo "run-kvm: $*" >&2
	echo "run-kvm: (make run-nested shows Keel under nested KVM inside Bochs instead)" >&2
	exit 1
}
[ -e /dev/kvm ] || fail "/dev/kvm is absent: this host has no KVM (no VT-x, or kvm_intel not loaded)"
[ -r /dev/kvm ] && [ -w /dev/kvm ] ||
	fail "/dev/kvm is not readable and writable by $(id -un): join its group ($(stat -c %G /dev/kvm))"
grep -qw vmx /proc/cpuinfo ||
	fail "/dev/kvm is here but this CPU shows no VT-x (no vmx flag in /proc/cpuinfo): KVM cannot give Keel VT-x"
nested=/sys/module/kvm_intel/parameters/nested
[ -r $nested ] || fail "kvm_intel is not loaded: sudo modprobe kvm_intel nested=1"
case $(cat $nested) in
Y | 1) ;;
*) fail "kvm_intel is loaded without nested VMX: sudo modprobe -r kvm_intel && sudo modprobe kvm_intel nested=1" ;;
esac
[ -r /usr/share/ovmf/OVMF.fd ] || fail "/usr/share/ovmf/OVMF.fd is missing (apt-get install ovmf)"
exit 0
