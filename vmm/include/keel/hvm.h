/* SPDX-License-Identifier: MIT */
/* The emulated PC of an hvm guest: its devices and how they are wired. */
#ifndef KEEL_HVM_H
#define KEEL_HVM_H

#include <stdint.h>
#include <keel/dev/apic_bus.h>
#include <keel/dev/ata.h>
#include <keel/dev/fw_cfg.h>
#include <keel/dev/hpet.h>
#include <keel/dev/i440fx.h>
#include <keel/dev/i8042.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix.h>
#include <keel/dev/piix_ide.h>
#include <keel/dev/port92.h>
#include <keel/dev/rtc_cmos.h>
#include <keel/dev/vpic.h>
#include <keel/dev/vpit.h>
#include <keel/dev/vioapic.h>
#include <keel/dev/vlapic.h>
#include <keel/dev/virtio_blk.h>
#include <keel/dev/virtio_console.h>
#include <keel/hvm_ram.h>
#include <keel/vm.h>

struct boot_module;
struct vm;
struct vcpu;

/* A vCPU's part of the PC (vmm/hvm_smp.c): its local APIC, and what it waits for. */
struct hvm_cpu {
	struct vlapic lapic; /* APIC ID = the vCPU's index */
	bool halted;     /* in HLT, blocked until an interrupt can be delivered */
	bool halted_cli; /* HLT with interrupts off (an AP its firmware parked): until INIT/NMI */
	bool idle;       /* the last entry found no interrupt pending and no reset due */
	bool wait_sipi;  /* after INIT (an AP from power-on): out of the run queue until a SIPI */
	bool sipi;       /* a SIPI came while it waited: it starts at sipi_vector:0000 */
	uint8_t sipi_vector;
	bool nmi;        /* an NMI waits to be injected */
	uint64_t starts; /* SIPIs that started it */
	/* A split guest (keel/vm_lock.h): what another CPU did to it, for its own CPU. */
	bool reset_pending; /* the BSP, reset by a vCPU on another CPU: to the reset vector */
	bool kicked;        /* a host IPI is on its way to make it look (atomic; its exit clears) */
	uint64_t kicks;     /* IPIs sent to take it out of the guest */
};

struct hvm_platform {
	struct vpic pic;
	struct hvm_cpu cpu[APIC_BUS_MAX]; /* one per vCPU (vm->nr_vcpus) */
	struct apic_bus bus;              /* their local APICs, for IPIs, the IOAPIC and MSIs */
	struct vioapic ioapic;
	struct vpit pit;
	struct hpet hpet;
	struct piix_ide ide;
	struct pci_bus pci;
	struct i440fx northbridge;
	struct piix southbridge;
	struct rtc_cmos rtc;
	struct fw_cfg fw_cfg;
	struct fw_cfg_e820_entry e820[HVM_RAM_REGIONS]; /* etc/e820: the RAM regions */
	struct port92 port92;
	struct i8042 kbc;
	struct virtio_console vcon;    /* every hvm guest's hvc0 */
	struct virtio_blk vblk;        /* if vdisk */
	const struct boot_module *vdisk; /* keel.cfg disk=, else NULL */
	bool vdisk_said;               /* its first write was reported */
	uint32_t pci_intx;             /* bus-0 slots whose INTA# is asserted */
	uint64_t next_event_ns; /* earliest device deadline, VTIME_NEVER if none */
	uint64_t next_event_tsc; /* the same as a host TSC value, ~0 if none */
	uint64_t console_poll_ns; /* when Keel's console is next read for input */
	uint64_t irqs_injected;
	const struct boot_module *disk, *firmware;
	const char *reset_why; /* a reset is due before the next entry, and why */
	unsigned resets;
	bool pam_off; /* the CPU cannot write-protect the BIOS area (said once) */
};

/* The vCPU's part of the PC. */
static inline struct hvm_cpu *hvm_cpu(const struct vcpu *v)
{
	return v->hvm_cpu; /* &v->vm->hvm->cpu[v->index], set by hvm_smp_build */
}

