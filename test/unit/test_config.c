/* SPDX-License-Identifier: MIT */
/* Host tests for boot/config.c: keel.cfg parsing and every error class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <boot/config.h>

static struct keel_config cfg;
static struct cfg_error err;

/* Length is passed explicitly so tests can embed NULs and omit the final \n. */
static int parse_n(const char *text, size_t len)
{
	/* Poison first: the parser must initialise every field itself. */
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(&err, 0xa5, sizeof(err));
	return config_parse(text, len, &cfg, &err);
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void ok(const char *text)
{
	if (parse(text) != 0)
		fail_msg("rejected (line %u: %s):\n%s", err.line, err.msg, text);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.msg, "");
}

/* A parse that must fail on line `line` with `sub` in the message. */
static void bad_n(const char *text, size_t len, unsigned line, const char *sub)
{
	if (parse_n(text, len) != -1)
		fail_msg("accepted, expected line %u '%s':\n%s", line, sub, text);
	if (err.line != line || !strstr(err.msg, sub))
		fail_msg("got line %u '%s', expected line %u '%s'", err.line,
			 err.msg, line, sub);
	assert_true(strlen(err.msg) < sizeof(err.msg));
}

static void bad(const char *text, unsigned line, const char *sub)
{
	bad_n(text, strlen(text), line, sub);
}

#define G "guest name=a type=elf64 image=a.elf "

static void test_empty_gives_defaults(void **state)
{
	(void)state;
	ok("");
	assert_int_equal(cfg.serial_port, 0x3f8);
	assert_int_equal(cfg.serial_baud, 115200);
	assert_int_equal(cfg.nr_guests, 0);
	assert_int_equal(cfg.vmx_flags, 0);
	assert_int_equal(cfg.menu_timeout, CFG_MENU_TIMEOUT_DEFAULT);
	for (unsigned i = 0; i < CFG_GUESTS_MAX; i++) {
		assert_int_equal(cfg.guests[i].name[0], 0);
		assert_int_equal(cfg.guests[i].memory, 0);
	}
	assert_int_equal(config_parse(NULL, 0, &cfg, &err), 0);
}

static void test_comments_and_blanks(void **state)
{
	(void)state;
	ok("# only a comment\n\n   \n\t\n# another\n");
	assert_int_equal(cfg.nr_guests, 0);
	ok("  # indented comment\nconsole port=0x2f8 # trailing\n"
	   "guest name=x type=real image=x.bin# glued comment\n");
	assert_int_equal(cfg.serial_port, 0x2f8);
	assert_string_equal(cfg.guests[0].image, "x.bin");
}

static void test_console(void **state)
{
	(void)state;
	ok("console port=0x2F8 baud=9600\n");
	assert_int_equal(cfg.serial_port, 0x2f8);
	assert_int_equal(cfg.serial_baud, 9600);
	ok("console\n");
	assert_int_equal(cfg.serial_port, 0x3f8);
	assert_int_equal(cfg.serial_baud, 115200);
	ok("console baud=300");
	assert_int_equal(cfg.serial_port, 0x3f8);
	assert_int_equal(cfg.serial_baud, 300);
	ok("console port=1016 baud=115200\n");
	assert_int_equal(cfg.serial_port, 0x3f8);
	ok("console port=0xffff\n");
	assert_int_equal(cfg.serial_port, 0xffff);
	ok("console port=1\n");
	assert_int_equal(cfg.serial_port, 1);
	assert_string_equal(cfg.console_focus, "");
}

/* screen=off keeps Keel off the firmware's framebuffer; on (the default) draws there. */
static void test_console_screen(void **state)
{
	(void)state;
	ok(G "\n");
	assert_int_equal(cfg.console_flags, 0);
	ok("console screen=off\n" G "\n");
	assert_int_equal(cfg.console_flags, CFG_CONSOLE_NO_SCREEN);
	ok("console port=0x2f8 screen=on\n" G "\n");
	assert_int_equal(cfg.console_flags, 0);
	bad("console screen=blank\n", 1, "screen 'blank' is not on or off");
}

