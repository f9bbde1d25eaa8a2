/* SPDX-License-Identifier: MIT */
/* A guest's console for the device targets, which run without vmm/vm.c. */
#include <keel/vm.h>

void vm_console_putc(struct vm *vm, char c)
{
	(void)vm, (void)c;
}

void vm_fw_log_putc(struct vm *vm, char c)
{
	(void)vm, (void)c;
}

void vm_console_poll(struct vm *vm)
{
	(void)vm;
}
