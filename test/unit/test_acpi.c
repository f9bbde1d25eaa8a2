/* SPDX-License-Identifier: MIT */
/*
 * Host tests for drivers/acpi/tables.c. Tables are built in memory below
 * 2 GiB (the RSDT and the ACPI 1.0 FADT hold 32-bit addresses), each one
 * ending flush against a PROT_NONE guard page so that any read past a
 * table's end faults. Their host addresses stand in for physical ones.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <cmocka.h>

#include <drivers/acpi.h>

#define PG         4096
#define SLOT_DATA  (2 * PG)
#define SLOT_SIZE  (SLOT_DATA + PG) /* data, then a guard page */
#define NR_SLOTS   32

struct blk {
	uint8_t *p;
	size_t len;
};

static uint8_t *arena;
static struct blk blks[NR_SLOTS];
static unsigned nr_blks;
static struct acpi_info ai;

#define LE16(v) (uint8_t)(v), (uint8_t)((v) >> 8)
#define LE32(v) LE16(v), LE16((v) >> 16)
#define LE64(v) LE32(v), LE32((uint64_t)(v) >> 32)
#define LAPIC(uid, id, fl)  0, 8, uid, id, LE32(fl)
#define IOAPIC(id, a, gsi)  1, 12, id, 0, LE32(a), LE32(gsi)
#define ISO(bus, src, gsi, fl) 2, 10, bus, src, LE32(gsi), LE16(fl)
#define LAPIC_ADDR(a)       5, 12, 0, 0, LE64(a)
#define X2APIC(id)          X2APIC_FL(id, 1)
#define X2APIC_FL(id, fl)   9, 16, 0, 0, LE32(id), LE32(fl), LE32(0)
#define S5                  '_', 'S', '5', '_'

/* ---- building tables ---- */

static uint8_t *alloc(size_t len)
{
	uint8_t *p;

	assert_true(len <= SLOT_DATA);
	assert_true(nr_blks < NR_SLOTS);
	p = arena + nr_blks * SLOT_SIZE + SLOT_DATA - len;
	memset(p, 0, len);
	blks[nr_blks++] = (struct blk){ p, len };
	return p;
}

static size_t blk_len(const uint8_t *p)
{
	for (unsigned i = 0; i < nr_blks; i++)
		if (blks[i].p == p)
			return blks[i].len;
	fail_msg("not a table");
	return 0;
}

static int reset(void **state)
{
	(void)state;
	nr_blks = 0;
	return 0;
}

static uint64_t addr(const void *p) { return (uint64_t)(uintptr_t)p; }

static uint32_t addr32(const void *p)
{
	assert_true(addr(p) <= UINT32_MAX);
	return (uint32_t)addr(p);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

/* Re-checksum a table over its header length, if that lies within its block. */
static void fix(uint8_t *t)
{
	size_t len = get32(t + 4);

	if (len < 36 || len > blk_len(t))
		return;
	t[9] = 0;
	t[9] = (uint8_t)-sum(t, len);
}

static void fix_rsdp(uint8_t *r)
{
	size_t len;

	r[8] = 0;
	r[8] = (uint8_t)-sum(r, 20);
	if (r[15] < 2 || blk_len(r) < 36)
		return;
	len = get32(r + 20);
	if (len < 33 || len > blk_len(r))
		return;
	r[32] = 0;
	r[32] = (uint8_t)-sum(r, len);
}

static uint8_t *table(const char *sig, size_t len)
{
	uint8_t *t = alloc(len);

	memcpy(t, sig, 4);
	put32(t + 4, (uint32_t)len);
	t[8] = 1;
	memcpy(t + 10, "KEELTS", 6);
	memcpy(t + 16, "TESTTBL ", 8);
	return t;
}

static uint8_t *rsdp(unsigned rev, const uint8_t *rsdt, const uint8_t *xsdt)
{
	uint8_t *r = alloc(rev >= 2 ? 36 : 20);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "KEELTS", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, rsdt ? addr32(rsdt) : 0);
	if (rev >= 2) {
		put32(r + 20, 36);
		put64(r + 24, addr(xsdt));
	}
	fix_rsdp(r);
	return r;
}

/* An RSDT (esize 4) or XSDT (esize 8) listing the NULL-terminated tables. */
static uint8_t *root(unsigned esize, ...)
{
	const uint8_t *tabs[16];
	unsigned n = 0;
	va_list ap;
	uint8_t *t;

	va_start(ap, esize);
	while ((tabs[n] = va_arg(ap, const uint8_t *)))
		n++;
	va_end(ap);
	t = table(esize == 8 ? "XSDT" : "RSDT", 36 + n * esize);
	for (unsigned i = 0; i < n; i++) {
		if (esize == 8)
			put64(t + 36 + i * 8, addr(tabs[i]));
		else
			put32(t + 36 + i * 4, addr32(tabs[i]));
	}
	fix(t);
	return t;
}

