/* SPDX-License-Identifier: MIT */
/*
 * ACPI table parsing (ACPI 6.5 chapter 5). Tables are trusted only after
 * their checksum matches, and even then every read is bounded by the length
 * in the table's own header: garbage is skipped, never followed. Multi-byte
 * fields are assembled bytewise because firmware packs tables unaligned.
 */
#include <drivers/acpi.h>
#include <keel/errno.h>
#include <keel/string.h>

#define ACPI_HDR_LEN 36
/* A bound on a header's length before summing that much memory (big DSDTs are ~1 MiB). */
#define ACPI_TABLE_MAX (16u << 20)

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

#define MADT_ENTRIES_OFF 44
#define MADT_LAPIC        0
#define MADT_IOAPIC       1
#define MADT_OVERRIDE     2
#define MADT_LAPIC_ADDR   5
#define MADT_X2APIC       9
#define MADT_CPU_ENABLED  BIT(0)
#define MADT_CPU_ONLINE_CAPABLE BIT(1)
#define MADT_APIC_ID_NONE 0xff /* in a type 0 entry: the CPU is described by x2APIC */

/* FADT field offsets (ACPI 6.5 table 5.9); ACPI 1.0 ends at the flags. */
#define FADT_DSDT          40
#define FADT_SCI_INT       46
#define FADT_SMI_CMD       48
#define FADT_ACPI_ENABLE   52
#define FADT_PM1A_EVT      56
#define FADT_PM1B_EVT      60
#define FADT_PM1A_CNT      64
#define FADT_PM1B_CNT      68
#define FADT_PM_TMR        76
#define FADT_BOOT_ARCH     109
#define FADT_FLAGS         112
#define FADT_V1_LEN        116
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_X_DSDT        140
#define FADT_X_PM1A_EVT    148
#define FADT_X_PM1B_EVT    160
#define FADT_X_PM1A_CNT    172
#define FADT_X_PM1B_CNT    184
#define FADT_X_PM_TMR      208
#define GAS_LEN            12

#define AML_ZERO_OP    0x00
#define AML_ONE_OP     0x01
#define AML_NAME_OP    0x08
#define AML_BYTE_PFX   0x0a
#define AML_WORD_PFX   0x0b
#define AML_DWORD_PFX  0x0c
#define AML_QWORD_PFX  0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR  0x5c
#define SLP_TYP_MASK   GENMASK(2, 0)

struct acpi_ctx {
	acpi_mem_ok_fn mem_ok;
	void *arg;
	struct acpi_info *ai;
	bool ssdt_s5;
	uint8_t ssdt_typa, ssdt_typb;
};

struct table {
	const uint8_t *p;
	uint32_t len;
};

static uint64_t rd_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 8) | p[n];
	return v;
}

static uint16_t rd16(const uint8_t *p) { return (uint16_t)rd_le(p, 2); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd_le(p, 4); }
static uint64_t rd64(const uint8_t *p) { return rd_le(p, 8); }

static uint8_t sum8(const uint8_t *p, uint32_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static bool readable(const struct acpi_ctx *c, uint64_t phys, uint64_t len)
{
	if (!phys || len > UINTPTR_MAX - phys)
		return false;
	return !c->mem_ok || c->mem_ok(phys, len, c->arg);
}

/* The table at phys, if its header is readable, sig matches (when given) and it sums to 0. */
static bool table_get(struct acpi_ctx *c, uint64_t phys, const char *sig, struct table *t)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)phys;
	uint32_t len;

	if (!readable(c, phys, ACPI_HDR_LEN)) {
		c->ai->nr_bad_table++;
		return false;
	}
	if (sig && memcmp(p, sig, 4)) {
		c->ai->nr_bad_table++;
		return false;
	}
	len = rd32(p + 4);
	if (len < ACPI_HDR_LEN || len > ACPI_TABLE_MAX || !readable(c, phys, len)) {
		c->ai->nr_bad_table++;
		return false;
	}
	if (sum8(p, len)) {
		c->ai->nr_bad_checksum++;
		return false;
	}
	t->p = p;
	t->len = len;
	return true;
}

