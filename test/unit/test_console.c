/* SPDX-License-Identifier: MIT */
/*
 * Host tests for Keel's console (vmm/console.c, console_input.c): tagged
 * lines from Keel's log, raw output of the focused guest, output held for
 * the others and shown tagged when the focus moves, Ctrl-A c, typed input
 * queued for the guest it is for. The host UART is a buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/printk.h>
#include <keel/vm.h>

struct vm keel_vms[CFG_GUESTS_MAX];
unsigned keel_nr_vms;

/* --- Keel's host side, stood in for. --- */

static char out[65536];
static size_t out_len;
static uint8_t typed[8192];
static size_t typed_len, typed_at;
static bool prompts_due;
static unsigned stats_printed, tx_polls;
uint64_t uart_tx_due = TSC_NEVER;

void uart_putc(char c)
{
	assert_true(out_len < sizeof(out) - 1);
	out[out_len++] = c;
	out[out_len] = '\0';
}

/* lib/printk.c's: the serial line and the screen; the screen is drivers/video's to test. */
void console_putc(char c)
{
	uart_putc(c);
}

void screen_service(void)
{
}

/* One CPU here: the console lock (vmm/console_lock.c) has nothing to do. */
void console_lock(void) {}
void console_unlock(void) {}

void uart_tx_poll(void)
{
	tx_polls++;
}

int uart_getc(void)
{
	return typed_at < typed_len ? typed[typed_at++] : -1;
}

/* Polls are never rate-limited here; a partial line has been left alone long only when said. */
uint64_t ns_to_tsc(uint64_t ns)
{
	return ns < 100000000 || prompts_due ? 0 : UINT64_MAX / 2;
}

void printk(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_keel_output();
	for (int i = 0; i < n; i++) {
		if (buf[i] == '\n')
			uart_putc('\r');
		uart_putc(buf[i]);
	}
}

void vcpu_print_stats(const struct vcpu *v)
{
	printk("keel: guest '%s': stats\n", v->vm->name);
	stats_printed++;
}

void vcpu_print_trace(const struct vcpu *v)
{
	(void)v;
}

void hvm_cpu_print_state(const struct vcpu *v)
{
	(void)v;
}

/* --- Helpers. --- */

static struct hvm_platform *const some_hvm = (struct hvm_platform *)&keel_vms; /* a flag only */
static struct pv_domain *const some_pv = (struct pv_domain *)&keel_nr_vms;

static struct vm *guest(unsigned i, const char *name)
{
	struct vm *vm = &keel_vms[i];

	snprintf(vm->name, sizeof(vm->name), "%s", name);
	vm->id = i;
	vm->state = VM_RUNNING;
	vm->vcpus[0].vm = vm;
	vm->nr_vcpus = 1;
	console_vm_init(vm);
	if (i >= keel_nr_vms)
		keel_nr_vms = i + 1;
	return vm;
}

static void put(struct vm *vm, const char *s)
{
	for (; *s; s++)
		vm_console_putc(vm, *s);
}

/* Type s and let Keel poll until it has read it all. */
static void type(const char *s)
{
	for (; *s; s++)
		typed[typed_len++] = (uint8_t)*s;
	while (typed_at < typed_len)
		console_poll();
}

static void clear_out(void)
{
	out_len = 0;
	out[0] = '\0';
}

static int setup(void **state)
{
	(void)state;
	memset(keel_vms, 0, sizeof(keel_vms));
	keel_nr_vms = 0;
	console_focus = CONSOLE_FOCUS_KEEL;
	typed_len = typed_at = 0;
	prompts_due = false;
	stats_printed = tx_polls = 0;
	uart_tx_due = TSC_NEVER;
	console_keel_output(); /* forget a line a test left open */
	clear_out();
	return 0;
}

/* --- Tests. --- */

/* Keel's log: whole lines, tagged, never mixed; '\r' dropped, control bytes shown as '?'. */
static void test_keels_log_tags_whole_lines(void **state)
{
	struct vm *a = guest(0, "a"), *b = guest(1, "b");

	(void)state;
	put(a, "one ");
	put(b, "\x1b[1mtwo\r\n");
	put(a, "three\r\n");
	assert_string_equal(out, "[b] ?[1mtwo\r\n[a] one three\r\n");
	clear_out();
	for (int i = 0; i < 130; i++)
		vm_console_putc(a, 'x');
	assert_int_equal(out_len, strlen("[a] \r\n") + 128); /* split at 128 */
	/* A prompt is shown once it has been left alone a while. */
	put(b, "b# ");
	console_poll();
	assert_int_equal(out_len, strlen("[a] \r\n") + 128);
	prompts_due = true;
	console_poll();
	assert_non_null(strstr(out, "[a] xx\r\n[b] b# \r\n"));
}

