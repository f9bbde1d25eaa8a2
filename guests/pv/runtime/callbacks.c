/* SPDX-License-Identifier: MIT */
/* Event upcalls and fault handlers for PV guests; see keel_pv.h. */
#include <keel_pv.h>

extern char keel_upcall_entry[], keel_fault_entry[];

static keel_upcall_fn *upcall_fn;
static keel_fault_fn *fault_fn;

void keel_upcall_dispatch(void);
void keel_fault_dispatch(struct keel_fault_frame *f);

void keel_upcall_dispatch(void)
{
	if (upcall_fn)
		upcall_fn();
	/* Upcalls on again; one that arrives from here on nests above this frame, which is fine. */
	keel_shared_info->upcall_mask = 0;
}

/* Without a handler a fault is fatal, as a signal nobody catches. */
void keel_fault_dispatch(struct keel_fault_frame *f)
{
	if (!fault_fn)
		keel_shutdown(KEEL_SHUTDOWN_CRASH, 128 + (long)f->vector);
	fault_fn(f);
}

long keel_set_callbacks(keel_upcall_fn *upcall, keel_fault_fn *fault)
{
	upcall_fn = upcall;
	fault_fn = fault;
	return keel_hcall(KEEL_HC_SET_CALLBACKS, upcall ? (long)keel_upcall_entry : 0,
			  fault ? (long)keel_fault_entry : 0, 0);
}
