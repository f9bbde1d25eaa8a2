/* SPDX-License-Identifier: MIT */
/*
 * hvmbench's disk readers: a minimal virtio-blk driver (hvmbench_vblk.c)
 * and the IDE primary master by PIO (hvmbench_ide.c), both polled with
 * interrupts off. Each counts the exits it causes: every port access and
 * every access to the device's BAR is one exit, the rings are RAM.
 */
#ifndef HVMBENCH_IO_H
#define HVMBENCH_IO_H

#include <stdint.h>

struct io_count {
	uint64_t exits;
};

/* Find the virtio-blk function on bus 0 and set up its queue 0; 0 or -1 (and why printed). */
int vblk_init(void);
/*
 * Read count sectors from sector into buf (physical = virtual here) with
 * requests of at most max_bytes; 0 when the device said OK to every one.
 * The doorbell, the one exit per request, is counted into *n.
 */
int vblk_read(uint64_t sector, uint32_t count, void *buf, uint32_t max_bytes, struct io_count *n);
/* One 1-sector read: make it available, ring, spin until the used index moves. */
int vblk_read1(void *buf);

/* READ SECTORS by PIO, up to 256 sectors per command, a DRQ block per sector; 0 if no error. */
int ide_read(uint32_t lba, uint32_t count, void *buf, struct io_count *n);

#endif
