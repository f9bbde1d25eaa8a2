/* SPDX-License-Identifier: MIT */
/*
 * Starting the application processors. The boot CPU does every allocation
 * and starts one AP at a time, so the AP's own set-up (tables, GS, LAPIC,
 * VMX) runs while the boot CPU only waits for it: nothing is shared while
 * two CPUs write. The INIT-SIPI-SIPI sequence and its delays are the SDM's
 * (3A 8.4.4.1, "typical AP initialization"): INIT, 10 ms, STARTUP, 200 us,
 * a second STARTUP only if the AP has not started yet (one that has ignores
 * it, as a STARTUP IPI is taken only in wait-for-SIPI state). An AP that
 * does not answer gets INIT again, so it cannot wake later on the
 * start-up page, which the next AP's data overwrite.
 */
#include "smp_tramp.h"
#include <arch/cpu.h>
#include <arch/host_timer.h>
#include <arch/io.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/pv.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <boot/boot_info.h>
#include <drivers/acpi.h>
#include <drivers/intc.h>
#include <drivers/tsc.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define AP_STACK_SIZE 16384
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define ANSWER_US     100000  /* from the last STARTUP IPI to the AP's first C line */
#define SETUP_US      1000000 /* from there to CPU_ONLINE: tables, LAPIC, VMX */
#define CPUID_1_PAT   BIT(16) /* CPUID 1 EDX */

extern char smp_tramp[], smp_tramp_end[], smp_tramp_data[], smp_ap_entry64[], host_wake_stub[];
void smp_ap_main(struct percpu *pc);

/*
 * An AP's per-CPU data, IST stacks and stack, in Keel's image rather than
 * from the frame allocator: a ring-3 guest's page tables map Keel's image
 * but not every frame (its RAM covers [0, its size), where frames may lie),
 * and the CPU reaches these under the guest's CR3: GDT and TSS, the IST
 * stacks and RSP0 (the AP's stack) on an interrupt, GS on SYSCALL.
 */
struct ap_area {
	struct percpu pc;
	uint8_t ist[3][IST_STACK_SIZE] __attribute__((aligned(16)));
	uint8_t stack[AP_STACK_SIZE] __attribute__((aligned(16)));
};

static struct ap_area ap_areas[CPUS_MAX - 1];
static unsigned nr_areas;
static struct percpu boot_percpu;
static struct percpu *cpus[CPUS_MAX] = { &boot_percpu };
static unsigned nr_online = 1;

unsigned smp_nr_online(void)
{
	return nr_online;
}

uint64_t arch_percpu_base(void)
{
	return (uint64_t)cpus[arch_cpu_number()];
}

unsigned arch_cpu_number(void)
{
	uint32_t id = lapic_present() ? lapic_id() : 0;

	for (unsigned i = 1; i < nr_online; i++)
		if (cpus[i] && cpus[i]->apic_id == id)
			return i;
	return 0;
}

static void (*volatile ap_work)(unsigned cpu);

/*
 * The handler, in an idle halt (a guest's time ends in an exit instead).
 * The CPU by its APIC ID: the boot CPU takes it too, and GS may be a ring-3
 * guest's there.
 */
void smp_wake_irq(void)
{
	unsigned cpu = arch_cpu_number();

	cpus[cpu]->wakes++;
	if (cpus[cpu]->vmx == 0)
		arch_ept_shootdown_ack(cpu);
	lapic_eoi();
}

void smp_wake_count(unsigned cpu)
{
	cpus[cpu]->wakes++;
}

uint64_t smp_wakes(unsigned cpu)
{
	return cpus[cpu]->wakes;
}

int smp_wake(unsigned cpu)
{
	if (cpu >= nr_online || nr_online < 2)
		return -1;
	return lapic_send_ipi(cpus[cpu]->apic_id, ICR_FIXED | SMP_WAKE_VECTOR);
}

