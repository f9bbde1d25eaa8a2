/* SPDX-License-Identifier: MIT */
/*
 * Host tests for arch/x86/vmx/vmx_negotiate.c: the capability MSRs recorded
 * from Bochs CPU models (vmx_caps_models.h), then synthetic variations that
 * take one capability away at a time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmx_ctls.h"
#include "vmx_caps_models.h"

/* What each model offers, read off its MSRs by hand (SDM 3D App. A). */
struct model_expect {
	const char *name;
	bool usable; /* has every control Keel requires */
	bool ept, unrestricted, vpid, ept_2m, pat;
};

static const struct model_expect expect[] = {
	{ "corei7_skylake_x", true, true, true, true, true, true },
	{ "corei7_haswell_4770", true, true, true, true, true, true },
	{ "corei7_sandy_bridge_2600k", true, true, true, true, true, true },
	{ "tigerlake", true, true, true, true, true, true },
	{ "corei7_icelake_u", true, true, true, true, true, true },
	{ "corei5_lynnfield_750", true, true, false, true, true, true },
	{ "kvm_nested_skylake_x", true, true, true, true, true, true },
	{ "core2_penryn_t9600", false, false, false, false, false, false },
};

_Static_assert(ARRAY_SIZE(expect) == ARRAY_SIZE(vmx_models), "one expectation per model");

#define REQ_PIN   (PIN_EXT_INTR_EXITING | PIN_NMI_EXITING)
#define REQ_PROC  (CPU_HLT_EXITING | CPU_IO_BITMAPS)
#define REQ_EXIT  (EXIT_HOST_64BIT | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER)
#define REQ_ENTRY ENTRY_LOAD_EFER

static struct vmx_controls out;
static char why[128];

static int negotiate(const struct vmx_caps *c)
{
	memset(&out, 0xa5, sizeof(out));
	memset(why, 'x', sizeof(why) - 1);
	why[sizeof(why) - 1] = 0;
	return vmx_negotiate(c, &out, why, sizeof(why));
}

/* The bit mask why[] reports: the number after its last "0x". */
static unsigned long why_bits(void)
{
	const char *p = why, *q;

	while ((q = strstr(p, "0x")))
		p = q + 2;
	return p == why ? ~0UL : strtoul(p, NULL, 16);
}

static uint32_t must(uint64_t cap) { return (uint32_t)cap; }
static uint32_t may(uint64_t cap) { return (uint32_t)(cap >> 32); }

/* A control word honours its MSR: all allowed-0 bits set, nothing outside allowed-1. */
static void assert_ctl_valid(const char *model, const char *word, uint32_t ctl, uint64_t cap)
{
	if ((ctl & must(cap)) != must(cap))
		fail_msg("%s: %s 0x%08x lacks must-be-one bits 0x%08x", model, word, ctl,
			 must(cap) & ~ctl);
	if (ctl & ~may(cap))
		fail_msg("%s: %s 0x%08x sets disallowed bits 0x%08x", model, word, ctl,
			 ctl & ~may(cap));
}

static void assert_bits(const char *model, const char *word, uint32_t ctl, uint32_t bits)
{
	if ((ctl & bits) != bits)
		fail_msg("%s: %s 0x%08x lacks required bits 0x%08x", model, word, ctl, bits & ~ctl);
}