/* focus= names the guest whose console has the focus at start; it may come before the guest. */
static void test_console_focus(void **state)
{
	(void)state;
	ok("console focus=a\n" G "\n");
	assert_string_equal(cfg.console_focus, "a");
	ok(G "\nconsole port=0x2f8 focus=a\n");
	assert_string_equal(cfg.console_focus, "a");
	bad("console focus=b\n" G "\n", 1, "focus 'b' names no guest");
	bad("\nconsole focus=a\n", 2, "focus 'a' names no guest");
	bad("console focus=\n" G "\n", 1, "focus '' must be a guest name of 1..15 characters");
	bad("console focus=abcdefghijklmnop\n", 1,
	    "focus 'abcdefghijklmnop' must be a guest name of 1..15 characters");
}

/* vmx preemption-timer=off: Keel does without the VMX-preemption timer (issue 12). */
static void test_vmx_line(void **state)
{
	(void)state;
	ok(G "\n");
	assert_int_equal(cfg.vmx_flags, 0);
	ok("vmx preemption-timer=off\n" G "\n");
	assert_int_equal(cfg.vmx_flags, CFG_VMX_NO_PREEMPTION_TIMER);
	ok("vmx preemption-timer=on # the default\n");
	assert_int_equal(cfg.vmx_flags, 0);
	bad("vmx preemption-timer=no\n", 1, "preemption-timer 'no' is not on or off");
	bad("vmx\nvmx preemption-timer=off\n", 2, "duplicate vmx line");
	bad("vmx preemption-timer=off preemption-timer=on\n", 1,
	    "duplicate key 'preemption-timer' in vmx line");
	bad("vmx ept=off\n", 1, "unknown key 'ept' in vmx line");
	/* vmx apicv=off: the emulated local APIC even where the CPU could virtualize it (issue 9). */
	ok("vmx apicv=off\n" G "\n");
	assert_int_equal(cfg.vmx_flags, CFG_VMX_NO_APICV);
	ok("vmx preemption-timer=off apicv=off\n" G "\n");
	assert_int_equal(cfg.vmx_flags, CFG_VMX_NO_PREEMPTION_TIMER | CFG_VMX_NO_APICV);
	ok("vmx apicv=on\n");
	assert_int_equal(cfg.vmx_flags, 0);
	bad("vmx apicv=emulated\n", 1, "apicv 'emulated' is not on or off");
	/* vmx posted=off: no posted interrupts even where the CPU offers them (issue 11). */
	ok("vmx posted=off\n" G "\n");
	assert_int_equal(cfg.vmx_flags, CFG_VMX_NO_POSTED);
	ok("vmx apicv=off posted=off\n" G "\n");
	assert_int_equal(cfg.vmx_flags, CFG_VMX_NO_APICV | CFG_VMX_NO_POSTED);
	ok("vmx posted=on\n");
	assert_int_equal(cfg.vmx_flags, 0);
	bad("vmx posted=maybe\n", 1, "posted 'maybe' is not on or off");
	bad("vmx posted=off posted=off\n", 1, "duplicate key 'posted' in vmx line");
}

/* host cpus=N: how many host CPUs Keel starts (issue 11). */
static void test_host_line(void **state)
{
	(void)state;
	ok(G "\n");
	assert_int_equal(cfg.host_cpus, 0);
	ok("host cpus=1\n" G "\n");
	assert_int_equal(cfg.host_cpus, 1);
	ok("host cpus=64 # the most\n");
	assert_int_equal(cfg.host_cpus, 64);
	ok("host cpus=0x4\n");
	assert_int_equal(cfg.host_cpus, 4);
	bad("host cpus=0\n", 1, "cpus '0' is out of range (1..64)");
	bad("host cpus=65\n", 1, "cpus '65' is out of range (1..64)");
	bad("host cpus=99999999999999999999\n", 1,
	    "cpus '99999999999999999999' is out of range (1..64)");
	bad("host cpus=two\n", 1, "cpus 'two' is not a number of CPUs");
	bad("host cpus=2-3\n", 1, "cpus '2-3' is not a number of CPUs");
	bad("host cpus=1\nhost cpus=2\n", 2, "duplicate host line");
	bad("host cpus=1 cpus=2\n", 1, "duplicate key 'cpus' in host line");
	bad("host smt=off\n", 1, "unknown key 'smt' in host line");
}