static inline struct vlapic *hvm_lapic(const struct vcpu *v)
{
	return &hvm_cpu(v)->lapic;
}

/* Whether any of [gpa, gpa+len) is BIOS shadow RAM the PAM registers keep read-only. */
bool hvm_shadow_readonly(const struct hvm_platform *h, uint64_t gpa, uint64_t len);
/* Reset the PC before its next entry (safe to call from inside a device model). */
void hvm_request_reset(struct vm *vm, const char *why);
/* Do it: devices to power-on state, CPU to the reset vector (a fresh VMCS, to be launched). */
void hvm_reset_now(struct vm *vm);

/* An ISA interrupt line (0-15) of the PC: the 8259s and the IOAPIC. */
void hvm_isa_irq(void *ctx, unsigned irq, bool level);
/* The virtio devices (vmm/hvm_virtio.c), built with the platform and again at reset. */
int hvm_virtio_build(struct vm *vm, struct hvm_platform *h);
/* keel.cfg disk=: give the built guest a virtio-blk disk over this image. */
int hvm_attach_vdisk(struct vm *vm, const struct boot_module *disk);
/*
 * Typed input (vm->con.in) to the guest's UART or, with keel.cfg
 * console=hvc0 while its driver has the receive queue up, to hvc0
 * (vmm/hvm_console.c). route takes the vm; refill delivers what waits.
 */
void hvm_console_route(void *vm);
void hvm_console_refill(struct vm *vm);
/* Ctrl-A s: hvc0's byte counts, for a guest with console=hvc0. */
void hvm_console_print_stats(struct vm *vm);

/*
 * Only devices change what is pending, and only exits that reach one (or a
 * switch, or a deadline) run them; other guests' doings reach this guest
 * while it is switched out, and its entry through the scheduler runs the
 * whole vcpu_before_entry(). So after an exit that reached no device, if
 * the last entry found nothing pending and no reset due, it need not run.
 */
static inline bool hvm_entry_unchanged(const struct vcpu *v)
{
	return hvm_cpu(v)->idle;
}

/* HLT: returns v if an interrupt can be delivered now, else blocks it (other guests run). */
struct vcpu *hvm_halt(struct vcpu *v);
/* HLT with interrupts off, on a guest with several vCPUs: blocks it until INIT or NMI. */
struct vcpu *hvm_halt_cli(struct vcpu *v);
/* A halted vCPU the scheduler picked: 0 if it can run, else the TSC deadline to sleep until. */
uint64_t hvm_halted_until(struct vcpu *v);

/* vmm/hvm_smp.c: the local APICs (one per vCPU) and their bus, in power-on state. */
int hvm_smp_build(struct vm *vm, struct hvm_platform *h);
/* Whether the vCPU has an interrupt (or NMI) it can take now. */
bool hvm_cpu_pending(const struct vcpu *v);
/* Blocked vCPUs of v's guest that now have something to do become runnable. */
void hvm_smp_wake_others(struct vcpu *v);
/* A split guest was reset here: its vCPUs on other CPUs follow (their own CPU renews a VMCS). */
void hvm_smp_reset_remote(struct vm *vm);
/* A vCPU waiting for SIPI that the scheduler picked: true if a SIPI started it (VMCS current). */
bool hvm_smp_start(struct vcpu *v);
/*
 * Before an entry of a guest with several vCPUs: renew the BSP's VMCS if a
 * vCPU on another CPU reset the PC (true: it must be launched), wake the
 * others this exit reached, block a vCPU INIT sent back to wait-for-SIPI,
 * inject an NMI if the guest can take it now (out of line: one vCPU pays
 * one compare).
 */
bool hvm_smp_before_entry(struct vcpu *v);
/* Ctrl-A s: where the vCPU is, what it waits for, its local APIC's vectors. */
void hvm_cpu_print_state(const struct vcpu *v);

#endif