/* Every check that holds for any successful negotiation. */
static void assert_controls_sane(const char *model, const struct vmx_caps *c)
{
	assert_ctl_valid(model, "pin", out.pin, c->pin);
	assert_ctl_valid(model, "proc", out.proc, c->proc);
	assert_ctl_valid(model, "exit", out.exit, c->exit);
	assert_ctl_valid(model, "entry", out.entry, c->entry);
	if (out.proc & CPU_SECONDARY)
		assert_ctl_valid(model, "proc2", out.proc2, c->proc2);
	else
		assert_int_equal(out.proc2, 0);
	/* Keel only turns on secondary controls it uses. */
	if (!(must(c->proc) & CPU_SECONDARY))
		assert_int_equal(!!(out.proc & CPU_SECONDARY), out.proc2 != 0);
	if (!(may(c->proc) & CPU_SECONDARY)) {
		assert_int_equal(out.proc2, 0);
		assert_false(out.proc & CPU_SECONDARY);
	}
	assert_bits(model, "pin", out.pin, REQ_PIN);
	assert_bits(model, "proc", out.proc, REQ_PROC);
	assert_bits(model, "exit", out.exit, REQ_EXIT);
	assert_bits(model, "entry", out.entry, REQ_ENTRY);
	if (!(must(c->entry) & ENTRY_IA32E_GUEST))
		assert_false(out.entry & ENTRY_IA32E_GUEST);
	/* The flags agree with the words that will be programmed. */
	assert_int_equal(out.ept, !!(out.proc2 & CPU2_EPT));
	assert_int_equal(out.unrestricted, !!(out.proc2 & CPU2_UNRESTRICTED_GUEST));
	assert_int_equal(out.vpid, !!(out.proc2 & CPU2_VPID));
	assert_true(!out.unrestricted || out.ept);
	assert_true(!out.ept_2m || out.ept);
	if (out.pat) {
		assert_bits(model, "exit", out.exit, EXIT_SAVE_PAT | EXIT_LOAD_PAT);
		assert_bits(model, "entry", out.entry, ENTRY_LOAD_PAT);
	} else {
		assert_int_equal(out.exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT),
				 must(c->exit) & (EXIT_SAVE_PAT | EXIT_LOAD_PAT));
		assert_int_equal(out.entry & ENTRY_LOAD_PAT, must(c->entry) & ENTRY_LOAD_PAT);
	}
}

/* The features, derived straight from the MSR bits (SDM 3D A.3.3, A.10). */
static void assert_flags_from_bits(const struct vmx_caps *c)
{
	bool sec = may(c->proc) & CPU_SECONDARY;
	bool ept = sec && (may(c->proc2) & CPU2_EPT) && (c->ept_vpid & EPT_CAP_WALK4) &&
		   (c->ept_vpid & EPT_CAP_WB);

	assert_int_equal(out.ept, ept);
	assert_int_equal(out.unrestricted, ept && (may(c->proc2) & CPU2_UNRESTRICTED_GUEST));
	assert_int_equal(out.ept_2m, ept && (c->ept_vpid & EPT_CAP_2M));
	/* INVEPT: single-context preferred, all-context otherwise, none without EPT. */
	if (!ept || !(c->ept_vpid & EPT_CAP_INVEPT))
		assert_int_equal(out.invept, 0);
	else if (c->ept_vpid & EPT_CAP_INVEPT_SINGLE)
		assert_int_equal(out.invept, 1);
	else
		assert_int_equal(out.invept, (c->ept_vpid & EPT_CAP_INVEPT_ALL) ? 2 : 0);
	assert_int_equal(out.vpid,
			 sec && (may(c->proc2) & CPU2_VPID) && (c->ept_vpid & VPID_CAP_INVVPID));
	assert_int_equal(out.pat, (may(c->exit) & EXIT_SAVE_PAT) &&
					  (may(c->exit) & EXIT_LOAD_PAT) &&
					  (may(c->entry) & ENTRY_LOAD_PAT));
	/*
	 * The timer count is saved across exits where allowed, but the bit is
	 * set only with the timer (per vCPU), never in the default exit word.
	 */
	assert_int_equal(out.save_timer, (may(c->pin) & PIN_PREEMPT_TIMER) &&
						 (may(c->exit) & EXIT_SAVE_PREEMPT_TIMER));
	assert_int_equal(out.exit & EXIT_SAVE_PREEMPT_TIMER, must(c->exit) & EXIT_SAVE_PREEMPT_TIMER);
	/* Optional bits Keel asks for are on whenever the CPU allows them. */
	assert_int_equal(out.proc & CPU_MSR_BITMAPS, may(c->proc) & CPU_MSR_BITMAPS);
	assert_int_equal(out.pin & PIN_VIRTUAL_NMIS, may(c->pin) & PIN_VIRTUAL_NMIS);
}

