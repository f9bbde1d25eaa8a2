/* SPDX-License-Identifier: MIT */
/*
 * Control negotiation from the capability MSRs: pure logic, unit-tested on
 * the host with MSR values recorded from several Bochs CPU models.
 */
#include "vmx_ctls.h"
#include <keel/printk.h>

uint32_t vmx_ctl_adjust(uint64_t cap, uint32_t want, uint32_t need, uint32_t *missing)
{
	uint32_t must = (uint32_t)cap, may = (uint32_t)(cap >> 32);

	*missing = need & ~may;
	return ((want | need) & may) | must;
}

struct ctl_step {
	const char *name;
	uint32_t missing;
};

/* Names of the bits Keel requires, so a refusal says what the CPU lacks. */
static const struct {
	unsigned word;
	uint32_t bit;
	const char *name;
} required_names[] = {
	{ 0, PIN_EXT_INTR_EXITING, "external-interrupt exiting" },
	{ 0, PIN_NMI_EXITING, "NMI exiting" },
	{ 1, CPU_HLT_EXITING, "HLT exiting" },
	{ 1, CPU_IO_BITMAPS, "I/O bitmaps" },
	{ 3, EXIT_HOST_64BIT, "64-bit host" },
	{ 3, EXIT_ACK_INTR, "acknowledge interrupt on exit" },
	{ 3, EXIT_SAVE_EFER, "save IA32_EFER" },
	{ 3, EXIT_LOAD_EFER, "load IA32_EFER" },
	{ 4, ENTRY_LOAD_EFER, "load IA32_EFER" },
};

static int report(const struct ctl_step *s, unsigned n, char *why, size_t whylen)
{
	for (unsigned i = 0; i < n; i++) {
		size_t len;
		const char *sep = " (";

		if (!s[i].missing)
			continue;
		len = (size_t)snprintf(why, whylen, "%s controls lack required bits 0x%x",
				       s[i].name, s[i].missing);
		for (unsigned k = 0; k < ARRAY_SIZE(required_names) && len < whylen; k++) {
			if (required_names[k].word != i || !(s[i].missing & required_names[k].bit))
				continue;
			len += (size_t)snprintf(why + len, whylen - len, "%s%s", sep,
						required_names[k].name);
			sep = ", ";
		}
		if (len < whylen && sep[0] == ',')
			snprintf(why + len, whylen - len, ")");
		return -1;
	}
	return 0;
}

/*
 * APIC virtualization (SDM 3C chapter 30) is taken whole or not at all:
 * TPR shadow, APIC-access virtualization, APIC-register virtualization and
 * virtual-interrupt delivery, so that TPR writes, EOI and most APIC reads
 * stay in the guest and interrupts are requested through RVI instead of
 * injected. A CPU with only some of them (Bochs's Sandy Bridge has TPR
 * shadow and APIC-access virtualization, no VID) keeps the emulated vLAPIC:
 * without VID every interrupt is still injected and every EOI exits, so
 * the rest would save little. x2APIC-mode virtualization is optional (the
 * x2APIC MSRs then exit as before). VID needs external-interrupt exiting
 * (27.2.1.1: Keel requires it anyway), the APIC-access page is mapped
 * through EPT and unmapped again when the guest leaves xAPIC mode, which
 * needs INVEPT. CR8 exits are dropped where the CPU allows it: MOV CR8
 * then reads and writes VTPR (30.3).
 */
static void negotiate_apicv(const struct vmx_caps *c, struct vmx_controls *out)
{
	const uint32_t need2 = CPU2_VIRT_APIC_ACCESS | CPU2_APIC_REG_VIRT | CPU2_VINTR_DELIVERY;
	uint32_t may = (uint32_t)(c->proc >> 32), may2 = (uint32_t)(c->proc2 >> 32);

	out->apicv = (out->proc & CPU_SECONDARY) && out->ept && out->invept &&
		     (out->pin & PIN_EXT_INTR_EXITING) && (may & CPU_TPR_SHADOW) &&
		     (may2 & need2) == need2;
	if (!out->apicv)
		return;
	out->apicv_x2apic = may2 & CPU2_VIRT_X2APIC;
	out->apicv_proc = ((out->proc | CPU_TPR_SHADOW) & ~(uint32_t)(CPU_CR8_LOAD | CPU_CR8_STORE)) |
			  (uint32_t)c->proc;
	out->apicv_proc2 = out->proc2 | CPU2_APIC_REG_VIRT | CPU2_VINTR_DELIVERY;
	/*
	 * Posted interrupts (30.6): 26.2.1.1 lets "process posted interrupts"
	 * be 1 only with virtual-interrupt delivery and "acknowledge interrupt
	 * on exit" both 1 (the CPU acknowledges the notification itself). No
	 * CPU model here offers it (pin-based allowed-1 0x7f): synthetic tests.
	 */
	out->posted = ((c->pin >> 32) & PIN_POSTED_INTR) && (out->exit & EXIT_ACK_INTR);
}

void vmx_ctl_no_apicv(struct vmx_controls *k)
{
	k->apicv = false;
	k->posted = false; /* 26.2.1.1: it needs virtual-interrupt delivery */
}