/* cpus=: the host CPUs a guest's vCPUs may run on, bit n = CPU n (0: any). */
static void test_guest_cpus(void **state)
{
	(void)state;
	ok(G "\n");
	assert_int_equal(cfg.guests[0].cpus, 0);
	ok("\n" G "cpus=1\n");
	assert_int_equal(cfg.guests[0].cpus, 2);
	assert_int_equal(cfg.guests[0].cpus_line, 2);
	ok(G "cpus=0-1\n");
	assert_int_equal(cfg.guests[0].cpus, 3);
	ok(G "cpus=0,2-3,63\n");
	assert_int_equal(cfg.guests[0].cpus, 0x800000000000000dULL);
	ok(G "cpus=2-2\n");
	assert_int_equal(cfg.guests[0].cpus, 4);
	bad(G "cpus=64\n", 1, "cpus '64' is not a list of CPUs 0..63");
	bad(G "cpus=1-0\n", 1, "cpus '1-0' is not a list of CPUs 0..63");
	bad(G "cpus=0,\n", 1, "cpus '0,' is not a list of CPUs 0..63");
	bad(G "cpus=,1\n", 1, "cpus ',1' is not a list of CPUs 0..63");
	bad(G "cpus=0-\n", 1, "cpus '0-' is not a list of CPUs 0..63");
	bad(G "cpus=all\n", 1, "cpus 'all' is not a list of CPUs 0..63");
	bad(G "cpus=1;2\n", 1, "cpus '1;2' is not a list of CPUs 0..63");
	bad(G "cpus=99999999999999999999\n", 1, "is not a list of CPUs 0..63");
}

static void test_menu(void **state)
{
	(void)state;
	ok("menu timeout=0\n" G "\n");
	assert_int_equal(cfg.menu_timeout, 0);
	assert_int_equal(cfg.nr_guests, 1);
	ok("menu timeout=3600 # an hour\n");
	assert_int_equal(cfg.menu_timeout, 3600);
	ok("menu timeout=0x0a\n");
	assert_int_equal(cfg.menu_timeout, 10);
	bad("menu timeout=3601\n", 1, "timeout '3601' is out of range (0..3600)");
	bad("menu timeout=3s\n", 1, "timeout '3s' is not a number of seconds");
	bad("menu timeout=\n", 1, "timeout '' is not a number");
	/* 2^64 + 1 wraps to 1: only the overflow flag refuses it. */
	bad("menu timeout=18446744073709551617\n", 1,
	    "timeout '18446744073709551617' is out of range (0..3600)");
	bad("menu\n", 1, "menu line is missing 'timeout'");
	bad("menu timeout=1\nmenu timeout=2\n", 2, "duplicate menu line");
	bad("menu timeout=1 timeout=2\n", 1, "duplicate key 'timeout' in menu line");
	bad("menu delay=1\n", 1, "unknown key 'delay' in menu line");
}

static void test_guest_fields(void **state)
{
	(void)state;
	ok("guest name=Hello_World-1 type=elf64 image=guests/hello.elf memory=4M\n");
	assert_int_equal(cfg.nr_guests, 1);
	assert_string_equal(cfg.guests[0].name, "Hello_World-1");
	assert_int_equal(cfg.guests[0].type, CFG_GUEST_ELF64);
	assert_string_equal(cfg.guests[0].image, "guests/hello.elf");
	assert_string_equal(cfg.guests[0].args, "");
	assert_int_equal(cfg.guests[0].memory, 4ULL << 20);
	assert_int_equal(cfg.guests[0].vcpus, 1);
	/* Keys in any order, memory defaults to 16M. */
	ok("guest image=boot.img type=real name=dos\n");
	assert_int_equal(cfg.guests[0].type, CFG_GUEST_REAL);
	assert_string_equal(cfg.guests[0].name, "dos");
	assert_int_equal(cfg.guests[0].memory, 16ULL << 20);
	/* Longest name and image. */
	ok("guest name=abcdefghijklmno type=real image="
	   "a23456789.123456789.123456789.123456789.123456789.123456789.123\n");
	assert_string_equal(cfg.guests[0].name, "abcdefghijklmno");
	assert_int_equal(strlen(cfg.guests[0].image), 63);
}