static void test_recorded_models(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vmx_models); i++) {
		const struct vmx_model *m = &vmx_models[i];
		const struct model_expect *e = &expect[i];

		assert_string_equal(m->name, e->name);
		if (!e->usable)
			continue;
		if (negotiate(&m->caps) != 0)
			fail_msg("%s: refused: %s", m->name, why);
		assert_controls_sane(m->name, &m->caps);
		assert_flags_from_bits(&m->caps);
		if (out.ept != e->ept || out.unrestricted != e->unrestricted ||
		    out.vpid != e->vpid || out.ept_2m != e->ept_2m || out.pat != e->pat)
			fail_msg("%s: ept %d ug %d vpid %d 2m %d pat %d, expected %d %d %d %d %d",
				 m->name, out.ept, out.unrestricted, out.vpid, out.ept_2m, out.pat,
				 e->ept, e->unrestricted, e->vpid, e->ept_2m, e->pat);
	}
}

static const struct vmx_caps *model(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(vmx_models); i++)
		if (!strcmp(vmx_models[i].name, name))
			return &vmx_models[i].caps;
	fail_msg("no model %s", name);
	return NULL;
}

static void test_lynnfield_no_unrestricted(void **state)
{
	const struct vmx_caps *c = model("corei5_lynnfield_750");

	(void)state;
	assert_int_equal(negotiate(c), 0);
	assert_true(out.ept);
	assert_false(out.unrestricted);
	assert_true(out.proc2 & CPU2_EPT);
	assert_false(out.proc2 & CPU2_UNRESTRICTED_GUEST);
}

/*
 * Under KVM: everything Keel uses (KVM has no XSAVES); the preemption timer is there,
 * its count saved on exit, at TSC/32 (arch_vcpu_set_timer shifts by misc).
 */
static void test_kvm_nested(void **state)
{
	const struct vmx_caps *c = model("kvm_nested_skylake_x");

	(void)state;
	assert_int_equal(negotiate(c), 0);
	assert_controls_sane("kvm", c);
	assert_true(out.preempt_timer);
	assert_true(out.save_timer);
	assert_int_equal(c->misc & 31, 5);
	assert_false(out.proc2 & CPU2_XSAVES);
	assert_true(out.proc2 & CPU2_RDTSCP);
	assert_true(out.proc2 & CPU2_INVPCID);
	assert_int_equal(out.invept, 1);
	/* Bochs's skylake-x offers XSAVES; Keel leaves it off there too (CPUID hides it). */
	assert_true(out.proc2 != 0);
	assert_int_equal(negotiate(model("corei7_skylake_x")), 0);
	assert_true(model("corei7_skylake_x")->proc2 >> 32 & CPU2_XSAVES);
	assert_false(out.proc2 & CPU2_XSAVES);
}

/* Core 2 lacks save/load IA32_EFER on VM exit, which Keel requires. */
static void test_penryn_refused(void **state)
{
	(void)state;
	assert_int_equal(negotiate(model("core2_penryn_t9600")), -1);
	assert_non_null(strstr(why, "VM-exit"));
	assert_int_equal(why_bits(), EXIT_SAVE_EFER | EXIT_LOAD_EFER);
	assert_non_null(strstr(why, "(save IA32_EFER, load IA32_EFER)"));
	assert_false(out.ept);
	assert_false(out.unrestricted);
	assert_false(out.vpid);
}

/* Penryn's secondary controls offer nothing Keel uses: no EPT, no VPID. */
static void test_penryn_with_efer_switching(void **state)
{
	struct vmx_caps c = *model("core2_penryn_t9600");

	(void)state;
	c.exit |= (uint64_t)(EXIT_SAVE_EFER | EXIT_LOAD_EFER) << 32;
	c.entry |= (uint64_t)ENTRY_LOAD_EFER << 32;
	if (negotiate(&c))
		fail_msg("refused: %s", why);
	assert_controls_sane("penryn+efer", &c);
	assert_flags_from_bits(&c);
	assert_false(out.ept);
	assert_false(out.unrestricted);
	assert_false(out.vpid);
	assert_false(out.pat);
	assert_int_equal(out.proc2, 0);
	assert_false(out.proc & CPU_SECONDARY);
}

