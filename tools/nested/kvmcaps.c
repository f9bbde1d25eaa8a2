/* SPDX-License-Identifier: MIT */
/*
 * kvmcaps: print the VMX capability MSRs a fresh KVM vCPU offers its guest
 * (tools/mknested.sh builds it static for the nested-KVM initramfs). KVM
 * answers VMX MSR reads only for a vCPU whose CPUID has VMX, so the vCPU
 * first gets what KVM supports (KVM_GET_SUPPORTED_CPUID), as QEMU's
 * -cpu host does. The names match Keel's "vmx:" lines.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>

#define NENT 256

static const struct {
	unsigned index;
	const char *name;
} msrs[] = {
	{ 0x03a, "feature_control" }, { 0x480, "basic" },	 { 0x485, "misc" },
	{ 0x486, "cr0_fixed0" },      { 0x487, "cr0_fixed1" },	 { 0x488, "cr4_fixed0" },
	{ 0x489, "cr4_fixed1" },      { 0x48b, "proc2" },	 { 0x48c, "ept_vpid" },
	{ 0x48d, "true_pin" },	      { 0x48e, "true_proc" },	 { 0x48f, "true_exit" },
	{ 0x490, "true_entry" },      { 0x491, "vmfunc" },
};
#define NMSRS (sizeof(msrs) / sizeof(msrs[0]))

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int r = ioctl(fd, req, arg);

	if (r < 0) {
		perror(what);
		exit(1);
	}
	return r;
}

int main(void)
{
	struct {
		struct kvm_cpuid2 h;
		struct kvm_cpuid_entry2 e[NENT];
	} cpuid = { .h.nent = NENT };
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[NMSRS];
	} m = { .h.nmsrs = NMSRS };
	int kvm = open("/dev/kvm", O_RDWR), vm, vcpu, got;

	if (kvm < 0) {
		perror("/dev/kvm");
		return 1;
	}
	vm = xioctl(kvm, KVM_CREATE_VM, 0, "KVM_CREATE_VM");
	vcpu = xioctl(vm, KVM_CREATE_VCPU, 0, "KVM_CREATE_VCPU");
	xioctl(kvm, KVM_GET_SUPPORTED_CPUID, &cpuid, "KVM_GET_SUPPORTED_CPUID");
	xioctl(vcpu, KVM_SET_CPUID2, &cpuid, "KVM_SET_CPUID2");
	for (unsigned i = 0; i < NMSRS; i++)
		m.e[i].index = msrs[i].index;
	/* KVM_GET_MSRS stops at the first MSR it cannot read: print those it did. */
	got = xioctl(vcpu, KVM_GET_MSRS, &m, "KVM_GET_MSRS");
	for (int i = 0; i < got; i++)
		printf("kvmcaps: %-15s (0x%03x) %016llx\n", msrs[i].name, msrs[i].index,
		       (unsigned long long)m.e[i].data);
	if ((unsigned)got < NMSRS)
		printf("kvmcaps: KVM refused MSR 0x%x\n", msrs[got].index);
	return 0;
}
