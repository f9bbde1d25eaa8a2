/* SPDX-License-Identifier: MIT */
/*
 * A text console on a linear framebuffer: a grid of cells fed a byte
 * stream as a terminal would be (drivers/video/fbcon.c), and drawn into
 * memory of any size, stride and 32-bit pixel layout (fbcon_draw.c).
 * Pure logic: the host tests draw into a plain buffer.
 */
#ifndef DRIVERS_FBCON_H
#define DRIVERS_FBCON_H

#include <stdbool.h>
#include <stdint.h>

#define FBCON_MAX_COLS   240
#define FBCON_MAX_ROWS   100
#define FBCON_MAX_PARAMS 4

/* 32-bit pixels; each colour's bits in the pixel as a mask (GOP's PixelBitMask form). */
struct fb_surface {
	uint32_t *base; /* NULL: not drawable (yet) */
	uint32_t width, height, pitch; /* pitch in pixels */
	uint32_t red_mask, green_mask, blue_mask;
};

enum fbcon_state { FBCON_TEXT, FBCON_ESC, FBCON_CSI, FBCON_OSC, FBCON_OSC_ESC, FBCON_SKIP1 };

struct fbcon {
	struct fb_surface fb;
	uint32_t fg, bg;        /* pixel values */
	unsigned scale;         /* each font pixel is scale x scale pixels */
	unsigned cols, rows;    /* 0 x 0: no screen */
	unsigned col, row;      /* cursor; col == cols: the next printable wraps first */
	unsigned top;           /* the grid row shown at screen row 0 (scrolling is a ring) */
	uint8_t text[FBCON_MAX_ROWS][FBCON_MAX_COLS];
	/* Cells changed since the last draw: per screen row, columns [lo, hi). */
	uint8_t dirty_lo[FBCON_MAX_ROWS], dirty_hi[FBCON_MAX_ROWS];
	bool dirty;             /* anything to draw at all */
	bool clear;             /* the whole surface first (what the firmware left) */
	bool full;              /* every cell changed (a scroll): the next draw is a big one */
	unsigned cur_col, cur_row; /* where the cursor was drawn */
	/* Escape sequences (ECMA-48) and UTF-8 are parsed, not drawn. */
	enum fbcon_state state;
	unsigned nparams, params[FBCON_MAX_PARAMS];
	bool private_csi; /* CSI ? ...: DEC private modes, ignored */
	unsigned utf8_left; /* continuation bytes still to skip */
	unsigned skipped;   /* bytes of an OSC string so far (a runaway one ends) */
};

/*
 * Set up con for a surface of that size and layout (fb->base may be NULL:
 * text is kept and drawn once a base is set with fbcon_attach). Returns
 * false, leaving a console of 0 cells, if the surface cannot show one row.
 */
bool fbcon_init(struct fbcon *con, const struct fb_surface *fb);
/* The surface's memory is reachable now: everything is drawn at the next fbcon_draw. */
void fbcon_attach(struct fbcon *con, uint32_t *base);
/* One byte of the console stream (text, controls, escape sequences, UTF-8). */
void fbcon_putc(struct fbcon *con, uint8_t c);
/* Draw what changed since the last call (nothing without a surface). */
void fbcon_draw(struct fbcon *con);

/* Helpers shared by fbcon.c and fbcon_draw.c. */
void fbcon_touch(struct fbcon *con, unsigned row, unsigned lo, unsigned hi);
void fbcon_touch_all(struct fbcon *con);
static inline uint8_t *fbcon_line(struct fbcon *con, unsigned row)
{
	return con->text[(con->top + row) % con->rows];
}

#endif