int vmx_negotiate(const struct vmx_caps *c, struct vmx_controls *out, char *why, size_t whylen)
{
	struct ctl_step s[5] = { { "pin-based", 0 }, { "processor-based", 0 },
				 { "secondary", 0 }, { "VM-exit", 0 }, { "VM-entry", 0 } };

	*out = (struct vmx_controls){ 0 };
	/*
	 * External interrupts and NMIs always exit: Keel owns the host's
	 * interrupts. HLT exits so an idle guest yields. All port I/O traps
	 * through the I/O bitmap; the MSR bitmap is optional (without it every
	 * MSR access exits, which is merely slower). CR8 exits both ways, or a
	 * guest's TPR would be the host's (exit_cr.c).
	 */
	out->pin = vmx_ctl_adjust(c->pin, PIN_VIRTUAL_NMIS, PIN_EXT_INTR_EXITING | PIN_NMI_EXITING,
				  &s[0].missing);
	/* Timers and interrupt windows are switched on per entry when allowed. */
	out->preempt_timer = (c->pin >> 32) & PIN_PREEMPT_TIMER;
	out->proc_window_ok = (c->proc >> 32) & CPU_INTR_WINDOW;
	out->proc = vmx_ctl_adjust(c->proc,
				   CPU_MSR_BITMAPS | CPU_TSC_OFFSETTING | CPU_SECONDARY |
					   CPU_MWAIT_EXITING | CPU_MONITOR_EXITING,
				   CPU_HLT_EXITING | CPU_IO_BITMAPS | CPU_CR8_LOAD | CPU_CR8_STORE,
				   &s[1].missing);
	/*
	 * Secondary controls exist only when the primary word may enable them.
	 * Not "enable XSAVES/XRSTORS": guest CPUID hides XSAVES (no IA32_XSS
	 * model), and with the control clear they #UD as on a CPU without them
	 * (SDM 3C 25.3).
	 */
	if (out->proc & CPU_SECONDARY)
		out->proc2 = vmx_ctl_adjust(c->proc2,
					    CPU2_EPT | CPU2_UNRESTRICTED_GUEST | CPU2_VPID |
						    CPU2_RDTSCP | CPU2_INVPCID,
					    0, &s[2].missing);
	/* Host EFER must come back on exit (guest NXE/LME would leak otherwise). */
	out->exit = vmx_ctl_adjust(c->exit, EXIT_SAVE_PAT | EXIT_LOAD_PAT,
				   EXIT_HOST_64BIT | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER,
				   &s[3].missing);
	out->entry = vmx_ctl_adjust(c->entry, ENTRY_LOAD_PAT, ENTRY_LOAD_EFER, &s[4].missing);
	/* IA-32e mode guest is set per guest at entry; never by default. */
	out->entry &= ~(uint32_t)ENTRY_IA32E_GUEST | (uint32_t)c->entry;
	if (report(s, 5, why, whylen))
		return -1;

	out->ept = (out->proc2 & CPU2_EPT) && (c->ept_vpid & EPT_CAP_WALK4) &&
		   (c->ept_vpid & EPT_CAP_WB);
	if (!out->ept)
		out->proc2 &= ~(uint32_t)(CPU2_EPT | CPU2_UNRESTRICTED_GUEST);
	/* SDM 3C 25.6.2: unrestricted guest requires EPT. */
	out->unrestricted = out->ept && (out->proc2 & CPU2_UNRESTRICTED_GUEST);
	out->ept_2m = out->ept && (c->ept_vpid & EPT_CAP_2M);
	/* Changing a live EPT needs INVEPT (SDM 3C 29.4.3.1); single-context is enough. */
	out->invept = 0;
	if (out->ept && (c->ept_vpid & EPT_CAP_INVEPT))
		out->invept = (c->ept_vpid & EPT_CAP_INVEPT_SINGLE) ? 1 :
			      (c->ept_vpid & EPT_CAP_INVEPT_ALL) ? 2 : 0;
	out->vpid = (out->proc2 & CPU2_VPID) && (c->ept_vpid & VPID_CAP_INVVPID);
	if (!out->vpid)
		out->proc2 &= ~(uint32_t)CPU2_VPID;
	/*
	 * Saving the timer's count on exit (SDM 3C 25.7.1) lets a slice be
	 * armed once, not on every exit. Set with the timer only: VM entry
	 * requires it clear while the timer is off (SDM 3C 27.2.1.2).
	 */
	out->save_timer = out->preempt_timer && ((c->exit >> 32) & EXIT_SAVE_PREEMPT_TIMER) &&
			  !(out->exit & EXIT_SAVE_PREEMPT_TIMER);
	out->pat = (out->exit & EXIT_SAVE_PAT) && (out->exit & EXIT_LOAD_PAT) &&
		   (out->entry & ENTRY_LOAD_PAT);
	if (!out->pat) {
		out->exit &= ~(uint32_t)(EXIT_SAVE_PAT | EXIT_LOAD_PAT) | (uint32_t)c->exit;
		out->entry &= ~(uint32_t)ENTRY_LOAD_PAT | (uint32_t)c->entry;
	}
	if (!out->proc2)
		out->proc &= ~(uint32_t)CPU_SECONDARY | (uint32_t)c->proc;
	negotiate_apicv(c, out);
	return 0;
}
