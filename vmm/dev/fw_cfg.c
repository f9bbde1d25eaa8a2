/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg, I/O-port interface; see keel/dev/fw_cfg.h. Facts from QEMU's
 * docs/specs/fw_cfg.rst: writing the selector sets the data offset to 0;
 * each data read returns the byte at the offset and advances it; reads past
 * the end of an item, or of an item that does not exist, return 0; the
 * write bit (0x4000) of the selector only matters for writes, which the
 * traditional interface ignores.
 */
#include <stdbool.h>
#include <keel/dev/fw_cfg.h>
#include <keel/errno.h>
#include <keel/io.h>
#include <keel/string.h>

static const uint8_t signature[4] = { 'Q', 'E', 'M', 'U' };

static uint8_t blob_byte(const struct fw_cfg_blob *b, uint32_t off)
{
	if (off >= b->len)
		return 0;
	return b->data ? b->data[off] : b->small[off];
}

/*
 * FILE_DIR, generated as it is read: be32 count, then per file be32 size,
 * be16 select, be16 reserved, char name[56].
 */
static uint8_t dir_byte(const struct fw_cfg *f, uint32_t off)
{
	uint32_t i, field;

	if (off < 4)
		return (uint8_t)(f->nr_files >> (8 * (3 - off)));
	i = (off - 4) / FW_CFG_DIR_ENTRY_SIZE;
	field = (off - 4) % FW_CFG_DIR_ENTRY_SIZE;
	if (i >= f->nr_files)
		return 0;
	if (field < 4)
		return (uint8_t)(f->files[i].blob.len >> (8 * (3 - field)));
	if (field < 6)
		return (uint8_t)((FW_CFG_FILE_FIRST + i) >> (8 * (5 - field)));
	if (field < 8)
		return 0;
	return (uint8_t)f->files[i].name[field - 8];
}

static const struct fw_cfg_blob *find_item(const struct fw_cfg *f, uint16_t key)
{
	for (unsigned i = 0; i < f->nr_items; i++)
		if (f->items[i].key == key)
			return &f->items[i].blob;
	return NULL;
}

static uint8_t data_byte(const struct fw_cfg *f)
{
	uint16_t key = f->sel & (uint16_t)~FW_CFG_WRITE_CHANNEL;
	const struct fw_cfg_blob *b;

	if (key == FW_CFG_FILE_DIR)
		return dir_byte(f, f->off);
	if (key >= FW_CFG_FILE_FIRST && key < FW_CFG_FILE_FIRST + f->nr_files)
		return blob_byte(&f->files[key - FW_CFG_FILE_FIRST].blob, f->off);
	b = find_item(f, key);
	return b ? blob_byte(b, f->off) : 0;
}

static int fw_cfg_io(struct vm *vm, void *dev, struct io_access *a)
{
	struct fw_cfg *f = dev;

	(void)vm;
	if (a->write) {
		/* 16-bit writes to 0x510 select; data-port writes are ignored. */
		if (a->addr == FW_CFG_PORT_SEL && a->size == 2) {
			f->sel = (uint16_t)a->value;
			f->off = 0;
		}
		return 0;
	}
	if (a->addr == FW_CFG_PORT_DATA && a->size == 1) {
		a->value = data_byte(f);
		if (f->off != UINT32_MAX)
			f->off++;
	} else {
		a->value = 0; /* the selector is write-only */
	}
	return 0;
}

static void set_int(struct fw_cfg_blob *b, uint64_t value, unsigned size)
{
	*b = (struct fw_cfg_blob){ .len = size };
	for (unsigned i = 0; i < size; i++)
		b->small[i] = (uint8_t)(value >> (8 * i));
}

static bool int_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* A new legacy item, or NULL with *err set. */
static struct fw_cfg_blob *new_item(struct fw_cfg *f, uint16_t key, int *err)
{
	*err = 0;
	if ((key & (uint16_t)~FW_CFG_ARCH_LOCAL) >= FW_CFG_FILE_FIRST ||
	    key == FW_CFG_FILE_DIR)
		*err = -EINVAL;
	else if (find_item(f, key))
		*err = -EEXIST;
	else if (f->nr_items == FW_CFG_ITEMS_MAX)
		*err = -ENOSPC;
	if (*err)
		return NULL;
	f->items[f->nr_items].key = key;
	return &f->items[f->nr_items++].blob;
}

