/* SPDX-License-Identifier: MIT */
/*
 * Local APIC of the hvm guest's vCPU: xAPIC mode (MMIO page at 0xfee00000)
 * and x2APIC mode (MSRs 0x800-0x8ff, vlapic_x2apic.c), the timer one-shot,
 * periodic or TSC-deadline (IA32_TSC_DEADLINE). Intel SDM Vol. 3A chapter 11.
 *
 * Interrupt flow: sources (IOAPIC, ICR self-IPIs, the LVT timer) call
 * vlapic_set_irq(); before each VM entry Keel asks vlapic_pending() for the
 * vector to inject and calls vlapic_ack() when it injects it; the guest's
 * EOI write retires the in-service vector and, for a level-triggered one,
 * calls eoi_level() so the IOAPIC can clear Remote IRR.
 *
 * Timer: the count runs off a fixed 1 GHz "bus clock" (VLAPIC_BUS_HZ, the
 * rate QEMU and KVM use), divided by the divide configuration register, and
 * is computed from guest time. Linux 6.1 calibrates it against the PIT
 * unless CPUID leaf 0x15 reports a crystal clock, in which case it takes
 * the timer to run at that crystal rate (native_calibrate_tsc()): a guest
 * CPUID must either hide leaf 0x15 or report ECX = VLAPIC_BUS_HZ there.
 */
#ifndef KEEL_DEV_VLAPIC_H
#define KEEL_DEV_VLAPIC_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define VLAPIC_BASE_DEFAULT 0xfee00000ULL
#define VLAPIC_MMIO_LEN     0x1000ULL
#define VLAPIC_BUS_HZ       1000000000ULL /* one bus clock per ns */

/* LVT entries, in the order of their registers (CMCI at 0x2f0, then 0x320-0x370). */
enum vlapic_lvt {
	VLAPIC_LVT_CMCI,
	VLAPIC_LVT_TIMER,
	VLAPIC_LVT_THERMAL,
	VLAPIC_LVT_PERF,
	VLAPIC_LVT_LINT0,
	VLAPIC_LVT_LINT1,
	VLAPIC_LVT_ERROR,
	VLAPIC_NR_LVT,
};

#define VLAPIC_LVT_MASKED   (1u << 16)
#define VLAPIC_LVT_PERIODIC (1u << 17) /* timer mode 18:17 = 01b */
#define VLAPIC_LVT_DEADLINE (1u << 18) /* timer mode 18:17 = 10b (11b is reserved: one-shot here) */
#define VLAPIC_LVT_MODE     (3u << 17)
#define VLAPIC_SVR_ENABLE   (1u << 8)

/* Everything before `id` is register state that a reset clears. */
struct vlapic {
	bool touched; /* its timer written since Keel last read the deadline (hvm_events.c) */
	uint32_t tpr, ldr, dfr, svr;
	uint32_t isr[8], tmr[8], irr[8]; /* 256-bit vectors, as the registers lay them out */
	uint32_t esr;      /* error status as latched by the last ESR write */
	uint32_t esr_acc;  /* errors seen since then */
	uint32_t lvt[VLAPIC_NR_LVT];
	uint32_t icr_lo, icr_hi;
	uint32_t tmict, tdcr;
	uint64_t timer_next;   /* guest ns of the next expiry, VTIME_NEVER if stopped */
	uint64_t timer_fired;  /* expiries seen, for statistics */
	uint64_t timer_missed; /* periodic expiries folded into an earlier one */
	uint64_t tsc_deadline; /* IA32_TSC_DEADLINE (guest TSC), 0 when disarmed */
	/*
	 * APIC virtualization (vlapic_apicv.c): IRR as the page last had it; the
	 * page's registers stale; its ISR, TMR, IRR (and RVI/SVI) stale.
	 */
	uint32_t vapic_irr_seen[8];
	/*
	 * Raised by the model since the last push: while the vCPU is in the
	 * guest (a device run on another CPU), whether or not the model already
	 * had the bit, since the CPU may have delivered that one meanwhile.
	 */
	uint32_t vapic_irr_new[8];
	uint16_t vapic_intr_status; /* RVI/SVI as the model last saw or set them */
	bool vapic_dirty, vapic_vec_dirty;
	uint64_t vapic_eoi_exit[4]; /* the EOI-exit bitmap as last given to the CPU */

	uint32_t id;           /* ID register: xAPIC ID in bits 31:24 */
	bool hw_enabled;       /* IA32_APIC_BASE[11], kept by the MSR handler */
	bool x2apic;           /* IA32_APIC_BASE[10]: x2APIC mode, the MMIO page off */
	/*
	 * The virtual-APIC page the CPU reads and writes (SDM 3C 30.1), NULL
	 * while the vLAPIC is only emulated. Set by arch code when it turns APIC
	 * virtualization on for the vCPU this vLAPIC belongs to.
	 */
	uint8_t *vapic;
	/* Its posted-interrupt descriptor (keel/dev/vlapic_pir.h), NULL unless the CPU posts. */
	struct vlapic_pir *pir;

