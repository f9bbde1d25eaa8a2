/* SPDX-License-Identifier: MIT */
/*
 * keel_main: console -> CPU tables -> memory -> ACPI -> TSC -> VMX ->
 * guests -> power off. Nothing here knows which loader ran.
 */
#include <arch/cpu.h>
#include <arch/desc.h>
#include <arch/host_timer.h>
#include <arch/paging.h>
#include <arch/smp.h>
#include <arch/vmx.h>
#include <boot/boot_info.h>
#include <drivers/acpi.h>
#include <drivers/intc.h>
#include <drivers/screen.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/frames.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/vm.h>

void keel_main(struct boot_info *bi);
void pv_start_info_finish(void);
int vm_build(struct vm *vm, unsigned id, const struct cfg_guest *g, const struct boot_module *image,
	     const struct boot_module *firmware);

extern char __keel_start[], __keel_end[];

static struct acpi_info acpi;
static bool acpi_ok;

/*
 * CPUID.1:ECX[31] is clear on bare metal (and in Bochs) and set by a
 * hypervisor beneath Keel, whose leaf 0x40000000 names it ("KVMKVMKVM",
 * "TCGTCGTCGTCG"): exit costs measured there include its own exits.
 */
static const char *hypervisor_below(char sig[13])
{
	struct cpuid_regs r;

	if (!(cpuid(1, 0).ecx & BIT(31)))
		return NULL;
	r = cpuid(0x40000000, 0);
	__builtin_memcpy(sig, &r.ebx, 4);
	__builtin_memcpy(sig + 4, &r.ecx, 4);
	__builtin_memcpy(sig + 8, &r.edx, 4);
	sig[12] = 0;
	for (unsigned i = 0; i < 12 && sig[i]; i++)
		if (sig[i] < ' ' || sig[i] > '~')
			sig[i] = '?';
	return sig[0] ? sig : "a hypervisor with no signature";
}

static void print_cpu(void)
{
	struct cpuid_regs r[3];
	char brand[49], sig[13];
	const char *below = hypervisor_below(sig);

	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		for (unsigned i = 0; i < 3; i++)
			r[i] = cpuid(0x80000002 + i, 0);
		__builtin_memcpy(brand, r, 48);
		brand[48] = 0;
	} else {
		__builtin_memcpy(brand, "family/model", 13);
	}
	printk("cpu: %s (signature 0x%x) (%s%s)\n", brand, cpuid(1, 0).eax,
	       below ? "nested under " : "not nested", below ? below : "");
}

static const char *const mem_names[] = { "?", "usable", "reserved", "ACPI", "ACPI NVS",
					  "loaded", "boot services" };

static uint64_t memory_init(const struct boot_info *bi, uint32_t type)
{
	uint64_t top = 0, added = 0;

	for (unsigned i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *m = &bi->mem[i];

		if (m->base + m->size > top && m->type != BOOT_MEM_RESERVED)
			top = m->base + m->size;
		/* Keep the first MiB for later real-mode trampolines. */
		if (m->type == type && m->base + m->size > MiB)
			added += frames_add(&keel_frames, m->base < MiB ? MiB : m->base,
					    m->base < MiB ? m->size - (MiB - m->base) : m->size);
	}
	if (type == BOOT_MEM_USABLE)
		printk("mem: %lu regions, RAM up to 0x%lx, %lu MiB free\n", (uint64_t)bi->nr_mem, top,
		       added / MiB);
	return top;
}

static void print_memmap(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		const struct boot_mem_region *m = &bi->mem[i];

		if (m->type != BOOT_MEM_BOOT_DATA)
			printk("  %016lx-%016lx %s\n", m->base, m->base + m->size,
			       mem_names[m->type < 7 ? m->type : 0]);
	}
}

