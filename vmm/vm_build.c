/* SPDX-License-Identifier: MIT */
/*
 * Building a VM from its keel.cfg line and image: memory, devices, and the
 * initial vCPU state. A guest that cannot be built is refused by name and
 * the others still run.
 *
 * 64-bit (elf64) guest layout, in guest-physical memory:
 *   0x1000-0x6fff  page tables Keel builds: 0-4 GiB identity, 2 MiB pages
 *   0x7000         GDT: null, 64-bit code (0x08), data (0x10)
 *   0x8000         the config line's args, NUL-terminated (RDI points here)
 *   0x100000-      the ELF's PT_LOAD segments (by p_paddr)
 *   top of RAM     initial stack (RSP); RSI = RAM size
 */
#include <arch/pv.h>
#include <arch/vmx.h>
#include <arch/paging.h>
#include <arch/cpu.h>
#include <boot/boot_info.h>
#include <boot/elf64.h>
#include <keel/abi.h>
#include <keel/bits.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/hvm_ram.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

#define GUEST_ARGS_GPA  0x8000UL
#define REAL_LOAD_GPA   0x7c00UL

/* Page tables (0-4 GiB identity, 2 MiB pages) and a flat GDT for a 64-bit guest. */
void vm_build_long_mode_tables(struct vm *vm)
{
	static const uint64_t gdt[3] = { 0, 0x00209a0000000000ULL, 0x0000920000000000ULL };
	uint64_t *pml4 = vm_gpa_to_hva(vm, GUEST_PT_GPA, 6 * PAGE_SIZE);
	uint64_t *pdpt = pml4 + 512, *pd = pdpt + 512;

	memset(pml4, 0, 6 * PAGE_SIZE);
	pml4[0] = (GUEST_PT_GPA + PAGE_SIZE) | PTE_P | PTE_W;
	for (unsigned g = 0; g < 4; g++) {
		pdpt[g] = (GUEST_PT_GPA + (2 + g) * PAGE_SIZE) | PTE_P | PTE_W;
		for (unsigned i = 0; i < 512; i++)
			pd[g * 512 + i] = (g * GiB + i * 2 * MiB) | PTE_P | PTE_W | PTE_PS;
	}
	memcpy(vm_gpa_to_hva(vm, GUEST_GDT_GPA, sizeof(gdt)), gdt, sizeof(gdt));
}

int vm_load_elf64(struct vm *vm, const struct boot_module *mod, uint64_t limit, uint64_t *entry,
		  uint64_t *end)
{
	struct elf64_image img;
	char err[96];

	if (elf64_check((const void *)mod->base, mod->size, &img, err, sizeof(err))) {
		printk("keel: guest '%s': image %s: %s\n", vm->name, mod->name, err);
		return -EINVAL;
	}
	if (img.relocatable || img.lowest < GUEST_IMAGE_MIN || img.highest > limit) {
		printk("keel: guest '%s': image %s must load between 0x%lx and 0x%lx "
		       "(it spans 0x%lx-0x%lx)\n", vm->name, mod->name, GUEST_IMAGE_MIN,
		       limit, img.lowest, img.highest);
		return -EINVAL;
	}
	for (unsigned i = 0; i < img.nr_segs; i++) {
		const struct elf64_seg *s = &img.segs[i];
		uint8_t *dst = vm_gpa_to_hva(vm, s->addr, s->mem_size);

		memcpy(dst, (const uint8_t *)mod->base + s->file_off, s->file_size);
		memset(dst + s->file_size, 0, s->mem_size - s->file_size);
	}
	*entry = img.entry;
	*end = img.highest;
	return 0;
}

static int load_elf64(struct vm *vm, const struct boot_module *mod)
{
	size_t args_len = strlen(vm->cfg->args);
	uint64_t entry, end;
	int err = vm_load_elf64(vm, mod, vm->ram_size - 64 * KiB, &entry, &end);

	if (err)
		return err;
	vm_build_long_mode_tables(vm);
	memcpy(vm_gpa_to_hva(vm, GUEST_ARGS_GPA, args_len + 1), vm->cfg->args, args_len + 1);
	arch_vcpu_setup_long(&vm->vcpus[0], entry, vm->ram_size, GUEST_PT_GPA, GUEST_GDT_GPA);
	vm->vcpus[0].gpr.r[REG_RDI] = GUEST_ARGS_GPA;
	vm->vcpus[0].gpr.r[REG_RSI] = vm->ram_size;
	return 0;
}

static int load_real(struct vm *vm, const struct boot_module *mod)
{
	if (mod->size == 0 || mod->size > vm->ram_size - REAL_LOAD_GPA || mod->size > 0x10000) {
		printk("keel: guest '%s': real-mode image %s is %lu bytes: it must be 1 byte to 64 KiB "
		       "and fit in RAM above 0x7c00\n", vm->name, mod->name, mod->size);
		return -EINVAL;
	}
	memcpy(vm_gpa_to_hva(vm, REAL_LOAD_GPA, mod->size), (const void *)mod->base, mod->size);
	arch_vcpu_setup_real(&vm->vcpus[0], REAL_LOAD_GPA);
	return 0;
}