static void test_memory_sizes(void **state)
{
	static const struct {
		const char *v;
		uint64_t bytes;
	} cases[] = {
		{ "64K", 64ULL << 10 },	     { "64k", 64ULL << 10 },
		{ "65536", 65536 },	     { "0x10000", 0x10000 },
		{ "0X11000", 0x11000 },	     { "68K", 68ULL << 10 },
		{ "1M", 1ULL << 20 },	     { "0x10M", 16ULL << 20 },
		{ "1g", 1ULL << 30 },	     { "64G", 64ULL << 30 },
		{ "0x1000000000", 64ULL << 30 }, { "00128K", 128ULL << 10 },
	};
	char text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), G "memory=%s\n", cases[i].v);
		ok(text);
		assert_int_equal(cfg.guests[0].memory, cases[i].bytes);
	}
}

static void test_args(void **state)
{
	char text[256], args[128];

	(void)state;
	ok(G "args=\"console=ttyS0 quiet  debug # not a comment\"\n");
	assert_string_equal(cfg.guests[0].args, "console=ttyS0 quiet  debug # not a comment");
	ok(G "args=single\n");
	assert_string_equal(cfg.guests[0].args, "single");
	ok(G "args=\"\" memory=1M\n");
	assert_string_equal(cfg.guests[0].args, "");
	assert_int_equal(cfg.guests[0].memory, 1ULL << 20);
	ok("guest args=\"a b\"\tname=a type=elf64 image=a.elf# c\n");
	assert_string_equal(cfg.guests[0].args, "a b");
	memset(args, 'x', 127);
	args[127] = '\0';
	snprintf(text, sizeof(text), G "args=\"%s\"\n", args);
	ok(text);
	assert_string_equal(cfg.guests[0].args, args);
}

static void test_crlf_and_no_final_newline(void **state)
{
	(void)state;
	ok("# c\r\nconsole port=0x2f8 baud=57600\r\n\r\n"
	   "guest name=a type=elf64 image=a.elf args=\"x y\"\r\n"
	   "guest name=b type=real image=b.bin memory=1M\r\n");
	assert_int_equal(cfg.serial_port, 0x2f8);
	assert_int_equal(cfg.serial_baud, 57600);
	assert_int_equal(cfg.nr_guests, 2);
	assert_string_equal(cfg.guests[0].args, "x y");
	assert_string_equal(cfg.guests[1].image, "b.bin");
	ok("guest name=a type=elf64 image=a.elf");
	assert_int_equal(cfg.nr_guests, 1);
	assert_string_equal(cfg.guests[0].image, "a.elf");
}

static void test_max_guests(void **state)
{
	char text[1024];
	size_t at = 0;

	(void)state;
	for (int i = 0; i < CFG_GUESTS_MAX; i++)
		at += snprintf(text + at, sizeof(text) - at,
			       "guest name=g%d type=elf64 image=g%d.elf memory=%dM\n",
			       i, i, i + 1);
	ok(text);
	assert_int_equal(cfg.nr_guests, CFG_GUESTS_MAX);
	for (int i = 0; i < CFG_GUESTS_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%d", i);
		assert_string_equal(cfg.guests[i].name, name);
		assert_int_equal(cfg.guests[i].memory, (uint64_t)(i + 1) << 20);
	}
	snprintf(text + at, sizeof(text) - at, "\nguest name=z type=real image=z\n");
	bad(text, CFG_GUESTS_MAX + 2, "too many guests (max 8)");
}

static void test_line_length(void **state)
{
	char text[600];

	(void)state;
	/* 255 characters is fine, even followed by CR LF. */
	memset(text, ' ', 255);
	memcpy(text + 251, "#abc\r\n", 7);
	assert_int_equal(strlen(text), 257);
	ok(text);
	memset(text, '#', 255);
	strcpy(text + 255, "\n");
	ok(text);
	memset(text, '#', 256);
	strcpy(text + 256, "\n");
	bad(text, 1, "line longer than 255 characters");
	strcpy(text, "console\n");
	memset(text + 8, ' ', 300);
	text[308] = '\0';
	bad(text, 2, "line longer than 255");
}

static void test_nul_byte(void **state)
{
	static const char t1[] = "console\nguest name=a\0 type=real image=a\n";
	static const char t2[] = "\0";
	static const char t3[] = "# comment \0 still\n";

	(void)state;
	bad_n(t1, sizeof(t1) - 1, 2, "NUL byte");
	bad_n(t2, 1, 1, "NUL byte");
	bad_n(t3, sizeof(t3) - 1, 1, "NUL byte");
}

