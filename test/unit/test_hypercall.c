/* SPDX-License-Identifier: MIT */
/*
 * Host tests for the hypercall table's permissions (vmm/hypercall.c): a
 * guest that is not a PV guest never reaches a handler that needs a
 * struct pv_domain (issue 8: such calls once dereferenced a NULL one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/abi.h>
#include <keel/errno.h>
#include <keel/hypercall.h>
#include <keel/vm.h>

static int called = -1; /* the call number whose handler ran last */
static struct vm *called_vm;

#define STUB(name, nr)                                                                        \
	uint64_t name(struct vcpu *v, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,    \
		      uint64_t a4)                                                            \
	{                                                                                     \
		(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;                             \
		called = nr;                                                                  \
		called_vm = v->vm;                                                            \
		return 0;                                                                     \
	}
STUB(hcall_console_write, KEEL_HC_CONSOLE_WRITE)
STUB(hcall_console_read, KEEL_HC_CONSOLE_READ)
STUB(hcall_yield, KEEL_HC_YIELD)
STUB(hcall_shutdown, KEEL_HC_SHUTDOWN)
STUB(hcall_memory_query, KEEL_HC_MEMORY_QUERY)
STUB(hcall_domain_find, KEEL_HC_DOMAIN_FIND)
STUB(hcall_block, KEEL_HC_BLOCK)
STUB(hcall_set_timer, KEEL_HC_SET_TIMER)
STUB(hcall_evtchn_alloc, KEEL_HC_EVTCHN_ALLOC)
STUB(hcall_evtchn_bind, KEEL_HC_EVTCHN_BIND)
STUB(hcall_evtchn_send, KEEL_HC_EVTCHN_SEND)
STUB(hcall_evtchn_close, KEEL_HC_EVTCHN_CLOSE)
STUB(hcall_grant_offer, KEEL_HC_GRANT_OFFER)
STUB(hcall_grant_map, KEEL_HC_GRANT_MAP)
STUB(hcall_grant_unmap, KEEL_HC_GRANT_UNMAP)
STUB(hcall_set_callbacks, KEEL_HC_SET_CALLBACKS)
STUB(hcall_net_info, KEEL_HC_NET_INFO)
STUB(hcall_net_send, KEEL_HC_NET_SEND)
STUB(hcall_net_recv, KEEL_HC_NET_RECV)
STUB(hcall_net_send_batch, KEEL_HC_NET_SEND_BATCH)

void pv_timer_check(struct vm *vm, uint64_t now_ns) { (void)vm, (void)now_ns; }
void pv_deliver_upcall(struct vcpu *v) { (void)v; }
uint64_t vm_time_ns(struct vm *vm) { (void)vm; return 0; }

/* The calls that need a struct pv_domain (docs/abi.md, "Who may call"). */
static bool pv_only(uint64_t nr)
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

static struct vm vm;

static uint64_t call(uint64_t nr)
{
	called = -1;
	vm.vcpus[0].vm = &vm;
	vm.nr_vcpus = 1;
	vm.vcpus[0].gpr.r[REG_RAX] = nr;
	return hcall_dispatch(&vm.vcpus[0]);
}

/* Numbers around every edge: the table, the mask's 32 bits, a 32-bit truncation. */
static const uint64_t far_numbers[] = { KEEL_HC_MAX, 31, 32, 33, 63, 64, 255, 0x100000000ULL,
					0x100000000ULL + KEEL_HC_CONSOLE_WRITE, UINT64_MAX,
					(uint64_t)-KEEL_HC_MAX };

static void test_non_pv_guest(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.hcall_allowed = hcall_allowed_mask(false);
	for (uint64_t nr = 0; nr < KEEL_HC_MAX; nr++) {
		uint64_t r = call(nr);

		if (pv_only(nr)) {
			assert_int_equal(called, -1);
			assert_int_equal((int64_t)r, -EPERM);
		} else if (nr != KEEL_HC_VERSION) {
			assert_int_equal(called, (int)nr);
			assert_ptr_equal(called_vm, &vm);
		} else {
			assert_int_equal(r, KEEL_ABI_VERSION);
		}
	}
	for (unsigned i = 0; i < sizeof(far_numbers) / sizeof(far_numbers[0]); i++) {
		assert_int_equal((int64_t)call(far_numbers[i]), -ENOSYS);
		assert_int_equal(called, -1);
	}
}

static void test_pv_guest(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	vm.hcall_allowed = hcall_allowed_mask(true);
	for (uint64_t nr = 1; nr < KEEL_HC_MAX; nr++) {
		call(nr);
		assert_int_equal(called, (int)nr);
	}
	assert_int_equal(call(KEEL_HC_VERSION), KEEL_ABI_VERSION);
	for (unsigned i = 0; i < sizeof(far_numbers) / sizeof(far_numbers[0]); i++) {
		assert_int_equal((int64_t)call(far_numbers[i]), -ENOSYS);
		assert_int_equal(called, -1);
	}
}

/* A VM whose mask was never set (a build path that forgot it) may make no call at all. */
static void test_unset_mask_refuses_everything(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	for (uint64_t nr = 0; nr < KEEL_HC_MAX; nr++) {
		assert_int_equal((int64_t)call(nr), -EPERM);
		assert_int_equal(called, -1);
	}
}

static void test_masks(void **state)
{
	uint32_t any = hcall_allowed_mask(false), pv = hcall_allowed_mask(true);

	(void)state;
	assert_int_equal(any & ~pv, 0);              /* PV guests may make every call */
	assert_int_equal(pv >> KEEL_HC_MAX, 0);      /* nothing past the table */
	assert_int_equal(pv, (1u << KEEL_HC_MAX) - 1); /* every call is implemented */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_non_pv_guest),
		cmocka_unit_test(test_pv_guest),
		cmocka_unit_test(test_unset_mask_refuses_everything),
		cmocka_unit_test(test_masks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
