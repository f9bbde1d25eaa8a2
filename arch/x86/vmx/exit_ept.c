/* SPDX-License-Identifier: MIT */
/*
 * EPT violations. Guest RAM is mapped in full, so a violation is either an
 * access to an emulated device (decode the instruction and emulate it) or
 * a guest touching memory it does not have: that guest is stopped with a
 * report naming the address. The VM-exit instruction length is undefined
 * for EPT violations (SDM 3C 28.2.5), so RIP advances by the decoded length.
 * A plain MOV is one device access; the ALU forms, XCHG and CMPXCHG a
 * read and a write (a LOCK prefix changes nothing: see arch/decode.h),
 * TEST/CMP/BT a read, and the ALU forms set the flags. STOS/MOVS:
 * mmio_string.c.
 */
#include "vmx_priv.h"
#include <arch/alu.h>
#include <arch/cpu.h>
#include <arch/decode.h>
#include <keel/io.h>
#include <keel/string.h>
#include <keel/vm.h>

#define EPT_QUAL_READ  BIT(0)
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)

void vmx_mmio_string(struct vcpu *v, const struct mmio_insn *in, bool long64);

static enum cpu_mode guest_mode(void)
{
	uint32_t cs_ar = vmcs_read32(VMCS_GUEST_CS_AR);

	if (!(vmcs_read(VMCS_GUEST_CR0) & CR0_PE))
		return CPU_MODE_REAL16;
	if (cs_ar & BIT(13)) /* CS.L */
		return CPU_MODE_LONG64;
	return (cs_ar & BIT(14)) ? CPU_MODE_PROT32 : CPU_MODE_PROT16;
}

static uint64_t reg_read(struct vcpu *v, const struct mmio_insn *in)
{
	uint64_t r = v->gpr.r[in->reg];

	return in->high8 ? r >> 8 : r;
}

static void reg_write(struct vcpu *v, const struct mmio_insn *in, uint64_t val)
{
	uint64_t *r = &v->gpr.r[in->reg];
	unsigned size = in->dst_size;

	if (in->sign_extend && in->size < 8 && (val >> (8 * in->size - 1)) & 1)
		val |= ~0ULL << (8 * in->size);
	if (in->high8)
		*r = (*r & ~0xff00ULL) | (val & 0xff) << 8;
	else if (size == 8)
		*r = val;
	else if (size == 4)
		*r = (uint32_t)val; /* 32-bit writes zero-extend */
	else
		*r = (*r & ~((1ULL << (8 * size)) - 1)) | (val & ((1ULL << (8 * size)) - 1));
}

/*
 * A read for a read-modify-write: a write to ROM or write-protected shadow
 * RAM exits too, and its read half sees the memory there, not the bus.
 */
static void rmw_read(struct vcpu *v, struct io_access *a)
{
	const void *p = vm_gpa_to_hva(v->vm, a->addr, a->size);

	a->value = 0;
	if (p)
		memcpy(&a->value, p, a->size);
	else if (io_mmio(v->vm, a))
		a->value = ~0ULL;
}

