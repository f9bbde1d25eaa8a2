/* SPDX-License-Identifier: MIT */
/*
 * The screen console (drivers/video/fbcon.c, fbcon_draw.c) drawing into a
 * plain buffer: the tests read the pixels back as text, cell by cell, by
 * matching each cell against the font, as test_screen.py does with QEMU's
 * screen dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/fbcon.h>
#include <drivers/font.h>

#define POISON 0xdeadbeefu

static struct fbcon con;
static uint32_t *buf;
static size_t buf_pixels;

static const struct fb_surface bgrx = { .width = 80, .height = 48, .pitch = 96,
					.red_mask = 0xff0000, .green_mask = 0xff00, .blue_mask = 0xff };

/* A fresh buffer for a surface of that layout, filled with POISON; con set up for it. */
static void new_surface(const struct fb_surface *s)
{
	buf_pixels = (size_t)s->pitch * s->height;
	free(buf);
	buf = malloc(buf_pixels * 4);
	for (size_t i = 0; i < buf_pixels; i++)
		buf[i] = POISON;
	assert_true(fbcon_init(&con, s));
}

/* The same, con attached to the buffer. */
static void setup_surface(const struct fb_surface *s)
{
	new_surface(s);
	fbcon_attach(&con, buf);
}

static void puts_con(const char *s)
{
	while (*s)
		fbcon_putc(&con, (uint8_t)*s++);
}

/* The character drawn in a cell ('#' if it matches no glyph; inverse cells match too). */
static char cell_at(unsigned row, unsigned col)
{
	unsigned s = con.scale;

	for (unsigned g = 0; g < FONT_GLYPHS; g++) {
		for (int inverse = 0; inverse < 2; inverse++) {
			uint32_t on = inverse ? con.bg : con.fg, off = inverse ? con.fg : con.bg;
			bool match = true;

			for (unsigned y = 0; y < FONT_HEIGHT * s && match; y++)
				for (unsigned x = 0; x < FONT_WIDTH * s && match; x++) {
					uint32_t px = buf[(row * FONT_HEIGHT * s + y) * con.fb.pitch +
							  col * FONT_WIDTH * s + x];
					bool bit = font8x16[g][y / s] & (0x80 >> (x / s));

					match = px == (bit ? on : off);
				}
			if (match)
				return g == FONT_GLYPHS - 1 ? '~' + 1 : (char)(FONT_FIRST + g);
		}
	}
	return '#';
}

/* Screen row `row` read back from the pixels, trailing blanks cut. */
static const char *screen_line(unsigned row)
{
	static char line[FBCON_MAX_COLS + 1];
	unsigned n = 0;

	for (unsigned c = 0; c < con.cols; c++)
		line[n++] = cell_at(row, c);
	while (n && line[n - 1] == ' ')
		n--;
	line[n] = 0;
	return line;
}

static void test_geometry(void **state)
{
	struct fb_surface s = bgrx;

	(void)state;
	assert_true(fbcon_init(&con, &s));
	assert_int_equal(con.cols, 10);
	assert_int_equal(con.rows, 3);
	assert_int_equal(con.scale, 1);
	s = (struct fb_surface){ .width = 3840, .height = 2160, .pitch = 3840, .red_mask = 0xff,
				 .green_mask = 0xff00, .blue_mask = 0xff0000 };
	assert_true(fbcon_init(&con, &s));
	assert_int_equal(con.scale, 2); /* 480 columns of 8 would be more than the grid keeps */
	assert_int_equal(con.cols, 240);
	assert_int_equal(con.rows, 67);
	s.width = 7;
	assert_false(fbcon_init(&con, &s));
	assert_int_equal(con.rows, 0);
	fbcon_putc(&con, 'x'); /* a console of no cells takes bytes and keeps nothing */
	s = bgrx;
	s.pitch = 79;
	assert_false(fbcon_init(&con, &s));
	s = bgrx;
	s.blue_mask = 0;
	assert_false(fbcon_init(&con, &s));
}

static void test_pixel_formats(void **state)
{
	struct fb_surface s = bgrx;

	(void)state;
	assert_true(fbcon_init(&con, &s));
	assert_int_equal(con.fg, 0xc0c0c0);
	assert_int_equal(con.bg, 0);
	/* A PixelBitMask layout: 5:6:5 at the top of the pixel, and one of 10 bits. */
	s.red_mask = 0xf8000000;
	s.green_mask = 0x07e00000;
	s.blue_mask = 0x001f0000;
	assert_true(fbcon_init(&con, &s));
	assert_int_equal(con.fg, (0x17u << 27) | (0x2fu << 21) | (0x17u << 16));
	s.red_mask = 0x3ff;
	s.green_mask = 0xffc00;
	s.blue_mask = 0x3ff00000;
	assert_true(fbcon_init(&con, &s));
	assert_int_equal(con.fg, 0x302u | (0x302u << 10) | (0x302u << 20));
}

/* Text lands in cells, the stride is honoured, nothing past the width or height is written. */
static void test_draw_and_stride(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("Keel ok");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "Keel ok");
	assert_string_equal(screen_line(1), "");
	for (unsigned y = 0; y < bgrx.height; y++)
		for (unsigned x = bgrx.width; x < bgrx.pitch; x++)
			assert_int_equal(buf[y * bgrx.pitch + x], POISON);
	/* The cursor is the inverse cell after the text. */
	assert_int_equal(buf[16 * 0 * bgrx.pitch + 7 * 8], con.fg);
}

