/* SPDX-License-Identifier: MIT */
/*
 * The screen console's text: a grid of cells fed the console's byte stream
 * the way a terminal is, so the screen shows what the serial line shows.
 *
 * The stream holds Keel's lines and the focused guest's raw output, escape
 * sequences included. Those are parsed (ECMA-48: ESC, CSI, OSC strings and
 * the one-byte designators) and never drawn; cursor moves and erases (CUU..
 * CUP, ED, EL) are followed so a full-screen program's screen stays legible,
 * colours are not. UTF-8 sequences show one replacement glyph. A bare LF
 * starts a line at column 0 too (a screen nobody can scroll back is no
 * place for a staircase); Keel, the PV console and a tty send CR LF anyway.
 *
 * Every byte comes from a guest or from Keel: each index is clamped to the
 * grid, and an OSC string that never ends is dropped after 256 bytes.
 */
#include <drivers/fbcon.h>
#include <drivers/font.h>

#define ESC       0x1b
#define CAN       0x18
#define SUB       0x1a
#define OSC_MAX   256
#define PARAM_MAX 9999
#define TAB       8

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static uint32_t pixel(uint32_t mask, uint8_t level)
{
	uint64_t field = mask ? mask >> __builtin_ctz(mask) : 0; /* the colour's bits, at bit 0 */

	return (uint32_t)((field * level / 255) << (mask ? __builtin_ctz(mask) : 0));
}

bool fbcon_init(struct fbcon *con, const struct fb_surface *fb)
{
	unsigned scale = 1;

	*con = (struct fbcon){ .fb = *fb };
	if (!fb->red_mask || !fb->green_mask || !fb->blue_mask || fb->pitch < fb->width)
		return false;
	/* Large screens get larger glyphs rather than a grid bigger than Keel keeps. */
	while (fb->width / (FONT_WIDTH * scale) > FBCON_MAX_COLS ||
	       fb->height / (FONT_HEIGHT * scale) > FBCON_MAX_ROWS)
		scale++;
	con->cols = fb->width / (FONT_WIDTH * scale);
	con->rows = fb->height / (FONT_HEIGHT * scale);
	if (!con->cols || !con->rows) {
		con->cols = con->rows = 0;
		return false;
	}
	con->scale = scale;
	con->fg = pixel(fb->red_mask, 0xc0) | pixel(fb->green_mask, 0xc0) | pixel(fb->blue_mask, 0xc0);
	con->bg = 0;
	for (unsigned r = 0; r < con->rows; r++)
		for (unsigned c = 0; c < con->cols; c++)
			con->text[r][c] = ' ';
	con->cur_col = con->cols; /* no cursor drawn yet */
	return true;
}

void fbcon_attach(struct fbcon *con, uint32_t *base)
{
	con->fb.base = base;
	con->clear = con->dirty = true;
	fbcon_touch_all(con);
}

void fbcon_touch(struct fbcon *con, unsigned row, unsigned lo, unsigned hi)
{
	if (con->dirty_hi[row] <= con->dirty_lo[row]) {
		con->dirty_lo[row] = (uint8_t)lo;
		con->dirty_hi[row] = (uint8_t)hi;
		return;
	}
	if (lo < con->dirty_lo[row])
		con->dirty_lo[row] = (uint8_t)lo;
	if (hi > con->dirty_hi[row])
		con->dirty_hi[row] = (uint8_t)hi;
}

void fbcon_touch_all(struct fbcon *con)
{
	con->full = true;
	for (unsigned r = 0; r < con->rows; r++)
		fbcon_touch(con, r, 0, con->cols);
}

static void erase(struct fbcon *con, unsigned row, unsigned lo, unsigned hi)
{
	uint8_t *line = fbcon_line(con, row);

	hi = min_u(hi, con->cols);
	for (unsigned c = lo; c < hi; c++)
		line[c] = ' ';
	if (lo < hi)
		fbcon_touch(con, row, lo, hi);
}

static void line_feed(struct fbcon *con)
{
	if (con->row + 1 < con->rows) {
		con->row++;
		return;
	}
	con->top = (con->top + 1) % con->rows;
	erase(con, con->rows - 1, 0, con->cols);
	fbcon_touch_all(con);
}

/* The cursor on a cell: a pending wrap (col == cols) counts as the last column. */
static unsigned cursor_col(const struct fbcon *con)
{
	return min_u(con->col, con->cols - 1);
}

static void put(struct fbcon *con, uint8_t c)
{
	if (con->col >= con->cols) {
		con->col = 0;
		line_feed(con);
	}
	fbcon_line(con, con->row)[con->col] = c;
	fbcon_touch(con, con->row, con->col, con->col + 1);
	con->col++;
}

static void control(struct fbcon *con, uint8_t c)
{
	switch (c) {
	case '\r':
		con->col = 0;
		break;
	case '\n':
	case '\v':
	case '\f':
		con->col = 0;
		line_feed(con);
		break;
	case '\b':
		con->col = cursor_col(con);
		if (con->col)
			con->col--;
		break;
	case '\t':
		con->col = min_u((con->col / TAB + 1) * TAB, con->cols - 1);
		break;
	default: /* BEL and the rest: nothing to show */
		break;
	}
}

static unsigned param(const struct fbcon *con, unsigned i, unsigned def)
{
	return i < con->nparams && i < FBCON_MAX_PARAMS && con->params[i] ? con->params[i] : def;
}