int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len)
{
	struct fw_cfg_blob *b;
	int err;

	if (!data && len)
		return -EINVAL;
	b = new_item(f, key, &err);
	if (b)
		*b = (struct fw_cfg_blob){ .data = data, .len = len };
	return err;
}

int fw_cfg_add_int(struct fw_cfg *f, uint16_t key, uint64_t value, unsigned size)
{
	struct fw_cfg_blob *b;
	int err;

	if (!int_size_ok(size))
		return -EINVAL;
	b = new_item(f, key, &err);
	if (b)
		set_int(b, value, size);
	return err;
}

static struct fw_cfg_blob *new_file(struct fw_cfg *f, const char *name, int *err)
{
	size_t n = name ? strlen(name) : 0;

	*err = 0;
	if (n == 0 || n >= FW_CFG_NAME_MAX)
		*err = -EINVAL;
	for (unsigned i = 0; !*err && i < f->nr_files; i++)
		if (!strncmp(f->files[i].name, name, FW_CFG_NAME_MAX))
			*err = -EEXIST;
	if (!*err && f->nr_files == FW_CFG_FILES_MAX)
		*err = -ENOSPC;
	if (*err)
		return NULL;
	/* Zero-padded since fw_cfg_init(): SeaBIOS compares the NUL too ("etc/e820", 9 bytes). */
	memcpy(f->files[f->nr_files].name, name, n);
	return &f->files[f->nr_files++].blob;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len)
{
	struct fw_cfg_blob *b;
	int err;

	if (!data && len)
		return -EINVAL;
	b = new_file(f, name, &err);
	if (b)
		*b = (struct fw_cfg_blob){ .data = data, .len = len };
	return err;
}

int fw_cfg_add_file_int(struct fw_cfg *f, const char *name, uint64_t value, unsigned size)
{
	struct fw_cfg_blob *b;
	int err;

	if (!int_size_ok(size))
		return -EINVAL;
	b = new_file(f, name, &err);
	if (b)
		set_int(b, value, size);
	return err;
}

int fw_cfg_add_machine(struct fw_cfg *f, uint64_t ram_size, uint16_t nb_cpus, uint16_t max_cpus)
{
	int err = fw_cfg_add_int(f, FW_CFG_RAM_SIZE, ram_size, 8);

	if (!err)
		err = fw_cfg_add_int(f, FW_CFG_NB_CPUS, nb_cpus, 2);
	if (!err)
		err = fw_cfg_add_int(f, FW_CFG_MAX_CPUS, max_cpus, 2);
	return err;
}

int fw_cfg_add_e820(struct fw_cfg *f, const struct fw_cfg_e820_entry *map, unsigned n)
{
	if (n > UINT32_MAX / sizeof(*map))
		return -EINVAL;
	return fw_cfg_add_file(f, "etc/e820", map, n * (uint32_t)sizeof(*map));
}

int fw_cfg_add_sercon_port(struct fw_cfg *f, uint16_t port)
{
	return fw_cfg_add_file_int(f, "etc/sercon-port", port, 2);
}

/*
 * SeaBIOS splits the file at newlines; an empty file would give it one
 * empty pattern, so like QEMU, no boot devices means no file.
 */
int fw_cfg_add_bootorder(struct fw_cfg *f, const char *paths)
{
	size_t n = strlen(paths);

	if (!n)
		return 0;
	if (n >= UINT32_MAX)
		return -EINVAL;
	return fw_cfg_add_file(f, "bootorder", paths, (uint32_t)n + 1);
}

void fw_cfg_init(struct fw_cfg *f)
{
	memset(f, 0, sizeof(*f));
	fw_cfg_add_bytes(f, FW_CFG_SIGNATURE, signature, sizeof(signature));
	fw_cfg_add_int(f, FW_CFG_ID, FW_CFG_ID_TRADITIONAL, 4);
}

int fw_cfg_register(struct vm *vm, struct fw_cfg *f)
{
	return io_register_pio(vm, FW_CFG_PORT_SEL, 2, fw_cfg_io, f);
}