	/* Wiring, set by the integrator after vlapic_init(); NULL hooks are skipped. */
	void (*eoi_level)(void *ctx, uint8_t vector); /* EOI of a level-triggered vector */
	void (*nmi)(void *ctx);                       /* an NMI IPI to self */
	/* Every IPI its ICR sends (lo: ICR[31:0], dest: the destination field), if set. */
	void (*ipi)(void *ctx, uint32_t lo, uint32_t dest);
	void *ctx;
	/* Accesses that exited to the model, for the exit statistics (vmm/vcpu_stats.c). */
	struct vlapic_stats {
		uint64_t mmio;      /* xAPIC page: EPT violations, APIC-access exits */
		uint64_t msr;       /* x2APIC MSRs (RDMSR/WRMSR exits) */
		uint64_t apic_write; /* APIC-write exits (APIC virtualization) */
		uint64_t eoi;       /* EOI-induced exits (APIC virtualization) */
		uint64_t deadline;  /* IA32_TSC_DEADLINE writes */
	} stats;
};

/* Power-up state (SDM 11.4.7.1), hardware-enabled, software-disabled. */
void vlapic_init(struct vlapic *a, uint8_t apic_id);
int vlapic_register(struct vm *vm, struct vlapic *a, uint64_t base);
struct io_access;
/* The xAPIC page's handler (dev: the struct vlapic), for a platform that picks the APIC. */
int vlapic_mmio(struct vm *vm, void *dev, struct io_access *io);

/*
 * IA32_APIC_BASE[11], set by the MSR model (vmm/vmsr.c) through
 * exit_msr.c. Clearing or setting it returns the registers to their
 * power-up state but keeps the APIC ID (SDM 3A 11.12.5.1); while clear,
 * the MMIO page reads all ones and ignores writes, as a PC bus does where
 * nothing answers (11.4.3: as if the CPU had no APIC), nothing is
 * accepted or pending, and the 8259 reaches the CPU directly.
 */
void vlapic_set_hw_enabled(struct vlapic *a, bool on);
/* IA32_APIC_BASE[10], after vlapic_set_hw_enabled() (the MSR model checked the transition). */
void vlapic_set_x2apic(struct vlapic *a, bool on);

/*
 * x2APIC registers as MSRs 0x800-0x8ff (SDM 3A 11.12.1.2, Table 11-6): 0
 * and the value, or -1 for #GP: outside x2APIC mode, for a reserved MSR,
 * reads of write-only ones (EOI, SELF IPI), writes of read-only ones,
 * bits 63:32 set anywhere but the ICR, a non-zero EOI or ESR write.
 */
int vlapic_msr_read(struct vlapic *a, uint32_t msr, uint64_t now, uint64_t *val);
int vlapic_msr_write(struct vlapic *a, uint32_t msr, uint64_t val, uint64_t now);
#define VLAPIC_MSR_FIRST 0x800
#define VLAPIC_MSR_LAST  0x8ff

/*
 * IA32_TSC_DEADLINE (SDM 3A 11.5.4.1). Reads 0 unless the timer is in
 * TSC-deadline mode; then what was written, until the interrupt disarms
 * it. A write outside that mode is ignored; 0 disarms; otherwise the timer
 * fires at guest time at_ns, the caller's translation of the TSC value
 * (at once if that has passed).
 */
uint64_t vlapic_tsc_deadline_read(const struct vlapic *a);
void vlapic_tsc_deadline_write(struct vlapic *a, uint64_t tsc, uint64_t at_ns);
/* Hardware- and software-enabled (SVR bit 8): the APIC accepts interrupts. */
bool vlapic_enabled(const struct vlapic *a);

/*
 * Accept a fixed interrupt: set IRR, and TMR when level-triggered. Vectors
 * 0-15 are refused with a "received illegal vector" error; a disabled APIC
 * drops the interrupt.
 */
void vlapic_set_irq(struct vlapic *a, uint8_t vector, bool level);
/*
 * A message from the system bus (an MSI, SDM 11.11): taken when dest names
 * this APIC (physical: its ID or 0xff; logical: as for an IPI, SDM 11.6.2).
 * Fixed and lowest-priority messages go to vlapic_set_irq(), NMI to nmi();
 * SMI, INIT and ExtINT have nothing to take them and are dropped. Returns
 * whether the message was taken.
 */
bool vlapic_deliver(struct vlapic *a, uint8_t dest, bool logical, unsigned mode, uint8_t vector,
		    bool level);
