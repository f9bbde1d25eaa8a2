/* SPDX-License-Identifier: MIT */
/*
 * pvxsa's hypercalls: every call number through the hypercall page (and
 * the ones past its 128 entries by the trap instruction itself: VMCALL in
 * a VM, SYSCALL in ring 3), with hostile arguments, each checked against
 * docs/abi.md (guests/common/hc_model.h); scans of ports, grant references
 * and grant slots; a flood of timer events; and afterwards a check that
 * what Keel keeps in its memory for it (the hypercall page, start info) is
 * unchanged and that it owns no more than before.
 */
#include <keel_pv.h>
#include <hc_model.h>
#include <stdio.h>
#include <string.h>
#include "pvxsa.h"

static uint8_t page_copy[4096];
static struct keel_start_info si_copy;
static struct keel_memory_info mi_before;

static long trap5(uint64_t nr, const uint64_t *a)
{
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	uint64_t rdi = a[0], rsi = a[1], rdx = a[2];
	long ret;

	if (pvxsa_vmx)
		__asm__ volatile("vmcall" : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
				 "+r"(r8) : "a"(nr) : "rcx", "r11", "memory");
	else
		__asm__ volatile("syscall" : "=a"(ret), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10),
				 "+r"(r8) : "a"(nr) : "rcx", "r11", "memory");
	return ret;
}

/* The page has 128 entries (docs/abi.md); past them the call is made directly. */
static long call5(uint64_t nr, const uint64_t *a)
{
	if (nr >= 128)
		return trap5(nr, a);
	return keel_hcall5((unsigned)nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3],
			   (long)a[4]);
}

struct sweep {
	struct hc_model m;
	unsigned calls, skipped, bad;
};

static void check(struct sweep *s, uint64_t nr, const uint64_t *a, struct hc_want w, long got)
{
	s->calls++;
	if (hc_matches(w, got))
		return;
	if (++s->bad <= 10)
		printf("pvxsa: UNEXPECTED call %lu (0x%lx, 0x%lx, 0x%lx, 0x%lx, 0x%lx) = %ld, "
		       "want %ld\n", (unsigned long)nr, (unsigned long)a[0], (unsigned long)a[1],
		       (unsigned long)a[2], (unsigned long)a[3], (unsigned long)a[4], got, w.v[0]);
}

static void one(struct sweep *s, uint64_t nr, const uint64_t *a)
{
	struct hc_want w = hc_expect(&s->m, nr, a);
	long got;

	if (w.skip) {
		s->skipped++;
		return;
	}
	if (nr == KEEL_HC_BLOCK) /* an event pending first, so that BLOCK returns */
		keel_hcall(KEEL_HC_SET_TIMER, 1, 0, 0);
	got = call5(nr, a);
	check(s, nr, a, w, got);
	if (hc_matches(w, got))
		hc_update(&s->m, nr, a, got);
	if (nr == KEEL_HC_SET_CALLBACKS && got == 0)
		pvxsa_callbacks(); /* it took hostile entries: put pvxsa's back at once */
	if (nr == KEEL_HC_EVTCHN_ALLOC && got > 0) {
		/* A port for another guest: close it again (it is pvxsa's own to close). */
		uint64_t c[5] = { (uint64_t)got, 0, 0, 0, 0 };

		one(s, KEEL_HC_EVTCHN_CLOSE, c);
	}
}

static const uint64_t far_numbers[] = {
	31, 32, 63, 64, 127, 128, 255, 1ULL << 31, 1ULL << 32,
	(1ULL << 32) | KEEL_HC_CONSOLE_WRITE, (1ULL << 32) | KEEL_HC_MEMORY_QUERY,
	1ULL << 63, (1ULL << 63) | KEEL_HC_YIELD, ~0ULL - KEEL_HC_MAX, ~0ULL,
};

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

/* Ports 0..70, grant references 0..0xffff (sampled), the grant window's edges, many owners. */
static void scans(struct sweep *s)
{
	uint64_t doms[] = { s->m.self, s->m.peer, 0, 1, 7, 8, 0xffff, (1ULL << 32) | s->m.peer,
			    ~0ULL };

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
		for (uint64_t pg = 0; pg < 4; pg++) {
			/* Page 0 and its top pages, writable, read-only, and a bad flag. */
			uint64_t page = pg ? s->m.ram - pg * HC_PAGE : 0;
			uint64_t a[5] = { page, doms[d], pg == 3 ? 2 : pg & 1, 0, 0 };

			one(s, KEEL_HC_GRANT_OFFER, a);
		}
	}
	for (uint64_t at = KEEL_GRANT_BASE - HC_PAGE; at <= KEEL_GRANT_BASE + 513 * HC_PAGE;
	     at += HC_PAGE / 2) {
		uint64_t a[5] = { at, 0, 0, 0, 0 };

		one(s, KEEL_HC_GRANT_UNMAP, a);
	}
}

static long find(const char *name)
{
	return keel_hcall(KEEL_HC_DOMAIN_FIND, (long)name, 0, 0);
}