static uint8_t *madt(const uint8_t *ent, size_t n)
{
	uint8_t *t = table("APIC", 44 + n);

	put32(t + 36, 0xfee00000);
	put32(t + 40, MADT_PCAT_COMPAT);
	memcpy(t + 44, ent, n);
	fix(t);
	return t;
}

static const uint8_t std_madt_ent[] = {
	LAPIC(0, 0, 1), LAPIC(1, 1, 1),
	LAPIC(2, 2, 0),    /* disabled */
	LAPIC(3, 3, 2),    /* online-capable */
	LAPIC(4, 0xff, 1), /* no xAPIC ID */
	X2APIC(300), IOAPIC(2, 0xfec00000, 0),
	ISO(0, 0, 2, 0), ISO(0, 9, 9, 0x000d),
};

static uint8_t *std_madt(void) { return madt(std_madt_ent, sizeof(std_madt_ent)); }

static void put_gas(uint8_t *g, uint8_t space, uint8_t width, uint64_t a)
{
	g[0] = space;
	g[1] = width;
	g[3] = 1;
	put64(g + 4, a);
}

/* 32-bit blocks at 0x600.., X_ blocks (where they fit) at 0x1600.. to tell them apart. */
static uint8_t *fadt(size_t len, uint32_t flags, const uint8_t *dsdt, const uint8_t *x_dsdt)
{
	uint8_t *t = table("FACP", len);

	t[8] = len >= 244 ? 6 : 1;
	put32(t + 40, dsdt ? addr32(dsdt) : 0);
	put16(t + 46, 9);
	put32(t + 48, 0xb2);
	t[52] = 0xf1;
	put32(t + 56, 0x600);
	put32(t + 64, 0x604);
	put32(t + 76, 0x608);
	t[88] = 4;
	t[89] = 2;
	t[91] = 4;
	put16(t + 109, 3);
	if (len >= 129) {
		put_gas(t + 116, ACPI_SPACE_IO, 8, 0xcf9);
		t[128] = 0x06;
	}
	put32(t + 112, flags);
	if (len >= 148)
		put64(t + 140, addr(x_dsdt));
	if (len >= 160)
		put_gas(t + 148, ACPI_SPACE_IO, 32, 0x1600);
	if (len >= 184)
		put_gas(t + 172, ACPI_SPACE_IO, 16, 0x1604);
	if (len >= 220)
		put_gas(t + 208, ACPI_SPACE_IO, 32, 0x1608);
	fix(t);
	return t;
}

static uint8_t *aml(const char *sig, const uint8_t *code, size_t n)
{
	uint8_t *t = table(sig, 36 + n);

	t[8] = 2;
	memcpy(t + 36, code, n);
	fix(t);
	return t;
}

/* Noise that looks like _S5_ but is not Name(_S5_, Package). */
static const uint8_t decoys[] = {
	0x0d, S5, 0x00,                /* a String "_S5_" */
	0x08, S5, 0x0a, 0x05,          /* Name(_S5_, 5): not a package */
	0x08, '_', 'S', '4', '_', 0x12, 0x06, 0x02, 0x0a, 0x04, 0x0a, 0x04,
};

static const uint8_t std_s5[] = {
	0x08, S5, 0x12, 0x08, 0x04, 0x0a, 0x05, 0x0a, 0x06, 0x00, 0x00,
};

static uint8_t *std_dsdt(void)
{
	uint8_t code[sizeof(decoys) + sizeof(std_s5)];

	memcpy(code, decoys, sizeof(decoys));
	memcpy(code + sizeof(decoys), std_s5, sizeof(std_s5));
	return aml("DSDT", code, sizeof(code));
}

static uint8_t *no_s5_dsdt(void) { return aml("DSDT", decoys, sizeof(decoys)); }

static int parse(const uint8_t *r)
{
	/* Poison first: the parser must initialise every field itself. */
	memset(&ai, 0xa5, sizeof(ai));
	return acpi_parse(addr(r), &ai);
}

static bool mem_ok(uint64_t phys, uint64_t len, void *ctx)
{
	(void)ctx;
	for (unsigned i = 0; i < nr_blks; i++) {
		uint64_t b = addr(blks[i].p);

		if (phys >= b && phys - b <= blks[i].len && len <= blks[i].len - (phys - b))
			return true;
	}
	return false;
}

static int parse_checked(const uint8_t *r)
{
	memset(&ai, 0xa5, sizeof(ai));
	return acpi_parse_checked(addr(r), mem_ok, NULL, &ai);
}

/* ---- the tests ---- */

