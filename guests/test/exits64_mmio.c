/* SPDX-License-Identifier: MIT */
/*
 * exits64: the instructions Keel emulates on MMIO beyond MOV, on the test
 * device (offset 0 reads "KEEL", offset 8 is a 64-bit scratch register
 * that a narrower write replaces, zero-extended; other offsets read 0 and
 * drop writes). Each result and the flags are compared with what the
 * instruction does on RAM: as the SDM says, or as the CPU itself does it.
 */
#include "lib/guest.h"
#include "exits64.h"

#define DEV     KEEL_TESTDEV_MMIO
#define SCRATCH (DEV + KEEL_TESTDEV_SCRATCH)
#define CF      0x001ULL
#define PF      0x004ULL
#define AF      0x010ULL
#define ZF      0x040ULL
#define SF      0x080ULL
#define OF      0x800ULL
#define LOGIC   (CF | PF | ZF | SF | OF) /* AF is undefined after AND/OR/XOR/TEST */

static volatile uint64_t *const scratch = (volatile uint64_t *)SCRATCH;

/* ADD...BTC, XCHG, CMPXCHG, the SSE moves and MOVNTI: below, run by test_mmio_alu(). */
static void test_mmio_arith(void);
static void test_mmio_xchg(void);
static void test_mmio_bits(void);
static void test_mmio_sse(void);

void test_mmio_strings(void)
{
	uint64_t di = DEV, si, cx = 2, ram[2] = { 0x1122334455667788ULL, 0 };
	uint32_t buf[3] = { 1, 2, 3 };

	/* Two elements: offset 0 (dropped), then the scratch register; one exit each. */
	*scratch = 0;
	__asm__ volatile("rep stosq" : "+D"(di), "+c"(cx) : "a"(0x0123456789abcdefULL) : "memory");
	check(*scratch == 0x0123456789abcdefULL && cx == 0 && di == DEV + 16, "mmio rep stosq",
	      *scratch, 0x0123456789abcdefULL);
	/* DF=1: RDI steps down by the element size. */
	di = SCRATCH;
	__asm__ volatile("std; stosl; cld" : "+D"(di) : "a"(0xcafef00d) : "memory");
	check(*scratch == 0xcafef00d && di == SCRATCH - 4, "mmio stosl with DF=1 steps down",
	      *scratch, 0xcafef00d);

	si = (uint64_t)&ram[0], di = SCRATCH;
	__asm__ volatile("movsq" : "+D"(di), "+S"(si) : : "memory");
	check(*scratch == ram[0] && si == (uint64_t)&ram[1] && di == SCRATCH + 8,
	      "mmio movsq RAM to device", *scratch, ram[0]);
	*scratch = 0xfeedfacecafebeefULL;
	si = SCRATCH, di = (uint64_t)&ram[1];
	__asm__ volatile("movsq" : "+D"(di), "+S"(si) : : "memory");
	check(ram[1] == 0xfeedfacecafebeefULL && si == SCRATCH + 8, "mmio movsq device to RAM",
	      ram[1], 0xfeedfacecafebeefULL);
	/* "KEEL" at offset 0, then 0 at offset 4; buf[2] is past RCX and stays. */
	si = DEV, di = (uint64_t)buf, cx = 2;
	__asm__ volatile("rep movsl" : "+D"(di), "+S"(si), "+c"(cx) : : "memory");
	check(buf[0] == KEEL_TESTDEV_ID_VALUE && buf[1] == 0 && buf[2] == 3 && cx == 0 &&
		      si == DEV + 8,
	      "mmio rep movsl device to RAM", buf[0], KEEL_TESTDEV_ID_VALUE);
	si = DEV, di = SCRATCH;
	__asm__ volatile("movsl" : "+D"(di), "+S"(si) : : "memory");
	check(*scratch == KEEL_TESTDEV_ID_VALUE, "mmio movsl device to device", *scratch,
	      KEEL_TESTDEV_ID_VALUE);
}

/* Run insn (%1: the scratch register holding start, %2: in); the value and the flags after. */
#define ALU_ON_SCRATCH(insn, start, flags, in)                                                 \
	({                                                                                      \
		*scratch = (start);                                                             \
		__asm__ volatile(insn "\n\tpushfq\n\tpopq %0"                                    \
				 : "=r"(flags), "+m"(*scratch)                                    \
				 : "r"(in)                                                       \
				 : "cc", "memory");                                              \
		*scratch;                                                                       \
	})

