/* SPDX-License-Identifier: MIT */
/*
 * Host tests for vmm/dev/fw_cfg.c: the guest's view through ports
 * 0x510/0x511, read back the way SeaBIOS reads it (FILE_DIR walk,
 * romfile_loadint, etc/e820).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <keel/dev/fw_cfg.h>
#include <keel/errno.h>
#include <keel/io.h>

static int vm_dummy;
static struct vm *const vm = (struct vm *)&vm_dummy;

static struct {
	unsigned calls;
	uint16_t base, len;
	io_handler_fn *fn;
	void *dev;
} reg;

int io_register_pio(struct vm *v, uint16_t base, uint16_t len, io_handler_fn *fn, void *dev)
{
	assert_ptr_equal(v, vm);
	reg.calls++;
	reg.base = base;
	reg.len = len;
	reg.fn = fn;
	reg.dev = dev;
	return 0;
}

static struct fw_cfg cfg;

static int setup(void **state)
{
	(void)state;
	memset(&reg, 0, sizeof(reg));
	fw_cfg_init(&cfg);
	return fw_cfg_register(vm, &cfg);
}

static uint64_t io(uint16_t port, unsigned size, bool write, uint64_t value)
{
	struct io_access a = { .addr = port, .size = size, .write = write, .value = value };

	assert_true(port >= reg.base && port + size <= reg.base + reg.len);
	assert_int_equal(reg.fn(vm, reg.dev, &a), 0);
	return a.value;
}

static void sel(uint16_t key)
{
	io(0x510, 2, true, key);
}

static void rd(void *buf, size_t n)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++) {
		uint64_t v = io(0x511, 1, false, 0xdeadbeef);

		assert_true(v <= 0xff);
		p[i] = (uint8_t)v;
	}
}

static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

static uint32_t be(const uint8_t *p, unsigned n)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static uint64_t read_int(uint16_t key, unsigned n)
{
	uint8_t b[8];

	sel(key);
	rd(b, n);
	return le(b, n);
}

/* What the guest sees of a file, found by name through FILE_DIR as SeaBIOS does. */
struct dir_entry {
	uint32_t size;
	uint16_t select, reserved;
	char name[56];
};

static unsigned read_dir(struct dir_entry *e, unsigned max)
{
	uint8_t b[64];
	unsigned n;

	sel(FW_CFG_FILE_DIR);
	rd(b, 4);
	n = be(b, 4);
	assert_true(n <= max);
	for (unsigned i = 0; i < n; i++) {
		rd(b, 64);
		e[i].size = be(b, 4);
		e[i].select = (uint16_t)be(b + 4, 2);
		e[i].reserved = (uint16_t)be(b + 6, 2);
		memcpy(e[i].name, b + 8, 56);
	}
	return n;
}

/* -1 if absent. */
static int find_file(const char *name, struct dir_entry *out)
{
	struct dir_entry e[FW_CFG_FILES_MAX];
	unsigned n = read_dir(e, FW_CFG_FILES_MAX);

	for (unsigned i = 0; i < n; i++)
		if (!memcmp(e[i].name, name, strlen(name) + 1)) {
			*out = e[i];
			return 0;
		}
	return -1;
}

/* SeaBIOS's romfile_loadint(): a power-of-two size up to 8, little-endian. */
static uint64_t loadint(const char *name, uint64_t defval)
{
	struct dir_entry e;
	uint8_t b[8];

	if (find_file(name, &e) || !e.size || e.size > 8 || (e.size & (e.size - 1)))
		return defval;
	sel(e.select);
	rd(b, e.size);
	return le(b, e.size);
}

static void test_registers_0x510_0x511(void **state)
{
	(void)state;
	assert_int_equal(reg.calls, 1);
	assert_int_equal(reg.base, 0x510);
	assert_int_equal(reg.len, 2); /* DMA ports 0x514-0x51b stay unclaimed */
	assert_ptr_equal(reg.dev, &cfg);
}