/* A CPU without secondary controls: read_caps() leaves proc2 and ept_vpid 0. */
static void test_no_secondary(void **state)
{
	struct vmx_caps c = *model("corei7_skylake_x");

	(void)state;
	c.proc &= ~((uint64_t)CPU_SECONDARY << 32);
	c.proc2 = 0;
	c.ept_vpid = 0;
	assert_int_equal(negotiate(&c), 0);
	assert_controls_sane("no-secondary", &c);
	assert_int_equal(out.proc2, 0);
	assert_false(out.proc & CPU_SECONDARY);
	assert_false(out.ept);
	assert_false(out.unrestricted);
	assert_false(out.vpid);
	assert_false(out.ept_2m);
	assert_false(out.apicv);
}

/*
 * APIC virtualization (SDM 3C chapter 30) only as a whole: skylake-x,
 * haswell, tigerlake, icelake and KVM's nested VMX offer TPR shadow,
 * APIC-access and APIC-register virtualization and virtual-interrupt
 * delivery; Sandy Bridge has no APIC-register virtualization or VID, Nehalem
 * neither, Core 2 no EPT. The words for other guests never carry it.
 */
static void test_apicv_choice(void **state)
{
	static const struct {
		const char *name;
		bool apicv;
	} want[] = {
		{ "corei7_skylake_x", true },	   { "corei7_haswell_4770", true },
		{ "corei7_sandy_bridge_2600k", false }, { "tigerlake", true },
		{ "corei7_icelake_u", true },	   { "corei5_lynnfield_750", false },
		{ "kvm_nested_skylake_x", true },
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		const struct vmx_caps *c = model(want[i].name);

		if (negotiate(c))
			fail_msg("%s refused: %s", want[i].name, why);
		if (out.apicv != want[i].apicv)
			fail_msg("%s: apicv %d, want %d", want[i].name, out.apicv, want[i].apicv);
		assert_false(out.proc & CPU_TPR_SHADOW);
		assert_false(out.proc2 & (CPU2_VIRT_APIC_ACCESS | CPU2_VIRT_X2APIC |
					  CPU2_APIC_REG_VIRT | CPU2_VINTR_DELIVERY));
		if (!out.apicv)
			continue;
		assert_ctl_valid(want[i].name, "apicv proc", out.apicv_proc, c->proc);
		assert_ctl_valid(want[i].name, "apicv proc2",
				 out.apicv_proc2 | CPU2_VIRT_APIC_ACCESS, c->proc2);
		assert_true(out.apicv_proc & CPU_TPR_SHADOW);
		assert_false(out.apicv_proc & (CPU_CR8_LOAD | CPU_CR8_STORE)); /* MOV CR8 uses VTPR */
		assert_int_equal(out.apicv_proc & ~(uint32_t)(CPU_TPR_SHADOW | CPU_CR8_LOAD |
							      CPU_CR8_STORE),
				 out.proc & ~(uint32_t)(CPU_CR8_LOAD | CPU_CR8_STORE));
		assert_int_equal(out.apicv_proc2, out.proc2 | CPU2_APIC_REG_VIRT | CPU2_VINTR_DELIVERY);
		assert_true(out.apicv_x2apic);
	}
}

/* One missing piece is enough to keep the emulated vLAPIC. */
static void test_apicv_needs_every_piece(void **state)
{
	static const uint32_t pieces[] = { CPU2_VIRT_APIC_ACCESS, CPU2_APIC_REG_VIRT,
					   CPU2_VINTR_DELIVERY };
	struct vmx_caps c;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(pieces); i++) {
		c = *model("corei7_skylake_x");
		c.proc2 &= ~((uint64_t)pieces[i] << 32);
		assert_int_equal(negotiate(&c), 0);
		assert_false(out.apicv);
	}
	c = *model("corei7_skylake_x");
	c.proc &= ~((uint64_t)CPU_TPR_SHADOW << 32);
	assert_int_equal(negotiate(&c), 0);
	assert_false(out.apicv);
	/* x2APIC-mode virtualization is optional. */
	c = *model("corei7_skylake_x");
	c.proc2 &= ~((uint64_t)CPU2_VIRT_X2APIC << 32);
	assert_int_equal(negotiate(&c), 0);
	assert_true(out.apicv);
	assert_false(out.apicv_x2apic);
}

