/* SPDX-License-Identifier: MIT */
/*
 * The screen console's pixels: cells changed since the last draw are drawn
 * from the font, the cursor's cell in inverse. Drawing happens when the
 * console is serviced, not per byte, so a burst of output that scrolls the
 * screen ten times is drawn once. The framebuffer is only written, never
 * read: reads of write-combining or uncached memory are slow.
 */
#include <drivers/fbcon.h>
#include <drivers/font.h>

static void clear_surface(const struct fbcon *con)
{
	const struct fb_surface *fb = &con->fb;

	for (uint32_t y = 0; y < fb->height; y++) {
		uint32_t *p = fb->base + (uint64_t)y * fb->pitch;

		for (uint32_t x = 0; x < fb->width; x++)
			p[x] = con->bg;
	}
}

static void draw_cell(const struct fbcon *con, unsigned row, unsigned col, uint8_t c, bool inverse)
{
	const uint8_t *glyph = font8x16[font_glyph(c)];
	unsigned s = con->scale, pitch = con->fb.pitch;
	uint32_t fg = inverse ? con->bg : con->fg, bg = inverse ? con->fg : con->bg;
	uint32_t *p = con->fb.base + (uint64_t)row * FONT_HEIGHT * s * pitch + col * FONT_WIDTH * s;

	for (unsigned y = 0; y < FONT_HEIGHT * s; y++, p += pitch) {
		unsigned bits = glyph[y / s];

		if (s == 1) {
			for (unsigned x = 0; x < FONT_WIDTH; x++)
				p[x] = bits & (0x80u >> x) ? fg : bg;
			continue;
		}
		for (unsigned x = 0; x < FONT_WIDTH * s; x++)
			p[x] = bits & (0x80u >> (x / s)) ? fg : bg;
	}
}

void fbcon_draw(struct fbcon *con)
{
	unsigned ccol, crow = con->row;

	if (!con->fb.base || !con->dirty)
		return;
	ccol = con->col < con->cols ? con->col : con->cols - 1;
	if (con->clear)
		clear_surface(con);
	/* The cell the cursor left, and the one it is on. */
	if (con->cur_col < con->cols && (con->cur_col != ccol || con->cur_row != crow))
		fbcon_touch(con, con->cur_row, con->cur_col, con->cur_col + 1);
	fbcon_touch(con, crow, ccol, ccol + 1);
	for (unsigned r = 0; r < con->rows; r++) {
		const uint8_t *line = fbcon_line(con, r);

		for (unsigned c = con->dirty_lo[r]; c < con->dirty_hi[r]; c++)
			draw_cell(con, r, c, line[c], r == crow && c == ccol);
		con->dirty_lo[r] = con->dirty_hi[r] = 0;
	}
	con->cur_col = ccol;
	con->cur_row = crow;
	con->clear = con->dirty = con->full = false;
}