static void test_signature(void **state)
{
	uint8_t b[6];

	(void)state;
	sel(FW_CFG_SIGNATURE);
	rd(b, 6);
	assert_memory_equal(b, "QEMU\0\0", 6); /* then zeros past the end */
}

static void test_id_has_no_dma(void **state)
{
	(void)state;
	assert_int_equal(read_int(FW_CFG_ID, 4), 1);
	assert_int_equal(read_int(FW_CFG_ID, 8), 1);
}

static void test_unknown_keys_read_zero(void **state)
{
	static const uint16_t keys[] = { FW_CFG_UUID, FW_CFG_NOGRAPHIC, 0x0d, 0x8000, 0x8003,
					 0x1234, FW_CFG_FILE_FIRST, 0xffff };
	uint8_t b[16], zero[16] = { 0 };

	(void)state;
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		sel(keys[i]);
		rd(b, sizeof(b));
		assert_memory_equal(b, zero, sizeof(b));
	}
}

static void test_reselect_restarts_and_writes_are_ignored(void **state)
{
	uint8_t b[4];

	(void)state;
	sel(FW_CFG_SIGNATURE);
	rd(b, 2);
	io(0x511, 1, true, 'X');      /* data writes: ignored */
	io(0x510, 1, true, 0x01);     /* a byte write is no selector write */
	assert_int_equal(io(0x510, 1, false, 0x55), 0); /* the selector is write-only ... */
	rd(b + 2, 2);                 /* ... and reading it does not advance the data */
	assert_memory_equal(b, "QEMU", 4);
	sel(FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL); /* bit 14 does not change what is read */
	rd(b, 4);
	assert_memory_equal(b, "QEMU", 4);
}

static void test_file_dir_layout(void **state)
{
	static const uint8_t a[3] = { 1, 2, 3 }, c[300] = { [299] = 9 };
	static const char long_name[] = "opt/012345678901234567890123456789012345678901234567890";
	struct dir_entry e[FW_CFG_FILES_MAX];
	uint8_t raw[8];

	(void)state;
	assert_int_equal(read_dir(e, FW_CFG_FILES_MAX), 0);
	assert_int_equal(sizeof(long_name) - 1, 55);
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/a", a, sizeof(a)), 0);
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/empty", NULL, 0), 0);
	assert_int_equal(fw_cfg_add_file(&cfg, long_name, c, sizeof(c)), 0);
	assert_int_equal(read_dir(e, FW_CFG_FILES_MAX), 3);
	assert_int_equal(e[0].size, 3);
	assert_int_equal(e[0].select, 0x20);
	assert_int_equal(e[1].size, 0);
	assert_int_equal(e[1].select, 0x21);
	assert_int_equal(e[2].size, 300);
	assert_int_equal(e[2].select, 0x22);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(e[i].reserved, 0);
	assert_memory_equal(e[0].name, "etc/a\0\0\0\0\0\0\0", 12); /* NUL-padded */
	assert_string_equal(e[1].name, "etc/empty");
	assert_memory_equal(e[2].name, long_name, 56); /* its NUL is the 56th byte */
	/* Byte order on the wire: count and size big-endian. */
	sel(FW_CFG_FILE_DIR);
	rd(raw, 8);
	assert_memory_equal(raw, "\0\0\0\3\0\0\0\3", 8);
	rd(raw, 4);
	assert_memory_equal(raw, "\0\x20\0\0", 4);
	/* Past the last entry: zeros. */
	sel(FW_CFG_FILE_DIR);
	for (unsigned i = 0; i < 4 + 3 * 64; i++)
		rd(raw, 1);
	rd(raw, 8);
	assert_memory_equal(raw, "\0\0\0\0\0\0\0\0", 8);
}

static void test_read_file_then_zeros(void **state)
{
	static const uint8_t data[5] = { 0xde, 0xad, 0xbe, 0xef, 0x42 };
	struct dir_entry e;
	uint8_t b[9];

	(void)state;
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/x", "no", 2), 0);
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/data", data, sizeof(data)), 0);
	assert_int_equal(find_file("etc/data", &e), 0);
	assert_int_equal(e.size, 5);
	sel(e.select);
	rd(b, sizeof(b));
	assert_memory_equal(b, data, 5);
	assert_memory_equal(b + 5, "\0\0\0\0", 4);
}

