/* SPDX-License-Identifier: MIT */
/*
 * Keel's console on the firmware's framebuffer (drivers/video/screen.c):
 * the same bytes as the serial line, drawn with the built-in font.
 */
#ifndef DRIVERS_SCREEN_H
#define DRIVERS_SCREEN_H

#include <stdbool.h>

struct boot_framebuffer;

/* Before Keel's first message: the screen's size (text is kept until it is mapped); off: none. */
void screen_init(const struct boot_framebuffer *fb, bool off);
/* Keel's page tables are live: map the framebuffer and draw what was written so far. */
void screen_start(void);
/* A byte of the console stream (Keel's messages, the focused guest's output). */
void screen_putc(char c);
/* Keel's message is complete: draw it now, unless drawing waits for screen_flush. */
void screen_update(void);
/* From now on (the scheduler runs) output is drawn only at screen_flush, in batches. */
void screen_defer(void);
/*
 * The console's service: draw what is not drawn yet. A scrolled screen is
 * redrawn at most every 20 ms while the UART still has output queued (its
 * drain brings the next service); else at once.
 */
void screen_service(void);
/* Draw everything not yet drawn, now (panic, power-off). */
void screen_flush(void);

#endif
