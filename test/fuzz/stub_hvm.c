/* SPDX-License-Identifier: MIT */
/*
 * Host stand-ins for what vmm/hvm_build.c, hvm_events.c and vm.c call
 * outside vmm/: VT-x (arch/vmx.h), the scheduler, the frame allocator,
 * the host RTC and Keel's console (vmm/console*.c has a target of its
 * own: here typed bytes go to the guest's queue as Keel's log routes them
 * to an hvm guest). vm_attach_devices() mirrors vmm/vm_build.c's, which
 * cannot be linked on its own (it builds every kind of guest).
 */
#include <stdlib.h>
#include <string.h>

#include <arch/vmx.h>
#include <drivers/rtc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/dev.h>
#include <keel/frames.h>
#include <keel/sched.h>
#include <keel/vm.h>
#include <keel/vtime.h>

#include "fuzz.h"
#include "stub_hvm.h"

jmp_buf stub_entry, stub_stop;
uint64_t stub_block_until;
bool stub_if;
int stub_injected = -1;
unsigned stub_setup_resets;
static uint8_t typed[64];
static unsigned typed_head, typed_count;
static struct vm *console_vm; /* the guest typed bytes are for */

void stub_console_type(uint8_t c)
{
	if (typed_count < sizeof(typed))
		typed[(typed_head + typed_count++) % sizeof(typed)] = c;
}

void stub_hvm_clear(void)
{
	stub_if = false;
	stub_injected = -1;
	stub_setup_resets = 0;
	typed_head = typed_count = 0;
}

int uart_getc(void)
{
	uint8_t c;

	if (!typed_count)
		return -1;
	c = typed[typed_head];
	typed_head = (typed_head + 1) % sizeof(typed);
	typed_count--;
	return c;
}

/* Keel's console: what was typed waits in the guest's queue, as console_poll() leaves it. */
void console_service(void)
{
	int c;

	while (console_vm && ring_space(&console_vm->con.in) && (c = uart_getc()) >= 0)
		ring_put(&console_vm->con.in, (uint8_t)c);
}

void vm_console_poll(struct vm *vm)
{
	FUZZ_CHECK(vm == console_vm, "console: a guest looks for its own input");
	console_service();
}

void vm_console_putc(struct vm *vm, char c)
{
	(void)vm, (void)c;
}

void vm_fw_log_putc(struct vm *vm, char c)
{
	(void)vm, (void)c;
}

void vm_console_flush(struct vm *vm)
{
	(void)vm;
}

/* One CPU here: the console lock (vmm/console_lock.c) has nothing to do. */
void console_lock(void) {}
void console_unlock(void) {}

void console_vm_stopping(struct vm *vm)
{
	(void)vm;
}

void console_vm_stopped(struct vm *vm)
{
	(void)vm;
}

uint64_t rtc_read_epoch(void)
{
	return 1767225600ULL; /* 2026-01-01 */
}

uint64_t vm_ns_to_tsc(struct vm *vm, uint64_t ns)
{
	(void)vm;
	return ns >= ~0ULL - STUB_TSC_BASE ? ~0ULL : STUB_TSC_BASE + ns;
}

void *frame_alloc(uint64_t size, uint64_t align)
{
	void *p = aligned_alloc(align, (size + align - 1) / align * align);

	FUZZ_CHECK(p, "the host has memory for a frame");
	return memset(p, 0, size);
}

int vm_attach_devices(struct vm *vm)
{
	int err = vuart_attach(vm, &vm->uart, 0x3f8);

	if (!vm->con.in.buf)
		ring_init(&vm->con.in, vm->con.in_buf, sizeof(vm->con.in_buf));
	vm->uart.input = &vm->con.in;
	console_vm = vm;
	if (!err)
		err = debug_exit_attach(vm);
	if (!err)
		err = testdev_attach(vm, &vm->testdev);
	return err;
}

int arch_vm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable)
{
	(void)vm, (void)gpa, (void)hpa, (void)size, (void)writable;
	return 0;
}

int arch_vm_protect(struct vm *vm, uint64_t gpa, uint64_t size, bool writable)
{
	(void)vm, (void)writable;
	FUZZ_CHECK(gpa >= 0xc0000 && size && gpa + size <= 0x100000,
		   "hvm: only the BIOS area changes protection");
	return 0;
}

void arch_vcpu_setup_reset(struct vcpu *v)
{
	(void)v;
	stub_setup_resets++;
}

void arch_vcpu_run(struct vcpu *v)
{
	(void)v;
	longjmp(stub_entry, STUB_ENTERED);
}

bool arch_vcpu_can_inject_irq(struct vcpu *v)
{
	(void)v;
	return stub_if;
}

void arch_vcpu_inject_irq(struct vcpu *v, uint8_t vector)
{
	(void)v;
	FUZZ_CHECK(stub_if, "hvm: an interrupt is injected only when the guest can take it");
	stub_injected = vector;
}

void arch_vcpu_irq_window(struct vcpu *v, bool on)
{
	(void)v, (void)on;
}

void arch_vcpu_set_timer(struct vcpu *v, uint64_t tsc_deadline)
{
	(void)v, (void)tsc_deadline;
}

/* Never called: the fuzzed vLAPIC has no virtual-APIC page. */
void arch_vcpu_apicv_entry(struct vcpu *v)
{
	(void)v;
}

void arch_vcpu_dump(struct vcpu *v)
{
	(void)v;
}

void vcpu_print_stats(const struct vcpu *v)
{
	(void)v;
}

void vcpu_print_trace(const struct vcpu *v)
{
	(void)v;
}

uint64_t sched_deadline(void)
{
	return ~0ULL;
}

void sched_block(struct vcpu *v, uint64_t tsc_deadline)
{
	(void)v;
	stub_block_until = tsc_deadline;
	longjmp(stub_entry, STUB_BLOCKED);
}

void sched_exit(struct vcpu *v)
{
	(void)v;
	longjmp(stub_stop, 1);
}

/* Several vCPUs (vmm/hvm_smp.c): the fuzzed guest has one, whose VMCS is always current. */
struct vcpu *arch_vcpu_current(void)
{
	return NULL;
}

void arch_vcpu_load(struct vcpu *v)
{
	(void)v;
}

void arch_vcpu_setup_sipi(struct vcpu *v, uint8_t vector)
{
	(void)v, (void)vector;
	FUZZ_CHECK(0, "hvm: a guest with one vCPU never starts another");
}

bool arch_vcpu_inject_nmi(struct vcpu *v)
{
	(void)v;
	return false;
}

void sched_wake(struct vcpu *v)
{
	(void)v;
}

void sched_remove(struct vcpu *v)
{
	(void)v;
}

/* One host CPU and no split guest here: the lock and the kicks never run. */
bool vm_split_any;

void vm_lock_slow(struct vm *vm)
{
	(void)vm;
}

void vm_unlock_cpu_slow(void)
{
}

unsigned sched_cpu(void)
{
	return 0;
}

int smp_wake(unsigned cpu)
{
	(void)cpu;
	return -1;
}

uint64_t arch_vm_ept_shootdowns_remote(const struct vm *vm)
{
	(void)vm;
	return 0;
}