static void test_unknown_keyword(void **state)
{
	(void)state;
	bad("console\nserial port=1\n", 2, "unknown keyword 'serial'");
	bad("Guest name=a type=real image=a\n", 1, "unknown keyword 'Guest'");
	bad("\n\n  guest=a\n", 3, "unknown keyword 'guest=a'");
}

static void test_unknown_key(void **state)
{
	(void)state;
	bad(G "foo=1\n", 1, "unknown key 'foo' in guest line");
	bad("console speed=9600\n", 1, "unknown key 'speed' in console line");
	bad("console\nconsole\n", 2, "duplicate console line");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	bad(G "name=b\n", 1, "duplicate key 'name' in guest line");
	bad(G "memory=1M memory=1M\n", 1, "duplicate key 'memory'");
	bad("console port=1 baud=300 port=2\n", 1, "duplicate key 'port' in console line");
}

static void test_missing_equals(void **state)
{
	(void)state;
	bad("guest name a\n", 1, "missing '=' after 'name' in guest line");
	bad("console port\n", 1, "missing '=' after 'port'");
	bad(G "memory\n", 1, "missing '=' after 'memory'");
	bad("console =5\n", 1, "missing key before '='");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	bad("console port=abc\n", 1, "port 'abc' is not a number");
	bad("console baud=\n", 1, "baud '' is not a number");
	bad("console port=0x\n", 1, "port '0x' is not a number");
	bad("console port=0x3g8\n", 1, "port '0x3g8' is not a number");
	bad("console port=-1\n", 1, "port '-1' is not a number");
	bad("console port=\n", 1, "port '' is not a number");
	bad("console baud=96k\n", 1, "baud '96k' is not a number");
	bad(G "memory=3M5\n", 1, "memory '3M5' is not a size");
	bad(G "memory=M\n", 1, "memory 'M' is not a size");
	bad(G "memory=4T\n", 1, "memory '4T' is not a size");
	bad(G "memory=4MB\n", 1, "memory '4MB' is not a size");
	bad(G "memory=\n", 1, "memory '' is not a size");
	bad(G "memory=0x\n", 1, "memory '0x' is not a size");
	bad(G "memory=1.5M\n", 1, "memory '1.5M' is not a size");
}

static void test_out_of_range(void **state)
{
	(void)state;
	bad("console port=0\n", 1, "port '0' is out of range (1..0xffff)");
	bad("console port=0x10000\n", 1, "port '0x10000' is out of range");
	bad("console port=99999999999999999999999\n", 1, "is out of range");
	bad("console baud=115201\n", 1, "baud '115201' is out of range");
	bad("console baud=150\n", 1, "baud '150' is out of range");
	bad("console baud=0\n", 1, "baud '0' is out of range");
	bad("console baud=299\n", 1, "baud '299' is out of range (300..115200)");
	bad("console baud=1000\n", 1, "baud '1000' does not divide 115200");
	bad(G "memory=60K\n", 1, "memory '60K' is below 64K");
	bad(G "memory=0\n", 1, "memory '0' is below 64K");
	bad(G "memory=65537K\n", 1, "memory '65537K' is not a multiple of 4K");
	bad(G "memory=65G\n", 1, "memory '65G' is above 64G");
	bad(G "memory=0x1000001000\n", 1, "is above 64G");
	bad(G "memory=18446744073709551615K\n", 1, "is above 64G");
	bad(G "memory=99999999999999999999999\n", 1, "is above 64G");
}

static void test_bad_values(void **state)
{
	(void)state;
	bad("guest name=a type=elf32 image=a\n", 1, "type 'elf32' is not elf64, real, hvm or pv");
	bad("guest name=a.b type=real image=a\n", 1, "name 'a.b' may only use");
	bad("guest name= type=real image=a\n", 1, "name '' must be 1..15");
	bad("guest name=abcdefghijklmnop type=real image=a\n", 1,
	    "name 'abcdefghijklmnop' must be 1..15 characters");
	bad("guest name=a type=real image=\n", 1, "image '' must be 1..63");
	bad("guest name=a type=real image=a\\b\n", 1, "image 'a\\b' may only use");
	bad("guest name=a type=real image=/abs.elf\n", 1, "must be a relative path");
	bad("guest name=a type=real image="
	    "a23456789.123456789.123456789.123456789.123456789.123456789.1234\n", 1,
	    "must be 1..63 characters");
}

