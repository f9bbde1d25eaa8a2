# SPDX-License-Identifier: MIT
# The screen console (drivers/video/): Keel's sources, its host tests.
# arch/x86/wc_map.c and page_wc.c, the framebuffer's write-combining mapping, are there for
# the screen alone.
KEEL_SRCS += arch/x86/wc_map.c arch/x86/page_wc.c drivers/video/screen.c drivers/video/fbcon.c drivers/video/fbcon_draw.c \
	drivers/video/font8x16.c

UNIT_TESTS += page_wc
UNIT_SRCS_page_wc := arch/x86/page_wc.c

UNIT_TESTS += fbcon
UNIT_SRCS_fbcon := drivers/video/fbcon.c drivers/video/fbcon_draw.c drivers/video/font8x16.c

# drivers/video/font8x16.c is committed; this makes it again from a PSF font
# (Debian's console-setup-linux has the one it came from).
FONT ?= /usr/share/consolefonts/Lat15-Fixed16.psf.gz
font:
	python3 tools/mkfont.py $(FONT) drivers/video/font8x16.c

.PHONY: font

# What a guest prints, drawn on surfaces of every shape (test/fuzz/README.md).
FUZZ_TARGETS += fbcon
FUZZ_SRCS_fbcon := drivers/video/fbcon.c drivers/video/fbcon_draw.c drivers/video/font8x16.c