/* ED (mode 0: cursor to end, 1: start to cursor, 2 and 3: all) and EL, the same on one line. */
static void erase_in(struct fbcon *con, unsigned mode, bool display)
{
	unsigned col = cursor_col(con);

	if (display)
		for (unsigned r = 0; r < con->rows; r++)
			if ((mode == 0 && r > con->row) || (mode == 1 && r < con->row) || mode >= 2)
				erase(con, r, 0, con->cols);
	if (mode == 0)
		erase(con, con->row, col, con->cols);
	else if (mode == 1)
		erase(con, con->row, 0, col + 1);
	else
		erase(con, con->row, 0, con->cols);
}

static void csi(struct fbcon *con, uint8_t final)
{
	unsigned n = param(con, 0, 1), col = cursor_col(con);

	if (con->private_csi)
		return;
	switch (final) {
	case 'A':
		con->row -= min_u(n, con->row);
		con->col = col;
		break;
	case 'B':
		con->row = min_u(con->row + n, con->rows - 1);
		con->col = col;
		break;
	case 'C':
		con->col = min_u(col + n, con->cols - 1);
		break;
	case 'D':
		con->col = col - min_u(n, col);
		break;
	case 'G':
	case '`':
		con->col = min_u(n - 1, con->cols - 1);
		break;
	case 'd':
		con->row = min_u(n - 1, con->rows - 1);
		break;
	case 'H':
	case 'f':
		con->row = min_u(n - 1, con->rows - 1);
		con->col = min_u(param(con, 1, 1) - 1, con->cols - 1);
		break;
	case 'J':
		erase_in(con, param(con, 0, 0), true);
		break;
	case 'K':
		erase_in(con, param(con, 0, 0), false);
		break;
	default: /* SGR (colours) and the rest: nothing the grid keeps */
		break;
	}
}

static void csi_byte(struct fbcon *con, uint8_t c)
{
	if (c >= '0' && c <= '9') {
		unsigned *p;

		if (!con->nparams)
			con->nparams = 1;
		if (con->nparams > FBCON_MAX_PARAMS)
			return;
		p = &con->params[con->nparams - 1];
		*p = min_u(*p * 10 + (c - '0'), PARAM_MAX);
	} else if (c == ';' || c == ':') {
		con->nparams = min_u(con->nparams ? con->nparams + 1 : 2, FBCON_MAX_PARAMS + 1);
	} else if (c >= '<' && c <= '?') {
		con->private_csi = true;
	} else if (c >= 0x40 && c <= 0x7e) {
		csi(con, c);
		con->state = FBCON_TEXT;
	} /* intermediates (0x20-0x2f) and DEL: nothing */
}

static void escape(struct fbcon *con, uint8_t c)
{
	con->state = FBCON_TEXT;
	switch (c) {
	case '[':
		con->state = FBCON_CSI;
		con->nparams = 0;
		con->private_csi = false;
		for (unsigned i = 0; i < FBCON_MAX_PARAMS; i++)
			con->params[i] = 0;
		break;
	case ']':
	case 'P': /* DCS, SOS, PM, APC: strings like OSC's */
	case 'X':
	case '^':
	case '_':
		con->state = FBCON_OSC;
		con->skipped = 0;
		break;
	case '(': case ')': case '*': case '+': case '-': case '.': case '/':
	case '#': case '%': case ' ':
		con->state = FBCON_SKIP1; /* charset designators and the like: one byte more */
		break;
	case 'D': /* IND */
		line_feed(con);
		break;
	case 'E': /* NEL */
		control(con, '\n');
		break;
	case 'c': /* RIS: a clear screen */
		con->row = con->col = 0;
		erase_in(con, 2, true);
		break;
	default:
		break;
	}
}

static void text(struct fbcon *con, uint8_t c)
{
	if (con->utf8_left && (c & 0xc0) == 0x80) {
		con->utf8_left--;
		return;
	}
	con->utf8_left = 0;
	if (c == ESC)
		con->state = FBCON_ESC;
	else if (c < 0x20 || c == 0x7f)
		control(con, c);
	else if (c < 0x80)
		put(con, c);
	else {
		/* One replacement glyph for a UTF-8 sequence (or a stray byte). */
		con->utf8_left = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : 0;
		put(con, 0xff);
	}
}

void fbcon_putc(struct fbcon *con, uint8_t c)
{
	if (!con->rows)
		return;
	con->dirty = true;
	if (con->state != FBCON_TEXT && (c == CAN || c == SUB)) {
		con->state = FBCON_TEXT; /* a sequence cancelled */
		return;
	}
	switch (con->state) {
	case FBCON_TEXT:
		text(con, c);
		break;
	case FBCON_ESC:
		if (c == ESC)
			break;
		if (c < 0x20)
			control(con, c); /* C0 controls act inside sequences (ECMA-48 5.4) */
		else
			escape(con, c);
		break;
	case FBCON_CSI:
		if (c == ESC)
			con->state = FBCON_ESC;
		else if (c < 0x20)
			control(con, c);
		else
			csi_byte(con, c);
		break;
	case FBCON_OSC:
		if (c == 0x07 || ++con->skipped >= OSC_MAX)
			con->state = FBCON_TEXT;
		else if (c == ESC)
			con->state = FBCON_OSC_ESC;
		break;
	case FBCON_OSC_ESC: /* ESC \ ends the string; ESC and anything else starts a sequence */
		con->state = c == '\\' ? FBCON_TEXT : FBCON_ESC;
		if (c != '\\')
			fbcon_putc(con, c);
		break;
	case FBCON_SKIP1:
		con->state = FBCON_TEXT;
		break;
	}
}