static uint64_t size_mask(unsigned size)
{
	return size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/*
 * The ALU forms with a memory operand: read it, compute, set the flags,
 * store. BT* with a register bit offset address the operand-sized word
 * holding the bit: the CPU adds (offset DIV width) words to the address
 * (SDM Vol. 2A "BT"), so the exit's address is that word's already, and
 * only the offset MOD width is left, as alu_compute() takes it.
 */
static void mmio_alu(struct vcpu *v, const struct mmio_insn *in, struct io_access *a)
{
	uint64_t src = in->has_imm ? in->imm : reg_read(v, in);
	uint64_t rflags = vmcs_read(VMCS_GUEST_RFLAGS), res;

	rmw_read(v, a);
	if (in->reg_left)
		res = alu_compute(in->alu, in->size, src, a->value, &rflags);
	else
		res = alu_compute(in->alu, in->size, a->value, src, &rflags);
	vmcs_write(VMCS_GUEST_RFLAGS, rflags);
	if (!in->writeback)
		return;
	if (in->reg_left) {
		reg_write(v, in, res);
	} else {
		a->write = true;
		a->value = res;
		io_mmio(v->vm, a); /* no device in ROM: the write is lost, as on a PC */
	}
}

/*
 * XCHG: memory gets the register, the register the old value. CMPXCHG
 * (SDM Vol. 2A): flags of CMP rAX, memory; if equal, memory gets the
 * register, else rAX gets memory (a 32-bit rAX write zero-extends) and
 * memory its own value back: the CPU writes the destination either way.
 */
/* Out of line, as mmio_sse(): inlined, they cost the plain MOV path registers. */
static __attribute__((noinline)) void mmio_xchg(struct vcpu *v, const struct mmio_insn *in,
						 struct io_access *a)
{
	uint64_t src = reg_read(v, in), old, rflags;
	struct mmio_insn acc = { .reg = REG_RAX, .dst_size = in->size };

	rmw_read(v, a);
	old = a->value & size_mask(in->size);
	if (in->op == MMIO_XCHG) {
		reg_write(v, in, old);
	} else {
		rflags = vmcs_read(VMCS_GUEST_RFLAGS);
		alu_compute(ALU_SUB, in->size, v->gpr.r[REG_RAX], old, &rflags);
		vmcs_write(VMCS_GUEST_RFLAGS, rflags);
		if (!(rflags & RFLAGS_ZF)) {
			reg_write(v, &acc, old);
			src = old;
		}
	}
	a->write = true;
	a->value = src & size_mask(in->size);
	io_mmio(v->vm, a);
}

/*
 * The SSE moves (MOVD, MOVQ, MOVDQA, MOVDQU). The guest's XMM registers
 * are in the CPU during its exit: arch_fpu_switch() made this vCPU the
 * FPU's owner before entry, and Keel's own code uses general registers
 * only. They are reached through the vCPU's FXSAVE image (XMM n at byte
 * 160 + 16n, SDM Vol. 1 10.5.1): saved there, read or changed, and a
 * changed image loaded back, so the image and the CPU agree afterwards.
 * A 16-byte access reaches the device as two 8-byte ones, low half
 * first: struct io_access carries at most 8 bytes, and the CPU does not
 * make a 16-byte access atomic either (SDM Vol. 3A "Guaranteed Atomic
 * Operations"). MOVD and MOVQ loads zero the rest of the register.
 */
static __attribute__((noinline)) void mmio_sse(struct vcpu *v, const struct mmio_insn *in,
						struct io_access *a)
{
	uint8_t *image = &v->arch.fpu[160 + 16 * in->reg];
	bool load = in->op == MMIO_XMM_LOAD;
	uint64_t xmm[2] = { 0, 0 }, gpa = a->addr;

	__asm__ volatile("fxsave64 %0" : "=m"(v->arch.fpu));
	if (!load)
		__builtin_memcpy(xmm, image, sizeof(xmm));
	a->size = in->size < 8 ? in->size : 8;
	for (unsigned i = 0; i < (in->size == 16 ? 2u : 1u); i++) {
		a->addr = gpa + 8 * i;
		a->write = !load;
		a->value = xmm[i] & size_mask(a->size);
		if (io_mmio(v->vm, a) && load)
			a->value = ~0ULL;
		xmm[i] = a->value & size_mask(a->size);
	}
	if (load) {
		__builtin_memcpy(image, xmm, sizeof(xmm));
		__asm__ volatile("fxrstor64 %0" : : "m"(v->arch.fpu));
	}
}

static __attribute__((noreturn, noinline, cold)) void ept_outside(struct vcpu *v, uint64_t q,
								 uint64_t gpa)
{
	vm_stop(v->vm, "EPT violation: %s at guest-physical 0x%lx, outside the guest's memory",
		q & EPT_QUAL_FETCH ? "instruction fetch" : q & EPT_QUAL_WRITE ? "write" : "read", gpa);
}

/*
 * A doorbell (keel/io.h): a plain store there is explained by the exit
 * alone, the address names what to do and the value does not matter, so
 * it is rung without emulating the instruction. Only its length is
 * decoded: the VM-exit instruction-length field is undefined for EPT
 * violations (SDM 3C 28.2.5, 27.2.5 in older editions: "All VM exits
 * other than those listed in the above items leave this field
 * undefined"). Anything but a MOV store (decode_store_len) goes to the
 * full emulator, which reaches the same device through its MMIO range.
 */
static __attribute__((noinline)) bool ring_doorbell(struct vcpu *v, uint64_t gpa)
{
	const struct io_bell *b = io_find_bell(&v->vm->io, gpa);
	uint8_t bytes[15];
	uint64_t rip;
	unsigned n;
	int len;

	if (!b)
		return false;
	rip = vmcs_read(VMCS_GUEST_RIP);
	n = vmx_guest_read_linear(v, vmcs_read(VMCS_GUEST_CS_BASE) + rip, bytes, sizeof(bytes));
	len = decode_store_len(bytes, n, guest_mode());
	if (len < 0)
		return false;
	b->fn(v->vm, b->dev, gpa - b->base);
	vmcs_write(VMCS_GUEST_RIP, rip + (unsigned)len);
	return true;
}

/*
 * The emulation, inlined into the EPT-violation exit: as a call (from
 * ebf2d18, for the APIC-access exits) it cost every MMIO exit a second
 * prologue and epilogue (make bench: bench64 MMIO 765 -> 780).
 */
static inline __attribute__((always_inline)) struct vcpu *mmio_at(struct vcpu *v, uint64_t gpa)
{
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	struct io_access a = { .addr = gpa };
	enum cpu_mode mode;
	struct mmio_insn in;
	const char *why;
	uint8_t bytes[15] = { 0 }; /* a short fetch is reported as zeros, not stack garbage */
	unsigned n;

	n = vmx_guest_read_linear(v, vmcs_read(VMCS_GUEST_CS_BASE) + rip, bytes, sizeof(bytes));
	mode = guest_mode();
	if (decode_mmio(bytes, n, mode, &in, &why))
		vm_stop(v->vm, "MMIO at 0x%lx by an instruction Keel cannot emulate (%s), "
			"bytes %02x %02x %02x %02x", gpa, why, bytes[0], bytes[1], bytes[2], bytes[3]);
	a.size = in.size;
	if (in.op == MMIO_LOAD) {
		if (io_mmio(v->vm, &a))
			a.value = ~0ULL;
		reg_write(v, &in, a.value & (in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1));
	} else if (in.op == MMIO_STORE) {
		a.write = true;
		a.value = in.has_imm ? in.imm : reg_read(v, &in);
		if (a.size < 8)
			a.value &= (1ULL << (8 * a.size)) - 1;
		io_mmio(v->vm, &a);
	} else if (in.op == MMIO_ALU) {
		mmio_alu(v, &in, &a);
	} else if (in.op == MMIO_XCHG || in.op == MMIO_CMPXCHG) {
		mmio_xchg(v, &in, &a);
	} else if (in.op == MMIO_XMM_LOAD || in.op == MMIO_XMM_STORE) {
		mmio_sse(v, &in, &a);
	} else {
		vmx_mmio_string(v, &in, mode == CPU_MODE_LONG64); /* moves RIP itself */
		return v;
	}
	vmcs_write(VMCS_GUEST_RIP, rip + in.len);
	return v;
}

struct vcpu *exit_ept_violation(struct vcpu *v)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);

	/*
	 * A write to a doorbell (not a read-modify-write: that reads too). Its
	 * test shares the fetch's, so reads pay nothing; other writes pay the
	 * window's (make bench: hvm EOI and TPR writes 5 ticks).
	 */
	if (q & (EPT_QUAL_FETCH | EPT_QUAL_WRITE)) {
		if (q & EPT_QUAL_FETCH)
			ept_outside(v, q, gpa);
		if (io_bell_window(&v->vm->io, gpa) && !(q & EPT_QUAL_READ) && ring_doorbell(v, gpa))
			return v;
	}

	/*
	 * Nothing there: an hvm guest gets what a PC's bus gives (reads of all
	 * ones, writes lost); a test guest that strays is stopped with a report.
	 * An hvm guest's exit skips the search: io_mmio searches again anyway.
	 */
	if (!v->vm->hvm && !io_find(v->vm->io.mmio, v->vm->io.nr_mmio, gpa, 1))
		ept_outside(v, q, gpa);
	return mmio_at(v, gpa);
}

/* Also for APIC-access exits (apicv.c), whose address comes from the qualification. */
struct vcpu *vmx_mmio_at(struct vcpu *v, uint64_t gpa)
{
	return mmio_at(v, gpa);
}