static void test_long_args(void **state)
{
	char text[300];

	(void)state;
	snprintf(text, sizeof(text), G "args=\"%0128d\"\n", 0);
	bad(text, 1, "is longer than 127 characters");
	/* Long values are shortened in the message, the reason survives. */
	assert_non_null(strstr(err.msg, "..."));
}

static void test_duplicate_name(void **state)
{
	(void)state;
	bad("guest name=a type=real image=a\n# x\nguest name=b type=real image=b\n"
	    "guest name=a type=elf64 image=c\n", 4, "duplicate guest name 'a'");
	/* Names are case-sensitive. */
	ok("guest name=a type=real image=a\nguest name=A type=real image=b\n");
	assert_int_equal(cfg.nr_guests, 2);
}

static void test_missing_required(void **state)
{
	(void)state;
	bad("guest type=real image=a\n", 1, "guest line is missing 'name'");
	bad("guest name=a image=a memory=1M\n", 1, "guest line is missing 'type'");
	bad("console\nguest name=a type=elf64\n", 2, "guest line is missing 'image'");
	bad("guest\n", 1, "missing 'name'");
}

static void test_quotes(void **state)
{
	(void)state;
	bad(G "args=\"abc\n", 1, "unterminated quote in value of 'args'");
	bad(G "args=\"abc", 1, "unterminated quote");
	bad(G "args=\"a\"b\n", 1, "text after closing quote of 'args'");
	bad(G "args=a\"b\n", 1, "stray quote in value of 'args'");
	bad("guest name=\"a\" type=real image=a\n", 1, "value of 'name' must not be quoted");
	bad("guest name=a type=real image=a\"\n", 1, "stray quote in value of 'image'");
}

static void test_hvm_guests(void **state)
{
	(void)state;
	ok("guest name=pc type=hvm image=disk.img memory=64M\n");
	assert_int_equal(cfg.guests[0].type, CFG_GUEST_HVM);
	assert_string_equal(cfg.guests[0].firmware, "bios-256k.bin");
	ok("guest name=pc type=hvm image=disk.img memory=64M firmware=fw/my-bios.bin\n");
	assert_string_equal(cfg.guests[0].firmware, "fw/my-bios.bin");
	bad("guest name=pc type=hvm image=disk.img memory=8M\n", 1, "at least 16M");
	bad("\n" G "memory=4M firmware=bios.bin\n", 2, "firmware is only for type=hvm");
	bad("guest name=pc type=hvm image=d.img memory=64M firmware=/abs.bin\n", 1,
	    "firmware '/abs.bin' must be a relative path");
	ok(G "\n");
	assert_string_equal(cfg.guests[0].firmware, "");
}

static void test_pv_guests(void **state)
{
	(void)state;
	ok("guest name=boot type=pv image=pvboot.elf memory=8M module=disk.img args=\"x\"\n");
	assert_int_equal(cfg.guests[0].type, CFG_GUEST_PV);
	assert_string_equal(cfg.guests[0].module, "disk.img");
	assert_string_equal(cfg.guests[0].firmware, "");
	ok("guest name=hello type=pv image=hello.elf memory=4M\n");
	assert_string_equal(cfg.guests[0].module, "");
	bad("\n\n" G "module=disk.img\n", 3, "module is only for type=pv guests");
	bad("guest name=pc type=hvm image=d.img memory=64M module=m\n", 1,
	    "module is only for type=pv guests");
	bad("guest name=p type=pv image=p.elf module=/m.img\n", 1,
	    "module '/m.img' must be a relative path");
}