void test_mmio_alu(void)
{
	uint64_t fl, v, r;

	v = ALU_ON_SCRATCH("orq $0x100, %1", 0x11, fl, 0);
	check(v == 0x111 && (fl & LOGIC) == PF, "mmio orq imm", v, 0x111);
	v = ALU_ON_SCRATCH("andl $0xf0, %1", 0xffffffff12345678ULL, fl, 0);
	check(v == 0x70 && (fl & LOGIC) == 0, "mmio andl imm (32-bit result)", v, 0x70);
	v = ALU_ON_SCRATCH("andb $0x80, %1", 0x7f, fl, 0);
	check(v == 0 && (fl & LOGIC) == (ZF | PF), "mmio andb imm to zero sets ZF", fl, ZF | PF);
	r = 0x8000000000000001ULL;
	v = ALU_ON_SCRATCH("xorq %2, %1", 1, fl, r);
	check(v == 0x8000000000000000ULL && (fl & LOGIC) == (SF | PF), "mmio xorq reg", v,
	      0x8000000000000000ULL);
	/* Register destination: the device is only read. */
	*scratch = 0xf0f0;
	r = 0x0ff0;
	__asm__ volatile("xorl %2, %k0\n\tpushfq\n\tpopq %1"
			 : "+r"(r), "=r"(fl)
			 : "m"(*scratch)
			 : "cc");
	check(r == 0xff00 && *scratch == 0xf0f0 && (fl & LOGIC) == PF, "mmio xorl to register", r,
	      0xff00);
	v = ALU_ON_SCRATCH("testq $0x10, %1", 0x30, fl, 0);
	check(v == 0x30 && (fl & LOGIC) == 0, "mmio testq imm (no store)", fl, 0);
	v = ALU_ON_SCRATCH("testb $0x40, %1", 0x30, fl, 0);
	check(v == 0x30 && (fl & LOGIC) == (ZF | PF), "mmio testb imm sets ZF", fl, ZF | PF);
	v = ALU_ON_SCRATCH("cmpq $7, %1", 5, fl, 0);
	check(v == 5 && (fl & (LOGIC | AF)) == (CF | SF | AF), "mmio cmpq 5 - 7 borrows", fl,
	      CF | SF | AF);
	r = 0x7fffffffffffffffULL;
	v = ALU_ON_SCRATCH("cmpq %2, %1", 0x8000000000000000ULL, fl, r);
	check(v == 0x8000000000000000ULL && (fl & (LOGIC | AF)) == (OF | AF),
	      "mmio cmpq signed overflow sets OF", fl, OF | AF);
	*scratch = 42;
	__asm__ volatile("cmpq %1, %2\n\tpushfq\n\tpopq %0"
			 : "=r"(fl)
			 : "m"(*scratch), "r"(42ULL)
			 : "cc");
	check((fl & (LOGIC | AF)) == (ZF | PF), "mmio cmp register with device (equal)", fl,
	      ZF | PF);
	test_mmio_arith();
	test_mmio_xchg();
	test_mmio_bits();
	test_mmio_sse();
}

/* What one run of an instruction left: its memory operand, two registers, the status flags. */
struct outcome {
	uint64_t mem, reg, rax, flags;
};

static volatile uint64_t ram_word;

static uint64_t flags_with(uint64_t status)
{
	uint64_t fl;

	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(fl));
	return (fl & ~(LOGIC | AF)) | status;
}

/*
 * insn with %0 its memory operand (holding start), %1 a register (holding
 * reg), RAX holding rax and the status flags in: out[0] on the scratch
 * register, which Keel emulates, out[1] on RAM, which the CPU runs.
 */
#define ON_DEVICE_AND_RAM(insn, start, reg, rax, in, out)                                     \
	for (int i_ = 0; i_ < 2; i_++) {                                                       \
		volatile uint64_t *p_ = i_ ? &ram_word : scratch;                               \
		uint64_t r_ = (reg), a_ = (rax), f_ = flags_with(in);                            \
		*p_ = (start);                                                                  \
		__asm__ volatile("pushq %3\n\tpopfq\n\t" insn "\n\tpushfq\n\tpopq %3"           \
				 : "+m"(*p_), "+r"(r_), "+a"(a_), "+r"(f_)                       \
				 :                                                               \
				 : "cc", "memory");                                              \
		out[i_] = (struct outcome){ *p_, r_, a_, f_ & (LOGIC | AF) };                   \
	}

/*
 * The device's run must leave what the CPU's did (memory compared in the
 * operand's size bytes: the scratch register zero-extends a narrower
 * write), and memory must hold want, so two runs that missed the device
 * alike cannot pass.
 */
