/* SPDX-License-Identifier: MIT */
/*
 * EPT violations. Guest RAM is mapped in full, so a violation is either an
 * access to an emulated device (decode the instruction and emulate it) or
 * a guest touching memory it does not have: that guest is stopped with a
 * report naming the address. The VM-exit instruction length is undefined
 * for EPT violations (SDM 3C 28.2.5), so RIP advances by the decoded length.
 */
#include "vmx_priv.h"
#include <arch/cpu.h>
#include <arch/decode.h>
#include <keel/io.h>
#include <keel/vm.h>

#define EPT_QUAL_READ  BIT(0)
#define EPT_QUAL_WRITE BIT(1)
#define EPT_QUAL_FETCH BIT(2)

int vmx_guest_translate(struct vcpu *v, uint64_t la, uint64_t *gpa);
unsigned vmx_guest_read_linear(struct vcpu *v, uint64_t la, void *dst, unsigned len);

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

struct vcpu *exit_ept_violation(struct vcpu *v)
{
	uint64_t gpa = vmcs_read(VMCS_GUEST_PHYSICAL_ADDRESS);
	uint64_t q = vmcs_read(VMCS_EXIT_QUALIFICATION);
	uint64_t rip = vmcs_read(VMCS_GUEST_RIP);
	struct io_access a = { .addr = gpa };
	struct mmio_insn in;
	const char *why;
	uint8_t bytes[15];
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
	if (decode_mmio(bytes, n, guest_mode(), &in, &why))
		vm_stop(v->vm, "MMIO at 0x%lx by an instruction Keel cannot emulate (%s), "
			"bytes %02x %02x %02x %02x", gpa, why, bytes[0], bytes[1], bytes[2], bytes[3]);
	a.size = in.size;
	a.write = in.op == MMIO_STORE;
	if (a.write)
		a.value = in.has_imm ? in.imm : reg_read(v, &in);
	if (a.write && a.size < 8)
		a.value &= (1ULL << (8 * a.size)) - 1;
	if (io_mmio(v->vm, &a))
		a.value = ~0ULL;
	if (!a.write)
		reg_write(v, &in, a.value & (in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1));
	vmcs_write(VMCS_GUEST_RIP, rip + in.len);
	return v;
}
