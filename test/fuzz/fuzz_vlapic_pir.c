/* SPDX-License-Identifier: MIT */
/*
 * Posted interrupts (vmm/dev/vlapic_pir.c; SDM 3C 30.6) on a vLAPIC with a
 * virtual-APIC page (vlapic_apicv.c): the input plays the guest and its
 * CPU, a poster on another host CPU and the notifications, against Keel's
 * exits. In the guest, as the CPU would: virtual-interrupt delivery, EOI
 * virtualization, TPR writes (as fuzz_apicv.c), and at any
 * moment the processing of a notification (ON cleared, PIR ORed into VIRR
 * and cleared, RVI raised). The poster posts any vector Keel's hook would
 * (vlapic_pir_postable), at any time the guest runs. An exit: the pull
 * (which takes PIR after a post), one model operation (a device interrupt,
 * an APIC-write exit, IA32_APIC_BASE off or on, time), maybe posts while
 * the vCPU waits for its CPU, the push (which takes them).
 * Invariants: a post asks for a notification exactly when ON was clear;
 * after a pull or a push or the CPU's processing PIR and ON are clear; every
 * interrupt that reached IRR or VIRR is requested until the CPU delivers
 * it, and is delivered once per request (none lost, none twice); RVI and
 * SVI are the highest requested and in-service vectors after the push.
 *
 * No self-IPIs here (fuzz_apicv.c plays them): like a processed post they
 * grow VIRR without an exit, and after a delivery and an EOI the guest
 * interrupt status can come back to what the pull last saw; vlapic_post()
 * makes the next pull compare the whole page, nothing does so for a
 * self-IPI (docs/vcpus.md, "Posted interrupts").
 */
#include <keel/dev/vlapic_pir.h>

#include "fuzz_vapic_cpu.h"

static struct vlapic_pir desc;

static void check_pir_empty(const char *after)
{
	FUZZ_CHECK(!(desc.pir[0] | desc.pir[1] | desc.pir[2] | desc.pir[3]), after);
	FUZZ_CHECK(!(desc.on & VLAPIC_PIR_ON), after);
}

/* 30.6: a notification in the guest. */
static void cpu_process_posted(void)
{
	__atomic_fetch_and(&desc.on, ~VLAPIC_PIR_ON, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t w = __atomic_exchange_n(&desc.pir[i], 0, __ATOMIC_SEQ_CST);

		for (; w; w &= w - 1) {
			unsigned v = i * 64 + (unsigned)__builtin_ctzll(w);

			set_bit(0x200, v, true);
			requested[v / 32] |= 1u << (v % 32);
			if (v > (status & 0xffu))
				status = (uint16_t)((status & 0xff00) | v);
		}
	}
	check_pir_empty("the CPU's processing empties PIR and clears ON");
}

/* Another CPU's IPI or MSI, under the VM lock, as vmm/hvm_posted.c posts it. */
static void post(uint8_t v, bool level)
{
	bool on = desc.on & VLAPIC_PIR_ON;
	enum vlapic_post r;

	r = vlapic_post(&lapic, v, level);
	if (r == VLAPIC_POST_REFUSED) {
		FUZZ_CHECK(!vlapic_pir_postable(&lapic, v, level), "what may be posted is");
		return; /* the model path: an exit (model_op's device interrupt) */
	}
	FUZZ_CHECK(r == (on ? VLAPIC_POST_QUEUED : VLAPIC_POST_NOTIFY),
		   "a post notifies exactly when ON was clear");
	FUZZ_CHECK(desc.pir[v / 64] >> (v % 64) & 1, "a post sets its PIR bit");
}

/*
 * Keel's pull takes what is in PIR: requested from now on (a vector still
 * in VIRR meanwhile delivered is a second interrupt, as on a real APIC
 * when the post came after that one was accepted).
 */
static void pull(void)
{
	uint64_t pir[4];

	memcpy(pir, desc.pir, sizeof(pir));
	vlapic_apicv_pull(&lapic, status);
	check_pir_empty("the pull after a post takes PIR and clears ON");
	for (unsigned i = 0; i < 8; i++)
		requested[i] |= (uint32_t)(pir[i / 2] >> (32 * (i % 2))) & lapic.irr[i];
}

/*
 * Posts while the vCPU is out of the guest, between its exit and its
 * entry (queued behind another vCPU on its host CPU): the push takes them.
 * Enabled when posted, and nothing ran since: each becomes a request.
 */
static void posts_before_entry(struct fuzz_in *in)
{
	unsigned n = fuzz_u8(in) % 4;

	for (unsigned i = 0; i < n; i++)
		post(fuzz_u8(in), false);
	for (unsigned i = 0; i < 8; i++)
		requested[i] |= (uint32_t)(desc.pir[i / 2] >> (32 * (i % 2)));
}

/* One exit: the pull, one thing Keel does, maybe posts meanwhile, the push. */
static void exit_op(struct fuzz_in *in)
{
	uint8_t what = fuzz_u8(in);

	pull();
	model_op(in, what);
	if (what & 0x80)
		posts_before_entry(in);
	push();
	check_pir_empty("the push after a post takes PIR and clears ON");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	int v;

	vapic_cpu_reset();
	memset(&desc, 0, sizeof(desc));
	lapic.pir = &desc;
	deliver_once = true;
	push();
	while (fuzz_more(&in)) {
		uint8_t op = fuzz_u8(&in);

		switch (op % 8) {
		case 0:
			cpu_deliver();
			break;
		case 1:
			v = cpu_eoi();
			if (v >= 0) { /* the EOI-induced exit, and the entry after it */
				pull();
				vlapic_apicv_eoi(&lapic, (uint8_t)v);
				push();
			}
			break;
		case 3:
			cpu_write(&in);
			break;
		case 2:
		case 4:
		case 5:
			post(fuzz_u8(&in), op & 0x80);
			break;
		case 6:
			cpu_process_posted();
			break;
		default:
			exit_op(&in);
			break;
		}
	}
	return 0;
}
