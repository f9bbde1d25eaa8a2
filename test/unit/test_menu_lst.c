/* SPDX-License-Identifier: MIT */
/* Host tests for guests/pv/loader/menu_lst.c: the menu.lst subset and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <menu_lst.h>

static struct menu m;
static struct menu_error err;

static int parse_n(const char *text, size_t len)
{
	/* Poison first: the parser must initialise every field itself. */
	memset(&m, 0xa5, sizeof(m));
	memset(&err, 0xa5, sizeof(err));
	return menu_parse(text, len, &m, &err);
}

static void ok(const char *text)
{
	if (parse_n(text, strlen(text)) != 0)
		fail_msg("rejected (%s):\n%s", err.msg, text);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "");
}

/* A parse that must fail on `line` with exactly `msg`. */
static void bad_n(const char *text, size_t len, unsigned line, const char *msg)
{
	if (parse_n(text, len) != -1)
		fail_msg("accepted, expected '%s':\n%s", msg, text);
	if (err.line != line || strcmp(err.msg, msg))
		fail_msg("got line %u '%s', expected line %u '%s'", err.line, err.msg, line, msg);
}

static void bad(const char *text, unsigned line, const char *msg)
{
	bad_n(text, strlen(text), line, msg);
}

#define E1 "title one\nkernel /k\n"

static void test_full_menu(void **state)
{
	(void)state;
	ok("# Keel PV menu\n"
	   "default 1\n"
	   "timeout 5\n"
	   "fallback 0\n"
	   "hiddenmenu\n"
	   "color light-gray/blue black/light-gray\n"
	   "\n"
	   "title Debian GNU/Linux, kernel 6.1\n"
	   "\troot (hd0,0)\n"
	   "\tkernel /boot/vmlinuz-6.1 root=/dev/xvda1 ro  quiet\n"
	   "\tinitrd /boot/initrd.img-6.1\n"
	   "\tboot\n"
	   "title   Xen-style multiboot  \n"
	   "  kernel /boot/xen.gz dom0_mem=512M\n"
	   "  module /boot/vmlinuz console=hvc0 # not a comment\n"
	   "  module /boot/initrd.img\n"
	   "  savedefault\n");
	assert_int_equal(m.nr_entries, 2);
	assert_int_equal(m.default_entry, 1);
	assert_int_equal(m.timeout, 5);
	assert_int_equal(m.fallback_entry, 0);

	const struct menu_entry *e = &m.entries[0];
	assert_string_equal(e->title, "Debian GNU/Linux, kernel 6.1");
	assert_string_equal(e->root, "(hd0,0)");
	assert_string_equal(e->kernel, "/boot/vmlinuz-6.1");
	assert_string_equal(e->cmdline, "root=/dev/xvda1 ro  quiet");
	assert_string_equal(e->initrd, "/boot/initrd.img-6.1");
	assert_int_equal(e->nr_modules, 0);

	e = &m.entries[1];
	assert_string_equal(e->title, "Xen-style multiboot");
	assert_string_equal(e->root, "");
	assert_string_equal(e->kernel, "/boot/xen.gz");
	assert_string_equal(e->cmdline, "dom0_mem=512M");
	assert_string_equal(e->initrd, "");
	assert_int_equal(e->nr_modules, 2);
	assert_string_equal(e->modules[0].path, "/boot/vmlinuz");
	assert_string_equal(e->modules[0].args, "console=hvc0 # not a comment");
	assert_string_equal(e->modules[1].path, "/boot/initrd.img");
	assert_string_equal(e->modules[1].args, "");
	/* Fields past the entries are zeroed, not left as the poison. */
	assert_int_equal(m.entries[2].title[0], 0);
	assert_int_equal(m.entries[2].nr_modules, 0);
}

static void test_defaults_and_forms(void **state)
{
	(void)state;
	ok(E1);
	assert_int_equal(m.nr_entries, 1);
	assert_int_equal(m.default_entry, 0);
	assert_int_equal(m.timeout, MENU_NONE);
	assert_int_equal(m.fallback_entry, MENU_NONE);
	assert_string_equal(m.entries[0].cmdline, "");

	/* "key=value" as Red Hat writes it, CRLF line ends, no final newline. */
	ok("default=1\r\ntimeout = 0\r\ntitle=a\r\nkernel=/a\r\ntitle b\r\n"
	   "rootnoverify (hd0)\r\nkernel /b x=1\r\n  # end");
	assert_int_equal(m.default_entry, 1);
	assert_int_equal(m.timeout, 0);
	assert_string_equal(m.entries[0].title, "a");
	assert_string_equal(m.entries[0].kernel, "/a");
	assert_string_equal(m.entries[1].root, "(hd0)");
	assert_string_equal(m.entries[1].cmdline, "x=1");

	ok("timeout 3600\n" E1);
	assert_int_equal(m.timeout, 3600);
}