static void test_net(void **state)
{
	(void)state;
	ok("guest name=svc type=pv image=s.elf net=sw0 mac=02:00:0A:0b:00:01\n");
	assert_string_equal(cfg.guests[0].net, "sw0");
	assert_int_equal(cfg.guests[0].has_mac, 1);
	assert_int_equal(cfg.guests[0].mac[2], 0x0a);
	assert_int_equal(cfg.guests[0].mac[3], 0x0b);
	assert_int_equal(cfg.guests[0].mac[5], 0x01);
	ok("guest name=pc type=hvm image=d.img memory=64M net=lan-1\n");
	assert_string_equal(cfg.guests[0].net, "lan-1");
	assert_int_equal(cfg.guests[0].has_mac, 0);
	ok("guest name=p type=pv image=p.elf\n");
	assert_string_equal(cfg.guests[0].net, "");
	bad(G "net=sw0\n", 1, "net is only for type=pv and type=hvm guests");
	bad("guest name=p type=pv image=p.elf mac=02:00:00:00:00:01\n", 1, "mac needs net=");
	bad("guest name=p type=pv image=p.elf net=sw.0\n", 1, "may only use [A-Za-z0-9_-]");
	bad("guest name=p type=pv image=p.elf net=sw0123456789abcd\n", 1, "1..15 characters");
	bad("guest name=p type=pv image=p.elf net=sw0 mac=03:00:00:00:00:01\n", 1,
	    "multicast address");
	bad("guest name=p type=pv image=p.elf net=sw0 mac=00:00:00:00:00:00\n", 1, "all zeros");
	bad("guest name=p type=pv image=p.elf net=sw0 mac=02:00:00:00:00\n", 1, "six hex bytes");
	bad("guest name=p type=pv image=p.elf net=sw0 mac=02-00-00-00-00-01\n", 1, "six hex bytes");
	bad("guest name=p type=pv image=p.elf net=sw0 mac=02:00:00:00:00:0g\n", 1, "six hex bytes");
}

#define H "guest name=pc type=hvm image=d.img memory=64M "

/* console=: which of an hvm guest's consoles typed input goes to (UART or virtio-console). */
static void test_hvm_console(void **state)
{
	(void)state;
	ok(H "\n");
	assert_int_equal(cfg.guests[0].console, CFG_HVM_CONSOLE_UART);
	ok(H "console=hvc0\n");
	assert_int_equal(cfg.guests[0].console, CFG_HVM_CONSOLE_HVC0);
	ok(H "console=ttyS0\n");
	assert_int_equal(cfg.guests[0].console, CFG_HVM_CONSOLE_UART);
	bad(H "console=hvc0 console=ttyS0\n", 1, "duplicate key 'console'");
	bad(H "console=hvc1\n", 1, "console 'hvc1' is not ttyS0 or hvc0");
	bad(H "console=ttys0\n", 1, "console 'ttys0' is not ttyS0 or hvc0");
	bad(H "console=\n", 1, "console '' is not ttyS0 or hvc0");
	bad(G "console=ttyS0\n", 1, "console= is only for type=hvm guests");
	bad("guest name=p type=pv image=p.elf console=hvc0\n", 1,
	    "console= is only for type=hvm guests");
}

/* disk=: an hvm guest's virtio-blk image, a path like image=. */
static void test_virtio_disk(void **state)
{
	(void)state;
	ok("guest name=pc type=hvm image=d.img memory=64M disk=data.img\n");
	assert_string_equal(cfg.guests[0].disk, "data.img");
	ok("guest name=pc type=hvm image=d.img memory=64M\n");
	assert_string_equal(cfg.guests[0].disk, "");
	bad("guest name=p type=pv image=p.elf disk=d.img\n", 1,
	    "disk is only for type=hvm guests");
	bad(G "disk=d.img\n", 1, "disk is only for type=hvm guests");
	bad("guest name=pc type=hvm image=d.img memory=64M disk=/abs.img\n", 1, "disk ");
	bad("guest name=pc type=hvm image=d.img memory=64M disk=\n", 1, "disk");
}

/* vcpus=N: hvm guests only, 1..CFG_VCPUS_MAX each, CFG_VCPUS_TOTAL_MAX in all. */
static void test_vcpus(void **state)
{
	(void)state;
	ok(H "\n");
	assert_int_equal(cfg.guests[0].vcpus, 1);
	ok(H "vcpus=2\n");
	assert_int_equal(cfg.guests[0].vcpus, 2);
	ok("guest vcpus=8 name=pc type=hvm image=d.img\n");
	assert_int_equal(cfg.guests[0].vcpus, CFG_VCPUS_MAX);
	ok(G "vcpus=1\n");
	assert_int_equal(cfg.guests[0].vcpus, 1);
	bad("\n" H "vcpus=0\n", 2, "vcpus '0' is out of range (1..8)");
	bad(H "vcpus=9\n", 1, "vcpus '9' is out of range (1..8)");
	bad(H "vcpus=99999999999999999999999\n", 1, "is out of range (1..8)");
	bad(H "vcpus=two\n", 1, "vcpus 'two' is not a number of vCPUs");
	bad(H "vcpus=\n", 1, "vcpus");
	bad("\n\n" G "vcpus=2\n", 3, "vcpus is only for type=hvm guests");
	bad("guest name=p type=pv image=p.elf vcpus=4\n", 1, "vcpus is only for type=hvm guests");
	/* 8 + 8 fill the run queue; one more vCPU does not fit. */
	ok("guest name=a type=hvm image=d.img vcpus=8\nguest name=b type=hvm image=d.img vcpus=8\n");
	bad("guest name=a type=hvm image=d.img vcpus=8\nguest name=b type=hvm image=d.img vcpus=8\n"
	    "guest name=c type=elf64 image=c.elf\n",
	    3, "too many vCPUs in all guests (max 16)");
}

