/* SPDX-License-Identifier: MIT */
/*
 * INVEPT on every CPU that may hold a VM's EPT translations, before an EPT
 * change (grant unmap, PAM, reset) is reported done. A CPU caches
 * guest-physical and combined translations tagged with the EPTP while it
 * runs the VM, and keeps them across VM exits and entries; only INVEPT on
 * that CPU drops them (SDM 3C 29.4.1, 29.4.3.1). The CPUs that may hold
 * them are those the VM's vCPUs were placed on (vm->arch.ept_cpus, kept by
 * vcpu_cpu_init and arch_vcpu_move).
 *
 * One shootdown at a time: the requester publishes the EPTP and the CPUs
 * it waits for, sends each the wake-up IPI and spins until each has done
 * its INVEPT (vmx_ept_shootdown_ack, from the IPI's external-interrupt
 * exit or its idle handler). A CPU waiting for the shootdown lock acks
 * meanwhile, so two requesters cannot wait on each other. The caller must
 * not hold a lock that a target CPU may be spinning on with interrupts
 * masked (the domain lock, if vCPUs of one VM make hypercalls on several
 * CPUs): that CPU would never take the IPI. A split hvm guest's lock is
 * allowed: its waiters answer (vmm/vm_lock.c). With one vCPU per VM the
 * set is the caller's own CPU and no IPI is sent.
 */
#include "vmx_priv.h"
#include <arch/percpu.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <keel/printk.h>
#include <keel/spinlock.h>
#include <keel/vm.h>

static struct spinlock shoot_lock;
static volatile uint64_t shoot_eptp, shoot_pending;

void vmx_invept(uint64_t eptp)
{
	struct { uint64_t eptp, zero; } desc = { eptp, 0 };
	uint64_t type = vmx.ctl.invept;
	uint8_t fail;

	__asm__ volatile("invept %1, %2; setbe %0" : "=qm"(fail) : "m"(desc), "r"(type)
			 : "cc", "memory");
	if (fail)
		panic("vmx: INVEPT type %lu failed for EPTP 0x%lx", type, eptp);
}

void vmx_ept_shootdown_ack(unsigned cpu)
{
	uint64_t bit = 1ULL << cpu;

	if (!(__atomic_load_n(&shoot_pending, __ATOMIC_ACQUIRE) & bit))
		return;
	vmx_invept(shoot_eptp);
	__atomic_fetch_and(&shoot_pending, ~bit, __ATOMIC_RELEASE);
}

void vmx_ept_shootdown(struct vm *vm)
{
	unsigned me = this_cpu_id();
	uint64_t others = vm->arch.ept_cpus & ~(1ULL << me);

	vmx_invept(vm->arch.eptp);
	if (!others)
		return;
	while (!spin_trylock(&shoot_lock))
		vmx_ept_shootdown_ack(me);
	shoot_eptp = vm->arch.eptp;
	__atomic_store_n(&shoot_pending, others, __ATOMIC_SEQ_CST);
	for (uint64_t m = others; m; m &= m - 1)
		smp_wake((unsigned)__builtin_ctzll(m));
	while (__atomic_load_n(&shoot_pending, __ATOMIC_ACQUIRE))
		__asm__ volatile("pause" ::: "memory");
	spin_unlock(&shoot_lock);
	vm->arch.ept_shootdowns_remote++;
}

uint64_t arch_vm_ept_shootdowns_remote(const struct vm *vm)
{
	return vm->arch.ept_shootdowns_remote;
}

void arch_ept_shootdown_ack(unsigned cpu)
{
	vmx_ept_shootdown_ack(cpu);
}
