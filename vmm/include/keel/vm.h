/* SPDX-License-Identifier: MIT */
/* A virtual machine: its memory, its devices, its vCPUs. */
#ifndef KEEL_VM_H
#define KEEL_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <boot/config.h>
#include <keel/dev.h>
#include <keel/io.h>
#include <keel/ring.h>
#include <keel/spinlock.h>
#include <keel/vcpu.h>

struct keel_start_info;
struct keel_shared_info;
struct pv_domain;

enum vm_state { VM_READY, VM_RUNNING, VM_STOPPED };

/* Guest-physical memory backed by host memory (RAM, firmware ROM). */
struct vm_mem_region {
	uint64_t gpa, size, hpa;
	bool writable;
};

#define VM_MEM_REGIONS_MAX 4

/* A line of guest output being collected, shown tagged "[name] " when it ends. */
struct vm_line {
	char buf[128];
	unsigned len;
	uint64_t at; /* host TSC of its last byte: a line left unfinished is shown (a prompt) */
};

/* A guest's side of Keel's console (vmm/console.c, vmm/console_input.c). */
struct vm_console {
	struct vm_line line; /* from Keel's log: the partial line, tagged when shown */
	struct ring held;    /* output kept while another guest has the focus */
	struct ring in;      /* typed for this guest, not yet taken by it */
	uint64_t held_lost;  /* the oldest held bytes dropped to make room */
	bool cr;             /* the last byte it wrote through the PV console was '\r' */
	bool raw_open;       /* its output while focused ended inside a line, shown untagged */
	uint8_t held_buf[4096], in_buf[4096];
};

struct vm {
	char name[CFG_NAME_MAX];
	unsigned id;
	enum vm_state state;
	const struct cfg_guest *cfg;
	uint64_t ram_hpa, ram_size; /* guest RAM: one host allocation, mapped as mem[0..nr_ram) */
	unsigned nr_ram, nr_mem;
	/* RAM first, in GPA order (from GPA 0; an hvm guest's may go on at 4 GiB), then ROM. */
	struct vm_mem_region mem[VM_MEM_REGIONS_MAX];
	struct io_registry io;
	struct vm_arch arch;
	/* vcpus[0] is the BSP; an hvm guest's others (keel.cfg vcpus=) wait for INIT/SIPI. */
	struct vcpu vcpus[CFG_VCPUS_MAX];
	unsigned nr_vcpus;
	struct vuart uart;
	struct testdev testdev;
	struct vm_console con; /* its UART's (or PV console's) output and typed input */
	struct vm_line fw_log; /* the firmware's debug port, tagged "[name:fw] " */
	int exit_status; /* from the debug-exit port, -1 if none */
	bool orderly_stop; /* the guest ended itself (power-off): no register dump */
	bool disk_write_said; /* its disk is in memory: said at its first write, once */
	uint64_t tsc_base;  /* host TSC when the VM was built: guest time 0 */
	struct hvm_platform *hvm; /* the PC devices of an hvm guest, else NULL */
	struct keel_start_info *pv_start_info; /* a pv guest's pages (host view), else NULL */
	struct keel_shared_info *pv_shared;
	struct pv_domain *pv; /* a pv guest's ports, timer and grants, else NULL */
	uint64_t pv_upcall;   /* its upcall entry, 0 if none (here: tested on every hypercall) */
	uint32_t hcall_allowed; /* the hypercalls it may make (hcall_allowed_mask); 0 = none */
	bool split; /* an hvm guest with vCPUs on several host CPUs: lock (keel/vm_lock.h) */
	bool cpu_each; /* split, and no two of its vCPUs share a host CPU: PAUSE need not yield */
	struct spinlock lock;
	char stop_reason[160]; /* room for the MMIO decoder's reason and bytes */
};

/* Guest memory as a host pointer, or NULL if [gpa, gpa+len) is not in one region. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
/*
 * The same for Keel writing on the guest's behalf: NULL also where the
 * guest could not write (ROM, write-protected BIOS shadow RAM). Such a
 * write is dropped as a PC drops it, or fails with -EFAULT in a hypercall.
 */
void *vm_gpa_to_hva_write(struct vm *vm, uint64_t gpa, uint64_t len);
/* Back [gpa, gpa+size) with host memory at hpa and map it in EPT. */
int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable);

/* 64-bit guests: Keel's page tables (0-4 GiB identity) and GDT live at these GPAs. */
#define GUEST_PT_GPA    0x1000UL
#define GUEST_GDT_GPA   0x7000UL
#define GUEST_IMAGE_MIN 0x100000UL /* ELF images load at or above 1 MiB */

struct boot_module;
void vm_build_long_mode_tables(struct vm *vm);
/* Load an ELF64's segments (between GUEST_IMAGE_MIN and limit); its entry and end. */
int vm_load_elf64(struct vm *vm, const struct boot_module *mod, uint64_t limit, uint64_t *entry,
		  uint64_t *end);

/* Every guest Keel built, in keel.cfg order; a guest's index is its id (vmm/sched.c). */
extern struct vm keel_vms[];
extern unsigned keel_nr_vms;

/* Register the devices every guest has (again, after a reset cleared the registry). */
int vm_attach_devices(struct vm *vm);

/* Stop the guest with a report; the other guests and Keel carry on. */
__attribute__((noreturn, format(printf, 2, 3))) void vm_stop(struct vm *vm, const char *fmt, ...);
/*
 * A byte of guest console output (vmm/console.c): unchanged on Keel's console
 * if the guest has the focus, else tagged "[name] " per line, or held.
 */
void vm_console_putc(struct vm *vm, char c);
/* Print a partial tagged line now (a prompt waits for input without '\n'). */
void vm_console_flush(struct vm *vm);
/* The guest looks for input and its UART has none: take what was typed (rate-limited). */
void vm_console_poll(struct vm *vm);
/* Firmware diagnostics (QEMU's debug port), tagged "[name:fw] " per line. */
void vm_fw_log_putc(struct vm *vm, char c);



#endif
