/* SPDX-License-Identifier: MIT */
/*
 * The oracle of the XSA-style guests (xsa64, pvxsa): what docs/abi.md says
 * a hypercall returns, given its arguments and the little state a hostile
 * caller builds up (ports it allocated, grants it offered). Header-only, so
 * it builds into test guests and newlib-based PV guests alike.
 */
#ifndef GUESTS_HC_MODEL_H
#define GUESTS_HC_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/abi.h>

#define HC_GVA_LIMIT (1ULL << 47) /* addresses must lie below the canonical hole */
#define HC_NAME_MAX  16           /* a guest name with its NUL (keel.cfg's limit) */
#define HC_PAGE      4096ULL

struct hc_model {
	uint64_t ram;          /* the caller's RAM is [0, ram), mapped 1:1 */
	uint64_t self;         /* its domid */
	uint64_t peer;         /* a PV guest that runs all through the sweep, or ~0 */
	uint64_t nr_guests;    /* domids at or above this are no guest at all */
	bool pv;               /* a PV guest, which may make the PV-only calls */
	bool input_to_hvm;     /* an hvm guest owns typed input: CONSOLE_READ reads nothing */
	uint64_t ports;        /* bit p: the caller allocated port p (unbound) */
	unsigned grants;       /* grants it has offered: refs 0..grants-1 */
	uint64_t scratch;      /* where Keel may write for the sweep... */
	uint64_t scratch_size; /* ...and how much */
	bool page0_free;       /* and at address 0 (a page the caller does not use) */
	const char *name[2];   /* guests the model knows by name, and their domids */
	uint64_t name_id[2];
};

/* One call's documented outcome: the result must be one of v[0..n). */
struct hc_want {
	long v[2];
	unsigned n;
	bool skip; /* not to be made: it would print, end the caller, or wait for ever */
};

static inline struct hc_want hc_is(long v)
{
	return (struct hc_want){ { v, 0 }, 1, false };
}

static inline struct hc_want hc_either(long a, long b)
{
	return (struct hc_want){ { a, b }, 2, false };
}

static inline struct hc_want hc_skip(void)
{
	return (struct hc_want){ { 0, 0 }, 0, true };
}

static inline bool hc_matches(struct hc_want w, long got)
{
	for (unsigned i = 0; i < w.n; i++)
		if (w.v[i] == got)
			return true;
	return false;
}

static inline bool hc_pv_only(uint64_t nr)
{
	switch (nr) {
	case KEEL_HC_CONSOLE_READ: case KEEL_HC_BLOCK: case KEEL_HC_SET_TIMER:
	case KEEL_HC_EVTCHN_ALLOC: case KEEL_HC_EVTCHN_BIND: case KEEL_HC_EVTCHN_SEND:
	case KEEL_HC_EVTCHN_CLOSE: case KEEL_HC_GRANT_OFFER: case KEEL_HC_GRANT_MAP:
	case KEEL_HC_GRANT_UNMAP: case KEEL_HC_SET_CALLBACKS: case KEEL_HC_NET_INFO:
	case KEEL_HC_NET_SEND: case KEEL_HC_NET_RECV: case KEEL_HC_NET_SEND_BATCH:
		return true;
	}
	return false;
}

/* The buffer rule every call with an address shares (docs/abi.md, "Hypercalls"). */
static inline long hc_buffer(uint64_t gva, uint64_t len, uint64_t max)
{
	if (len > max)
		return -KEEL_EINVAL;
	if (gva >= HC_GVA_LIMIT || len > HC_GVA_LIMIT - gva)
		return -KEEL_EFAULT;
	return 0;
}

static inline bool hc_in_ram(const struct hc_model *m, uint64_t gva, uint64_t len)
{
	return gva < m->ram && len <= m->ram - gva;
}

static inline bool hc_in_scratch(const struct hc_model *m, uint64_t gva, uint64_t len)
{
	return gva >= m->scratch && gva - m->scratch < m->scratch_size &&
	       len <= m->scratch_size - (gva - m->scratch);
}