/* A focused guest's bytes pass unchanged; the others' wait; Keel's messages get their own line. */
static void test_focused_guest_is_raw_and_others_are_held(void **state)
{
	struct vm *a = guest(0, "a"), *b = guest(1, "b");
	const char screen[] = "\x1b[2J\x1b[H\x1b[7mtop\x1b[0m\r\n\tcol\x07\x7f";

	(void)state;
	console_start("b");
	assert_string_equal(out, "keel: console: guest 'b' has the focus (Ctrl-A c moves it)\r\n");
	clear_out();
	put(b, screen);
	put(a, "held line\nheld partial");
	assert_memory_equal(out, screen, sizeof(screen) - 1);
	assert_int_equal(out_len, sizeof(screen) - 1);
	printk("keel: a report\n");
	assert_string_equal(out + sizeof(screen) - 1, "\r\nkeel: a report\r\n");
	/* Ctrl-A c: to Keel's log, which shows what a said meanwhile, tagged. */
	clear_out();
	type("\x01" "c");
	assert_string_equal(out, "keel: console: Keel's log has the focus (Ctrl-A c moves it)\r\n"
				 "[a] held line\r\n");
	clear_out();
	put(a, " ends\n");
	put(b, "tagged again\r\n");
	assert_string_equal(out, "[a] held partial ends\r\n[b] tagged again\r\n");
}

/* Ctrl-A c walks Keel's log -> each live guest -> Keel's log; a prompt shows untagged. */
static void test_ctrl_a_c_cycles_and_shows_the_backlog(void **state)
{
	struct vm *a = guest(0, "a"), *b = guest(1, "b"), *c = guest(2, "c");

	(void)state;
	b->state = VM_STOPPED;
	put(a, "boot\r\nlogin: ");
	clear_out();
	type("\x01" "c");
	/* The banner, then a's unfinished line as the guest left it: its cursor is after it. */
	assert_string_equal(out, "keel: console: guest 'a' has the focus (Ctrl-A c moves it)\r\n"
				 "login: ");
	put(a, "root");
	put(c, "c was here\n");
	clear_out();
	type("\x01" "c");
	assert_string_equal(out, "\r\nkeel: console: guest 'c' has the focus (Ctrl-A c moves it)\r\n"
				 "[c] c was here\r\n");
	clear_out();
	put(a, "\r\n# ");
	type("\x01" "c");
	assert_string_equal(out, "keel: console: Keel's log has the focus (Ctrl-A c moves it)\r\n");
	prompts_due = true;
	clear_out();
	console_poll();
	assert_string_equal(out, "[a] # \r\n"); /* held, then shown as Keel's log shows a prompt */
}

/* A focused guest that stops gives the focus back to Keel's log. */
static void test_focus_returns_when_the_guest_stops(void **state)
{
	struct vm *a = guest(0, "a"), *b = guest(1, "b");

	(void)state;
	console_start("a");
	put(b, "meanwhile\n");
	put(a, "bye");
	clear_out();
	a->state = VM_STOPPED;
	console_vm_stopping(a);
	console_vm_stopped(a);
	assert_int_equal(console_focus, CONSOLE_FOCUS_KEEL);
	assert_string_equal(out, "\r\nkeel: console: Keel's log has the focus (Ctrl-A c moves it)\r\n"
				 "[b] meanwhile\r\n");
	/* A name that is no running guest leaves the focus with Keel's log. */
	clear_out();
	console_start("a");
	assert_int_equal(console_focus, CONSOLE_FOCUS_KEEL);
	assert_non_null(strstr(out, "no guest 'a' is running"));
}