static void check_std_madt(void)
{
	static const uint32_t ids[] = { 0, 1, 3, 300 };

	assert_true(ai.have_madt);
	assert_int_equal(ai.lapic_base, 0xfee00000);
	assert_int_equal(ai.madt_flags, MADT_PCAT_COMPAT);
	assert_int_equal(ai.nr_cpus, 4);
	assert_memory_equal(ai.cpu_apic_id, ids, sizeof(ids));
	assert_int_equal(ai.cpu_online_capable, 1ULL << 2); /* APIC ID 3: not enabled */
	assert_int_equal(ai.nr_cpus_dropped, 0);
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.ioapic[0].id, 2);
	assert_int_equal(ai.ioapic[0].addr, 0xfec00000);
	assert_int_equal(ai.ioapic[0].gsi_base, 0);
	assert_int_equal(ai.nr_overrides, 2);
	assert_int_equal(ai.override[0].source, 0);
	assert_int_equal(ai.override[0].gsi, 2);
	assert_int_equal(ai.override[1].source, 9);
	assert_int_equal(ai.override[1].gsi, 9);
	assert_int_equal(ai.override[1].flags, 0x000d);
}

static void test_v1_rsdt(void **state)
{
	uint8_t *dsdt = std_dsdt();
	/* RESET_REG_SUP set, but an ACPI 1.0 FADT has no reset register field. */
	uint8_t *f = fadt(116, FADT_RESET_REG_SUP, dsdt, NULL);
	uint8_t *r = rsdp(0, root(4, std_madt(), f, NULL), NULL);

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.rsdp_revision, 0);
	assert_false(ai.used_xsdt);
	assert_string_equal(ai.oem_id, "KEELTS");
	assert_int_equal(ai.nr_bad_checksum, 0);
	assert_int_equal(ai.nr_bad_table, 0);
	check_std_madt();
	assert_true(ai.have_fadt);
	assert_int_equal(ai.fadt_revision, 1);
	assert_int_equal(ai.sci_irq, 9);
	assert_int_equal(ai.smi_cmd, 0xb2);
	assert_int_equal(ai.acpi_enable, 0xf1);
	assert_int_equal(ai.pm1a_evt, 0x600);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm1b_evt, 0);
	assert_int_equal(ai.pm1b_cnt, 0);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_false(ai.pm_tmr_32bit);
	assert_int_equal(ai.iapc_boot_arch, 3);
	assert_false(ai.have_reset);
	assert_int_equal(ai.dsdt, addr(dsdt));
	assert_true(ai.have_s5);
	assert_false(ai.s5_in_ssdt);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 6);
}

static void test_v2_xsdt(void **state)
{
	static const uint8_t other_s5[] = { 0x08, S5, 0x12, 0x04, 0x02, 0x01, 0x01 };
	uint8_t *x_dsdt = std_dsdt(), *dsdt = aml("DSDT", other_s5, sizeof(other_s5));
	uint8_t *f = fadt(276, FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP, dsdt, x_dsdt);
	/* The RSDT lists no MADT: finding one proves the XSDT was used. */
	uint8_t *r = rsdp(2, root(4, f, NULL), root(8, f, std_madt(), NULL));

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.rsdp_revision, 2);
	assert_true(ai.used_xsdt);
	check_std_madt();
	assert_int_equal(ai.fadt_revision, 6);
	assert_int_equal(ai.pm1a_evt, 0x1600);
	assert_int_equal(ai.pm1a_cnt, 0x1604);
	assert_int_equal(ai.pm_tmr, 0x1608);
	assert_true(ai.pm_tmr_32bit);
	assert_true(ai.have_reset);
	assert_int_equal(ai.reset_reg.space, ACPI_SPACE_IO);
	assert_int_equal(ai.reset_reg.bit_width, 8);
	assert_int_equal(ai.reset_reg.addr, 0xcf9);
	assert_int_equal(ai.reset_value, 6);
	assert_int_equal(ai.dsdt, addr(x_dsdt));
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 5);
	assert_int_equal(ai.slp_typb, 6);
}

static void test_v2_without_xsdt(void **state)
{
	uint8_t *r = rsdp(2, root(4, std_madt(), NULL), NULL);

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_false(ai.used_xsdt);
	check_std_madt();
	assert_false(ai.have_fadt);
	assert_false(ai.have_s5);
}

static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
	uint8_t *x = root(8, NULL), *r;

	(void)state;
	x[9] ^= 1;
	r = rsdp(2, root(4, std_madt(), NULL), x);
	assert_int_equal(parse(r), 0);
	assert_false(ai.used_xsdt);
	assert_true(ai.have_madt);
	assert_int_equal(ai.nr_bad_checksum, 1);
	/* Neither usable: the whole parse fails. */
	r = rsdp(2, NULL, x);
	assert_int_equal(parse(r), -EINVAL);
	/* A root table with the wrong signature is not used either. */
	r = rsdp(0, std_madt(), NULL);
	assert_int_equal(parse(r), -EINVAL);
	assert_int_equal(ai.nr_bad_table, 1);
}