/* The data stays the caller's: what the guest reads is what is there now. */
static void test_file_data_not_copied(void **state)
{
	uint8_t buf[2] = { 1, 2 }, b[2];

	(void)state;
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/live", buf, sizeof(buf)), 0);
	buf[1] = 7;
	sel(FW_CFG_FILE_FIRST);
	rd(b, 2);
	assert_int_equal(b[1], 7);
}

static void test_add_file_errors(void **state)
{
	char name[64];
	uint8_t x = 0;

	(void)state;
	memset(name, 'a', sizeof(name));
	name[56] = 0;
	assert_int_equal(fw_cfg_add_file(&cfg, name, &x, 1), -EINVAL); /* 56 chars */
	name[55] = 0;
	assert_int_equal(fw_cfg_add_file(&cfg, name, &x, 1), 0);
	assert_int_equal(fw_cfg_add_file(&cfg, name, &x, 1), -EEXIST);
	assert_int_equal(fw_cfg_add_file(&cfg, "", &x, 1), -EINVAL);
	assert_int_equal(fw_cfg_add_file(&cfg, NULL, &x, 1), -EINVAL);
	assert_int_equal(fw_cfg_add_file(&cfg, "etc/null", NULL, 1), -EINVAL);
	assert_int_equal(fw_cfg_add_file_int(&cfg, "etc/three", 1, 3), -EINVAL);
	for (unsigned i = 1; i < FW_CFG_FILES_MAX; i++) {
		snprintf(name, sizeof(name), "f%u", i);
		assert_int_equal(fw_cfg_add_file(&cfg, name, &x, 1), 0);
	}
	assert_int_equal(fw_cfg_add_file(&cfg, "one/too/many", &x, 1), -ENOSPC);
	assert_int_equal(cfg.nr_files, FW_CFG_FILES_MAX);
}

static void test_legacy_keys(void **state)
{
	static const uint8_t uuid[16] = { 0x11, [15] = 0xff };
	uint8_t b[16];

	(void)state;
	assert_int_equal(fw_cfg_add_bytes(&cfg, FW_CFG_UUID, uuid, sizeof(uuid)), 0);
	sel(FW_CFG_UUID);
	rd(b, 16);
	assert_memory_equal(b, uuid, 16);
	assert_int_equal(fw_cfg_add_int(&cfg, 0x8002, 1, 1), 0); /* ARCH_LOCAL: irq0 override */
	assert_int_equal(read_int(0x8002, 1), 1);
	assert_int_equal(read_int(0x0002, 1), 0x11); /* not confused with its twin */

	assert_int_equal(fw_cfg_add_bytes(&cfg, FW_CFG_SIGNATURE, "XEMU", 4), -EEXIST);
	assert_int_equal(fw_cfg_add_int(&cfg, FW_CFG_ID, 3, 4), -EEXIST);
	assert_int_equal(fw_cfg_add_bytes(&cfg, FW_CFG_FILE_DIR, uuid, 4), -EINVAL);
	assert_int_equal(fw_cfg_add_bytes(&cfg, FW_CFG_FILE_FIRST, uuid, 4), -EINVAL);
	assert_int_equal(fw_cfg_add_bytes(&cfg, 0x4003, uuid, 4), -EINVAL);
	assert_int_equal(fw_cfg_add_bytes(&cfg, 0x0003, NULL, 4), -EINVAL);
	assert_int_equal(fw_cfg_add_int(&cfg, 0x0003, 1, 5), -EINVAL);
	for (uint16_t k = 0x06; cfg.nr_items < FW_CFG_ITEMS_MAX; k++)
		assert_int_equal(fw_cfg_add_int(&cfg, k, k, 2), 0);
	assert_int_equal(fw_cfg_add_int(&cfg, 0x1f, 1, 2), -ENOSPC);
}