/* Held output keeps the newest 4 KiB, and says how much older output it dropped. */
static void test_held_output_keeps_the_newest(void **state)
{
	struct vm *a = guest(0, "a");
	char line[64];

	(void)state;
	guest(1, "b");
	console_start("b");
	for (int i = 0; i < 1000; i++) {
		snprintf(line, sizeof(line), "line %04d\n", i);
		put(a, line);
	}
	clear_out();
	console_focus_set(CONSOLE_FOCUS_KEEL);
	assert_non_null(strstr(out, "keel: guest 'a': the oldest 5904 bytes of its held output "
				    "were dropped\r\n"));
	assert_null(strstr(out, "line 0589"));
	assert_non_null(strstr(out, "\r\n[a] line 0591\r\n")); /* 590's tail is a partial line */
	assert_non_null(strstr(out, "[a] line 0999\r\n"));
}

/* The PV console is text: a bare '\n' ends a line as "\r\n" for a raw terminal. */
static void test_pv_text_gets_cr_when_raw(void **state)
{
	struct vm *a = guest(0, "a");

	(void)state;
	console_start("a");
	clear_out();
	for (const char *s = "x\ny\r\nz\n"; *s; s++)
		vm_console_text(a, *s);
	assert_string_equal(out, "x\r\ny\r\nz\r\n");
}

/*
 * Typed bytes: to the focused guest's queue; from Keel's log to the first
 * running hvm guest, else the PV guests' shared queue. Ctrl-A keys are
 * Keel's; a guest that does not read loses what does not fit, and says so.
 */
static void test_typed_input_goes_where_the_focus_says(void **state)
{
	struct vm *p = guest(0, "p"), *q = guest(1, "q"), *h = guest(2, "h");
	struct ring *shared;

	(void)state;
	p->pv = some_pv;
	q->pv = some_pv;
	h->hvm = some_hvm;
	type("ls\r");
	assert_int_equal(ring_count(&h->con.in), 3);
	assert_null(console_input_for(p)); /* the hvm guest's UART owns it */
	type("\x01s");
	assert_int_equal(stats_printed, 1);
	assert_non_null(strstr(out, "keel: guest 'h': stats"));
	h->state = VM_STOPPED;
	shared = console_input_for(p);
	assert_non_null(shared);
	assert_ptr_equal(console_input_for(q), shared);
	assert_ptr_equal(console_input_for(h), &h->con.in); /* what it did not take is still its */
	type("pv");
	assert_int_equal(ring_count(shared), 2);
	/* Focus on q: typed bytes are q's alone; p reads nothing now. */
	type("\x01" "c\x01" "c");
	assert_int_equal(console_focus, 1);
	type("Q\x01\x01");
	assert_int_equal(ring_count(&q->con.in), 2); /* Ctrl-A Ctrl-A: one Ctrl-A for the guest */
	assert_int_equal(ring_peek(&q->con.in, 1), 0x01);
	assert_ptr_equal(console_input_for(q), &q->con.in);
	assert_null(console_input_for(p));
	/* A paste bigger than the queue: the rest is dropped and said; keys still work. */
	for (int i = 0; i < 5000; i++)
		typed[typed_len++] = 'z';
	console_poll();
	assert_int_equal(typed_at, typed_len - 5000 + 64); /* a poll takes 64 at most */
	clear_out();
	type("\x01" "c");
	assert_int_equal(ring_count(&q->con.in), 4096);
	assert_int_equal(console_focus, CONSOLE_FOCUS_KEEL);
	assert_null(strstr(out, "dropped")); /* said once it has stopped: one line */
	console_poll();
	assert_non_null(strstr(out, "keel: console: 906 typed bytes dropped"));
}

/* A guest that looks for input also sends what waits to go out: it may be alone, untimed. */
static void test_looking_for_input_sends_queued_output(void **state)
{
	struct vm *a = guest(0, "a");

	(void)state;
	typed[typed_len++] = 'k';
	vm_console_poll(a);
	assert_int_equal(tx_polls, 1);
	assert_int_equal(ring_count(&a->con.in), 0); /* Keel's log: an hvm guest's, or PV's */
	console_start("a");
	typed[typed_len++] = 'y';
	vm_console_poll(a);
	assert_int_equal(ring_get(&a->con.in), 'y');
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_keels_log_tags_whole_lines),
		T(test_focused_guest_is_raw_and_others_are_held),
		T(test_ctrl_a_c_cycles_and_shows_the_backlog),
		T(test_focus_returns_when_the_guest_stops),
		T(test_held_output_keeps_the_newest),
		T(test_pv_text_gets_cr_when_raw),
		T(test_typed_input_goes_where_the_focus_says),
		T(test_looking_for_input_sends_queued_output),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