/*
 * Online-capable CPUs are counted too (they may be started later), and
 * marked: an OS starts only the enabled ones at boot (ACPI 6.5 5.2.12.2).
 */
static void madt_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)))
		return;
	if (ai->nr_cpus >= ACPI_MAX_CPUS) {
		ai->nr_cpus_dropped++;
		return;
	}
	if (!(flags & MADT_CPU_ENABLED))
		ai->cpu_online_capable |= 1ULL << ai->nr_cpus;
	ai->cpu_apic_id[ai->nr_cpus++] = apic_id;
}

static void madt_entry(struct acpi_info *ai, const uint8_t *e, uint8_t len)
{
	switch (e[0]) {
	case MADT_LAPIC:
		if (len >= 8 && e[3] != MADT_APIC_ID_NONE)
			madt_cpu(ai, e[3], rd32(e + 4));
		return;
	case MADT_X2APIC:
		/* x2APIC ID at 4, flags at 8 (ACPI 6.5 5.2.12.12); IDs above 254 live here. */
		if (len >= 16)
			madt_cpu(ai, rd32(e + 4), rd32(e + 8));
		return;
	case MADT_IOAPIC:
		if (len < 12 || ai->nr_ioapics >= ACPI_MAX_IOAPICS)
			return;
		ai->ioapic[ai->nr_ioapics++] = (struct acpi_ioapic){
			.id = e[2], .addr = rd32(e + 4), .gsi_base = rd32(e + 8),
		};
		return;
	case MADT_OVERRIDE:
		if (len < 10 || ai->nr_overrides >= ACPI_MAX_OVERRIDES)
			return;
		ai->override[ai->nr_overrides++] = (struct acpi_irq_override){
			.bus = e[2], .source = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8),
		};
		return;
	case MADT_LAPIC_ADDR:
		if (len >= 12)
			ai->lapic_base = rd64(e + 4);
		return;
	}
}

static void parse_madt(struct acpi_info *ai, const struct table *t)
{
	uint32_t off, elen;

	if (t->len < MADT_ENTRIES_OFF) {
		ai->nr_bad_table++;
		return;
	}
	ai->have_madt = true;
	ai->lapic_base = rd32(t->p + 36);
	ai->madt_flags = rd32(t->p + 40);
	for (off = MADT_ENTRIES_OFF; t->len - off >= 2; off += elen) {
		elen = t->p[off + 1];
		if (elen < 2 || elen > t->len - off) {
			ai->nr_bad_table++;
			return;
		}
		madt_entry(ai, t->p + off, (uint8_t)elen);
	}
}

/*
 * A fixed-hardware port: the 64-bit X_ block when the table is long enough
 * to hold it and it names system I/O, else the ACPI 1.0 32-bit block.
 */
static uint16_t fadt_port(const struct table *t, uint32_t x_off, uint32_t off)
{
	uint64_t a;

	if (x_off + GAS_LEN <= t->len && t->p[x_off] == ACPI_SPACE_IO) {
		a = rd64(t->p + x_off + 4);
		if (a && a <= 0xffff)
			return (uint16_t)a;
	}
	a = rd32(t->p + off);
	return a <= 0xffff ? (uint16_t)a : 0;
}

