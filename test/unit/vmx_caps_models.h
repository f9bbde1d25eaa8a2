/* SPDX-License-Identifier: MIT */
/*
 * VMX capability MSRs recorded from Bochs 2.7 (2.7+dfsg-4+deb12u1) CPU
 * models on 2026-11-24, by booting Keel under tools/run-bochs.sh and copying
 * the "vmx:" lines it prints (read_caps() in arch/x86/vmx/vmx_init.c: the
 * TRUE_* control MSRs, as every model sets IA32_VMX_BASIC bit 55; proc2 is
 * 0 unless the processor-based allowed-1 bits offer secondary controls, and
 * ept_vpid is 0 unless those offer EPT or VPID).
 */
#ifndef TEST_UNIT_VMX_CAPS_MODELS_H
#define TEST_UNIT_VMX_CAPS_MODELS_H

#include "vmx_ctls.h"

struct vmx_model {
	const char *name; /* Bochs cpu: model= */
	struct vmx_caps caps;
};

#define CAPS(b, pi, pr, p2, ex, en, mi, ev, c0f0, c0f1, c4f0, c4f1)                        \
	{ .basic = b, .pin = pi, .proc = pr, .proc2 = p2, .exit = ex, .entry = en,           \
	  .misc = mi, .ept_vpid = ev, .cr0_fixed0 = c0f0, .cr0_fixed1 = c0f1,                \
	  .cr4_fixed0 = c4f0, .cr4_fixed1 = c4f1 }

static const struct vmx_model vmx_models[] = {
	{ "corei7_skylake_x",
	  CAPS(0x00d810000000002bULL, 0x0000007f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x02177fff00000000ULL, 0x007fffff00036dfbULL, 0x0000ffff000011fbULL,
	       0x00000000600401e0ULL, 0x00000f0106334141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x3727ff) },
	{ "corei7_haswell_4770",
	  CAPS(0x00d810000000002bULL, 0x0000007f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x00047fff00000000ULL, 0x007fffff00036dfbULL, 0x0000ffff000011fbULL,
	       0x00000000200401e0ULL, 0x00000f0106334141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x1727ff) },
	{ "corei7_sandy_bridge_2600k",
	  CAPS(0x00d810000000002bULL, 0x0000007f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x000000ff00000000ULL, 0x007fffff00036dfbULL, 0x0000ffff000011fbULL,
	       0x00000000000401e0ULL, 0x00000f0106114141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x627ff) },
	{ "tigerlake",
	  CAPS(0x01d8100000000004ULL, 0x0000007f00000016ULL, 0xfff9fffe04006172ULL,
	       0x02977fff00000000ULL, 0x107fffff00036dfbULL, 0x0010ffff000011fbULL,
	       0x00000000600401e0ULL, 0x00000f0106b34141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0xf72fff) },
	{ "corei7_icelake_u",
	  CAPS(0x00d8100000000004ULL, 0x0000007f00000016ULL, 0xfff9fffe04006172ULL,
	       0x02977fff00000000ULL, 0x007fffff00036dfbULL, 0x0000ffff000011fbULL,
	       0x00000000600401e0ULL, 0x00000f0106334141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x772fff) },
	/* Nehalem: EPT and VPID, but no unrestricted guest. */
	{ "corei5_lynnfield_750",
	  CAPS(0x00d810000000002bULL, 0x0000007f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x0000007f00000000ULL, 0x007fffff00036dfbULL, 0x0000ffff000011fbULL,
	       0x00000000000401e0ULL, 0x00000f0106114141ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x67ff) },
	/*
	 * KVM's nested VMX (Debian 12's 6.1 kvm_intel nested=1 in Bochs
	 * corei7_skylake_x, 2026-12-07, tools/nested/kvmcaps.c on a fresh vCPU
	 * given KVM's supported CPUID): no XSAVES, and a preemption timer that
	 * counts at TSC/32 (misc bits 4:0 = 5), where Bochs's counts at the TSC.
	 */
	{ "kvm_nested_skylake_x",
	  CAPS(0x00d8100011e57ed0ULL, 0x0000007f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x02037bff00000000ULL, 0x007fffff00036dfbULL, 0x0000f3ff000011fbULL,
	       0x0000000020000165ULL, 0x00000f0106334041ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x332fff) },
	/* Core 2: no EPT, no VPID, and no EFER/PAT switching on VM exit or entry. */
	{ "core2_penryn_t9600",
	  CAPS(0x00d810000000002bULL, 0x0000003f00000016ULL, 0xf7f9fffe04006172ULL,
	       0x0000004100000000ULL, 0x0003ffff00036dfbULL, 0x00003fff000011fbULL,
	       0x00000000000401e0ULL, 0x0000000000000000ULL, 0x80000021, 0xffffffff, 0x2000,
	       0x467ff) },
};

#undef CAPS

#endif
