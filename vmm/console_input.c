/* SPDX-License-Identifier: MIT */
/*
 * Typed input. Keel reads its UART, runs its Ctrl-A keys (console_keys.c)
 * and queues every other byte for the guest it is for, 4 KiB each, so what
 * is typed or pasted faster than the guest reads waits in Keel: a guest's
 * 16550 takes from its queue as its FIFO has room (vmm/dev/uart16550.c), a
 * PV guest with CONSOLE_READ. A queue that fills (a guest that does not
 * read) drops what comes next and says so, so Ctrl-A keys still work.
 *
 * Typed bytes go to the focused guest; from Keel's log, to the first
 * running hvm guest (its UART, or hvc0 with keel.cfg console=hvc0: which
 * of the two takes its queue is vmm/hvm_console.c's), else to the PV guests
 * through one shared queue, whoever reads first (as before there was a
 * focus, and as the start info's console_input says).
 *
 * Keel's UART is read at most once a millisecond: on an hvm guest's 10 ms
 * poll, at slice ends and in idle, and when a guest looks for input (its
 * receiver empty, CONSOLE_READ). A host port read is an exit to QEMU under
 * nested KVM, and Linux reads LSR before every byte it sends.
 */
#include <arch/cpu.h>
#include <drivers/tsc.h>
#include <drivers/screen.h>
#include <drivers/uart.h>
#include <keel/console.h>
#include <keel/console_keys.h>
#include <keel/hvm.h>
#include <keel/printk.h>
#include <keel/vcpu.h>
#include <keel/vm.h>

#define POLL_NS  1000000ULL   /* Keel's UART is read at most this often */
#define POLL_MAX 64           /* bytes a poll takes: 16 fit the UART's FIFO, a ms brings 12 */
#define QUIET_NS 500000000ULL /* a partial tagged line unchanged this long is shown: a prompt */

static struct console_keys keys;
static uint8_t shared_buf[4096];
static struct ring shared = RING_INIT(shared_buf);
static uint64_t next_poll;
static uint64_t lost, lost_seen; /* typed bytes no queue had room for, not yet reported */

static bool live(const struct vm *vm)
{
	return vm->state != VM_STOPPED;
}

/* The first running hvm guest: from Keel's log, typed input and Ctrl-A s/t are its. */
static struct vm *hvm_guest(void)
{
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (keel_vms[i].hvm && live(&keel_vms[i]))
			return &keel_vms[i];
	return NULL;
}

/* Where a byte typed now goes; NULL if no guest takes typed input. */
static struct ring *input_queue(void)
{
	struct vm *vm;

	if (console_focus != CONSOLE_FOCUS_KEEL)
		return &keel_vms[console_focus].con.in;
	vm = hvm_guest();
	if (vm)
		return &vm->con.in;
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (keel_vms[i].pv && live(&keel_vms[i]))
			return &shared;
	return NULL;
}

struct ring *console_input_for(struct vm *vm)
{
	struct ring *q = input_queue();

	if (ring_count(&vm->con.in) || q == &vm->con.in)
		return &vm->con.in;
	return q == &shared && vm->pv ? &shared : NULL;
}

/* The guest Ctrl-A s and t are about: the focused one, else the hvm guest, else the first. */
static struct vm *key_guest(void)
{
	if (console_focus != CONSOLE_FOCUS_KEEL)
		return &keel_vms[console_focus];
	if (hvm_guest())
		return hvm_guest();
	for (unsigned i = 0; i < keel_nr_vms; i++)
		if (live(&keel_vms[i]))
			return &keel_vms[i];
	return NULL;
}

/*
 * A byte typed on Keel's console: the guest's, or a Ctrl-A command. The
 * guest's partial line is shown first so Keel's report starts on a line of
 * its own and the console stays in the order things happened.
 */
static void key(uint8_t c)
{
	enum console_key_action a = console_key(&keys, c);
	struct ring *q;
	struct vm *vm;

	if (a == CONSOLE_KEY_GUEST) {
		q = input_queue();
		if (q && !ring_put(q, c))
			lost++;
		return;
	}
	if (a == CONSOLE_KEY_NONE)
		return;
	if (a == CONSOLE_KEY_FOCUS) {
		console_focus_next();
		return;
	}
	vm = key_guest();
	if (vm)
		vm_console_flush(vm);
	if (a == CONSOLE_KEY_STATS && vm)
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			vcpu_print_stats(&vm->vcpus[i]);
			if (vm->hvm)
				hvm_cpu_print_state(&vm->vcpus[i]);
		}
	else if (a == CONSOLE_KEY_TRACE && vm)
		vcpu_print_trace(&vm->vcpus[0]);
	else if (a == CONSOLE_KEY_HELP)
		printk("%s\n", console_keys_help);
}

/* A partial tagged line left alone for QUIET_NS is shown: a prompt waiting for input. */
static void show_prompts(uint64_t now)
{
	uint64_t quiet = ns_to_tsc(QUIET_NS);

	for (unsigned i = 0; i < keel_nr_vms; i++) {
		struct vm *vm = &keel_vms[i];

		if (vm->con.line.len && now - vm->con.line.at >= quiet)
			vm_console_flush(vm);
	}
}

void console_poll(void)
{
	uint64_t now = rdtsc();
	int c, n = 0;

	if (now < next_poll)
		return;
	next_poll = tsc_after(now, ns_to_tsc(POLL_NS));
	while (n++ < POLL_MAX && (c = uart_getc()) >= 0)
		key((uint8_t)c);
	/* Said once the dropping has stopped, so a paste into a guest that is not reading is one line. */
	if (lost && lost == lost_seen) {
		printk("keel: console: %lu typed bytes dropped: the guest they are for is not "
		       "reading (4 KiB wait at most)\n", lost);
		lost = 0;
	}
	lost_seen = lost;
	show_prompts(now);
}

void console_service(void)
{
	console_lock();
	uart_tx_poll();
	console_poll();
	screen_service();
	console_unlock();
}

void vm_console_poll(struct vm *vm)
{
	(void)vm; /* one console for all: what is typed goes where the focus says */
	console_service();
}