static void parse_fadt(struct acpi_info *ai, const struct table *t)
{
	const uint8_t *p = t->p;
	uint32_t smi;

	if (t->len < FADT_V1_LEN) {
		ai->nr_bad_table++;
		return;
	}
	ai->have_fadt = true;
	ai->fadt_revision = p[8];
	ai->fadt_flags = rd32(p + FADT_FLAGS);
	ai->iapc_boot_arch = rd16(p + FADT_BOOT_ARCH);
	ai->sci_irq = rd16(p + FADT_SCI_INT);
	smi = rd32(p + FADT_SMI_CMD);
	ai->smi_cmd = smi <= 0xffff ? (uint16_t)smi : 0;
	ai->acpi_enable = p[FADT_ACPI_ENABLE];
	ai->pm1a_evt = fadt_port(t, FADT_X_PM1A_EVT, FADT_PM1A_EVT);
	ai->pm1b_evt = fadt_port(t, FADT_X_PM1B_EVT, FADT_PM1B_EVT);
	ai->pm1a_cnt = fadt_port(t, FADT_X_PM1A_CNT, FADT_PM1A_CNT);
	ai->pm1b_cnt = fadt_port(t, FADT_X_PM1B_CNT, FADT_PM1B_CNT);
	ai->pm_tmr = fadt_port(t, FADT_X_PM_TMR, FADT_PM_TMR);
	ai->pm_tmr_32bit = ai->fadt_flags & FADT_TMR_VAL_EXT;
	if ((ai->fadt_flags & FADT_RESET_REG_SUP) && t->len > FADT_RESET_VALUE) {
		const uint8_t *g = p + FADT_RESET_REG;

		ai->reset_reg = (struct acpi_gas){
			.space = g[0], .bit_width = g[1], .bit_offset = g[2],
			.access_size = g[3], .addr = rd64(g + 4),
		};
		ai->reset_value = p[FADT_RESET_VALUE];
		ai->have_reset = ai->reset_reg.addr != 0;
	}
	/* ACPI 6.5 5.2.9: a non-zero X_DSDT overrides DSDT. */
	if (t->len >= FADT_X_DSDT + 8 && rd64(p + FADT_X_DSDT))
		ai->dsdt = rd64(p + FADT_X_DSDT);
	else
		ai->dsdt = rd32(p + FADT_DSDT);
}

/* ZeroOp, OneOp or a Byte/Word/DWord/QWord-prefixed constant at *off, below end. */
static bool aml_integer(const uint8_t *p, uint32_t *off, uint32_t end, uint64_t *v)
{
	uint32_t o = *off, n;

	if (o >= end)
		return false;
	switch (p[o]) {
	case AML_ZERO_OP:
	case AML_ONE_OP:
		*v = p[o];
		*off = o + 1;
		return true;
	case AML_BYTE_PFX:  n = 1; break;
	case AML_WORD_PFX:  n = 2; break;
	case AML_DWORD_PFX: n = 4; break;
	case AML_QWORD_PFX: n = 8; break;
	default:
		return false;
	}
	if (end - o - 1 < n)
		return false;
	*v = rd_le(p + o + 1, n);
	*off = o + 1 + n;
	return true;
}

/*
 * Package (PkgLength NumElements Elements...) at off. PkgLength counts its
 * own 1-4 bytes: the lead byte's top two bits say how many follow, and then
 * only its low nibble is length (ACPI 6.5 20.2.4).
 */
static bool s5_package(const uint8_t *p, uint32_t off, uint32_t len, uint8_t *a, uint8_t *b)
{
	uint32_t nbytes, pkg_len, end, i;
	uint64_t v0, v1;
	uint8_t num;

	if (off >= len || p[off] != AML_PACKAGE_OP)
		return false;
	off++;
	if (off >= len)
		return false;
	nbytes = 1 + (p[off] >> 6);
	if (len - off < nbytes)
		return false;
	pkg_len = nbytes == 1 ? p[off] & 0x3f : p[off] & 0x0f;
	for (i = 1; i < nbytes; i++)
		pkg_len |= (uint32_t)p[off + i] << (4 + 8 * (i - 1));
	if (pkg_len < nbytes + 1 || pkg_len > len - off)
		return false;
	end = off + pkg_len;
	off += nbytes;
	num = p[off++];
	if (!num || !aml_integer(p, &off, end, &v0))
		return false;
	if (num == 1) {
		/* Old firmware packs both values into one integer, as ACPICA accepts. */
		v1 = v0 >> 8;
	} else if (!aml_integer(p, &off, end, &v1)) {
		return false;
	}
	*a = v0 & SLP_TYP_MASK;
	*b = v1 & SLP_TYP_MASK;
	return true;
}

/*
 * Without an AML interpreter, look for the bytes of Name(_S5_, Package{..})
 * or Name(\_S5_, ...). The first match that decodes wins.
 */