static void test_fadt_x_fields_fall_back(void **state)
{
	uint8_t *f = fadt(276, 0, NULL, NULL), *r;

	(void)state;
	put_gas(f + 148, ACPI_SPACE_IO, 32, 0);              /* zero: use PM1a_EVT */
	put_gas(f + 172, ACPI_SPACE_MEM, 16, 0xfed00000);    /* MMIO: use PM1a_CNT */
	put_gas(f + 208, ACPI_SPACE_IO, 32, 0x12345);        /* not a port */
	put_gas(f + 184, ACPI_SPACE_IO, 16, 0x1704);         /* PM1b only in X_ */
	put32(f + 48, 0x10000);                              /* SMI_CMD not a port */
	fix(f);
	r = rsdp(2, NULL, root(8, f, NULL));
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.pm1a_evt, 0x600);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm1b_cnt, 0x1704);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_int_equal(ai.smi_cmd, 0);
	assert_false(ai.have_reset);
	assert_int_equal(ai.dsdt, 0);
	assert_false(ai.have_s5);
}

/* An FADT of 180 bytes holds X_DSDT and X_PM1a_EVT but not X_PM1a_CNT. */
static void test_fadt_length_permitting(void **state)
{
	uint8_t *dsdt = std_dsdt();
	uint8_t *f = fadt(180, FADT_RESET_REG_SUP, NULL, dsdt);
	uint8_t *r = rsdp(2, NULL, root(8, f, NULL));

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_fadt);
	assert_int_equal(ai.dsdt, addr(dsdt));
	assert_int_equal(ai.pm1a_evt, 0x1600);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_true(ai.have_reset);
	assert_true(ai.have_s5);
}

static void test_fadt_truncated(void **state)
{
	uint8_t *f = table("FACP", 100), *r;

	(void)state;
	put32(f + 64, 0x604);
	fix(f);
	r = rsdp(0, root(4, f, std_madt(), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_false(ai.have_fadt);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.nr_bad_table, 1);
	assert_true(ai.have_madt);
}

static void test_madt_lapic_override(void **state)
{
	static const uint8_t ent[] = { LAPIC(0, 0, 1), LAPIC_ADDR(0x1fee00000ULL) };
	uint8_t *r = rsdp(0, root(4, madt(ent, sizeof(ent)), NULL), NULL);

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.lapic_base, 0x1fee00000ULL);
	assert_int_equal(ai.nr_cpus, 1);
}

/* x2APIC entries (type 9): 32-bit IDs, the same flags; a short one is skipped. */
static void test_madt_x2apic(void **state)
{
	static const uint8_t ent[] = { LAPIC(0, 0, 1), X2APIC(0x100), X2APIC_FL(0x101, 0),
				       X2APIC_FL(0xfffffffe, 2), 9, 12, 0, 0, LE32(7), LE32(1) };
	uint8_t *r = rsdp(0, root(4, madt(ent, sizeof(ent)), NULL), NULL);

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, 3);
	assert_int_equal(ai.cpu_apic_id[0], 0);
	assert_int_equal(ai.cpu_apic_id[1], 0x100);
	assert_int_equal(ai.cpu_apic_id[2], 0xfffffffe);
	assert_int_equal(ai.cpu_online_capable, 1ULL << 2);
	assert_int_equal(ai.nr_bad_table, 0);
}

