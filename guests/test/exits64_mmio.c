/* SPDX-License-Identifier: MIT */
/*
 * exits64: the instructions Keel emulates on MMIO beyond MOV, on the test
 * device (offset 0 reads "KEEL", offset 8 is a 64-bit scratch register
 * that a narrower write replaces, zero-extended; other offsets read 0 and
 * drop writes). Each result and the flags are compared with what the
 * instruction does on RAM.
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
}