/*
 * Posted interrupts (SDM 3C 30.6): pin-based bit 7. No recorded model offers
 * it (Bochs's and KVM's nested pin-based allowed-1 is 0x7f), so every one
 * negotiates it off; it is never in the default pin word (other guests
 * have no virtual-interrupt delivery, 26.2.1.1), only in vCPUs' with apicv.
 */
static void test_posted_off_on_every_model(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(vmx_models); i++) {
		const struct vmx_caps *c = &vmx_models[i].caps;

		assert_false(may(c->pin) & PIN_POSTED_INTR);
		if (!expect[i].usable)
			continue;
		assert_int_equal(negotiate(c), 0);
		if (out.posted)
			fail_msg("%s: posted interrupts on", vmx_models[i].name);
		assert_false(out.pin & PIN_POSTED_INTR);
	}
}

/* A CPU that offers it: on with APIC virtualization, off with any piece of it missing. */
static void test_posted_synthetic(void **state)
{
	static const uint32_t pieces[] = { CPU2_VIRT_APIC_ACCESS, CPU2_APIC_REG_VIRT,
					   CPU2_VINTR_DELIVERY };
	struct vmx_caps c = *model("corei7_skylake_x");

	(void)state;
	c.pin |= (uint64_t)PIN_POSTED_INTR << 32;
	assert_int_equal(negotiate(&c), 0);
	assert_controls_sane("posted", &c);
	assert_true(out.apicv);
	assert_true(out.posted);
	assert_true(out.exit & EXIT_ACK_INTR);
	assert_false(out.pin & PIN_POSTED_INTR); /* per vCPU, never for every guest */
	/* keel.cfg "vmx apicv=off" takes posting with it. */
	vmx_ctl_no_apicv(&out);
	assert_false(out.apicv);
	assert_false(out.posted);
	for (unsigned i = 0; i < ARRAY_SIZE(pieces); i++) {
		c = *model("tigerlake");
		c.pin |= (uint64_t)PIN_POSTED_INTR << 32;
		c.proc2 &= ~((uint64_t)pieces[i] << 32);
		assert_int_equal(negotiate(&c), 0);
		assert_false(out.apicv);
		assert_false(out.posted);
	}
	/* No TPR shadow, so no apicv: no posting either. */
	c = *model("kvm_nested_skylake_x");
	c.pin |= (uint64_t)PIN_POSTED_INTR << 32;
	c.proc &= ~((uint64_t)CPU_TPR_SHADOW << 32);
	assert_int_equal(negotiate(&c), 0);
	assert_false(out.posted);
	/* Without "acknowledge interrupt on exit" Keel refuses the CPU outright. */
	c = *model("kvm_nested_skylake_x");
	c.pin |= (uint64_t)PIN_POSTED_INTR << 32;
	c.exit &= ~((uint64_t)EXIT_ACK_INTR << 32);
	assert_int_equal(negotiate(&c), -1);
	assert_false(out.posted);
}

struct missing_case {
	const char *what;
	size_t field; /* offsetof(struct vmx_caps, ...) */
	uint32_t bit;
	const char *word;
};

static const struct missing_case missing_cases[] = {
	{ "ext-intr exiting", offsetof(struct vmx_caps, pin), PIN_EXT_INTR_EXITING, "pin-based" },
	{ "NMI exiting", offsetof(struct vmx_caps, pin), PIN_NMI_EXITING, "pin-based" },
	{ "HLT exiting", offsetof(struct vmx_caps, proc), CPU_HLT_EXITING, "processor-based" },
	{ "I/O bitmaps", offsetof(struct vmx_caps, proc), CPU_IO_BITMAPS, "processor-based" },
	{ "host 64-bit", offsetof(struct vmx_caps, exit), EXIT_HOST_64BIT, "VM-exit" },
	{ "ack intr", offsetof(struct vmx_caps, exit), EXIT_ACK_INTR, "VM-exit" },
	{ "save EFER", offsetof(struct vmx_caps, exit), EXIT_SAVE_EFER, "VM-exit" },
	{ "load EFER (exit)", offsetof(struct vmx_caps, exit), EXIT_LOAD_EFER, "VM-exit" },
	{ "load EFER (entry)", offsetof(struct vmx_caps, entry), ENTRY_LOAD_EFER, "VM-entry" },
};

