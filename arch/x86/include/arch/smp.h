/* SPDX-License-Identifier: MIT */
/* Starting the other host CPUs (arch/x86/smp.c), and what the rest of Keel asks about them. */
#ifndef ARCH_SMP_H
#define ARCH_SMP_H

/* The IPI that wakes a halted AP (a gate of its own: counted per CPU, not as a stray). */
#define SMP_WAKE_VECTOR 0xf1

#ifndef __ASSEMBLY__
#include <stdint.h>

struct boot_info;
struct acpi_info;

/*
 * Find the host CPUs (ACPI MADT, else the loader's MP Services list), keep
 * at most bi->config.host_cpus of them, and start each AP with
 * INIT-SIPI-SIPI: its own GDT, TSS, IST stacks and per-CPU data, VMX on if
 * the boot CPU has it. Prints what it found and started; a CPU that does
 * not answer or differs is reported and left out. After arch_vmx_init.
 */
void smp_start_cpus(const struct boot_info *bi, const struct acpi_info *acpi);
/* CPUs Keel runs on (the boot CPU counts); 1 until smp_start_cpus. */
unsigned smp_nr_online(void);
/*
 * One line per AP: how many times it halted before (few: it sleeps; a
 * spinning AP never halts), then how long a wake-up IPI took to reach it.
 */
void smp_idle_report(void);
/*
 * Wake CPU cpu (the boot CPU too) from its idle halt, or make it leave the
 * guest it runs (an external-interrupt exit): an IPI on SMP_WAKE_VECTOR;
 * -1 if there is no such CPU or the APIC did not take it.
 */
int smp_wake(unsigned cpu);
/* How many wake-up IPIs cpu has taken (in its idle halt or as a guest's exit). */
uint64_t smp_wakes(unsigned cpu);
/* A wake-up IPI ended the running guest's time on this CPU (arch/x86/vmx/exit_misc.c). */
void smp_wake_count(unsigned cpu);
/* Every AP leaves its idle loop for work(its number), which does not return. */
void smp_release(void (*work)(unsigned cpu));
struct percpu;
/* CPU cpu's per-CPU data (an online CPU's), by number: not through GS. */
struct percpu *smp_percpu(unsigned cpu);
struct vcpu;
/* v->arch.pc, set from v->cpu the first time (when the vCPU is set up). */
struct percpu *vcpu_cpu_init(struct vcpu *v);
/* The online CPUs, bit n = CPU n. */
uint64_t smp_online_mask(void);
/* This CPU's number by its APIC ID (not GS, which a ring-3 guest may have changed): for panics. */
unsigned arch_cpu_number(void);
/* This CPU's struct percpu, found the same way: for the VMCS host GS base (cold paths only). */
uint64_t arch_percpu_base(void);

/*
 * The CPU list, pure (test/unit/test_smp_list.c): MADT IDs if any, else
 * the enabled CPUs of the loader's list, else the boot CPU alone. The boot
 * CPU comes first, duplicates are dropped, then at most `limit` (0: all)
 * are kept. Returns how many were written to out[0..max); *found is how
 * many distinct CPUs the source listed (the boot CPU always counts).
 */
struct boot_cpu;
enum smp_source { SMP_SRC_NONE, SMP_SRC_MADT, SMP_SRC_MP_SERVICES };
unsigned smp_cpu_list(uint32_t bsp_apic, const uint32_t *madt, unsigned nr_madt,
		      const struct boot_cpu *fw, unsigned nr_fw, unsigned limit, uint32_t *out,
		      unsigned max, unsigned *found, enum smp_source *src);

#endif /* __ASSEMBLY__ */
#endif