static void same_as_ram(const char *what, const struct outcome o[2], unsigned size, uint64_t want)
{
	uint64_t mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	if ((o[0].mem & mask) != (o[1].mem & mask) || (o[0].mem & mask) != (want & mask))
		check(false, what, o[0].mem & mask, want & mask);
	else if (o[0].reg != o[1].reg)
		check(false, what, o[0].reg, o[1].reg);
	else if (o[0].rax != o[1].rax)
		check(false, what, o[0].rax, o[1].rax);
	else
		check(o[0].flags == o[1].flags, what, o[0].flags, o[1].flags);
}

static void test_mmio_arith(void)
{
	struct outcome o[2];

	ON_DEVICE_AND_RAM("lock addl $1, %0", 0xffffffff, 0, 0, 0, o);
	same_as_ram("mmio lock addl imm carries out", o, 4, 0);
	ON_DEVICE_AND_RAM("adcq %1, %0", 0x7fffffffffffffffULL, 0, 0, CF, o);
	same_as_ram("mmio adcq reg adds CF, overflows", o, 8, 0x8000000000000000ULL);
	ON_DEVICE_AND_RAM("sbbb %b1, %0", 0x10, 0x0f, 0, CF, o);
	same_as_ram("mmio sbbb reg subtracts CF", o, 1, 0);
	ON_DEVICE_AND_RAM("subw %0, %w1", 0x8000, 0xabcdef0000001234ULL, 0, 0, o);
	same_as_ram("mmio subw to a register keeps its upper bits", o, 2, 0x8000);
	ON_DEVICE_AND_RAM("incl %0", 0x7fffffff, 0, 0, CF, o);
	same_as_ram("mmio incl keeps CF", o, 4, 0x80000000);
	ON_DEVICE_AND_RAM("lock decq %0", 0, 0, 0, 0, o);
	same_as_ram("mmio lock decq from 0", o, 8, ~0ULL);
	ON_DEVICE_AND_RAM("negq %0", 0x8000000000000000ULL, 0, 0, 0, o);
	same_as_ram("mmio negq of the most negative", o, 8, 0x8000000000000000ULL);
	ON_DEVICE_AND_RAM("lock notl %0", 0x0f0f0f0f, 0, 0, LOGIC | AF, o);
	same_as_ram("mmio lock notl keeps every flag", o, 4, 0xf0f0f0f0);
}

static void test_mmio_xchg(void)
{
	struct outcome o[2];

	ON_DEVICE_AND_RAM("xchgq %1, %0", 0x1111111122222222ULL, 0x3333333344444444ULL, 0, 0, o);
	same_as_ram("mmio xchgq", o, 8, 0x3333333344444444ULL);
	ON_DEVICE_AND_RAM("lock xchgb %%ah, %0", 0x11, 0, 0x2233, 0, o);
	same_as_ram("mmio lock xchgb with AH", o, 1, 0x22);
	ON_DEVICE_AND_RAM("xchgl %k1, %0", 0x55, 0xffffffff00000066ULL, 0, 0, o);
	same_as_ram("mmio xchgl zero-extends the register", o, 4, 0x66);
	ON_DEVICE_AND_RAM("lock cmpxchgq %1, %0", 5, 9, 5, 0, o);
	same_as_ram("mmio lock cmpxchgq equal: memory takes the register", o, 8, 9);
	ON_DEVICE_AND_RAM("cmpxchgl %k1, %0", 6, 9, 0xdeadbeef00000005ULL, 0, o);
	same_as_ram("mmio cmpxchgl unequal: EAX takes memory, zero-extended", o, 4, 6);
	ON_DEVICE_AND_RAM("cmpxchgl %k1, %0", 5, 9, 0xdeadbeef00000005ULL, 0, o);
	same_as_ram("mmio cmpxchgl equal: RAX is not written", o, 4, 9);
	ON_DEVICE_AND_RAM("cmpxchgb %b1, %0", 0x80, 1, 0x7f, 0, o);
	same_as_ram("mmio cmpxchgb flags of CMP AL, memory", o, 1, 0x80);
}