static void test_limits_accepted(void **state)
{
	char body[4096], text[8192], path[MENU_PATH_MAX + 1], line[MENU_LINE_MAX + 2];
	size_t at = 0;

	(void)state;
	for (unsigned i = 0; i < MENU_ENTRIES_MAX; i++) {
		at += (size_t)snprintf(body + at, sizeof(body) - at, "title t%u\nkernel /k%u\n", i, i);
		for (unsigned j = 0; j < MENU_MODULES_MAX; j++)
			at += (size_t)snprintf(body + at, sizeof(body) - at, "module /m%u\n", j);
	}
	snprintf(text, sizeof(text), "%sdefault 0\n", body);
	bad(text, 16 * 6 + 1, "menu.lst:97: default after the first title");
	snprintf(text, sizeof(text), "default 15\n%s", body);
	ok(text);
	assert_int_equal(m.nr_entries, MENU_ENTRIES_MAX);
	assert_int_equal(m.default_entry, 15);
	assert_int_equal(m.entries[15].nr_modules, MENU_MODULES_MAX);
	assert_string_equal(m.entries[15].modules[3].path, "/m3");
	assert_string_equal(m.entries[15].kernel, "/k15");

	/* The longest path fits; so does the longest line, as a comment. */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[MENU_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "title t\nkernel %s\n", path);
	ok(text);
	assert_string_equal(m.entries[0].kernel, path);
	memset(line, 'a', sizeof(line));
	memcpy(line, "title ", 6);
	line[MENU_LINE_MAX] = '\0';
	snprintf(text, sizeof(text), "%s\n" E1, line);
	bad(text, 1, "menu.lst:1: title 'aaaaaaaaaaaaaaaaaaaaa...' is longer than 63 characters");
	snprintf(text, sizeof(text), "#%s\n" E1, line + 1);
	ok(text);
}

static void test_structure_errors(void **state)
{
	(void)state;
	bad("", 0, "menu.lst: no entries");
	bad("# nothing\n\ndefault 0\ntimeout 1\n", 0, "menu.lst: no entries");
	bad("default 0\n\n\nkernel /k\n", 4, "menu.lst:4: kernel outside a title");
	bad("module /m\n", 1, "menu.lst:1: module outside a title");
	bad("initrd /i\n", 1, "menu.lst:1: initrd outside a title");
	bad("root (hd0,0)\n" E1, 1, "menu.lst:1: root outside a title");
	bad("title a\n\ntitle b\nkernel /k\n", 1, "menu.lst:1: entry 'a' has no kernel");
	bad(E1 "title last\n  root (hd0,0)\n", 3, "menu.lst:3: entry 'last' has no kernel");
	bad(E1 "kernel /k2\n", 3, "menu.lst:3: second kernel in entry");
	bad(E1 "initrd /a\ninitrd /b\n", 4, "menu.lst:4: second initrd in entry");
	bad(E1 "root (hd0)\nroot (hd1)\n", 4, "menu.lst:4: second root in entry");
	bad("title a\nmodule /m\nkernel /k\n", 2, "menu.lst:2: module before kernel");
	bad("title a\ninitrd /i\nkernel /k\n", 2, "menu.lst:2: initrd before kernel");
	bad(E1 "module /1\nmodule /2\nmodule /3\nmodule /4\nmodule /5\n", 7,
	    "menu.lst:7: too many modules (max 4)");
	bad(E1 "timeout 3\n", 3, "menu.lst:3: timeout after the first title");
	bad(E1 "fallback 0\n", 3, "menu.lst:3: fallback after the first title");
	bad("title\nkernel /k\n", 1, "menu.lst:1: title without a name");
	bad("title   \t\nkernel /k\n", 1, "menu.lst:1: title without a name");
}

static void test_too_many_entries(void **state)
{
	char text[4096];
	size_t at = 0;

	(void)state;
	for (unsigned i = 0; i <= MENU_ENTRIES_MAX; i++)
		at += (size_t)snprintf(text + at, sizeof(text) - at, "title t%u\nkernel /k\n", i);
	bad(text, 33, "menu.lst:33: too many entries (max 16)");
}

