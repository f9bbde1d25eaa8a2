/* SPDX-License-Identifier: MIT */
/*
 * What Keel takes from the firmware's ACPI tables: CPUs and interrupt
 * routing from the MADT, the fixed hardware from the FADT, and \_S5 from the
 * DSDT/SSDTs for power-off. Parsing is pure (host unit-tested); power.c
 * touches the hardware.
 */
#ifndef DRIVERS_ACPI_H
#define DRIVERS_ACPI_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>

#define ACPI_MAX_CPUS      64
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16

/* Generic Address Structure address spaces (ACPI 6.5 table 5.1). */
#define ACPI_SPACE_MEM 0
#define ACPI_SPACE_IO  1
#define ACPI_SPACE_PCI 2

/* FADT flags (ACPI 6.5 table 5.10) */
#define FADT_TMR_VAL_EXT   BIT(8)
#define FADT_RESET_REG_SUP BIT(10)
#define FADT_HW_REDUCED    BIT(20)

/* MADT flags: PCAT_COMPAT says dual 8259s are present and must be masked. */
#define MADT_PCAT_COMPAT BIT(0)

struct acpi_gas {
	uint8_t  space; /* ACPI_SPACE_* */
	uint8_t  bit_width;
	uint8_t  bit_offset;
	uint8_t  access_size;
	uint64_t addr;
};

struct acpi_ioapic {
	uint8_t  id;
	uint32_t addr;
	uint32_t gsi_base;
};

/* An ISA IRQ that is not identity-mapped to a GSI, or not edge/high. */
struct acpi_irq_override {
	uint8_t  bus;    /* 0: ISA */
	uint8_t  source; /* ISA IRQ */
	uint16_t flags;  /* MPS INTI: polarity bits 1:0, trigger mode bits 3:2 */
	uint32_t gsi;
};

struct acpi_info {
	uint8_t  rsdp_revision;
	bool     used_xsdt;
	char     oem_id[7];       /* from the RSDP, NUL-terminated */
	unsigned nr_bad_checksum; /* warnings: tables skipped for a bad checksum */
	unsigned nr_bad_table;    /* warnings: unreadable, truncated or too long */

	/* MADT ("APIC") */
	bool     have_madt;
	uint32_t madt_flags;
	uint64_t lapic_base; /* type 5 override applied */
	unsigned nr_cpus;
	unsigned nr_cpus_dropped; /* enabled CPUs beyond ACPI_MAX_CPUS */
	uint32_t cpu_apic_id[ACPI_MAX_CPUS]; /* local APIC (type 0) or x2APIC (type 9) IDs */
	uint64_t cpu_online_capable; /* bit i: CPU i is not enabled, only online-capable */
	unsigned nr_ioapics;
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
	unsigned nr_overrides;
	struct acpi_irq_override override[ACPI_MAX_OVERRIDES];

	/* FADT ("FACP"); a port of 0 means absent */
	bool     have_fadt;
	uint8_t  fadt_revision;
	uint32_t fadt_flags;
	uint16_t iapc_boot_arch;
	uint16_t sci_irq;
	uint16_t smi_cmd;
	uint8_t  acpi_enable;
	uint16_t pm1a_evt, pm1b_evt;
	uint16_t pm1a_cnt, pm1b_cnt;
	uint16_t pm_tmr;
	bool     pm_tmr_32bit; /* FADT_TMR_VAL_EXT: else the timer is 24 bits */
	bool     have_reset;
	struct acpi_gas reset_reg;
	uint8_t  reset_value;
	uint64_t dsdt;

	/* \_S5 package: SLP_TYP values for PM1a/PM1b control, 3 bits each */
	bool    have_s5;
	bool    s5_in_ssdt;
	uint8_t slp_typa, slp_typb;
};

/*
 * Says whether [phys, phys + len) may be read. A caller that knows where
 * the firmware put its tables (the memory map) confines the parser to them;
 * the unit tests use it to fuzz pointer fields.
 */
typedef bool (*acpi_mem_ok_fn)(uint64_t phys, uint64_t len, void *ctx);

/*
 * Parse from the RSDP at rsdp_phys (identity-mapped). Returns 0, -ENOENT
 * (no RSDP address), or -EINVAL (bad RSDP or no usable RSDT/XSDT). A missing
 * MADT, FADT or \_S5 is not an error: see the have_* fields.
 */
int acpi_parse(uint64_t rsdp_phys, struct acpi_info *out);
int acpi_parse_checked(uint64_t rsdp_phys, acpi_mem_ok_fn mem_ok, void *ctx,
		       struct acpi_info *out);

/* Both try every method they know, then report and halt: they never return. */
/* No ACPI tables (OVMF under Bochs): find PM1 and the PM timer on a PIIX4. */
bool acpi_piix4_fallback(struct acpi_info *ai);
__attribute__((noreturn)) void acpi_poweroff(const struct acpi_info *ai);
__attribute__((noreturn)) void acpi_reboot(const struct acpi_info *ai);

#endif
