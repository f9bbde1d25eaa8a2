/* SPDX-License-Identifier: MIT */
/*
 * xsa64's hypercalls: every call number, 0 to KEEL_HC_MAX + 8 and some
 * far beyond (numbers that alias a real call in their low 32 bits too),
 * each with hostile arguments; every result must be what docs/abi.md says
 * (guests/common/hc_model.h). A non-PV guest gets -EPERM for the PV calls.
 */
#include "lib/guest.h"
#include "xsa64.h"
#include <hc_model.h>

static long vmcall5(uint64_t nr, const uint64_t *a)
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	uint64_t rdi = a[0], rsi = a[1], rdx = a[2];
	long ret;

	__asm__ volatile("vmcall"
			 : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8)
			 : "a"(nr) : "memory");
	return ret;
}

static const uint64_t far_numbers[] = {
	31, 32, 63, 64, 127, 128, 255, 1ULL << 31, 1ULL << 32,
	(1ULL << 32) | KEEL_HC_CONSOLE_WRITE, (1ULL << 32) | KEEL_HC_MEMORY_QUERY,
	1ULL << 63, (1ULL << 63) | KEEL_HC_YIELD, ~0ULL - KEEL_HC_MAX, ~0ULL,
};

struct sweep {
	struct hc_model m;
	unsigned calls, skipped, bad;
};

static void one(struct sweep *s, uint64_t nr, const uint64_t *a)
{
	struct hc_want w = hc_expect(&s->m, nr, a);
	long got;

	if (w.skip) {
		s->skipped++;
		return;
	}
	got = vmcall5(nr, a);
	s->calls++;
	if (hc_matches(w, got))
		return;
	if (++s->bad <= 10)
		gprintf("xsa64: UNEXPECTED call %lu (0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %ld, "
			"want %ld\n", nr, a[0], a[1], a[2], a[3], a[4], got, w.v[0]);
}

/* Each argument walks the hostile values at its own stride, so they meet in many pairs. */
static void with_hostile_args(struct sweep *s, uint64_t nr)
{
	for (unsigned pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < HC_NR_VALUES; i++) {
			uint64_t a[5] = { hc_value(&s->m, pass ? i * 5 + 1 : i),
					  hc_value(&s->m, pass ? i : i * 7 + 3),
					  hc_value(&s->m, i * 11 + 5), hc_value(&s->m, i * 13 + 1),
					  hc_value(&s->m, i * 17 + 2) };

			one(s, nr, a);
		}
	}
}

/* Ports 0..70, grant references 0..0xffff (sampled) and grant-window slots, for every owner. */
static void scans(struct sweep *s)
{
	static const uint64_t doms[] = { 0, 1, 2, 7, 8, 0xffff, 1ULL << 32, ~0ULL };

	for (unsigned d = 0; d < sizeof(doms) / sizeof(doms[0]); d++) {
		for (uint64_t p = 0; p <= 70; p++) {
			uint64_t a[5] = { doms[d], p, 0, 0, 0 }, b[5] = { p, 0, 0, 0, 0 };

			one(s, KEEL_HC_EVTCHN_BIND, a);
			if (d == 0) {
				one(s, KEEL_HC_EVTCHN_SEND, b);
				one(s, KEEL_HC_EVTCHN_CLOSE, b);
			}
		}
		for (uint64_t ref = 0; ref <= 0xffff; ref += ref < 40 || ref > 0xfff0 ? 1 : 251) {
			uint64_t at = KEEL_GRANT_BASE + (ref % 513) * HC_PAGE;
			uint64_t a[5] = { doms[d], ref, at, 0, 0 };

			one(s, KEEL_HC_GRANT_MAP, a);
		}
	}
	for (uint64_t at = KEEL_GRANT_BASE - HC_PAGE; at <= KEEL_GRANT_BASE + 513 * HC_PAGE;
	     at += HC_PAGE / 2) {
		uint64_t a[5] = { at, 0, 0, 0, 0 };

		one(s, KEEL_HC_GRANT_UNMAP, a);
	}
}

unsigned xsa64_hypercalls(uint64_t ram)
{
	static const char nosuch[] = "no-such-guest";
	struct sweep s = { .m = { .ram = ram, .self = ~0ULL, .peer = ~0ULL, .nr_guests = 0,
				  .scratch = (uint64_t)xsa64_scratch,
				  .scratch_size = sizeof(xsa64_scratch), .page0_free = true } };

	for (unsigned i = 0; i < sizeof(nosuch); i++)
		xsa64_scratch[i] = (uint8_t)nosuch[i];
	for (uint64_t nr = 0; nr <= KEEL_HC_MAX + 8; nr++)
		with_hostile_args(&s, nr);
	for (unsigned i = 0; i < sizeof(far_numbers) / sizeof(far_numbers[0]); i++)
		with_hostile_args(&s, far_numbers[i]);
	scans(&s);
	gprintf("xsa64: hypercalls: %u calls, %u skipped, %u unexpected\n", s.calls, s.skipped,
		s.bad);
	return s.bad;
}

/*
 * A buffer that runs off the end of the caller's mapping: the call must
 * fail with -EFAULT and change nothing ("a bad argument gets an error and
 * changes nothing"), not write or print the part that was mapped.
 */
unsigned xsa64_partial(void)
{
	uint64_t edge = xsa64_scratch_edge(), a[5] = { edge + 4096 - 8, 0, 0, 0, 0 };
	static const char leak[] = "xsa64: LEAK: a console write that failed printed this";
	unsigned changed = 0, bad = 0;
	long got;

	for (unsigned i = 0; i < 4096; i++)
		xsa64_scratch[i] = 0xa5;
	got = vmcall5(KEEL_HC_MEMORY_QUERY, a);
	for (unsigned i = 0; i < 4096; i++)
		changed += xsa64_scratch[i] != 0xa5;
	bad += got != -KEEL_EFAULT || changed;
	gprintf("xsa64: partial: memory query across the end of a mapping = %ld, %u bytes "
		"changed\n", got, changed);

	/* 128 bytes (Keel's chunk) mapped, then the end: the system test looks for a leak. */
	for (unsigned i = 0; i < 128; i++)
		xsa64_scratch[4096 - 200 + i] = i < sizeof(leak) - 1 ? (uint8_t)leak[i] :
						i < 127 ? ' ' : '\n';
	a[0] = edge + 4096 - 200;
	a[1] = 256;
	got = vmcall5(KEEL_HC_CONSOLE_WRITE, a);
	bad += got != -KEEL_EFAULT;
	gprintf("xsa64: partial: console write across the end of a mapping = %ld\n", got);
	return bad;
}
