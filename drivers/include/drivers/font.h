/* SPDX-License-Identifier: MIT */
/* The screen's built-in 8x16 font (drivers/video/font8x16.c, made by tools/mkfont.py). */
#ifndef DRIVERS_FONT_H
#define DRIVERS_FONT_H

#include <stdint.h>

#define FONT_WIDTH  8
#define FONT_HEIGHT 16
#define FONT_FIRST  0x20 /* glyph 0 is ' ', glyph c - FONT_FIRST is ASCII c up to '~' */
#define FONT_LAST   0x7e
#define FONT_GLYPHS (FONT_LAST - FONT_FIRST + 2) /* and a replacement glyph last */

/* Row r of glyph g, one byte a row, the leftmost pixel in bit 7. */
extern const uint8_t font8x16[FONT_GLYPHS][FONT_HEIGHT];

/* The glyph of byte c: ASCII as itself, anything else the replacement. */
static inline unsigned font_glyph(uint8_t c)
{
	return c >= FONT_FIRST && c <= FONT_LAST ? c - FONT_FIRST : FONT_GLYPHS - 1;
}

#endif
