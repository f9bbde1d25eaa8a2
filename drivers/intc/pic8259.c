/* SPDX-License-Identifier: MIT */
/* Masking the legacy 8259 pair (firmware may leave its timer line open). */
#include <drivers/intc.h>
#include <arch/io.h>

void pic8259_mask_all(void)
{
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}