void pvxsa_snapshot(void)
{
	memcpy(page_copy, (const void *)keel_start_info->hypercall_page, sizeof(page_copy));
	memcpy(&si_copy, keel_start_info, sizeof(si_copy));
	keel_hcall(KEEL_HC_MEMORY_QUERY, (long)&mi_before, 0, 0);
}

unsigned pvxsa_hypercalls(const char *peer, uint64_t guests)
{
	static const char nosuch[] = "no-such-guest";
	struct sweep s = { .m = { .ram = keel_start_info->ram_size, .self = keel_start_info->domid,
				  .peer = ~0ULL, .nr_guests = guests, .pv = true,
				  .input_to_hvm = !keel_start_info->console_input,
				  .scratch = (uint64_t)pvxsa_scratch,
				  .scratch_size = sizeof(pvxsa_scratch), .page0_free = true } };
	long id = peer ? find(peer) : -1;

	if (id >= 0) {
		s.m.peer = (uint64_t)id;
		s.m.name[1] = peer;
		s.m.name_id[1] = (uint64_t)id;
	}
	s.m.name[0] = keel_start_info->name;
	s.m.name_id[0] = keel_start_info->domid;
	memcpy(pvxsa_scratch, nosuch, sizeof(nosuch));
	/* No upcalls while the sweep runs: SET_CALLBACKS may briefly install hostile entries. */
	keel_shared_info->upcall_mask = 1;
	for (uint64_t nr = 0; nr <= KEEL_HC_MAX + 8; nr++)
		with_hostile_args(&s, nr);
	for (unsigned i = 0; i < sizeof(far_numbers) / sizeof(far_numbers[0]); i++)
		with_hostile_args(&s, far_numbers[i]);
	scans(&s);
	keel_hcall(KEEL_HC_SET_TIMER, 0, 0, 0);
	__atomic_store_n(&keel_shared_info->evtchn_pending, 0, __ATOMIC_SEQ_CST);
	keel_shared_info->upcall_mask = 0;
	printf("pvxsa: hypercalls: %u calls, %u skipped, %u unexpected (peer %s = %ld, %u grants "
	       "offered)\n", s.calls, s.skipped, s.bad, peer ? peer : "-", id, s.m.grants);
	return s.bad;
}

/*
 * A buffer that runs off the end of RAM: -EFAULT, and nothing written
 * ("a bad argument gets an error and changes nothing"). The word below
 * the top of RAM holds the return address of the runtime's call to
 * keel_pv_start, which never returns: pvxsa may let it be overwritten.
 */
unsigned pvxsa_partial(void)
{
	volatile uint64_t *top = (volatile uint64_t *)(keel_start_info->ram_size - 8);
	uint64_t before = *top;
	long got = keel_hcall(KEEL_HC_MEMORY_QUERY, (long)top, 0, 0);
	bool changed = *top != before;

	printf("pvxsa: partial: memory query across the end of RAM = %ld, %u bytes changed\n",
	       got, changed ? 8 : 0);
	*top = before;
	return got != -KEEL_EFAULT || changed;
}

/*
 * An interrupt flood: 1000 timers already past their deadline, each an
 * event on port 0 delivered by upcall as the SET_TIMER call returns.
 */
unsigned pvxsa_timer_flood(void)
{
	unsigned up0 = pvxsa_upcalls, t0 = pvxsa_timer_events, n = 1000;

	for (unsigned i = 0; i < n; i++)
		keel_hcall(KEEL_HC_SET_TIMER, 1, 0, 0);
	printf("pvxsa: flood: %u past-deadline timers, %u upcalls, %u timer events\n", n,
	       pvxsa_upcalls - up0, pvxsa_timer_events - t0);
	return (pvxsa_upcalls - up0 != n) + (pvxsa_timer_events - t0 != n);
}

/* What Keel keeps in pvxsa's memory, and what pvxsa owns, after everything it tried. */
unsigned pvxsa_own_state(void)
{
	struct keel_memory_info mi;
	long q = keel_hcall(KEEL_HC_MEMORY_QUERY, (long)&mi, 0, 0);
	bool page = !memcmp(page_copy, (const void *)keel_start_info->hypercall_page,
			    sizeof(page_copy));
	bool si = !memcmp(&si_copy, keel_start_info, sizeof(si_copy));
	bool mem = q == 0 && mi.ram_size == mi_before.ram_size &&
		   mi.heap_start == mi_before.heap_start && mi.heap_end == mi_before.heap_end &&
		   mi.grants_mapped == 0;
	bool me = find(keel_start_info->name) == (long)keel_start_info->domid;

	printf("pvxsa: own state: hypercall page %s, start info %s, memory %s, domain id %s\n",
	       page ? "unchanged" : "CHANGED", si ? "unchanged" : "CHANGED",
	       mem ? "unchanged" : "CHANGED", me ? "unchanged" : "CHANGED");
	return !page + !si + !mem + !me;
}
