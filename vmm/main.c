/* SPDX-License-Identifier: MIT */
#include <boot/boot_info.h>
#include <drivers/uart.h>
#include <keel/printk.h>
#include <arch/io.h>
#include <arch/cpu.h>

void keel_main(struct boot_info *bi);

void keel_main(struct boot_info *bi)
{
	uart_init(bi->config.serial_port ? bi->config.serial_port : 0x3f8,
		  bi->config.serial_baud ? bi->config.serial_baud : 115200);
	printk("Keel hypervisor starting (loader %s)\n", bi->loader);
	for (unsigned i = 0; i < bi->nr_mem; i++)
		printk("  mem %016lx-%016lx type %u\n", bi->mem[i].base, bi->mem[i].base + bi->mem[i].size, bi->mem[i].type);
	uart_flush();
	outw(0x8900, 0); /* placeholder */
	cpu_halt_forever();
}