static void test_ram_below_4g(void **state)
{
	(void)state;
	/* Default: QEMU's split for large guests, 3 GiB below 4 GiB. */
	ok(H "\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 3ULL << 30);
	ok(H "ram-below-4g=32M\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 32ULL << 20);
	assert_int_equal(cfg.guests[0].memory, 64ULL << 20);
	ok("guest ram-below-4g=0xC0000000 name=pc type=hvm image=d.img memory=4G\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 3ULL << 30);
	ok(H "ram-below-4g=16M\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 16ULL << 20);
	ok(H "ram-below-4g=1025m\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 1025ULL << 20);
	/* A limit above memory is allowed (all RAM then sits below 4 GiB). */
	ok(H "ram-below-4g=2G\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 2ULL << 30);
	/* Other guest types have no PCI hole, so no such key. */
	ok(G "\n");
	assert_int_equal(cfg.guests[0].ram_below_4g, 0);
	bad("\n\n" G "ram-below-4g=32M\n", 3, "ram-below-4g is only for type=hvm guests");
	bad("guest name=r type=real image=r.bin ram-below-4g=1G\n", 1,
	    "ram-below-4g is only for type=hvm guests");
	bad(H "ram-below-4g=3073M\n", 1, "ram-below-4g '3073M' is above 3G");
	bad(H "ram-below-4g=4G\n", 1, "ram-below-4g '4G' is above 3G");
	bad(H "ram-below-4g=0xC0100000\n", 1, "is above 3G");
	bad(H "ram-below-4g=99999999999999999999999\n", 1, "is above 3G");
	bad(H "ram-below-4g=15M\n", 1, "ram-below-4g '15M' is below 16M");
	bad(H "ram-below-4g=0\n", 1, "ram-below-4g '0' is below 16M");
	bad(H "ram-below-4g=32772K\n", 1, "ram-below-4g '32772K' is not a multiple of 1M");
	bad(H "ram-below-4g=32M2\n", 1, "ram-below-4g '32M2' is not a size");
	bad(H "ram-below-4g=\n", 1, "ram-below-4g '' is not a size");
	bad(H "ram-below-4g=1.5G\n", 1, "ram-below-4g '1.5G' is not a size");
	bad(H "ram-below-4g=32M ram-below-4g=64M\n", 1, "duplicate key 'ram-below-4g'");
}

static void test_first_error_wins(void **state)
{
	(void)state;
	bad("console\nguest name=a type=real image=a\nbogus\nalso bogus\n", 3,
	    "unknown keyword 'bogus'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_gives_defaults),
		cmocka_unit_test(test_comments_and_blanks),
		cmocka_unit_test(test_console),
		cmocka_unit_test(test_console_focus),
		cmocka_unit_test(test_console_screen),
		cmocka_unit_test(test_vmx_line),
		cmocka_unit_test(test_host_line),
		cmocka_unit_test(test_guest_cpus),
		cmocka_unit_test(test_menu),
		cmocka_unit_test(test_guest_fields),
		cmocka_unit_test(test_memory_sizes),
		cmocka_unit_test(test_args),
		cmocka_unit_test(test_crlf_and_no_final_newline),
		cmocka_unit_test(test_max_guests),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_unknown_keyword),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_missing_equals),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_long_args),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_hvm_guests),
		cmocka_unit_test(test_pv_guests),
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_virtio_disk),
		cmocka_unit_test(test_hvm_console),
		cmocka_unit_test(test_ram_below_4g),
		cmocka_unit_test(test_vcpus),
		cmocka_unit_test(test_first_error_wins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