static void test_machine_items(void **state)
{
	uint8_t b[4];

	(void)state;
	assert_int_equal(fw_cfg_add_machine(&cfg, 0x123456789aULL, 2, 4), 0);
	assert_int_equal(read_int(FW_CFG_RAM_SIZE, 8), 0x123456789aULL);
	assert_int_equal(read_int(FW_CFG_NB_CPUS, 2), 2);
	assert_int_equal(read_int(FW_CFG_MAX_CPUS, 2), 4);
	sel(FW_CFG_NB_CPUS);
	rd(b, 4);
	assert_memory_equal(b, "\2\0\0\0", 4); /* le16, then zeros */
}

static void test_e820(void **state)
{
	static const struct fw_cfg_e820_entry map[3] = {
		{ 0, 0x9fc00, FW_CFG_E820_RAM },
		{ 0x100000, 0xbff00000, FW_CFG_E820_RAM },
		{ 0x100000000ULL, 0x40000000, FW_CFG_E820_RAM },
	};
	struct dir_entry e;
	uint8_t b[20];

	(void)state;
	assert_int_equal(fw_cfg_add_e820(&cfg, map, 3), 0);
	assert_int_equal(find_file("etc/e820", &e), 0);
	assert_int_equal(e.size, 60);
	sel(e.select);
	for (unsigned i = 0; i < 3; i++) {
		rd(b, 20);
		assert_int_equal(le(b, 8), map[i].address);
		assert_int_equal(le(b + 8, 8), map[i].length);
		assert_int_equal(le(b + 16, 4), map[i].type);
	}
	rd(b, 1);
	assert_int_equal(b[0], 0);
	/* The raw bytes of the last entry, as SeaBIOS's packed struct reads them. */
	sel(e.select);
	for (unsigned i = 0; i < 3; i++)
		rd(b, 20);
	assert_memory_equal(b, "\0\0\0\0\1\0\0\0\0\0\0\x40\0\0\0\0\1\0\0\0", 20);
}

static void test_sercon_port(void **state)
{
	struct dir_entry e;

	(void)state;
	assert_int_equal(loadint("etc/sercon-port", 0), 0);
	assert_int_equal(fw_cfg_add_sercon_port(&cfg, 0x3f8), 0);
	assert_int_equal(find_file("etc/sercon-port", &e), 0);
	assert_int_equal(e.size, 2);
	assert_int_equal(loadint("etc/sercon-port", 0), 0x3f8);
	assert_int_equal(fw_cfg_add_file_int(&cfg, "etc/boot-fail-wait", 0x0102030405ULL, 8), 0);
	assert_int_equal(loadint("etc/boot-fail-wait", 0), 0x0102030405ULL);
}

static void test_bootorder(void **state)
{
	static const char paths[] = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n/rom@genroms/x.bin";
	struct dir_entry e;
	char b[sizeof(paths) + 2];

	(void)state;
	assert_int_equal(fw_cfg_add_bootorder(&cfg, ""), 0);
	assert_int_equal(find_file("bootorder", &e), -1); /* none: no file at all */
	assert_int_equal(fw_cfg_add_bootorder(&cfg, paths), 0);
	assert_int_equal(find_file("bootorder", &e), 0);
	assert_int_equal(e.size, sizeof(paths)); /* the NUL included */
	sel(e.select);
	rd(b, sizeof(b));
	assert_memory_equal(b, paths, sizeof(paths));
	assert_int_equal(b[sizeof(paths)], 0);
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_registers_0x510_0x511),
		T(test_signature),
		T(test_id_has_no_dma),
		T(test_unknown_keys_read_zero),
		T(test_reselect_restarts_and_writes_are_ignored),
		T(test_file_dir_layout),
		T(test_read_file_then_zeros),
		T(test_file_data_not_copied),
		T(test_add_file_errors),
		T(test_legacy_keys),
		T(test_machine_items),
		T(test_e820),
		T(test_sercon_port),
		T(test_bootorder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
