/* SPDX-License-Identifier: MIT */
/* VM lifetime: guest memory access, the tagged console, stopping a guest. */
#include <arch/vmx.h>
#include <drivers/uart.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <stdarg.h>

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa >= vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return (void *)(vm->ram_hpa + gpa);
}

static void console_flush_line(struct vm *vm)
{
	printk("[%s] %.*s\n", vm->name, (int)vm->line_len, vm->line);
	vm->line_len = 0;
}

void vm_console_putc(struct vm *vm, char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || vm->line_len == sizeof(vm->line)) {
		console_flush_line(vm);
		if (c == '\n')
			return;
	}
	/* Control bytes would corrupt the tagged log: show them as '?'. */
	vm->line[vm->line_len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->line_len)
		console_flush_line(vm);
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	printk("keel: guest '%s' stopped: %s\n", vm->name, vm->stop_reason);
	/* A debug-exit is the guest's own orderly end: no register dump needed. */
	if (vm->exit_status < 0)
		arch_vcpu_dump(&vm->vcpu);
	sched_run_next();
}