static void build_guests(const struct boot_info *bi)
{
	for (unsigned i = 0; i < bi->config.nr_guests && 2 * i + 1 < bi->nr_modules; i++) {
		if (vm_build(&keel_vms[keel_nr_vms], keel_nr_vms, &bi->config.guests[i],
			     &bi->modules[2 * i], &bi->modules[2 * i + 1]))
			continue;
		/* keel.cfg disk=: the hvm guest's virtio disk (the loader's third file). */
		if (bi->config.guests[i].disk[0] && 2 * bi->config.nr_guests + i < bi->nr_modules)
			hvm_attach_vdisk(&keel_vms[keel_nr_vms],
					 &bi->modules[2 * bi->config.nr_guests + i]);
		keel_nr_vms++;
	}
}

__attribute__((noreturn)) void keel_shutdown(void)
{
	printk("keel: all guests have ended\n");
	for (unsigned i = 0; i < keel_nr_vms; i++)
		printk("keel: guest '%s': %s\n", keel_vms[i].name, keel_vms[i].stop_reason);
	printk("keel: powering off\n");
	screen_flush();
	acpi_poweroff(acpi_ok ? &acpi : NULL);
}

void keel_main(struct boot_info *bi)
{
	uint64_t top;

	uart_init(bi->config.serial_port ? bi->config.serial_port : 0x3f8,
		  bi->config.serial_baud ? bi->config.serial_baud : 115200);
	screen_init(&bi->fb, bi->config.console_flags & CFG_CONSOLE_NO_SCREEN);
	printk("\nKeel hypervisor (loaded by %s at 0x%lx-0x%lx)\n", bi->loader,
	       (uint64_t)__keel_start, (uint64_t)__keel_end);
	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION)
		panic("boot_info from the loader has magic 0x%lx version %u: loader and Keel differ",
		      bi->magic, bi->version);
	print_cpu();
	arch_cpu_tables_init();
	pic8259_mask_all();
	lapic_init();
	top = memory_init(bi, BOOT_MEM_USABLE);
	print_memmap(bi);
	arch_paging_init(top);
	screen_start();
	/* Firmware boot-services memory is free now that Keel's tables are live. */
	memory_init(bi, BOOT_MEM_BOOT_DATA);
	printk("mem: %lu MiB free after reclaiming boot-services memory\n",
	       keel_frames.free_bytes / MiB);

	acpi_ok = acpi_parse(bi->rsdp, &acpi) == 0;
	if (acpi_ok)
		printk("acpi: %u CPU(s), %u IOAPIC(s), PM1a control 0x%x, PM timer 0x%x, S5 %s\n",
		       acpi.nr_cpus, acpi.nr_ioapics, acpi.pm1a_cnt, acpi.pm_tmr,
		       acpi.have_s5 ? "found" : "missing");
	else if ((acpi = (struct acpi_info){ 0 }, acpi_ok = acpi_piix4_fallback(&acpi)))
		printk("acpi: no ACPI tables (RSDP 0x%lx); PIIX4 power management at 0x%x\n",
		       bi->rsdp, acpi.pm1a_evt);
	else
		printk("acpi: no ACPI tables (RSDP 0x%lx) and no known chipset: cannot power off\n",
		       bi->rsdp);
	tsc_calibrate(acpi_ok ? &acpi : NULL);
	arch_cpu_idle_init();

	if (bi->config.vmx_flags & CFG_VMX_NO_PREEMPTION_TIMER)
		arch_vmx_no_preemption_timer();
	if (bi->config.vmx_flags & CFG_VMX_NO_APICV)
		arch_vmx_no_apicv();
	if (bi->config.vmx_flags & CFG_VMX_NO_POSTED)
		arch_vmx_no_posted();
	if (arch_vmx_init())
		printk("keel: VT-x unavailable: guests that need it will not run\n");
	smp_start_cpus(bi, acpi_ok ? &acpi : NULL);
	build_guests(bi);
	console_start(bi->config.console_focus);
	screen_defer();
	pv_start_info_finish();
	sched_start();
}
