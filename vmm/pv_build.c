/* SPDX-License-Identifier: MIT */
/*
 * A PV guest: a 64-bit ELF that knows Keel's ABI (guests/include/keel/abi.h).
 * It starts in 64-bit mode at its entry with RDI = its start-info page.
 *
 * Guest layout (guest-virtual = guest-physical for RAM):
 *   0x1000-0x6fff   page tables (0-4 GiB identity), 0x7000 GDT
 *   0x9000          the hypercall page (filled for the mode the guest runs in)
 *   0xa000          start info          0xb000  shared info
 *   0x100000-       the ELF's segments, then the module (if any), then the heap
 *   top of RAM      the stack (PV_STACK_SIZE), RSP = top of RAM on entry
 */
#include <arch/pv.h>
#include <arch/vmx.h>
#include <boot/boot_info.h>
#include <drivers/rtc.h>
#include <drivers/tsc.h>
#include <keel/abi.h>
#include <keel/bits.h>
#include <keel/console.h>
#include <keel/errno.h>
#include <keel/frames.h>
#include <keel/hypercall.h>
#include <keel/printk.h>
#include <keel/pv.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <keel/vnet.h>

#define PV_HYPERCALL_GPA 0x9000UL
#define PV_START_GPA     0xa000UL
#define PV_SHARED_GPA    0xb000UL
#define PV_STACK_SIZE    (64 * KiB)

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* The module goes after the image, page-aligned; the heap after both. */
static int place_module(struct vm *vm, const struct boot_module *module, uint64_t *free_start,
			struct keel_start_info *si)
{
	uint64_t at = page_up(*free_start);

	if (!module || !module->size)
		return 0;
	if (module->size > vm->ram_size || at + module->size > vm->ram_size - PV_STACK_SIZE) {
		printk("keel: guest '%s': module %s (%lu KiB) does not fit in its %lu KiB of memory\n",
		       vm->name, module->name, module->size / KiB, vm->ram_size / KiB);
		return -EINVAL;
	}
	memcpy(vm_gpa_to_hva(vm, at, module->size), (const void *)module->base, module->size);
	si->module_start = at;
	si->module_size = module->size;
	*free_start = at + module->size;
	return 0;
}

/* System time in the guest: ns since build = (guest TSC - stamp) * mul >> 32. */
static void shared_info_init(struct vm *vm, struct keel_shared_info *sh)
{
	memset(sh, 0, sizeof(*sh));
	sh->tsc_stamp = arch_guest_tsc(vm, vm->tsc_base);
	sh->time_ns = 0;
	/* An uncalibrated TSC (said at boot) leaves the guest's clock stopped, not Keel divided by 0. */
	sh->tsc_mul = tsc_hz ? (uint64_t)(((unsigned __int128)1000000000ULL << 32) / tsc_hz) : 0;
	sh->wall_clock_sec = rtc_read_epoch();
}

int pv_build(struct vm *vm, const struct boot_module *image, const struct boot_module *module)
{
	struct keel_start_info *si = vm_gpa_to_hva(vm, PV_START_GPA, PAGE_SIZE);
	uint64_t entry, end, heap;
	size_t args_len = strlen(vm->cfg->args);
	int err;

	err = vm_load_elf64(vm, image, vm->ram_size - PV_STACK_SIZE, &entry, &end);
	if (err)
		return err;
	memset(si, 0, sizeof(*si));
	heap = end;
	err = place_module(vm, module, &heap, si);
	if (err)
		return err;
	vm_build_long_mode_tables(vm);
	arch_hypercall_page_fill(vm, vm_gpa_to_hva(vm, PV_HYPERCALL_GPA, PAGE_SIZE));
	shared_info_init(vm, vm_gpa_to_hva(vm, PV_SHARED_GPA, PAGE_SIZE));

	si->magic = KEEL_START_MAGIC;
	si->abi_version = KEEL_ABI_VERSION;
	si->domid = vm->id;
	si->flags = vm->arch.depriv ? 0 : KEEL_START_VMX;
	si->hypercall_page = PV_HYPERCALL_GPA;
	si->shared_info = PV_SHARED_GPA;
	si->ram_size = vm->ram_size;
	si->heap_start = page_up(heap);
	si->heap_end = vm->ram_size - PV_STACK_SIZE;
	si->stack_top = vm->ram_size;
	si->console = KEEL_CONSOLE_HYPERCALL;
	si->console_max = KEEL_CONSOLE_MAX;
	memcpy(si->name, vm->name, sizeof(vm->name));
	memcpy(si->cmdline, vm->cfg->args, args_len + 1);
	vm->pv_start_info = si;
	vm->pv_shared = vm_gpa_to_hva(vm, PV_SHARED_GPA, PAGE_SIZE);
	vm->pv = frame_alloc(sizeof(*vm->pv), PAGE_SIZE);
	memset(vm->pv, 0, sizeof(*vm->pv));
	evtchn_init(&vm->pv->evtchn);
	if (vm->cfg->net[0]) {
		err = pv_net_attach(vm);
		if (err)
			return err;
	}

	if (vm->arch.depriv)
		arch_pv_vcpu_setup(&vm->vcpus[0], entry, si->stack_top);
	else
		arch_vcpu_setup_long(&vm->vcpus[0], entry, si->stack_top, GUEST_PT_GPA, GUEST_GDT_GPA);
	arch_vcpu_trap_exceptions(&vm->vcpus[0]);
	vm->vcpus[0].gpr.r[REG_RDI] = PV_START_GPA;
	return 0;
}

/* Once every guest is built and the console's focus set: whether typed input reaches each. */
void pv_start_info_finish(void)
{
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (keel_vms[i].pv_start_info)
			keel_vms[i].pv_start_info->console_input =
				console_input_for(&keel_vms[i]) != NULL;
}