/* A byte of the caller's own RAM (address 0 included, hence the asm). */
static inline uint8_t hc_peek(uint64_t gva)
{
	uint8_t b;

	__asm__ volatile("movb (%1), %0" : "=q"(b) : "r"(gva) : "memory");
	return b;
}

/* DOMAIN_FIND: Keel reads up to 16 bytes of the name, as many as lie in RAM. */
static inline struct hc_want hc_domain_find(const struct hc_model *m, uint64_t gva)
{
	char name[HC_NAME_MAX];
	unsigned got = 0, len;

	if (gva >= HC_GVA_LIMIT || !hc_in_ram(m, gva, 1))
		return hc_is(-KEEL_EFAULT);
	while (got < HC_NAME_MAX && hc_in_ram(m, gva + got, 1)) {
		name[got] = (char)hc_peek(gva + got);
		got++;
	}
	for (len = 0; len < got && name[len]; len++)
		;
	if (len == 0 || len == got)
		return hc_is(-KEEL_EINVAL); /* empty, or no NUL within the limit */
	for (unsigned k = 0; k < 2; k++) {
		const char *n = m->name[k];
		unsigned i = 0;

		if (!n)
			continue;
		while (i < len && n[i] == name[i])
			i++;
		if (i == len && !n[i])
			return hc_is((long)m->name_id[k]);
	}
	return hc_is(-KEEL_ENOENT);
}

/* Is domid d a PV guest that runs now? 1 yes, 0 no, -1 cannot tell. */
static inline int hc_running_pv(const struct hc_model *m, uint64_t d)
{
	if (d == m->self)
		return m->pv;
	if (d == m->peer)
		return 1;
	return d < m->nr_guests ? -1 : 0;
}

static inline long hc_free_port(const struct hc_model *m)
{
	for (unsigned p = 1; p < KEEL_EVTCHN_PORTS; p++)
		if (!(m->ports >> p & 1))
			return p;
	return -KEEL_ENOSPC;
}