static void test_controls(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("ab\tc\r\nxyz\b\bY\nq\x07");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "ab      c");
	assert_string_equal(screen_line(1), "xYz");
	assert_string_equal(screen_line(2), "q"); /* a bare LF starts at column 0 too */
}

static void test_wrap_and_scroll(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("0123456789"); /* exactly a row: the wrap waits for the next printable */
	puts_con("\r\nline 2\r\nline 3\r\nline 4");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "line 2");
	assert_string_equal(screen_line(1), "line 3");
	assert_string_equal(screen_line(2), "line 4");
	puts_con("abcdefghijklmn"); /* wraps onto a new line, scrolling again */
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "line 3");
	assert_string_equal(screen_line(1), "line 4abcd");
	assert_string_equal(screen_line(2), "efghijklmn");
}

static void test_escapes_skipped(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("\x1b[1;31mred\x1b[0m \x1b]0;a title\x07t\x1b]2;x\x1b\\u\x1b(B\x1b=v");
	puts_con("\r\n\x1b[?25l\x1b[?1049hw\xc3\xa9\xe2\x82\xacz");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "red tuv");
	assert_int_equal(screen_line(1)[0], 'w');
	assert_int_equal(screen_line(1)[1], '~' + 1); /* é and € each one replacement glyph */
	assert_int_equal(screen_line(1)[2], '~' + 1);
	assert_int_equal(screen_line(1)[3], 'z');
	assert_int_equal(strlen(screen_line(1)), 4);
}

static void test_cursor_and_erase(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("aaaaaaaaaa\r\nbbbbbbbbbb\r\ncccccccccc");
	puts_con("\x1b[2;4HX\x1b[K\x1b[1;3H\x1b[1KY\x1b[3;5H\x1b[2DZ\x1b[AW");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "  Yaaaaaaa");
	assert_string_equal(screen_line(1), "bbbW");
	assert_string_equal(screen_line(2), "ccZccccccc");
	puts_con("\x1b[2J");
	fbcon_draw(&con);
	for (unsigned r = 0; r < con.rows; r++)
		assert_string_equal(screen_line(r), "");
}

/* A guest's hostile sequences: positions past the grid clamp, runaway strings end. */
static void test_hostile(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("\x1b[99999999;99999999HA\x1b[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;9999B");
	puts_con("\x1b[0;0HB\x1b[999999D\x1b[999999A\x1b[0G");
	fbcon_draw(&con);
	assert_int_equal(screen_line(2)[9], 'A');
	assert_int_equal(screen_line(0)[0], 'B');
	puts_con("\x1b]");
	for (int i = 0; i < 300; i++)
		fbcon_putc(&con, 'x');
	fbcon_draw(&con);
	/* 256 bytes of the string were dropped, the rest is text again. */
	assert_int_equal(screen_line(0)[1], 'x');
	puts_con("\x1b[5\x18Q"); /* CAN cancels a sequence */
	fbcon_draw(&con);
	assert_int_equal(con.state, FBCON_TEXT);
	for (size_t i = 0; i < buf_pixels; i++)
		if (i % bgrx.pitch >= bgrx.width)
			assert_int_equal(buf[i], POISON);
}

/* Only what changed is drawn: a cell's pixels untouched since the last draw stay as they are. */
static void test_only_changes_drawn(void **state)
{
	(void)state;
	setup_surface(&bgrx);
	puts_con("abc\r\ndef");
	fbcon_draw(&con);
	buf[0] = POISON; /* in 'a' (row 0): not redrawn below */
	puts_con("g");
	assert_false(con.full);
	fbcon_draw(&con);
	assert_int_equal(buf[0], POISON);
	assert_string_equal(screen_line(1), "defg");
	fbcon_draw(&con); /* nothing new: nothing drawn */
	assert_int_equal(buf[0], POISON);
	puts_con("\r\n\r\n"); /* a scroll redraws every row */
	assert_true(con.full);
	fbcon_draw(&con);
	assert_false(con.full);
	assert_int_equal(buf[0], con.bg);
	assert_string_equal(screen_line(0), "defg");
}

/* Text written before the framebuffer is mapped is drawn when it is, over what was there. */
static void test_attach_later(void **state)
{
	struct fb_surface s = bgrx;

	(void)state;
	new_surface(&s);
	puts_con("early\r\n");
	fbcon_draw(&con); /* no base: nothing */
	fbcon_attach(&con, buf);
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "early");
	assert_int_equal(buf[(s.height - 1) * s.pitch + s.width - 1], con.bg);
}

static void test_scale2(void **state)
{
	struct fb_surface s = { .width = 3840, .height = 2160, .pitch = 4096, .red_mask = 0xff,
				.green_mask = 0xff00, .blue_mask = 0xff0000 };

	(void)state;
	setup_surface(&s);
	puts_con("big\r\n");
	fbcon_draw(&con);
	assert_string_equal(screen_line(0), "big");
	assert_int_equal(buf[(size_t)2159 * 4096 + 3839], con.bg);
	assert_int_equal(buf[(size_t)2159 * 4096 + 3840], POISON);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_pixel_formats),
		cmocka_unit_test(test_draw_and_stride),
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_wrap_and_scroll),
		cmocka_unit_test(test_escapes_skipped),
		cmocka_unit_test(test_cursor_and_erase),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_only_changes_drawn),
		cmocka_unit_test(test_attach_later),
		cmocka_unit_test(test_scale2),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	free(buf);
	return rc;
}