static void test_missing_required(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(missing_cases); i++) {
		const struct missing_case *m = &missing_cases[i];
		struct vmx_caps c = *model("corei7_skylake_x");
		uint64_t *cap = (uint64_t *)((char *)&c + m->field);

		*cap &= ~((uint64_t)m->bit << 32);
		if (negotiate(&c) != -1)
			fail_msg("%s: accepted", m->what);
		if (!strstr(why, m->word))
			fail_msg("%s: why '%s' does not name '%s'", m->what, why, m->word);
		if (why_bits() != m->bit)
			fail_msg("%s: why '%s' does not name bits 0x%x", m->what, why, m->bit);
	}
}

/* The first word that lacks something is the one reported. */
static void test_missing_first_reported(void **state)
{
	struct vmx_caps c = *model("corei7_skylake_x");

	(void)state;
	c.proc &= ~((uint64_t)CPU_HLT_EXITING << 32);
	c.entry &= ~((uint64_t)ENTRY_LOAD_EFER << 32);
	assert_int_equal(negotiate(&c), -1);
	assert_non_null(strstr(why, "processor-based"));
	assert_null(strstr(why, "VM-entry"));
}

static void test_why_truncated(void **state)
{
	struct vmx_caps c = *model("core2_penryn_t9600");
	char small[8];

	(void)state;
	memset(small, 'x', sizeof(small));
	assert_int_equal(vmx_negotiate(&c, &out, small, sizeof(small)), -1);
	assert_int_equal(strnlen(small, sizeof(small)), sizeof(small) - 1);
}

/* EPT needs a 4-level walk and write-back tables; unrestricted guest needs EPT. */
static void test_ept_caps_required(void **state)
{
	static const uint64_t drop[] = { EPT_CAP_WALK4, EPT_CAP_WB };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct vmx_caps c = *model("corei7_skylake_x");

		c.ept_vpid &= ~drop[i];
		assert_int_equal(negotiate(&c), 0);
		assert_controls_sane("ept-cap", &c);
		assert_false(out.ept);
		assert_false(out.unrestricted);
		assert_false(out.ept_2m);
		assert_false(out.proc2 & (CPU2_EPT | CPU2_UNRESTRICTED_GUEST));
		assert_true(out.vpid); /* VPID does not depend on EPT */
	}
}

static void test_unrestricted_without_ept(void **state)
{
	struct vmx_caps c = *model("corei7_sandy_bridge_2600k");

	(void)state;
	c.proc2 &= ~((uint64_t)CPU2_EPT << 32);
	assert_int_equal(negotiate(&c), 0);
	assert_controls_sane("ug-no-ept", &c);
	assert_false(out.ept);
	assert_false(out.unrestricted);
	assert_false(out.proc2 & CPU2_UNRESTRICTED_GUEST);
}

static void test_ept_no_2m(void **state)
{
	struct vmx_caps c = *model("corei7_haswell_4770");

	(void)state;
	c.ept_vpid &= ~EPT_CAP_2M;
	assert_int_equal(negotiate(&c), 0);
	assert_true(out.ept);
	assert_false(out.ept_2m);
}

static void test_vpid_needs_invvpid(void **state)
{
	struct vmx_caps c = *model("tigerlake");

	(void)state;
	c.ept_vpid &= ~VPID_CAP_INVVPID;
	assert_int_equal(negotiate(&c), 0);
	assert_controls_sane("no-invvpid", &c);
	assert_false(out.vpid);
	assert_false(out.proc2 & CPU2_VPID);
	assert_true(out.ept);
}

static void test_pat_needs_all_three(void **state)
{
	static const struct { size_t field; uint32_t bit; } drop[] = {
		{ offsetof(struct vmx_caps, exit), EXIT_SAVE_PAT },
		{ offsetof(struct vmx_caps, exit), EXIT_LOAD_PAT },
		{ offsetof(struct vmx_caps, entry), ENTRY_LOAD_PAT },
	};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		struct vmx_caps c = *model("corei7_icelake_u");

		*(uint64_t *)((char *)&c + drop[i].field) &= ~((uint64_t)drop[i].bit << 32);
		assert_int_equal(negotiate(&c), 0);
		assert_controls_sane("no-pat", &c);
		assert_false(out.pat);
		assert_false(out.exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT));
		assert_false(out.entry & ENTRY_LOAD_PAT);
	}
}