static void test_number_errors(void **state)
{
	(void)state;
	bad("timeout 1\ndefault x\n" E1, 2, "menu.lst:2: default is not a number");
	bad("default -1\n" E1, 1, "menu.lst:1: default is not a number");
	bad("default\n" E1, 1, "menu.lst:1: default is not a number");
	bad("default saved\n" E1, 1, "menu.lst:1: default is not a number");
	bad("default 0 1\n" E1, 1, "menu.lst:1: default takes one number");
	bad("default 0\ndefault 0\n" E1, 2, "menu.lst:2: duplicate default");
	bad("default 16\n" E1, 1, "menu.lst:1: default '16' is too large");
	bad("default 99999999999999999999999\n" E1, 1,
	    "menu.lst:1: default '99999999999999999999999' is too large");
	bad("timeout 5s\n" E1, 1, "menu.lst:1: timeout is not a number");
	bad("timeout 3601\n" E1, 1, "menu.lst:1: timeout '3601' is too large");
	bad("timeout 1\ntimeout 2\n" E1, 2, "menu.lst:2: duplicate timeout");
	bad("fallback 1 2\n" E1, 1, "menu.lst:1: fallback takes one number");
	/* Range against the entries is known only at the end; the line is the number's. */
	bad("\ndefault 1\n" E1, 2, "menu.lst:2: default '1' is out of range (no such entry)");
	bad("fallback 2\n" E1 E1, 1, "menu.lst:1: fallback '2' is out of range (no such entry)");
}

static void test_path_errors(void **state)
{
	char text[512], path[MENU_PATH_MAX + 1], args[MENU_ARGS_MAX + 1];

	(void)state;
	bad("title a\nkernel\n", 2, "menu.lst:2: kernel without a path");
	bad("title a\nkernel boot/k\n", 2, "menu.lst:2: kernel 'boot/k' is not an absolute path");
	bad("title a\nkernel --type=netbsd /k\n", 2,
	    "menu.lst:2: kernel '--type=netbsd' is not an absolute path");
	bad("title a\nkernel (hd0,0)/boot/k\n", 2,
	    "menu.lst:2: kernel '(hd0,0)/boot/k': a device in the path is not supported (use root)");
	bad(E1 "initrd /i extra\n", 3, "menu.lst:3: initrd 'extra' is unexpected after the path");
	bad(E1 "module m\n", 3, "menu.lst:3: module 'm' is not an absolute path");
	bad(E1 "root hd0\n", 3, "menu.lst:3: root 'hd0' is not a device like (hd0,0)");
	bad(E1 "root (hd0, 0)\n", 3, "menu.lst:3: root '(hd0, 0)' is not a device like (hd0,0)");
	bad(E1 "root (hd0,0,a,very,long)\n", 3,
	    "menu.lst:3: root '(hd0,0,a,very,long)' is not a device like (hd0,0)");

	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[MENU_PATH_MAX] = '\0';
	snprintf(text, sizeof(text), "title a\nkernel %s\n", path);
	bad(text, 2, "menu.lst:2: kernel '/pppppppppppppppppppp...' is longer than 127 characters");
	memset(args, 'a', sizeof(args));
	args[MENU_ARGS_MAX] = '\0';
	snprintf(text, sizeof(text), E1 "module /m %s\n", args);
	bad(text, 3, "menu.lst:3: module arguments are longer than 383 characters");
	args[MENU_ARGS_MAX - 1] = '\0';
	snprintf(text, sizeof(text), E1 "module /m %s\n", args);
	ok(text);
	assert_int_equal(strlen(m.entries[0].modules[0].args), MENU_ARGS_MAX - 1);
}

static void test_line_errors(void **state)
{
	char text[MENU_LINE_MAX + 64];

	(void)state;
	bad(E1 "kernal /k\n", 3, "menu.lst:3: unknown keyword 'kernal'");
	bad("Title a\n", 1, "menu.lst:1: unknown keyword 'Title'");
	bad(E1 "chainloader +1\n", 3, "menu.lst:3: chainloader is not supported by the PV loader");
	bad("password secret\n" E1, 1, "menu.lst:1: password is not supported by the PV loader");
	bad(E1 "configfile /x\n", 3, "menu.lst:3: configfile is not supported by the PV loader");
	bad_n("title a\nkernel /k\0x\n", sizeof("title a\nkernel /k\0x\n") - 1, 2, "menu.lst:2: NUL byte in text");

	memset(text, '#', MENU_LINE_MAX + 1);
	strcpy(text + MENU_LINE_MAX + 1, "\n" E1);
	bad(text, 1, "menu.lst:1: line longer than 511 characters");
	/* Exactly the limit, plus a CR that is not counted. */
	memcpy(text + MENU_LINE_MAX, "\r\n" E1, strlen(E1) + 3);
	ok(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_menu),
		cmocka_unit_test(test_defaults_and_forms),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_structure_errors),
		cmocka_unit_test(test_too_many_entries),
		cmocka_unit_test(test_number_errors),
		cmocka_unit_test(test_path_errors),
		cmocka_unit_test(test_line_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