static inline struct hc_want hc_pv_call(const struct hc_model *m, uint64_t nr, const uint64_t *a)
{
	int run;

	switch (nr) {
	case KEEL_HC_CONSOLE_READ: {
		long e = hc_buffer(a[0], a[1], KEEL_CONSOLE_MAX);
		uint64_t n = a[1] < 128 ? a[1] : 128;

		if (e)
			return hc_is(e);
		if (m->input_to_hvm || n == 0)
			return hc_is(0);
		if (!hc_in_ram(m, a[0], n))
			return hc_is(-KEEL_EFAULT);
		/* Nothing is typed during the tests, but Keel would write it there. */
		return hc_in_scratch(m, a[0], n) ? hc_is(0) : hc_skip();
	}
	case KEEL_HC_BLOCK:
		return hc_is(0); /* the sweep makes an event pending first */
	case KEEL_HC_SET_TIMER:
		return hc_is(0);
	case KEEL_HC_EVTCHN_ALLOC:
		run = a[0] == m->self ? 0 : hc_running_pv(m, a[0]);
		if (run == 0)
			return hc_is(-KEEL_EINVAL);
		return run > 0 ? hc_is(hc_free_port(m)) : hc_either(-KEEL_EINVAL, hc_free_port(m));
	case KEEL_HC_EVTCHN_BIND:
		/* Nobody allocates a port for the caller, so there is nothing to bind to. */
		return hc_is(-KEEL_EINVAL);
	case KEEL_HC_EVTCHN_SEND:
		return hc_is(-KEEL_EINVAL); /* none of its ports is connected */
	case KEEL_HC_EVTCHN_CLOSE:
		if (a[0] >= KEEL_EVTCHN_PORTS || a[0] == KEEL_PORT_TIMER || !(m->ports >> a[0] & 1))
			return hc_is(-KEEL_EINVAL);
		return hc_is(0);
	case KEEL_HC_GRANT_OFFER: {
		long ref = m->grants < KEEL_GRANTS_MAX ? (long)m->grants : -KEEL_ENOSPC;

		if ((a[0] & (HC_PAGE - 1)) || a[0] >= m->ram ||
		    (a[2] & ~(uint64_t)KEEL_GRANT_READONLY) || a[1] == m->self)
			return hc_is(-KEEL_EINVAL);
		run = hc_running_pv(m, a[1]);
		if (run == 0)
			return hc_is(-KEEL_EINVAL);
		return run > 0 ? hc_is(ref) : hc_either(-KEEL_EINVAL, ref);
	}
	case KEEL_HC_GRANT_MAP: {
		bool slot = a[2] >= KEEL_GRANT_BASE && !(a[2] & (HC_PAGE - 1)) &&
			    a[2] - KEEL_GRANT_BASE < KEEL_GRANT_SLOTS * HC_PAGE;

		/* Nobody offers the caller a grant; its own grants are not its to map. */
		run = hc_running_pv(m, a[0]);
		if (!slot || run == 0)
			return hc_is(-KEEL_EINVAL);
		return run > 0 ? hc_is(-KEEL_EPERM) : hc_either(-KEEL_EINVAL, -KEEL_EPERM);
	}
	case KEEL_HC_GRANT_UNMAP:
		return hc_is(-KEEL_EINVAL); /* nothing is mapped */
	case KEEL_HC_SET_CALLBACKS:
		if ((a[0] && a[0] >= m->ram) || (a[1] && a[1] >= m->ram))
			return hc_is(-KEEL_EINVAL);
		return hc_is(0); /* the sweep puts its own entries back at once */
	/* The sweeping guests have no net=: after the buffer rule, no port. */
	case KEEL_HC_NET_INFO: {
		long e = hc_buffer(a[0], sizeof(struct keel_net_info), sizeof(struct keel_net_info));

		return hc_is(e ? e : -KEEL_ENOENT);
	}
	case KEEL_HC_NET_RECV: {
		long e = hc_buffer(a[0], a[1], UINT64_MAX);

		return hc_is(e ? e : -KEEL_ENOENT);
	}
	case KEEL_HC_NET_SEND: case KEEL_HC_NET_SEND_BATCH:
		return hc_is(-KEEL_ENOENT);
	}
	return hc_is(-KEEL_ENOSYS);
}

/*
 * The documented result of call nr with arguments a[0..4]. Calls that would
 * print (a console write of memory in RAM), end the caller (SHUTDOWN with a
 * valid reason) or let Keel write outside the scratch area are skipped.
 */
static inline struct hc_want hc_expect(const struct hc_model *m, uint64_t nr, const uint64_t *a)
{
	const uint64_t mi = sizeof(struct keel_memory_info);
	long e;

	if (nr >= KEEL_HC_MAX)
		return hc_is(-KEEL_ENOSYS);
	if (hc_pv_only(nr))
		return m->pv ? hc_pv_call(m, nr, a) : hc_is(-KEEL_EPERM);
	switch (nr) {
	case KEEL_HC_VERSION:
		return hc_is(KEEL_ABI_VERSION);
	case KEEL_HC_YIELD:
		return hc_is(0);
	case KEEL_HC_SHUTDOWN:
		return a[0] == KEEL_SHUTDOWN_POWEROFF || a[0] == KEEL_SHUTDOWN_CRASH ?
			       hc_skip() : hc_is(-KEEL_EINVAL);
	case KEEL_HC_CONSOLE_WRITE:
		e = hc_buffer(a[0], a[1], KEEL_CONSOLE_MAX);
		if (e || a[1] == 0)
			return hc_is(e);
		if (a[0] < m->ram)
			return hc_skip(); /* would print (all or part of) the caller's memory */
		return hc_is(-KEEL_EFAULT);
	case KEEL_HC_MEMORY_QUERY:
		e = hc_buffer(a[0], mi, mi);
		if (e)
			return hc_is(e);
		if (hc_in_scratch(m, a[0], mi) ||
		    (a[0] == 0 && m->page0_free))
			return hc_is(0);
		return a[0] < m->ram ? hc_skip() : hc_is(-KEEL_EFAULT);
	case KEEL_HC_DOMAIN_FIND:
		return hc_domain_find(m, a[0]);
	}
	return hc_is(-KEEL_ENOSYS);
}

