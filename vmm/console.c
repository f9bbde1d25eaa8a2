/* SPDX-License-Identifier: MIT */
/*
 * Keel's console: one serial line for Keel's log and every guest. The
 * focus says whose it is; Ctrl-A c moves it (vmm/console_input.c).
 *
 * - Keel's log (the default, and what the test harness reads): each
 *   guest's output is shown a line at a time, tagged "[name] ", with
 *   control bytes as '?', so lines of several guests never mix.
 * - A guest: its output reaches the line unchanged (escape sequences, no
 *   tag, no line buffering), so full-screen programs and line editing work
 *   and what is typed is echoed as the guest echoes it. The other guests'
 *   output is held, a ring each (the newest 4 KiB), and shown tagged when
 *   the focus moves to them or to Keel's log; printing it then would only
 *   scribble over the focused guest's screen.
 *
 * Keel's own messages are always shown, on a line of their own: they are
 * rare (a guest stopping, the answers to Ctrl-A keys) and a panic must
 * never wait behind a focus. Firmware debug-port lines are Keel's log too.
 *
 * Every byte for the line goes through console_putc (lib/printk.c), which
 * draws it on the screen too (drivers/video/screen.c).
 */
#include <arch/cpu.h>
#include <drivers/tsc.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/console_keys.h>
#include <keel/printk.h>
#include <keel/string.h>
#include <keel/vm.h>

int console_focus = CONSOLE_FOCUS_KEEL;
static bool midline; /* the focused guest left the cursor inside a line */

static void line_flush(struct vm *vm, struct vm_line *l, const char *tag)
{
	printk("[%s%s] %.*s\n", vm->name, tag, (int)l->len, l->buf);
	l->len = 0;
}

static void line_putc(struct vm *vm, struct vm_line *l, const char *tag, char c)
{
	if (c == '\r')
		return;
	if (c == '\n' || l->len == sizeof(l->buf)) {
		line_flush(vm, l, tag);
		if (c == '\n')
			return;
	}
	/* Control bytes would corrupt the tagged log: show them as '?'. */
	l->buf[l->len++] = (c >= 0x20 && c < 0x7f) || c == '\t' ? c : '?';
}

/* Tagged output of a guest without the focus (Keel's log, or its held output shown). */
static void tagged_putc(struct vm *vm, char c)
{
	/* The line its untagged output left open ends here: no empty tagged line for it. */
	if (vm->con.raw_open && c != '\r') {
		vm->con.raw_open = false;
		if (c == '\n')
			return;
	}
	line_putc(vm, &vm->con.line, "", c);
}

static bool focused(const struct vm *vm)
{
	return console_focus == (int)vm->id;
}

void console_vm_init(struct vm *vm)
{
	ring_init(&vm->con.held, vm->con.held_buf, sizeof(vm->con.held_buf));
	ring_init(&vm->con.in, vm->con.in_buf, sizeof(vm->con.in_buf));
}

void console_keel_output(void)
{
	if (midline) {
		midline = false;
		console_putc('\r');
		console_putc('\n');
	}
}

void vm_console_putc(struct vm *vm, char c)
{
	console_lock();
	if (focused(vm)) {
		console_putc(c);
		midline = c != '\n';
	} else if (console_focus == CONSOLE_FOCUS_KEEL) {
		tagged_putc(vm, c);
		vm->con.line.at = rdtsc();
	} else if (ring_put_over(&vm->con.held, (uint8_t)c)) {
		vm->con.held_lost++;
	}
	console_unlock();
}

void vm_console_text(struct vm *vm, char c)
{
	console_lock();
	if (c == '\n' && !vm->con.cr && focused(vm))
		vm_console_putc(vm, '\r');
	vm->con.cr = c == '\r';
	vm_console_putc(vm, c);
	console_unlock();
}

void vm_fw_log_putc(struct vm *vm, char c)
{
	console_lock();
	line_putc(vm, &vm->fw_log, ":fw", c);
	console_unlock();
}

void vm_console_flush(struct vm *vm)
{
	console_lock();
	/* Only Keel's log shows partial lines; a held guest's wait for the focus to move. */
	if (console_focus == CONSOLE_FOCUS_KEEL && vm->con.line.len)
		line_flush(vm, &vm->con.line, "");
	console_unlock();
}

void console_vm_stopping(struct vm *vm)
{
	console_lock();
	vm_console_flush(vm);
	if (vm->fw_log.len)
		line_flush(vm, &vm->fw_log, ":fw");
	console_unlock();
}

void console_vm_stopped(struct vm *vm)
{
	console_lock();
	if (focused(vm))
		console_focus_set(CONSOLE_FOCUS_KEEL);
	console_unlock();
}

/* What vm wrote while another guest had the focus, tagged; complete lines now. */
static void show_held(struct vm *vm)
{
	int c;

	if (vm->con.held_lost) {
		printk("keel: guest '%s': the oldest %lu bytes of its held output were dropped\n",
		       vm->name, vm->con.held_lost);
		vm->con.held_lost = 0;
	}
	while ((c = ring_get(&vm->con.held)) >= 0)
		tagged_putc(vm, (char)c);
}

void console_focus_set(int to)
{
	struct vm *vm;

	if (console_focus != CONSOLE_FOCUS_KEEL)
		keel_vms[console_focus].con.raw_open = midline;
	console_focus = to;
	if (to == CONSOLE_FOCUS_KEEL) {
		printk("keel: console: Keel's log has the focus (Ctrl-A c moves it)\n");
		for (unsigned i = 0; i < keel_nr_vms; i++)
			show_held(&keel_vms[i]);
		return;
	}
	vm = &keel_vms[to];
	printk("keel: console: guest '%s' has the focus (Ctrl-A c moves it)\n", vm->name);
	show_held(vm);
	vm->con.raw_open = false; /* from here its output goes untagged again */
	/* Its unfinished line (a prompt) untagged: the guest's cursor is after it. */
	for (unsigned i = 0; i < vm->con.line.len; i++)
		console_putc(vm->con.line.buf[i]);
	midline = vm->con.line.len != 0;
	vm->con.line.len = 0;
}

void console_focus_next(void)
{
	bool live[CFG_GUESTS_MAX];

	for (unsigned i = 0; i < keel_nr_vms; i++)
		live[i] = keel_vms[i].state != VM_STOPPED;
	console_focus_set(console_next_focus(console_focus, live, keel_nr_vms));
}

void console_start(const char *name)
{
	for (unsigned i = 0; name[0] && i < keel_nr_vms; i++)
		if (!strcmp(keel_vms[i].name, name) && keel_vms[i].state != VM_STOPPED)
			console_focus_set((int)i);
	if (name[0] && console_focus == CONSOLE_FOCUS_KEEL)
		printk("keel: console: no guest '%s' is running: Keel's log has the focus\n", name);
}