/*
 * SDM 11.6.2: whether a physical or logical destination names this APIC
 * (flat or cluster model by its DFR; x2APIC mode: 32-bit IDs and the
 * cluster LDR, 11.12.10); all ones (0xff, in x2APIC mode 0xffffffff) is
 * a broadcast.
 */
bool vlapic_match_dest(const struct vlapic *a, uint32_t dest, bool logical);
/* The highest IRR vector whose priority class beats PPR's, or -1. */
int vlapic_pending(const struct vlapic *a);
/* The vector was injected: move it from IRR to ISR. */
void vlapic_ack(struct vlapic *a, uint8_t vector);
uint8_t vlapic_ppr(const struct vlapic *a);
/* TPR as MOV to/from CR8 sees it (CR8[3:0] = TPR[7:4], SDM 11.8.6). */
void vlapic_set_tpr(struct vlapic *a, uint8_t tpr);

/*
 * Whether Keel should inject the 8259's vectors. Once the APIC is enabled,
 * the PIC's INTR reaches the CPU only through LINT0 programmed unmasked
 * with ExtINT delivery: virtual wire mode (MP spec 1.4, 3.6.2.2; SDM
 * 11.5.1). A hardware-disabled APIC is absent, so INTR goes straight to
 * the CPU (SDM 11.4.3). A software-disabled APIC also lets it through:
 * that is the power-up state, in which PC firmware runs on the 8259 before
 * it programs virtual wire mode (QEMU and KVM get the same effect by
 * resetting the BSP's LINT0 to unmasked ExtINT instead).
 */
bool vlapic_accepts_pic(const struct vlapic *a);

/* Guest ns of the next timer interrupt, `now` if one is due, VTIME_NEVER if none. */
uint64_t vlapic_next_event_ns(struct vlapic *a, uint64_t now);
/* Account timer expiries up to now; one IRR bit for any number of them. */
void vlapic_update(struct vlapic *a, uint64_t now);

/*
 * APIC virtualization (vlapic_apicv.c; SDM 3C chapter 30 "APIC
 * Virtualization and Virtual Interrupts", chapter 29 in older editions).
 * The virtual-APIC page is what the guest's APIC reads, TPR and EOI writes
 * and virtual-interrupt delivery use; the vLAPIC's fields stay the model
 * every emulated access and device works on. While the guest runs, the CPU
 * owns TPR, ISR and IRR in the page (it delivers, retires and takes TPR
 * writes without exiting); Keel owns the rest. So: pull after an exit,
 * before anything reads or changes the vLAPIC; push before the entry.
 */
struct vlapic_apicv_entry {
	uint16_t intr_status;  /* guest interrupt status: SVI in 15:8, RVI in 7:0 (SDM 3C 25.4.2) */
	bool intr_status_changed; /* the model changed IRR or ISR: intr_status must be written */
	bool eoi_exit_changed; /* eoi_exit differs from what the CPU has */
	uint64_t eoi_exit[4];  /* vectors whose EOI exits: the level-triggered ones (TMR) */
};
/*
 * Page to model: TPR, ISR and IRR (bits the model raised meanwhile are
 * kept), given the CPU's guest interrupt status (RVI/SVI) at the exit.
 */
void vlapic_apicv_pull(struct vlapic *a, uint16_t intr_status);
/*
 * Model to page: what changed since the pull (each change marks the model),
 * so an exit that touched no APIC state pays only for the pull.
 */
void vlapic_apicv_push(struct vlapic *a, struct vlapic_apicv_entry *e);
/* An APIC-write exit (trap-like, SDM 3C 30.4.3.3): the guest's write to off is in the page. */
void vlapic_apicv_write(struct vlapic *a, unsigned off, uint64_t now);
/* An EOI-induced exit (SDM 3C 30.1.4): the CPU retired vector; a level one goes to the IOAPIC. */
void vlapic_apicv_eoi(struct vlapic *a, uint8_t vector);
/* The page's VTPR, VPPR, VIRR and VISR as they are now (Ctrl-A s: what the CPU works on). */
void vlapic_apicv_page(const struct vlapic *a, uint8_t *tpr, uint8_t *ppr, uint32_t irr[8],
		       uint32_t isr[8]);

/* Timer internals shared by vlapic.c and vlapic_timer.c. */
void vlapic_timer_write_initial(struct vlapic *a, uint32_t count, uint64_t now);
void vlapic_timer_write_divide(struct vlapic *a, uint32_t tdcr, uint64_t now);
uint32_t vlapic_timer_current(const struct vlapic *a, uint64_t now);
/* A timer LVT write (v as it will be stored): a mode change to or from TSC-deadline disarms. */
void vlapic_timer_write_lvt(struct vlapic *a, uint32_t v);

#endif
