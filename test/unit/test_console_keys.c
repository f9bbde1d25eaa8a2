/* SPDX-License-Identifier: MIT */
/* Host tests for vmm/console_keys.c: Keel's Ctrl-A console commands and where Ctrl-A c goes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <keel/console_keys.h>

#define CTRL_A 0x01

/* Feed a byte string; record each action in order. */
static void feed(struct console_keys *k, const char *bytes, size_t n,
		 enum console_key_action *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = console_key(k, (uint8_t)bytes[i]);
}

static void test_plain_bytes_go_to_the_guest(void **state)
{
	struct console_keys k = { 0 };
	const char text[] = "ls -l\r\x03\x1b[A\x7f";

	(void)state;
	for (size_t i = 0; i < sizeof(text) - 1; i++)
		assert_int_equal(console_key(&k, (uint8_t)text[i]), CONSOLE_KEY_GUEST);
	assert_false(k.escaped);
}

static void test_ctrl_a_s_asks_for_statistics(void **state)
{
	struct console_keys k = { 0 };
	enum console_key_action a[3];

	(void)state;
	feed(&k, "\x01sx", 3, a);
	assert_int_equal(a[0], CONSOLE_KEY_NONE);
	assert_int_equal(a[1], CONSOLE_KEY_STATS);
	assert_int_equal(a[2], CONSOLE_KEY_GUEST); /* the escape lasts one key */
}

static void test_ctrl_a_t_asks_for_the_exit_trace(void **state)
{
	struct console_keys k = { 0 };
	enum console_key_action a[3];

	(void)state;
	feed(&k, "\x01tt", 3, a);
	assert_int_equal(a[0], CONSOLE_KEY_NONE);
	assert_int_equal(a[1], CONSOLE_KEY_TRACE);
	assert_int_equal(a[2], CONSOLE_KEY_GUEST); /* a plain 't' is the guest's */
}

static void test_ctrl_a_h_asks_for_help(void **state)
{
	struct console_keys k = { 0 };

	(void)state;
	assert_int_equal(console_key(&k, CTRL_A), CONSOLE_KEY_NONE);
	assert_int_equal(console_key(&k, 'h'), CONSOLE_KEY_HELP);
	assert_non_null(strstr(console_keys_help, "Ctrl-A s"));
	assert_non_null(strstr(console_keys_help, "Ctrl-A t"));
	assert_null(strchr(console_keys_help, '\n')); /* one line; the caller ends it */
}

static void test_ctrl_a_c_moves_the_focus(void **state)
{
	struct console_keys k = { 0 };
	enum console_key_action a[4];

	(void)state;
	feed(&k, "\x01" "cc\x01", 4, a);
	assert_int_equal(a[1], CONSOLE_KEY_FOCUS);
	assert_int_equal(a[2], CONSOLE_KEY_GUEST); /* a plain 'c' is the guest's */
	assert_int_equal(console_key(&k, 'c'), CONSOLE_KEY_FOCUS);
	assert_non_null(strstr(console_keys_help, "Ctrl-A c"));
}

/* Keel's log (-1), then each live guest in config order, then Keel's log again. */
static void test_focus_cycles_through_live_guests(void **state)
{
	const bool live[] = { true, false, true, true };
	const bool none[] = { false, false };
	int f = -1, seen[8], n = 0;

	(void)state;
	do {
		f = console_next_focus(f, live, 4);
		seen[n++] = f;
	} while (f != -1 && n < 8);
	assert_int_equal(n, 4);
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[1], 2); /* guest 1 has stopped: skipped */
	assert_int_equal(seen[2], 3);
	assert_int_equal(seen[3], -1);
	/* Nobody left: Keel's log keeps it. */
	assert_int_equal(console_next_focus(-1, none, 2), -1);
	assert_int_equal(console_next_focus(-1, live, 0), -1);
}

static void test_ctrl_a_twice_sends_one_ctrl_a(void **state)
{
	struct console_keys k = { 0 };
	enum console_key_action a[5];

	(void)state;
	/* Ctrl-A Ctrl-A Ctrl-A s: one Ctrl-A for the guest, then a command. */
	feed(&k, "\x01\x01\x01s", 4, a);
	assert_int_equal(a[0], CONSOLE_KEY_NONE);
	assert_int_equal(a[1], CONSOLE_KEY_GUEST);
	assert_int_equal(a[2], CONSOLE_KEY_NONE);
	assert_int_equal(a[3], CONSOLE_KEY_STATS);
	assert_false(k.escaped);
}

static void test_unknown_command_is_dropped(void **state)
{
	struct console_keys k = { 0 };
	enum console_key_action a[4];

	(void)state;
	/* 'S' is not 's': dropped, and so is a Ctrl-A's unknown follower. */
	feed(&k, "\x01S\x01q", 4, a);
	assert_int_equal(a[1], CONSOLE_KEY_NONE);
	assert_int_equal(a[3], CONSOLE_KEY_NONE);
	assert_int_equal(console_key(&k, 's'), CONSOLE_KEY_GUEST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_bytes_go_to_the_guest),
		cmocka_unit_test(test_ctrl_a_s_asks_for_statistics),
		cmocka_unit_test(test_ctrl_a_t_asks_for_the_exit_trace),
		cmocka_unit_test(test_ctrl_a_h_asks_for_help),
		cmocka_unit_test(test_ctrl_a_c_moves_the_focus),
		cmocka_unit_test(test_focus_cycles_through_live_guests),
		cmocka_unit_test(test_ctrl_a_twice_sends_one_ctrl_a),
		cmocka_unit_test(test_unknown_command_is_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
