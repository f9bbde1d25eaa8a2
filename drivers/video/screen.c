/* SPDX-License-Identifier: MIT */
/*
 * Keel's console on the screen the firmware left (a UEFI GOP framebuffer),
 * so a PC without a serial port shows what Keel and the focused guest print.
 *
 * Text is kept from Keel's first message; the framebuffer is mapped (write-
 * combining) once Keel's page tables are live and the kept text drawn. Until
 * the scheduler runs, each message is drawn as it is printed, so a boot that
 * hangs has shown everything; after, drawing waits for the console's service
 * (slice ends, idle, an hvm guest's 10 ms poll), so a guest's output costs
 * it a byte copy into the grid (13 ns a byte here) and a burst is drawn once.
 */
#include <arch/cpu.h>
#include <arch/wc_map.h>
#include <boot/boot_info.h>
#include <drivers/fbcon.h>
#include <drivers/screen.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/printk.h>

#define FB_FORMAT_RGBX 1 /* boot_framebuffer.format: red in the low byte */
#define FB_FORMAT_BGRX 2
#define FB_FORMAT_MASKS 3 /* GOP's PixelBitMask: the masks say */
/*
 * A full redraw (every cell, after a scroll) writes the whole framebuffer:
 * 1.8 ms for 1280x800 into RAM on the 2026 test machine. While output flows
 * they come at most this often; the lines between are drawn with the next.
 */
#define FULL_REDRAW_GAP_NS 20000000ULL

static struct fbcon con;
static uint64_t fb_phys;
static bool deferred;
static uint64_t next_full; /* TSC: the next full redraw while output is queued */
static const char *absent = "none (the loader found no framebuffer)";

void screen_init(const struct boot_framebuffer *fb, bool off)
{
	struct fb_surface s = { .width = fb->width, .height = fb->height, .pitch = fb->pitch,
				.green_mask = 0xff00 };

	if (off)
		absent = "off (keel.cfg console screen=off)";
	if (off || !fb->base)
		return;
	if (fb->format == FB_FORMAT_RGBX) {
		s.red_mask = 0xff;
		s.blue_mask = 0xff0000;
	} else if (fb->format == FB_FORMAT_BGRX) {
		s.red_mask = 0xff0000;
		s.blue_mask = 0xff;
	} else if (fb->format == FB_FORMAT_MASKS &&
		   (fb->red_mask | fb->green_mask | fb->blue_mask | fb->reserved_mask) >> 24) {
		/* Keel draws 32-bit pixels; masks all below bit 24 would mean 16 or 24. */
		s.red_mask = fb->red_mask;
		s.green_mask = fb->green_mask;
		s.blue_mask = fb->blue_mask;
	}
	if (fbcon_init(&con, &s))
		fb_phys = fb->base;
	else
		absent = "none (the framebuffer's format or size is unusable)";
}

void screen_start(void)
{
	const char *type;
	uint32_t *base;

	if (!fb_phys) {
		printk("screen: %s\n", absent);
		return;
	}
	base = arch_map_wc(fb_phys, (uint64_t)con.fb.pitch * con.fb.height * 4, &type);
	fbcon_attach(&con, base);
	printk("screen: %ux%u framebuffer at 0x%lx (%s), %ux%u text cells of %ux%u pixels\n",
	       con.fb.width, con.fb.height, fb_phys, type, con.cols, con.rows, 8 * con.scale,
	       16 * con.scale);
}

void screen_putc(char c)
{
	fbcon_putc(&con, (uint8_t)c);
}

void screen_update(void)
{
	if (!deferred)
		fbcon_draw(&con);
}

void screen_defer(void)
{
	deferred = true;
}

void screen_service(void)
{
	uint64_t now;

	if (!con.dirty)
		return;
	/* A full redraw can wait only if a service is sure to come: the UART's drain brings one. */
	if (con.full && uart_tx_due != TSC_NEVER) {
		now = rdtsc();
		if (now < next_full)
			return;
		next_full = tsc_after(now, ns_to_tsc(FULL_REDRAW_GAP_NS));
	}
	fbcon_draw(&con);
}

void screen_flush(void)
{
	fbcon_draw(&con);
}