/* RAM is one host allocation; an hvm guest sees it below and above the PCI hole. */
static int map_ram(struct vm *vm, const struct cfg_guest *g)
{
	struct vm_mem_region ram[HVM_RAM_REGIONS] = {
		{ .gpa = 0, .size = g->memory, .hpa = vm->ram_hpa, .writable = true },
	};
	unsigned n = 1;
	int err = 0;

	if (g->type == CFG_GUEST_HVM)
		n = hvm_ram_layout(g->memory, g->ram_below_4g, vm->ram_hpa, ram);
	for (unsigned i = 0; i < n && !err; i++)
		err = vm_add_memory(vm, ram[i].gpa, ram[i].hpa, ram[i].size, true);
	vm->nr_ram = n;
	return err;
}

int hvm_build(struct vm *vm, const struct boot_module *disk, const struct boot_module *fw);
int pv_build(struct vm *vm, const struct boot_module *image, const struct boot_module *module);

/* The devices every guest has: its UART (COM1), the debug-exit port, the MMIO test device. */
int vm_attach_devices(struct vm *vm)
{
	int err = vuart_attach(vm, &vm->uart, 0x3f8);

	vm->uart.input = &vm->con.in; /* what is typed for the guest (vmm/console_input.c) */
	if (!err)
		err = debug_exit_attach(vm);
	if (!err)
		err = testdev_attach(vm, &vm->testdev);
	return err;
}

int vm_build(struct vm *vm, unsigned id, const struct cfg_guest *g, const struct boot_module *mod,
	     const struct boot_module *firmware)
{
	/* Without VT-x a PV guest still runs: deprivileged, in ring 3 (arch/x86/pv/). */
	bool depriv = g->type == CFG_GUEST_PV && !(arch_vmx_ready() && arch_vmx_has_ept());
	int err;

	memset(vm, 0, sizeof(*vm));
	memcpy(vm->name, g->name, sizeof(vm->name));
	vm->id = id;
	vm->cfg = g;
	vm->exit_status = -1;
	vm->tsc_base = rdtsc();
	console_vm_init(vm);
	vm->nr_vcpus = g->type == CFG_GUEST_HVM && g->vcpus ? g->vcpus : 1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->vcpus[i].vm = vm;
		vm->vcpus[i].index = i;
		/* VPIDs tag TLB entries per vCPU: unique across every vCPU of every guest. */
		vm->vcpus[i].arch.vpid = (uint16_t)(id * CFG_VCPUS_MAX + i + 1);
	}
	if (!depriv && (!arch_vmx_ready() || !arch_vmx_has_ept())) {
		printk("keel: guest '%s' not started: it needs VT-x with EPT, which this CPU does "
		       "not offer\n", vm->name);
		return -ENODEV;
	}
	if ((g->type == CFG_GUEST_REAL || g->type == CFG_GUEST_HVM) && !arch_vmx_can_run_real_mode()) {
		printk("keel: guest '%s' not started: real mode needs VT-x \"unrestricted guest\", "
		       "which this CPU does not offer\n", vm->name);
		return -ENODEV;
	}
	/* A pv guest's grant window sits at 1 GiB, above its RAM. */
	if (g->type == CFG_GUEST_PV && (g->memory < 2 * MiB || g->memory > KEEL_GRANT_BASE)) {
		printk("keel: guest '%s' not started: a pv guest needs 2M to 1G of memory\n",
		       vm->name);
		return -EINVAL;
	}
	vm->ram_size = g->memory;
	vm->ram_hpa = frame_try_alloc(g->memory, 2 * MiB);
	if (!vm->ram_hpa) {
		printk("keel: guest '%s' not started: no %lu KiB of free memory for it\n", vm->name,
		       g->memory / KiB);
		return -ENOMEM;
	}
	err = depriv ? arch_pv_vm_init(vm) : arch_vm_init(vm);
	if (!err)
		err = map_ram(vm, g);
	if (!err)
		err = vm_attach_devices(vm);
	if (err) {
		printk("keel: guest '%s' not started: setup failed (%d)\n", vm->name, err);
		return err;
	}
	if (g->type == CFG_GUEST_HVM)
		err = hvm_build(vm, mod, firmware);
	else if (g->type == CFG_GUEST_PV)
		err = pv_build(vm, mod, firmware);
	else
		err = g->type == CFG_GUEST_REAL ? load_real(vm, mod) : load_elf64(vm, mod);
	if (err)
		return err;
	printk("keel: guest '%s' (%s, %lu KiB at host 0x%lx) ready\n", vm->name,
	       g->type == CFG_GUEST_HVM ? "hvm" : g->type == CFG_GUEST_REAL ? "real mode" :
	       g->type == CFG_GUEST_PV ? (depriv ? "pv in ring 3, no VT-x" : "pv") : "64-bit",
	       g->memory / KiB, vm->ram_hpa);
	vm->hcall_allowed = hcall_allowed_mask(vm->pv != NULL);
	vm->state = VM_READY;
	return 0;
}