static bool find_s5(const struct table *t, uint8_t *a, uint8_t *b)
{
	const uint8_t *p = t->p;
	uint32_t i;

	for (i = ACPI_HDR_LEN + 1; i + 4 < t->len; i++) {
		if (memcmp(p + i, "_S5_", 4))
			continue;
		if (p[i - 1] != AML_NAME_OP &&
		    !(p[i - 1] == AML_ROOT_CHAR && i >= ACPI_HDR_LEN + 2 && p[i - 2] == AML_NAME_OP))
			continue;
		if (s5_package(p, i + 4, t->len, a, b))
			return true;
	}
	return false;
}

static void root_entry(struct acpi_ctx *c, uint64_t phys)
{
	struct acpi_info *ai = c->ai;
	const uint8_t *p = (const uint8_t *)(uintptr_t)phys;
	struct table t;

	if (!readable(c, phys, ACPI_HDR_LEN)) {
		ai->nr_bad_table++;
		return;
	}
	if (!memcmp(p, "APIC", 4) && !ai->have_madt) {
		if (table_get(c, phys, NULL, &t))
			parse_madt(ai, &t);
	} else if (!memcmp(p, "FACP", 4) && !ai->have_fadt) {
		if (table_get(c, phys, NULL, &t))
			parse_fadt(ai, &t);
	} else if (!memcmp(p, "SSDT", 4) && !c->ssdt_s5) {
		/* Kept aside: \_S5 in the DSDT takes precedence. */
		if (table_get(c, phys, NULL, &t))
			c->ssdt_s5 = find_s5(&t, &c->ssdt_typa, &c->ssdt_typb);
	}
}

/* Check the RSDP and pick the root table: XSDT from revision 2 on, else RSDT. */
static int rsdp_root(struct acpi_ctx *c, uint64_t phys, struct table *root)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)phys;
	struct acpi_info *ai = c->ai;
	uint64_t xsdt = 0;
	uint32_t len, rsdt;

	if (!readable(c, phys, RSDP_V1_LEN) || memcmp(p, "RSD PTR ", 8) || sum8(p, RSDP_V1_LEN))
		return -EINVAL;
	ai->rsdp_revision = p[15];
	memcpy(ai->oem_id, p + 9, 6);
	ai->oem_id[6] = '\0';
	rsdt = rd32(p + 16);
	if (ai->rsdp_revision >= 2) {
		if (!readable(c, phys, RSDP_V2_LEN))
			return -EINVAL;
		len = rd32(p + 20);
		if (len < RSDP_V2_LEN || len > ACPI_TABLE_MAX || !readable(c, phys, len) || sum8(p, len))
			return -EINVAL;
		xsdt = rd64(p + 24);
	}
	if (xsdt && table_get(c, xsdt, "XSDT", root)) {
		ai->used_xsdt = true;
		return 0;
	}
	/* A broken XSDT is counted as a warning; the RSDT may still be good. */
	if (rsdt && table_get(c, rsdt, "RSDT", root))
		return 0;
	return -EINVAL;
}

int acpi_parse_checked(uint64_t rsdp_phys, acpi_mem_ok_fn mem_ok, void *arg,
		       struct acpi_info *out)
{
	struct acpi_ctx c = { .mem_ok = mem_ok, .arg = arg, .ai = out };
	uint32_t esize, off;
	struct table root, dsdt;
	int ret;

	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!rsdp_phys)
		return -ENOENT;
	ret = rsdp_root(&c, rsdp_phys, &root);
	if (ret)
		return ret;
	esize = out->used_xsdt ? 8 : 4;
	for (off = ACPI_HDR_LEN; root.len - off >= esize; off += esize)
		root_entry(&c, rd_le(root.p + off, esize));
	if (out->dsdt && table_get(&c, out->dsdt, "DSDT", &dsdt))
		out->have_s5 = find_s5(&dsdt, &out->slp_typa, &out->slp_typb);
	if (!out->have_s5 && c.ssdt_s5) {
		out->have_s5 = out->s5_in_ssdt = true;
		out->slp_typa = c.ssdt_typa;
		out->slp_typb = c.ssdt_typb;
	}
	return 0;
}

int acpi_parse(uint64_t rsdp_phys, struct acpi_info *out)
{
	return acpi_parse_checked(rsdp_phys, NULL, NULL, out);
}