static void test_madt_limits(void **state)
{
	uint8_t ent[70 * 8 + 10 * 12 + 20 * 10], *p = ent, *r;

	(void)state;
	for (unsigned i = 0; i < 70; i++, p += 8)
		memcpy(p, (uint8_t[]){ LAPIC(i, i, 1) }, 8);
	for (unsigned i = 0; i < 10; i++, p += 12)
		memcpy(p, (uint8_t[]){ IOAPIC(i, 0xfec00000 + i * 0x1000, i * 24) }, 12);
	for (unsigned i = 0; i < 20; i++, p += 10)
		memcpy(p, (uint8_t[]){ ISO(0, i, i + 100, 0) }, 10);
	r = rsdp(0, root(4, madt(ent, sizeof(ent)), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, ACPI_MAX_CPUS);
	assert_int_equal(ai.nr_cpus_dropped, 6);
	assert_int_equal(ai.cpu_apic_id[63], 63);
	assert_int_equal(ai.nr_ioapics, ACPI_MAX_IOAPICS);
	assert_int_equal(ai.ioapic[7].gsi_base, 7 * 24);
	assert_int_equal(ai.nr_overrides, ACPI_MAX_OVERRIDES);
	assert_int_equal(ai.override[15].gsi, 115);
}

static void test_madt_malformed(void **state)
{
	static const uint8_t zero_len[] = { LAPIC(0, 0, 1), 0, 0, LAPIC(1, 1, 1) };
	static const uint8_t overlong[] = { LAPIC(0, 0, 1), 1, 40, 0, 0 };
	static const uint8_t short_ent[] = { 0, 4, 0, 1, 1, 6, 0, 0, 0, 0, IOAPIC(1, 0xfec00000, 0) };
	static const uint8_t odd_tail[] = { LAPIC(0, 0, 1), 0 };
	uint8_t *short_madt = table("APIC", 40), *r;

	(void)state;
	r = rsdp(0, root(4, madt(zero_len, sizeof(zero_len)), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.nr_bad_table, 1);

	r = rsdp(0, root(4, madt(overlong, sizeof(overlong)), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.nr_ioapics, 0);
	assert_int_equal(ai.nr_bad_table, 1);

	/* Entries too short for their type are skipped, the walk goes on. */
	r = rsdp(0, root(4, madt(short_ent, sizeof(short_ent)), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, 0);
	assert_int_equal(ai.nr_ioapics, 1);
	assert_int_equal(ai.nr_bad_table, 0);

	r = rsdp(0, root(4, madt(odd_tail, sizeof(odd_tail)), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_int_equal(ai.nr_cpus, 1);

	fix(short_madt);
	r = rsdp(0, root(4, short_madt, NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_false(ai.have_madt);
	assert_int_equal(ai.nr_bad_table, 1);
}

/* Name(_S5_ or \_S5_, Package) with its PkgLength encoded in nbytes bytes. */
static size_t s5_code(uint8_t *out, bool root_pfx, unsigned nbytes, uint8_t num,
		      const uint8_t *el, size_t n)
{
	size_t len = nbytes + 1 + n, o = 0;

	out[o++] = 0x08;
	if (root_pfx)
		out[o++] = 0x5c;
	memcpy(out + o, (uint8_t[]){ S5, 0x12 }, 5);
	o += 5;
	if (nbytes == 1) {
		assert_true(len < 64);
		out[o++] = (uint8_t)len;
	} else {
		out[o++] = (uint8_t)(((nbytes - 1) << 6) | (len & 0xf));
		for (unsigned i = 1; i < nbytes; i++)
			out[o++] = (uint8_t)(len >> (4 + 8 * (i - 1)));
	}
	out[o++] = num;
	memcpy(out + o, el, n);
	return o + n;
}

struct s5_case {
	const char *name;
	bool root_pfx;
	unsigned nbytes;
	uint8_t num;
	uint8_t el[16];
	size_t n;
	int a, b; /* -1: not found */
};

static void test_s5_encodings(void **state)
{
	static const struct s5_case cases[] = {
		{ "zero/one", false, 1, 2, { 0x00, 0x01 }, 2, 0, 1 },
		{ "bytes", false, 1, 4, { 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 }, 6, 5, 7 },
		{ "words", false, 1, 2, { 0x0b, 0x03, 0x00, 0x0b, 0x04, 0x00 }, 6, 3, 4 },
		{ "dwords", false, 1, 2, { 0x0c, 0x05, 0, 0, 0, 0x0c, 0x02, 0, 0, 0 }, 10, 5, 2 },
		{ "qword", false, 1, 2, { 0x0e, 6, 0, 0, 0, 0, 0, 0, 0, 0x00 }, 10, 6, 0 },
		{ "mixed", false, 1, 2, { 0x01, 0x0a, 0x07 }, 3, 1, 7 },
		{ "root prefix", true, 1, 2, { 0x0a, 0x05, 0x0a, 0x05 }, 4, 5, 5 },
		{ "2-byte PkgLength", false, 2, 2, { 0x0a, 0x05, 0x0a, 0x06 }, 4, 5, 6 },
		{ "3-byte PkgLength", true, 3, 2, { 0x0a, 0x05, 0x0a, 0x06 }, 4, 5, 6 },
		{ "4-byte PkgLength", false, 4, 2, { 0x0a, 0x05, 0x0a, 0x06 }, 4, 5, 6 },
		{ "one packed element", false, 1, 1, { 0x0b, 0x05, 0x06 }, 3, 5, 6 },
		{ "masked to 3 bits", false, 1, 2, { 0x0a, 0x0d, 0x0a, 0xff }, 4, 5, 7 },
		{ "no elements", false, 1, 0, { 0 }, 0, -1, -1 },
		{ "OnesOp", false, 1, 2, { 0xff, 0x00 }, 2, -1, -1 },
		{ "name reference", false, 1, 2, { 'A', 'B', 'C', 'D', 0x00 }, 5, -1, -1 },
		{ "second element cut", false, 1, 2, { 0x0a, 0x05, 0x0b, 0x05 }, 4, -1, -1 },
	};
	uint8_t code[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct s5_case *c = &cases[i];
		size_t n = s5_code(code, c->root_pfx, c->nbytes, c->num, c->el, c->n);
		uint8_t *dsdt = aml("DSDT", code, n);
		uint8_t *r = rsdp(0, root(4, fadt(116, 0, dsdt, NULL), NULL), NULL);

		assert_int_equal(parse(r), 0);
		if (ai.have_s5 != (c->a >= 0))
			fail_msg("%s: have_s5 %d", c->name, ai.have_s5);
		if (c->a >= 0 && (ai.slp_typa != c->a || ai.slp_typb != c->b))
			fail_msg("%s: got %u/%u", c->name, ai.slp_typa, ai.slp_typb);
		nr_blks = 0;
	}
}

/* A realistic 2-byte PkgLength: a package longer than 63 bytes. */
static void test_s5_long_package(void **state)
{
	uint8_t el[2 + 2 + 30 * 5], code[sizeof(el) + 16], *dsdt, *r;
	size_t n;

	(void)state;
	memcpy(el, (uint8_t[]){ 0x0a, 0x03, 0x0a, 0x04 }, 4);
	for (unsigned i = 0; i < 30; i++)
		memcpy(el + 4 + i * 5, (uint8_t[]){ 0x0c, LE32(i) }, 5);
	n = s5_code(code, false, 2, 32, el, 4 + 30 * 5);
	dsdt = aml("DSDT", code, n);
	r = rsdp(0, root(4, fadt(116, 0, dsdt, NULL), NULL), NULL);
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_s5);
	assert_int_equal(ai.slp_typa, 3);
	assert_int_equal(ai.slp_typb, 4);
}

/* Matches cut short by the end of the table, or a PkgLength past it. */
static void test_s5_truncated(void **state)
{
	static const uint8_t cuts[][12] = {
		{ 0x08, S5 },
		{ 0x08, S5, 0x12 },
		{ 0x08, S5, 0x12, 0x40 },               /* 2-byte PkgLength, 1 byte left */
		{ 0x08, S5, 0x12, 0xc0, 0x00, 0x00 },   /* 4-byte PkgLength, 3 bytes left */
		{ 0x08, S5, 0x12, 0x3f, 0x02, 0x0a, 0x05, 0x0a, 0x05 },
		{ 0x08, S5, 0x12, 0x05, 0x02, 0x0a, 0x05, 0x0a },
		{ 0x08, S5, 0x12, 0x01, 0x02, 0x0a, 0x05, 0x0a, 0x05 }, /* too short for NumElements */
	};
	static const size_t lens[] = { 5, 6, 7, 9, 10, 9, 10 };

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		uint8_t *dsdt = aml("DSDT", cuts[i], lens[i]);
		uint8_t *r = rsdp(0, root(4, fadt(116, 0, dsdt, NULL), NULL), NULL);

		assert_int_equal(parse(r), 0);
		if (ai.have_s5)
			fail_msg("case %zu: found _S5_", i);
		nr_blks = 0;
	}
}

static void test_s5_in_ssdt(void **state)
{
	static const uint8_t ssdt_s5[] = { 0x08, 0x5c, S5, 0x12, 0x05, 0x01, 0x0b, 0x07, 0x00 };
	uint8_t *ssdt = aml("SSDT", ssdt_s5, sizeof(ssdt_s5));
	uint8_t *r = rsdp(2, NULL, root(8, ssdt, fadt(276, 0, NULL, no_s5_dsdt()), NULL));

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_s5);
	assert_true(ai.s5_in_ssdt);
	assert_int_equal(ai.slp_typa, 7);
	assert_int_equal(ai.slp_typb, 0);

	/* The DSDT's \_S5 wins over an SSDT's, whatever the table order. */
	nr_blks = 0;
	ssdt = aml("SSDT", ssdt_s5, sizeof(ssdt_s5));
	r = rsdp(2, NULL, root(8, ssdt, fadt(276, 0, NULL, std_dsdt()), NULL));
	assert_int_equal(parse(r), 0);
	assert_false(ai.s5_in_ssdt);
	assert_int_equal(ai.slp_typa, 5);
}

static void test_no_s5(void **state)
{
	uint8_t *r = rsdp(2, NULL, root(8, fadt(276, 0, NULL, no_s5_dsdt()), NULL));

	(void)state;
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_fadt);
	assert_false(ai.have_s5);
	assert_int_equal(ai.slp_typa, 0);
	assert_int_equal(ai.nr_bad_checksum, 0);
}

static void test_bad_rsdp(void **state)
{
	uint8_t *x = root(8, std_madt(), NULL), *r;

	(void)state;
	assert_int_equal(acpi_parse(0, &ai), -ENOENT);
	assert_int_equal(acpi_parse(addr(rsdp(2, NULL, x)), NULL), -EINVAL);

	r = rsdp(0, root(4, std_madt(), NULL), NULL);
	r[19] ^= 0x40; /* in the checksummed 20 bytes */
	assert_int_equal(parse(r), -EINVAL);

	r = rsdp(2, NULL, x);
	r[0] = 'r';
	fix_rsdp(r);
	assert_int_equal(parse(r), -EINVAL);

	r = rsdp(2, NULL, x);
	r[33] = 1; /* only the extended checksum covers this */
	assert_int_equal(parse(r), -EINVAL);

	r = rsdp(2, NULL, x);
	put32(r + 20, 24); /* shorter than an ACPI 2.0 RSDP */
	fix_rsdp(r);
	assert_int_equal(parse(r), -EINVAL);

	r = rsdp(2, NULL, x);
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_madt);
}

static void test_bad_table_checksum_skipped(void **state)
{
	uint8_t *bad = std_madt(), *dsdt = std_dsdt(), *r;
	static const uint8_t ent[] = { LAPIC(7, 7, 1) };

	(void)state;
	bad[20] ^= 0x10;
	r = rsdp(2, NULL, root(8, bad, fadt(276, 0, NULL, dsdt), NULL));
	assert_int_equal(parse(r), 0);
	assert_false(ai.have_madt);
	assert_int_equal(ai.nr_bad_checksum, 1);
	assert_true(ai.have_fadt);
	assert_true(ai.have_s5);

	/* A later good copy is used instead. */
	r = rsdp(2, NULL, root(8, bad, madt(ent, sizeof(ent)), NULL));
	assert_int_equal(parse(r), 0);
	assert_true(ai.have_madt);
	assert_int_equal(ai.nr_cpus, 1);
	assert_int_equal(ai.cpu_apic_id[0], 7);
	assert_int_equal(ai.nr_bad_checksum, 1);

	/* A DSDT with a bad checksum is not searched. */
	dsdt[40] ^= 1;
	r = rsdp(2, NULL, root(8, fadt(276, 0, NULL, dsdt), NULL));
	assert_int_equal(parse(r), 0);
	assert_false(ai.have_s5);
	assert_int_equal(ai.nr_bad_checksum, 1);
}

/* Header lengths and addresses beyond what was allocated: only mem_ok stands between. */
static void test_lengths_beyond_buffer(void **state)
{
	uint8_t *m = std_madt(), *dsdt = std_dsdt(), *x, *r;

	(void)state;
	put32(m + 4, get32(m + 4) + 1);
	put32(dsdt + 4, 8 * PG);
	x = root(8, m, fadt(276, 0, NULL, dsdt), NULL);
	r = rsdp(2, NULL, x);
	assert_int_equal(parse_checked(r), 0);
	assert_false(ai.have_madt);
	assert_true(ai.have_fadt);
	assert_false(ai.have_s5);
	assert_int_equal(ai.nr_bad_table, 2);
	assert_int_equal(ai.nr_bad_checksum, 0);

	/* Entries pointing at memory that holds no table. */
	nr_blks = 0;
	x = table("XSDT", 36 + 3 * 8);
	put64(x + 36, 0xdead0000);
	put64(x + 44, UINT64_MAX - 8);
	put64(x + 52, addr(std_madt()));
	fix(x);
	assert_int_equal(parse_checked(rsdp(2, NULL, x)), 0);
	assert_true(ai.have_madt);
	assert_int_equal(ai.nr_bad_table, 2);

	/* The root table itself too long, the RSDP length too. */
	put32(x + 4, 36 + 4 * 8);
	r = rsdp(2, NULL, x);
	assert_int_equal(parse_checked(r), -EINVAL);
	put32(r + 20, 37);
	fix_rsdp(r);
	assert_int_equal(parse_checked(r), -EINVAL);
	assert_int_equal(acpi_parse_checked(0xdead0000, mem_ok, NULL, &ai), -EINVAL);
}

/* ---- fuzzing ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Everything at once: v2 RSDP, RSDT and XSDT, MADT, FADT, DSDT, SSDT. */
static uint8_t *build_full(void)
{
	static const uint8_t ent[] = {
		LAPIC(0, 0, 1), LAPIC(1, 1, 3), LAPIC_ADDR(0xfee00000), X2APIC(9),
		IOAPIC(0, 0xfec00000, 0), ISO(0, 0, 2, 0), ISO(0, 9, 9, 0xd),
	};
	static const uint8_t ssdt_s5[] = {
		0x10, 0x0a, 0x5c, S5, 0x08, 0x5c, S5, 0x12, 0x48, 0x00, 0x02, 0x0a, 0x05, 0x0b, 0x06, 0x00,
	};
	uint8_t *dsdt = std_dsdt(), *ssdt = aml("SSDT", ssdt_s5, sizeof(ssdt_s5));
	uint8_t *f = fadt(276, FADT_RESET_REG_SUP | FADT_TMR_VAL_EXT, dsdt, dsdt);
	uint8_t *m = madt(ent, sizeof(ent));

	return rsdp(2, root(4, m, f, ssdt, NULL), root(8, ssdt, m, f, NULL));
}

static void mutate(void)
{
	struct blk *b = &blks[rnd() % nr_blks];
	unsigned n = 1 + rnd() % 4;

	if (rnd() % 8 == 0 && b->len >= 8) {
		/* A length field: header tables at 4, the RSDP's at 20. */
		size_t off = memcmp(b->p, "RSD PTR ", 8) ? 4 : 20;

		if (off + 4 <= b->len) {
			put32(b->p + off, (uint32_t)(rnd() % (b->len + 8)));
			return;
		}
	}
	while (n--)
		b->p[rnd() % b->len] = (uint8_t)rnd();
}

static void check_sane(int ret)
{
	assert_true(ret == 0 || ret == -EINVAL);
	assert_true(ai.nr_cpus <= ACPI_MAX_CPUS);
	assert_true(ai.nr_ioapics <= ACPI_MAX_IOAPICS);
	assert_true(ai.nr_overrides <= ACPI_MAX_OVERRIDES);
	assert_true(ai.slp_typa <= 7 && ai.slp_typb <= 7);
	assert_int_equal(ai.oem_id[6], '\0');
}

/*
 * Random byte mutations. Without fix-ups most land on a checksum and
 * the table is dropped; re-checksumming afterwards lets the garbage reach
 * the MADT, FADT and AML walkers.
 */
static void test_fuzz(void **state)
{
	unsigned madt_seen = 0, s5_seen = 0;

	(void)state;
	rng_state = 0x4b45454cdeadbeefULL;
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned it = 0; it < 2000; it++) {
			uint8_t *r;

			nr_blks = 0;
			r = build_full();
			mutate();
			if (pass) {
				for (unsigned i = 0; i < nr_blks; i++)
					fix(blks[i].p);
				fix_rsdp(r);
			}
			check_sane(parse_checked(r));
			madt_seen += ai.have_madt;
			s5_seen += ai.have_s5;
		}
	}
	/* The mutations must not have kept the parser at the door. */
	assert_true(madt_seen > 1000 && s5_seen > 1000);
}

/* Random AML after Name(_S5_, Package: valid tables throughout, so plain acpi_parse. */
static void test_fuzz_aml(void **state)
{
	uint8_t code[40];

	(void)state;
	rng_state = 0x5f53355fULL;
	for (unsigned it = 0; it < 2000; it++) {
		size_t n = 6 + rnd() % (sizeof(code) - 6);
		uint8_t *dsdt, *r;

		memcpy(code, (uint8_t[]){ 0x08, S5, 0x12 }, 6);
		for (size_t i = 6; i < n; i++) {
			/* Bias towards the bytes the decoder cares about. */
			static const uint8_t hot[] = { 0x00, 0x01, 0x0a, 0x0b, 0x0c, 0x0e, 0x40, 0x80, 0xc0 };

			code[i] = rnd() % 2 ? hot[rnd() % sizeof(hot)] : (uint8_t)rnd();
		}
		nr_blks = 0;
		dsdt = aml("DSDT", code, n);
		r = rsdp(0, root(4, fadt(116, 0, dsdt, NULL), NULL), NULL);
		check_sane(parse(r));
	}
}

static int setup(void **state)
{
	(void)state;
	arena = mmap(NULL, NR_SLOTS * SLOT_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (arena == MAP_FAILED)
		return -1;
	for (unsigned i = 0; i < NR_SLOTS; i++)
		if (mprotect(arena + i * SLOT_SIZE + SLOT_DATA, PG, PROT_NONE))
			return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return munmap(arena, NR_SLOTS * SLOT_SIZE);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_v1_rsdt),
		T(test_v2_xsdt),
		T(test_v2_without_xsdt),
		T(test_bad_xsdt_falls_back_to_rsdt),
		T(test_fadt_x_fields_fall_back),
		T(test_fadt_length_permitting),
		T(test_fadt_truncated),
		T(test_madt_lapic_override),
		T(test_madt_x2apic),
		T(test_madt_limits),
		T(test_madt_malformed),
		T(test_s5_encodings),
		T(test_s5_long_package),
		T(test_s5_truncated),
		T(test_s5_in_ssdt),
		T(test_no_s5),
		T(test_bad_rsdp),
		T(test_bad_table_checksum_skipped),
		T(test_lengths_beyond_buffer),
		T(test_fuzz),
		T(test_fuzz_aml),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
