/* SPDX-License-Identifier: MIT */
/*
 * The vLAPIC with a virtual-APIC page (vmm/dev/vlapic_apicv.c; SDM 3C
 * chapter 30): the guest and a CPU played against Keel's pull and push.
 * In the guest, as the CPU would (30.1, 30.2): virtual-interrupt delivery
 * of RVI when its class beats VPPR, EOI virtualization (an EOI-induced exit
 * for a vector in the EOI-exit bitmap), self-IPIs, TPR writes, writes that
 * land in the page and exit as APIC-write exits (any offset, any value).
 * At each exit Keel pulls with the guest interrupt status, runs one model
 * operation (an interrupt from a device, an APIC-write exit, an IA32_APIC_
 * BASE move, time), and pushes. Meanwhile another host CPU may raise an
 * interrupt in the model (a split guest's device or IPI). Invariants after
 * each push: no interrupt the vLAPIC accepted or the guest self-IPIed is
 * lost before it is delivered, nor delivered twice unless raised again
 * meanwhile; the page's ISR is what the guest took and did not EOI; its
 * IRR and RVI/SVI are the model's; the EOI-exit bitmap is TMR.
 */
#include "fuzz_vapic_cpu.h"

/* One exit: the pull, one thing Keel does, the push. */
static void exit_op(struct fuzz_in *in)
{
	vlapic_apicv_pull(&lapic, status);
	model_op(in, fuzz_u8(in));
	push();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	int v;

	vapic_cpu_reset();
	deliver_once = true; /* no vector twice per request: the status ABA of status_to_trust() */
	push();
	while (fuzz_more(&in)) {
		switch (fuzz_u8(&in) % 7) {
		case 0:
			cpu_deliver();
			break;
		case 1:
			v = cpu_eoi();
			if (v >= 0) { /* the EOI-induced exit */
				vlapic_apicv_pull(&lapic, status);
				vlapic_apicv_eoi(&lapic, (uint8_t)v);
			}
			break;
		case 2:
			cpu_self_ipi(fuzz_u8(&in));
			break;
		case 3:
			cpu_write(&in);
			break;
		case 4:
			remote_irq(fuzz_u8(&in));
			break;
		default:
			exit_op(&in);
			break;
		}
	}
	return 0;
}
