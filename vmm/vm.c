/* SPDX-License-Identifier: MIT */
/* VM lifetime: guest memory regions, the tagged console, stopping a guest. */
#include <arch/vmx.h>
#include <drivers/uart.h>
#include <keel/errno.h>
#include <keel/printk.h>
#include <keel/sched.h>
#include <keel/string.h>
#include <keel/vm.h>
#include <stdarg.h>

int vm_add_memory(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, bool writable)
{
	int err;

	if (vm->nr_mem == VM_MEM_REGIONS_MAX)
		return -ENOSPC;
	err = arch_vm_map(vm, gpa, hpa, size, writable);
	if (err)
		return err;
	vm->mem[vm->nr_mem++] = (struct vm_mem_region){ gpa, size, hpa, writable };
	return 0;
}

static void line_flush(struct vm *vm, struct vm_line *l, const char *tag)
{
	printk("[%s%s] %.*s\n", vm->name, tag, (int)l->len, l->buf);
	l->len = 0;
}

static void line_putc(struct vm *vm, struct vm_line *l, const char *tag, char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || l->len == sizeof(l->buf)) {
		line_flush(vm, l, tag);
		if (c == '\n')
			return;
	}
	/* Control bytes would corrupt the tagged log: show them as '?'. */
	l->buf[l->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
}

void vm_console_flush(struct vm *vm)
{
	if (vm->console.len)
		line_flush(vm, &vm->console, "");
}

void vm_console_putc(struct vm *vm, char c)
{
	line_putc(vm, &vm->console, "", c);
}

void vm_fw_log_putc(struct vm *vm, char c)
{
	line_putc(vm, &vm->fw_log, ":fw", c);
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->console.len)
		line_flush(vm, &vm->console, "");
	if (vm->fw_log.len)
		line_flush(vm, &vm->fw_log, ":fw");
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	printk("keel: guest '%s' stopped: %s\n", vm->name, vm->stop_reason);
	/* A debug-exit is the guest's own orderly end: no register dump or trace needed. */
	if (vm->exit_status < 0 && !vm->orderly_stop) {
		arch_vcpu_dump(&vm->vcpu);
		vcpu_print_trace(&vm->vcpu);
	}
	vcpu_print_stats(&vm->vcpu);
	sched_exit(&vm->vcpu);
}
