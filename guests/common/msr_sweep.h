/* SPDX-License-Identifier: MIT */
/*
 * RDMSR then WRMSR over a range of MSR numbers, for hostile guests: an MSR
 * that reads gets its own value back; one whose read faulted gets 0 and
 * all ones. Each access must work or raise #GP, nothing else. Uses the
 * probes of probe.h. Header-only, for test guests and PV guests alike.
 */
#ifndef GUESTS_MSR_SWEEP_H
#define GUESTS_MSR_SWEEP_H

#include <stdint.h>
#include <probe.h>

#define MSR_SWEEP_KEEP 24 /* readable MSRs remembered, for the report */

struct msr_sweep {
	unsigned probed, readable, writable, blind, bad;
	unsigned kept;
	uint32_t keep[MSR_SWEEP_KEEP];  /* the first readable ones */
	uint8_t keep_w[MSR_SWEEP_KEEP]; /* its write-back was accepted */
	uint32_t odd;                   /* the first MSR with a bad vector or a blind write */
	int odd_vec[3];                 /* its read, write-0 and write-~0 vectors */
};

/*
 * Architectural MSRs (SDM Vol. 4), the 0xc0000000 range (long mode and
 * more) and the hypervisor range (0x40000000-0x400000ff, where Hyper-V and
 * KVM put theirs). Nothing needs skipping: write-back gives an MSR the
 * value it has, and a blind write can only land on an MSR whose read
 * failed, which the guest therefore does not have (Keel accepts writes only
 * to MSRs it lets a guest read, vmx/exit_msr.c; in ring 3 every access is
 * a #GP). So the sweep cannot break the guest unless Keel is wrong.
 */
static const struct {
	uint32_t first, end;
} msr_sweep_ranges[] = { { 0, 0x2000 }, { 0xc0000000, 0xc0002000 }, { 0x40000000, 0x40000100 } };

static inline void msr_sweep_one(struct msr_sweep *s, uint32_t msr)
{
	uint64_t v;
	int rv = probe_rdmsr(msr, &v), w0, w1 = PROBE_NONE;
	unsigned bad;

	s->probed++;
	if (rv == PROBE_NONE) {
		s->readable++;
		w0 = probe_wrmsr(msr, v);
		s->writable += w0 == PROBE_NONE;
		bad = w0 != PROBE_NONE && w0 != 13;
		if (s->kept < MSR_SWEEP_KEEP) {
			s->keep_w[s->kept] = w0 == PROBE_NONE;
			s->keep[s->kept++] = msr;
		}
	} else {
		w0 = probe_wrmsr(msr, 0);
		w1 = probe_wrmsr(msr, ~0ULL);
		s->blind += (w0 == PROBE_NONE) + (w1 == PROBE_NONE);
		bad = (rv != 13) + (w0 != PROBE_NONE && w0 != 13) + (w1 != PROBE_NONE && w1 != 13);
		if ((bad || w0 == PROBE_NONE || w1 == PROBE_NONE) && !s->odd) {
			s->odd = msr ? msr : 0xffffffff;
			s->odd_vec[0] = rv, s->odd_vec[1] = w0, s->odd_vec[2] = w1;
		}
	}
	s->bad += bad;
}

static inline void msr_sweep_all(struct msr_sweep *s)
{
	for (unsigned r = 0; r < sizeof(msr_sweep_ranges) / sizeof(msr_sweep_ranges[0]); r++)
		for (uint32_t m = msr_sweep_ranges[r].first; m != msr_sweep_ranges[r].end; m++)
			msr_sweep_one(s, m);
}

#endif