static void test_mmio_bits(void)
{
	static volatile uint64_t words[2];
	struct outcome o[2];
	uint64_t fl[2], cx;

	ON_DEVICE_AND_RAM("btsq $63, %0", 1, 0, 0, LOGIC | AF, o);
	same_as_ram("mmio btsq imm sets CF only", o, 8, 0x8000000000000001ULL);
	ON_DEVICE_AND_RAM("lock btrl %k1, %0", 0xffffffff, 7, 0, 0, o);
	same_as_ram("mmio lock btrl reg", o, 4, 0xffffff7f);
	ON_DEVICE_AND_RAM("btw %w1, %0", 0x8000, 15, 0, 0, o);
	same_as_ram("mmio btw reg reads only", o, 2, 0x8000);
	ON_DEVICE_AND_RAM("btcw $0x11, %0", 0xffff, 0, 0, 0, o);
	same_as_ram("mmio btcw imm offset modulo 16", o, 2, 0xfffd);
	/*
	 * A register bit offset on memory addresses the operand-sized word
	 * holding the bit (SDM Vol. 2A "BT"): 69 from offset 0 (the ID
	 * register) is bit 5 of the scratch register, -59 from offset 0x10 too.
	 */
	for (int i = 0; i < 2; i++) {
		volatile uint64_t *base = i ? &words[0] : (volatile uint64_t *)DEV;

		*(i ? &words[1] : scratch) = 0x100;
		cx = 69;
		__asm__ volatile("btsq %2, %1\n\tpushfq\n\tpopq %0"
				 : "=r"(fl[i]), "+m"(*base)
				 : "r"(cx)
				 : "cc", "memory");
	}
	check(*scratch == 0x120 && words[1] == 0x120 && (fl[0] & CF) == (fl[1] & CF),
	      "mmio btsq reg offset 69 reaches the next quadword", *scratch, 0x120);
	for (int i = 0; i < 2; i++) {
		volatile uint64_t *base = i ? &words[1] : (volatile uint64_t *)(DEV + 0x10);

		*(i ? &words[0] : scratch) = 0x20;
		cx = (uint64_t)-59;
		__asm__ volatile("btq %2, %1\n\tpushfq\n\tpopq %0"
				 : "=r"(fl[i]), "+m"(*base)
				 : "r"(cx)
				 : "cc", "memory");
	}
	check((fl[0] & CF) && (fl[1] & CF), "mmio btq reg offset -59 reaches the previous quadword",
	      fl[0] & CF, CF);
}

/*
 * SSE moves. The guest's own code never uses XMM registers
 * (-mgeneral-regs-only), so these statements need not tell the compiler
 * which ones they change (it refuses to be told).
 */
static void test_mmio_sse(void)
{
	static volatile uint64_t pattern[2] __attribute__((aligned(16))) = {
		0x0123456789abcdefULL, 0xfedcba9876543210ULL
	};
	static volatile uint64_t out[2] __attribute__((aligned(16))), other[2]
		__attribute__((aligned(16)));
	uint64_t v = 0x1122334455667788ULL;

	*scratch = 0;
	__asm__ volatile("movq %1, %%xmm3\n\tmovq %%xmm3, %0" : "=m"(*scratch) : "m"(v) : "memory");
	check(*scratch == v, "mmio movq xmm store (66 0F D6)", *scratch, v);

	*scratch = 0x8899aabbccddeeffULL;
	__asm__ volatile("pcmpeqd %%xmm2, %%xmm2\n\tmovd %1, %%xmm2\n\tmovdqu %%xmm2, %0"
			 : "=m"(out) : "m"(*scratch) : "memory");
	check(out[0] == 0xccddeeff && out[1] == 0, "mmio movd load zero-extends the register",
	      out[0], 0xccddeeff);

	/* 16 bytes from offset 0: "KEEL" (the ID register), then the scratch register */
	*scratch = v;
	__asm__ volatile("movdqa %2, %%xmm1\n\t"
			 "movdqa %3, %%xmm9\n\t"
			 "movdqu %%xmm9, %0\n\t"
			 "movdqu %%xmm1, %1"
			 : "=m"(out), "=m"(other)
			 : "m"(pattern), "m"(*(volatile uint64_t(*)[2])DEV)
			 : "memory");
	check(out[0] == KEEL_TESTDEV_ID_VALUE && out[1] == v,
	      "mmio movdqa 16-byte load as two 8-byte reads", out[1], v);
	check(other[0] == pattern[0] && other[1] == pattern[1],
	      "mmio xmm load leaves the other XMM registers", other[0], pattern[0]);

	*scratch = 0;
	__asm__ volatile("movdqu %1, %%xmm4\n\tmovdqu %%xmm4, %0"
			 : "=m"(*(volatile uint64_t(*)[2])SCRATCH)
			 : "m"(pattern)
			 : "memory");
	check(*scratch == pattern[0], "mmio movdqu 16-byte store: low half to offset 8",
	      *scratch, pattern[0]);

	__asm__ volatile("movnti %1, %0" : "=m"(*scratch) : "r"(v ^ 1) : "memory");
	check(*scratch == (v ^ 1), "mmio movnti", *scratch, v ^ 1);
}
