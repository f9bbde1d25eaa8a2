/* SPDX-License-Identifier: MIT */
/*
 * EPT violations. Guest RAM is mapped in full, so a violation is either an
 * access to an emulated device (decode the instruction and emulate it) or
 * a guest touching memory it does not have: that guest is stopped with a
 * report naming the address. The VM-exit instruction length is undefined
 * for EPT violations (SDM 3C 28.2.5), so RIP advances by the decoded length.
 * A plain MOV is one device access; OR/AND/XOR are a read and a write,
 * TEST/CMP a read, and all of them set the flags. STOS/MOVS: mmio_string.c.
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

/* OR/AND/XOR/TEST/CMP with a memory operand: read it, compute, set the flags, store. */
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

struct vcpu *exit_ept_violation(struct vcpu *v)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	struct io_access a = { .addr = gpa };
	enum cpu_mode mode;
	struct mmio_insn in;
	const char *why;
	uint8_t bytes[15] = { 0 }; /* a short fetch is reported as zeros, not stack garbage */
	unsigned n;

	/*
	 * Nothing there: an hvm guest gets what a PC's bus gives (reads of all
	 * ones, writes lost); a test guest that strays is stopped with a report.
	 */
	if ((q & EPT_QUAL_FETCH) ||
	    (!io_find(v->vm->io.mmio, v->vm->io.nr_mmio, gpa, 1) && !v->vm->hvm))
		vm_stop(v->vm, "EPT violation: %s at guest-physical 0x%lx, outside the guest's memory",
			q & EPT_QUAL_FETCH ? "instruction fetch" :
			q & EPT_QUAL_WRITE ? "write" : "read", gpa);
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
	} else {
		vmx_mmio_string(v, &in, mode == CPU_MODE_LONG64); /* moves RIP itself */
		return v;
	}
	vmcs_write(VMCS_GUEST_RIP, rip + in.len);
	return v;
}