struct percpu *smp_percpu(unsigned cpu)
{
	return cpus[cpu];
}

struct percpu *vcpu_cpu_init(struct vcpu *v)
{
	if (!v->arch.pc) {
		v->arch.pc = cpus[v->cpu];
		v->vm->arch.ept_cpus |= 1ULL << v->cpu;
	}
	return v->arch.pc;
}

uint64_t smp_online_mask(void)
{
	return nr_online >= 64 ? ~0ULL : (1ULL << nr_online) - 1;
}

void smp_release(void (*work)(unsigned cpu))
{
	ap_work = work;
	__asm__ volatile("mfence" ::: "memory");
	for (unsigned i = 1; i < nr_online; i++)
		smp_wake(i);
}

/*
 * An AP with nothing to run: halted with interrupts on, woken by an IPI
 * (or an NMI, or a stray interrupt, acknowledged by its gate), until the
 * boot CPU hands it work (smp_release): its run queue (vmm/sched.c), which
 * arms a timer for its own deadlines from then on.
 */
static __attribute__((noreturn)) void ap_idle(struct percpu *pc)
{
	for (;;) {
		if (ap_work) {
			arch_pv_cpu_init_ap(pc);
			ap_work(pc->cpu);
		}
		pc->halts++;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

/* Ticks from sending a wake-up IPI to cpu until its handler has counted it; 0: it never did. */
static uint64_t wake_round_trip(unsigned cpu)
{
	struct percpu *pc = cpus[cpu];
	uint64_t before = pc->wakes, t0 = rdtsc(), n = ns_to_tsc(ANSWER_US * 1000);

	if (smp_wake(cpu))
		return 0;
	while (pc->wakes == before)
		if (rdtsc() - t0 > n)
			return 0;
		else
			cpu_relax();
	return rdtsc() - t0;
}

void smp_idle_report(void)
{
	for (unsigned i = 1; i < nr_online; i++) {
		uint64_t halts = cpus[i]->halts + cpus[i]->idle_halts, ticks = wake_round_trip(i);

		if (ticks)
			printk("smp: cpu %u idle: %lu halts; a wake-up IPI reached it in %lu ticks\n",
			       i, halts, ticks);
		else
			printk("smp: cpu %u idle: %lu halts; a wake-up IPI did not reach it\n", i,
			       halts);
	}
}

static bool wait_while(struct percpu *pc, uint32_t state, uint64_t us)
{
	uint64_t t0 = rdtsc(), n = ns_to_tsc(us * 1000);

	while (pc->state == state && rdtsc() - t0 < n)
		cpu_relax();
	return pc->state != state;
}

static void delay_us(uint64_t us)
{
	uint64_t t0 = rdtsc(), n = ns_to_tsc(us * 1000);

	while (rdtsc() - t0 < n)
		cpu_relax();
}

/* The start-up page, then temporary tables mapping 0-4 GiB, executable (smp_boot.S). */
static struct smp_tramp_data *tramp_build(uint64_t base)
{
	uint64_t *pml4 = (uint64_t *)(base + PAGE_SIZE), *pdpt = pml4 + 512;
	struct smp_tramp_data *d = (void *)(base + (uint64_t)(smp_tramp_data - smp_tramp));

	memcpy((void *)base, smp_tramp, (size_t)(smp_tramp_end - smp_tramp));
	memset(pml4, 0, 2 * PAGE_SIZE);
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_W;
	for (uint64_t g = 0; g < 4; g++) {
		uint64_t *pd = pml4 + 512 * (2 + g);

		pdpt[g] = (uint64_t)pd | PTE_P | PTE_W;
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = (g * GiB + i * 2 * MiB) | PTE_P | PTE_W | PTE_PS;
	}
	*d = (struct smp_tramp_data){
		.entry = (uint64_t)smp_ap_entry64, .cr0 = read_cr0(), .cr3 = read_cr3(),
		.cr4 = read_cr4() & ~CR4_VMXE, .pml4 = (uint32_t)(uint64_t)pml4,
		.efer = (uint32_t)(rdmsr(MSR_IA32_EFER) & EFER_NXE),
		.pat = cpuid(1, 0).edx & CPUID_1_PAT ? rdmsr(MSR_IA32_PAT) : 0,
	};
	return d;
}

/* The next of ap_areas: n <= CPUS_MAX CPUs (smp_cpu_list), the boot CPU has none. */
static struct percpu *percpu_alloc(uint32_t apic_id)
{
	struct ap_area *a = &ap_areas[nr_areas++];
	struct percpu *pc = &a->pc;

	memset(pc, 0, sizeof(*pc));
	pc->self = pc;
	pc->apic_id = apic_id;
	for (unsigned i = 0; i < 3; i++)
		pc->ist_top[i] = (uint64_t)a->ist[i] + IST_STACK_SIZE;
	pc->stack_top = (uint64_t)a->stack + AP_STACK_SIZE;
	if (arch_vmx_ready())
		pc->vmxon_pa = (uint64_t)frame_alloc(PAGE_SIZE, PAGE_SIZE);
	return pc;
}

/* INIT-SIPI-SIPI; true once the AP has finished its set-up (online or left out). */
static bool start_ap(struct percpu *pc, struct smp_tramp_data *d, uint64_t base)
{
	uint32_t vector = (uint32_t)(base >> 12);

	d->percpu = (uint64_t)pc;
	d->stack = pc->stack_top;
	__asm__ volatile("mfence" ::: "memory");
	lapic_send_ipi(pc->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
	delay_us(INIT_DELAY_US);
	for (unsigned i = 0; i < 2 && pc->state == CPU_OFFLINE; i++) {
		lapic_send_ipi(pc->apic_id, ICR_STARTUP | vector);
		delay_us(SIPI_DELAY_US);
	}
	if (!wait_while(pc, CPU_OFFLINE, ANSWER_US) || !wait_while(pc, CPU_STARTING, SETUP_US)) {
		lapic_send_ipi(pc->apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
		return false;
	}
	return true;
}

static const char *const source_names[] = {
	[SMP_SRC_NONE] = "no CPU list from the firmware (no MADT, no MP Services)",
	[SMP_SRC_MADT] = "the ACPI MADT",
	[SMP_SRC_MP_SERVICES] = "UEFI MP Services",
};

/*
 * The MADT's enabled CPUs: online-capable ones are hot-plug slots, often
 * with no CPU behind them, which an OS does not start at boot (ACPI 6.5
 * 5.2.12.2); starting each would cost a timeout.
 */
static unsigned madt_enabled(const struct acpi_info *acpi, uint32_t *ids)
{
	unsigned n = 0;

	for (unsigned i = 0; acpi && acpi->have_madt && i < acpi->nr_cpus; i++)
		if (!(acpi->cpu_online_capable & 1ULL << i))
			ids[n++] = acpi->cpu_apic_id[i];
	return n;
}

static unsigned cpu_list(const struct boot_info *bi, const struct acpi_info *acpi, uint32_t *ids)
{
	unsigned limit = bi->config.host_cpus, found, n, nr_madt;
	uint32_t madt[ACPI_MAX_CPUS];
	enum smp_source src;

	nr_madt = madt_enabled(acpi, madt);
	n = smp_cpu_list(boot_percpu.apic_id, madt, nr_madt, bi->cpus,
			 bi->nr_cpus < BOOT_CPUS_MAX ? bi->nr_cpus : BOOT_CPUS_MAX, limit, ids,
			 CPUS_MAX, &found, &src);
	printk("smp: %u CPU(s) from %s\n", found, source_names[src]);
	if (limit && limit > found)
		printk("smp: keel.cfg host cpus=%u, but %u CPU(s) found: using %u\n", limit, found,
		       n);
	else if (limit && limit < found)
		printk("smp: keel.cfg host cpus=%u: %u CPU(s) left unused\n", limit, found - n);
	if (n > 1 && !bi->trampoline) {
		printk("smp: the loader reserved no memory below 1 MiB: one CPU only\n");
		n = 1;
	}
	if (n > 1 && !lapic_present()) {
		printk("smp: no local APIC: one CPU only\n");
		n = 1;
	}
	return n;
}

static void print_started(void)
{
	char list[CPUS_MAX * 4], *p = list;
	bool vmx = arch_vmx_ready();

	for (unsigned i = 0; i < nr_online && p < list + sizeof(list) - 12; i++)
		p += snprintf(p, (size_t)(list + sizeof(list) - p), " %u", i);
	printk("smp: CPUs started:%s (%u), VMX %s\n", list, nr_online,
	       vmx ? "on every one" : "off (no VT-x): PV guests run deprivileged in ring 3");
}

void smp_start_cpus(const struct boot_info *bi, const struct acpi_info *acpi)
{
	uint32_t ids[CPUS_MAX];
	struct smp_tramp_data *d = NULL;
	unsigned n;

	boot_percpu = (struct percpu){ .self = &boot_percpu, .apic_id = lapic_id(),
				       .state = CPU_ONLINE, .vmx = arch_vmx_ready() ? 0 : -ENODEV };
	wrmsr(MSR_GS_BASE, (uint64_t)&boot_percpu);
	cpus[0] = &boot_percpu;
	n = cpu_list(bi, acpi, ids);
	if (n > 1) {
		d = tramp_build(bi->trampoline);
		arch_idt_set_gate(SMP_WAKE_VECTOR, (uint64_t)host_wake_stub, 0);
	}
	for (unsigned i = 1; i < n; i++) {
		struct percpu *pc;

		/* An xAPIC's ICR has 8 destination bits, and 0xff broadcasts (SDM 3A 11.6.1). */
		if (ids[i] >= 0xff && !lapic_x2apic()) {
			printk("smp: CPU with APIC ID %u left out: the APIC is not in x2APIC mode\n",
			       ids[i]);
			continue;
		}
		pc = percpu_alloc(ids[i]);
		pc->cpu = nr_online;
		if (!start_ap(pc, d, bi->trampoline)) {
			printk("smp: CPU with APIC ID %u did not answer: left out\n", ids[i]);
			continue;
		}
		if (pc->state == CPU_LEFT_OUT) {
			printk("smp: CPU with APIC ID %u left out: %s\n", ids[i], pc->why);
			continue;
		}
		cpus[nr_online++] = pc;
		printk("smp: cpu %u (APIC ID %u) started, VMX %s\n", pc->cpu, pc->apic_id,
		       pc->vmx ? "off" : "on");
	}
	print_started();
}

/* An AP, on its own stack: tables, GS, LAPIC, VMX, then halt until there is work. */
void smp_ap_main(struct percpu *pc)
{
	pc->state = CPU_STARTING;
	arch_cpu_tables_load(&pc->tables, pc->ist_top);
	arch_idt_load();
	wrmsr(MSR_GS_BASE, (uint64_t)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	if (lapic_id() != pc->apic_id) {
		snprintf(pc->why, sizeof(pc->why), "it calls itself APIC ID %u", lapic_id());
		pc->state = CPU_LEFT_OUT;
		cpu_halt_forever();
	}
	lapic_enable(HOST_SPURIOUS_VECTOR);
	lapic_timer_init_ap();
	pc->vmx = arch_vmx_init_ap(pc->vmxon_pa, pc->why, sizeof(pc->why));
	if (pc->vmx && pc->why[0]) {
		pc->state = CPU_LEFT_OUT;
		cpu_halt_forever();
	}
	pc->state = CPU_ONLINE;
	ap_idle(pc);
}
