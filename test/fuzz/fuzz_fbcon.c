/* SPDX-License-Identifier: MIT */
/*
 * The screen console (drivers/video/fbcon.c, fbcon_draw.c) fed what a guest
 * prints: the input picks a surface (size, stride, pixel layout, up to the
 * sizes that take 2x glyphs) and a byte stream (text, controls, escape
 * sequences, UTF-8), drawn at input-chosen points. The framebuffer is exactly
 * pitch x height pixels (ASan catches a write past it); the stride's padding
 * must stay untouched, the cursor in the grid, every cell a byte the font
 * draws (printable ASCII or the replacement), the parser in a known state.
 */
#include <drivers/fbcon.h>
#include <drivers/font.h>

#include "fuzz.h"

#define SENTINEL 0x5a5a5a5au

static const uint32_t masks[][3] = {
	{ 0xff0000, 0xff00, 0xff },          /* BGRX */
	{ 0xff, 0xff00, 0xff0000 },          /* RGBX */
	{ 0xf800, 0x07e0, 0x001f },          /* a 5:6:5 PixelBitMask */
	{ 0x3ff00000, 0xffc00, 0x3ff },      /* 10 bits a colour */
	{ 0, 0xff00, 0xff },                 /* unusable: no red */
};

static struct fbcon con;

static void check(const uint32_t *fb, const struct fb_surface *s, bool all)
{
	FUZZ_CHECK(con.row < con.rows && con.col <= con.cols, "cursor inside the grid");
	FUZZ_CHECK(con.top < con.rows, "scroll position inside the grid");
	FUZZ_CHECK(con.state <= FBCON_SKIP1, "parser state known");
	if (!all)
		return;
	for (unsigned r = 0; r < con.rows; r++)
		for (unsigned c = 0; c < con.cols; c++) {
			uint8_t ch = con.text[r][c];

			FUZZ_CHECK((ch >= FONT_FIRST && ch <= FONT_LAST) || ch == 0xff,
				   "a cell holds a drawable byte");
		}
	for (uint32_t y = 0; y < s->height; y++)
		for (uint32_t x = s->width; x < s->pitch; x++)
			FUZZ_CHECK(fb[(size_t)y * s->pitch + x] == SENTINEL, "stride padding untouched");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	struct fb_surface s = { 0 };
	uint32_t *fb;
	size_t pixels;
	uint8_t every, layout;

	s.width = 1 + fuzz_u16(&in) % 400;
	s.height = 1 + fuzz_u16(&in) % 480;
	if (s.height > 400 && s.width <= 64)
		s.height += 1200; /* past 1600 rows the glyphs double */
	s.pitch = s.width + fuzz_u8(&in) % 16;
	layout = fuzz_u8(&in) % 5;
	s.red_mask = masks[layout][0];
	s.green_mask = masks[layout][1];
	s.blue_mask = masks[layout][2];
	every = fuzz_u8(&in); /* draw after every `every` bytes (0: only at the end) */
	if (fuzz_u8(&in) & 1)
		s.pitch = s.width - 1; /* a pitch below the width is refused */
	pixels = (size_t)s.pitch * s.height;
	fb = malloc((pixels ? pixels : 1) * sizeof(*fb));
	for (size_t i = 0; i < pixels; i++)
		fb[i] = SENTINEL;
	if (!fbcon_init(&con, &s)) {
		FUZZ_CHECK(con.rows == 0 && con.cols == 0, "a refused surface has no cells");
		fbcon_putc(&con, 'x');
		free(fb);
		return 0;
	}
	FUZZ_CHECK(con.cols <= FBCON_MAX_COLS && con.rows <= FBCON_MAX_ROWS, "grid fits");
	FUZZ_CHECK(con.cols * FONT_WIDTH * con.scale <= s.width &&
			   con.rows * FONT_HEIGHT * con.scale <= s.height,
		   "grid fits the surface");
	fbcon_attach(&con, fb);
	for (unsigned n = 1; fuzz_more(&in); n++) {
		fbcon_putc(&con, fuzz_u8(&in));
		if (every && n % every == 0) {
			fbcon_draw(&con);
			check(fb, &s, false);
		}
	}
	fbcon_draw(&con);
	check(fb, &s, true);
	free(fb);
	return 0;
}
