/* SPDX-License-Identifier: MIT */
/*
 * ELF64 executable checks. The image comes from disk, so every offset and
 * size is checked against len, with arithmetic that cannot wrap, before it
 * is used. No library calls (see boot/config.c for why NO_LIBCALLS).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <boot/elf64.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALLS
#endif

#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PF_X          1

struct elf64_ehdr {
	uint8_t  e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr layout");

/* Error text: literal pieces and numbers appended to a bounded buffer. */
struct msg {
	char *buf;
	size_t cap, len;
};

static void NO_LIBCALLS zero(void *dst, size_t n)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = 0;
}

/*
 * The image may sit at any alignment, so headers are copied out byte-wise
 * rather than cast. x86-64 only: the fields are little-endian like the host.
 */
static void NO_LIBCALLS copy_in(void *dst, const uint8_t *src, size_t n)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = src[i];
}

static void msg_char(struct msg *m, char c)
{
	if (m->len + 1 < m->cap) {
		m->buf[m->len++] = c;
		m->buf[m->len] = '\0';
	}
}

static struct msg *msg_str(struct msg *m, const char *s)
{
	while (*s)
		msg_char(m, *s++);
	return m;
}

static struct msg *msg_num(struct msg *m, uint64_t v, unsigned base)
{
	char digits[20];
	unsigned n = 0;

	if (base == 16)
		msg_str(m, "0x");
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		msg_char(m, digits[--n]);
	return m;
}

static int fail(struct msg *m, const char *s)
{
	msg_str(m, s);
	return -1;
}

static int fail_num(struct msg *m, const char *pre, uint64_t v, unsigned base,
		    const char *post)
{
	msg_str(msg_num(msg_str(m, pre), v, base), post);
	return -1;
}

static int check_header(const struct elf64_ehdr *eh, size_t len, struct msg *m)
{
	const uint8_t *id = eh->e_ident;

	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return fail(m, "not an ELF file (bad magic)");
	if (id[EI_CLASS] != ELFCLASS64)
		return fail_num(m, "not a 64-bit ELF (class ", id[EI_CLASS], 10, ")");
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail_num(m, "not little-endian (data ", id[EI_DATA], 10, ")");
	if (id[EI_VERSION] != EV_CURRENT)
		return fail_num(m, "bad ELF version ", id[EI_VERSION], 10, "");
	/* ET_DYN: a position-independent image linked at 0, loaded anywhere. */
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		return fail_num(m, "not an executable (e_type ", eh->e_type, 10, ")");
	if (eh->e_machine != EM_X86_64)
		return fail_num(m, "not x86-64 (e_machine ", eh->e_machine, 10, ")");
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail_num(m, "bad program header size ", eh->e_phentsize, 10, "");
	/* e_phnum <= 0xffff, so the product cannot overflow. */
	if (eh->e_phoff > len ||
	    (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr) > len - eh->e_phoff)
		return fail(m, "program headers extend past end of file");
	return 0;
}

static int check_seg(const struct elf64_phdr *ph, unsigned i, size_t len,
		     struct msg *m)
{
	if (ph->p_filesz > ph->p_memsz) {
		fail_num(m, "segment ", i, 10, ": file size ");
		msg_num(m, ph->p_filesz, 16);
		return fail_num(m, " exceeds memory size ", ph->p_memsz, 16, "");
	}
	if (ph->p_offset > len || ph->p_filesz > len - ph->p_offset)
		return fail_num(m, "segment ", i, 10, " extends past end of file");
	if (ph->p_memsz > UINT64_MAX - ph->p_paddr)
		return fail_num(m, "segment ", i, 10, " wraps around the address space");
	return 0;
}

/*
 * Records program header i after checking it against those already taken;
 * idx[] remembers their phdr indices so messages match readelf's numbering.
 */
static int add_seg(struct elf64_image *out, const struct elf64_phdr *ph,
		   unsigned i, unsigned *idx, struct msg *m)
{
	uint64_t end = ph->p_paddr + ph->p_memsz;
	struct elf64_seg *s;

	for (unsigned k = 0; k < out->nr_segs; k++) {
		const struct elf64_seg *o = &out->segs[k];

		if (ph->p_paddr < o->addr + o->mem_size && o->addr < end) {
			fail_num(m, "segments ", idx[k], 10, " and ");
			return fail_num(m, "", i, 10, " overlap");
		}
	}
	if (out->nr_segs == ELF64_SEGS_MAX)
		return fail_num(m, "more than ", ELF64_SEGS_MAX, 10, " PT_LOAD segments");
	idx[out->nr_segs] = i;
	s = &out->segs[out->nr_segs++];
	s->file_off = ph->p_offset;
	s->file_size = ph->p_filesz;
	s->addr = ph->p_paddr;
	s->mem_size = ph->p_memsz;
	s->flags = ph->p_flags;
	if (out->nr_segs == 1 || s->addr < out->lowest)
		out->lowest = s->addr;
	if (end > out->highest)
		out->highest = end;
	return 0;
}

/*
 * e_entry is compared with the p_paddr ranges: Keel and its guests start
 * identity-mapped, so the entry is jumped to as a physical address.
 */
static bool entry_ok(const struct elf64_image *out)
{
	for (unsigned k = 0; k < out->nr_segs; k++) {
		const struct elf64_seg *s = &out->segs[k];

		if ((s->flags & PF_X) && out->entry >= s->addr &&
		    out->entry - s->addr < s->mem_size)
			return true;
	}
	return false;
}

int elf64_check(const void *img, size_t len, struct elf64_image *out, char *err,
		size_t errlen)
{
	char dummy;
	struct msg m = { err ? err : &dummy, err ? errlen : 1, 0 };
	const uint8_t *p = img;
	unsigned idx[ELF64_SEGS_MAX];
	struct elf64_ehdr eh;

	if (m.cap)
		m.buf[0] = '\0';
	if (!out)
		return fail(&m, "no output");
	zero(out, sizeof(*out));
	if (!img || len < sizeof(eh))
		return fail_num(&m, "file too small for an ELF header (", len, 10,
				" bytes)");
	copy_in(&eh, p, sizeof(eh));
	if (check_header(&eh, len, &m))
		return -1;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct elf64_phdr ph;

		copy_in(&ph, p + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (check_seg(&ph, i, len, &m))
			return -1;
		/* An empty PT_LOAD has nothing to load and cannot hold code. */
		if (!ph.p_memsz)
			continue;
		if (add_seg(out, &ph, i, idx, &m))
			return -1;
	}
	if (!out->nr_segs)
		return fail(&m, "no PT_LOAD segment");
	out->entry = eh.e_entry;
	out->relocatable = eh.e_type == ET_DYN;
	if (!entry_ok(out))
		return fail_num(&m, "entry ", eh.e_entry, 16,
				" is not in an executable segment");
	return 0;
}