/* What a call that succeeded changed in the model. */
static inline void hc_update(struct hc_model *m, uint64_t nr, const uint64_t *a, long got)
{
	if (!m->pv || got < 0)
		return;
	if (nr == KEEL_HC_EVTCHN_ALLOC && got < KEEL_EVTCHN_PORTS)
		m->ports |= 1ULL << got;
	else if (nr == KEEL_HC_EVTCHN_CLOSE && a[0] < KEEL_EVTCHN_PORTS)
		m->ports &= ~(1ULL << a[0]);
	else if (nr == KEEL_HC_GRANT_OFFER)
		m->grants++;
}

/*
 * Hostile values for every argument: null, small numbers (ports, refs,
 * domids), the caller's RAM end and around it, host addresses where Keel
 * and the other guests live under Bochs and QEMU (0x08000000-0x0fffffff),
 * the grant window, the MMIO holes, the top of 4 GiB, past the identity
 * map, the canonical edges, the non-canonical half, and lengths that wrap.
 * The HC_V_ entries are replaced with the caller's values at run time.
 */
#define HC_V_RAM      0x0badc0de00000001ULL /* the caller's RAM size */
#define HC_V_RAM_PAGE 0x0badc0de00000002ULL /* RAM size + 4 KiB */
#define HC_V_RAM_2M   0x0badc0de00000003ULL /* RAM size + 2 MiB */
#define HC_V_SCRATCH  0x0badc0de00000004ULL /* the scratch area */
#define HC_V_SELF     0x0badc0de00000005ULL /* the caller's domid */
#define HC_V_PEER     0x0badc0de00000006ULL /* the peer's domid */
static const uint64_t hc_values[] = {
	0, 1, 2, 3, 7, 8, 63, 64, 0xfff, 0x1001, 0xffff, 0x10000,
	HC_V_RAM, HC_V_RAM_PAGE, HC_V_RAM_2M, HC_V_SCRATCH, HC_V_SELF, HC_V_PEER,
	0x08000000, 0x0e400000, 0x0ff00000, KEEL_GRANT_BASE, KEEL_GRANT_BASE + 511 * HC_PAGE,
	KEEL_GRANT_BASE + 512 * HC_PAGE, 0xfeb00000, 0xfec00000, 0xfee00000, 0xfffff000,
	0xffffffff, 1ULL << 32, (1ULL << 32) + 1, 1ULL << 40, HC_GVA_LIMIT - HC_PAGE,
	HC_GVA_LIMIT - 1, HC_GVA_LIMIT, 0xffff800000000000ULL, 0x8000000000000000ULL,
	0xfffffffffffff000ULL, 0xffffffffffffffffULL,
};
#define HC_NR_VALUES (sizeof(hc_values) / sizeof(hc_values[0]))

static inline uint64_t hc_value(const struct hc_model *m, unsigned i)
{
	uint64_t v = hc_values[i % HC_NR_VALUES];

	switch (v) {
	case HC_V_RAM: return m->ram;
	case HC_V_RAM_PAGE: return m->ram + HC_PAGE;
	case HC_V_RAM_2M: return m->ram + 2 * 1024 * 1024;
	case HC_V_SCRATCH: return m->scratch;
	case HC_V_SELF: return m->self;
	case HC_V_PEER: return m->peer;
	}
	return v;
}

#endif