/* Bits a CPU forces on stay on, even where Keel would rather clear them. */
static void test_must_be_one_honoured(void **state)
{
	struct vmx_caps c = *model("corei7_skylake_x");

	(void)state;
	c.proc |= CPU_RDTSC_EXITING | CPU_SECONDARY;
	c.proc2 = 0x0000004100000000ULL; /* nothing Keel wants */
	c.exit |= EXIT_SAVE_PAT;
	c.entry |= ENTRY_IA32E_GUEST;
	c.entry &= ~((uint64_t)ENTRY_LOAD_PAT << 32); /* so no PAT switching */
	assert_int_equal(negotiate(&c), 0);
	assert_controls_sane("must-be-one", &c);
	assert_true(out.proc & CPU_RDTSC_EXITING);
	assert_true(out.proc & CPU_SECONDARY);
	assert_int_equal(out.proc2, 0);
	assert_false(out.pat);
	assert_true(out.exit & EXIT_SAVE_PAT);
	assert_false(out.exit & EXIT_LOAD_PAT);
	assert_true(out.entry & ENTRY_IA32E_GUEST);
}

struct adjust_case {
	uint64_t cap;
	uint32_t want, need, ret, missing;
};

static const struct adjust_case adjust_cases[] = {
	/* must bits forced on, whether wanted or not */
	{ 0x000000ff00000016ULL, 0, 0, 0x16, 0 },
	{ 0x000000ff00000016ULL, 0x01, 0x08, 0x1f, 0 },
	/* optional bits the CPU does not allow are dropped silently */
	{ 0x0000000f00000000ULL, 0xf0f0, 0, 0x00, 0 },
	{ 0x0000000f00000000ULL, 0xff, 0, 0x0f, 0 },
	/* needed bits the CPU does not allow are reported and left out */
	{ 0x0000000f00000000ULL, 0, 0x30, 0x00, 0x30 },
	{ 0x0000000f00000001ULL, 0x2, 0x14, 0x07, 0x10 },
	/* a bit both wanted and needed counts once */
	{ 0xffffffff00000000ULL, 0x80000000, 0x80000000, 0x80000000, 0 },
	{ 0x7fffffff00000000ULL, 0x80000000, 0x80000000, 0, 0x80000000 },
	/* everything allowed: the word is exactly want | need */
	{ 0xffffffff00000000ULL, 0x00f0, 0x0f00, 0x0ff0, 0 },
	/* nothing allowed, nothing forced */
	{ 0, 0xffffffff, 0, 0, 0 },
};

static void test_ctl_adjust_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(adjust_cases); i++) {
		const struct adjust_case *t = &adjust_cases[i];
		uint32_t missing = 0xdeadbeef;
		uint32_t ret = vmx_ctl_adjust(t->cap, t->want, t->need, &missing);

		if (ret != t->ret || missing != t->missing)
			fail_msg("case %zu: got 0x%x missing 0x%x, expected 0x%x missing 0x%x", i,
				 ret, missing, t->ret, t->missing);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recorded_models),
		cmocka_unit_test(test_lynnfield_no_unrestricted),
		cmocka_unit_test(test_kvm_nested),
		cmocka_unit_test(test_penryn_refused),
		cmocka_unit_test(test_penryn_with_efer_switching),
		cmocka_unit_test(test_no_secondary),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_missing_first_reported),
		cmocka_unit_test(test_why_truncated),
		cmocka_unit_test(test_ept_caps_required),
		cmocka_unit_test(test_unrestricted_without_ept),
		cmocka_unit_test(test_ept_no_2m),
		cmocka_unit_test(test_vpid_needs_invvpid),
		cmocka_unit_test(test_pat_needs_all_three),
		cmocka_unit_test(test_must_be_one_honoured),
		cmocka_unit_test(test_ctl_adjust_table),
		cmocka_unit_test(test_apicv_choice),
		cmocka_unit_test(test_apicv_needs_every_piece),
		cmocka_unit_test(test_posted_off_on_every_model),
		cmocka_unit_test(test_posted_synthetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
