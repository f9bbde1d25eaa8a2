/* SPDX-License-Identifier: MIT */
/*
 * What every libFuzzer target in test/fuzz shares: a reader over the input
 * bytes, FUZZ_CHECK for invariants (a violation aborts, so libFuzzer keeps
 * the input as a crash), and for the device targets an operation stream
 * (port or MMIO accesses, time, interrupt acknowledge, reset) played through
 * the VM's I/O registry as VM exits would play it.
 */
#ifndef TEST_FUZZ_FUZZ_H
#define TEST_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/io.h>
#include <keel/irq.h>

struct vm;

#define FUZZ_CHECK(cond, what)                                                              \
	do {                                                                                \
		if (!(cond)) {                                                              \
			fprintf(stderr, "fuzz: invariant violated: %s (%s:%d)\n", what,     \
				__FILE__, __LINE__);                                        \
			abort();                                                            \
		}                                                                           \
	} while (0)

/* The input, read front to back; past its end every read gives zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n, at;
};

static inline bool fuzz_more(const struct fuzz_in *in)
{
	return in->at < in->n;
}

static inline uint64_t fuzz_le(struct fuzz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++, in->at++)
		if (in->at < in->n)
			v |= (uint64_t)in->p[in->at] << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return (uint8_t)fuzz_le(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_le(in, 2);
}

/* Guest time of the device targets: vm_time_ns() returns it; only time ops move it. */
extern uint64_t fuzz_now;
/* Time stops here (about 9 years of uptime): no guest runs longer. */
#define FUZZ_TIME_MAX (1ULL << 58)

/*
 * Interrupt lines a target hands its devices: each remembers its level,
 * and a device driving a line it was not given is a wiring bug.
 */
#define FUZZ_IRQS 32
struct fuzz_irqs {
	uint32_t wired;        /* bit per gsi handed out */
	bool level[FUZZ_IRQS]; /* as last driven */
	unsigned rises[FUZZ_IRQS];
};
extern struct fuzz_irqs fuzz_irqs;
struct irq_line fuzz_irq_line(unsigned gsi);

/*
 * One device target: its hooks for the ops that are not plain accesses.
 * after_op runs after every op, as Keel's before-entry work does after
 * every exit (timers, interrupt state), and checks the invariants.
 */
struct fuzz_target {
	void (*after_op)(struct vm *vm);
	void (*ack)(struct vm *vm, struct fuzz_in *in);   /* interrupt acknowledge */
	void (*extra)(struct vm *vm, struct fuzz_in *in); /* a device input (a line, a byte) */
	void (*reset)(struct vm *vm);                     /* the platform resets */
};

/* The op stream (see fuzz_ops.c for the encoding); at most FUZZ_OPS_MAX ops. */
#define FUZZ_OPS_MAX 4096
void fuzz_run_ops(struct vm *vm, const uint8_t *data, size_t size, const struct fuzz_target *t);
/* One access through the registry, as an exit does it; the read value. */
uint64_t fuzz_access(struct vm *vm, bool mmio, uint64_t addr, uint32_t size, bool write,
		     uint64_t value);

#endif
