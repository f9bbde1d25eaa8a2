/* SPDX-License-Identifier: MIT */
/*
 * Keel's console (vmm/console.c, console_input.c) with guest-controlled
 * bytes: three guests (an hvm one, a PV one, an elf64 one) write what the
 * input says through their UART or the PV console, bytes are typed
 * (Ctrl-A keys included), the focus moves, guests stop, a guest reads.
 * After each op:
 *  - a tagged line being collected holds no control byte (only text, tab);
 *  - a guest byte reaches the line untagged only from the focused guest,
 *    a UART byte unchanged and alone; the others' are held or tagged;
 *  - the focus is Keel's log or a running guest;
 *  - no ring or line holds more than it has room for.
 * Tagged lines and Keel's messages go through printk (stub_printk.c).
 */
#include <string.h>

#include <keel/console.h>
#include <keel/vm.h>

#include "fuzz.h"
#include "stub_uart.h"

#define NR 3

struct vm keel_vms[NR];
unsigned keel_nr_vms = NR;
static struct hvm_platform *const some_hvm = (struct hvm_platform *)&keel_vms; /* a flag only */
static struct pv_domain *const some_pv = (struct pv_domain *)&keel_nr_vms;

static void build(void)
{
	static const char *const names[NR] = { "h", "p", "e" };

	memset(keel_vms, 0, sizeof(keel_vms));
	for (unsigned i = 0; i < NR; i++) {
		struct vm *vm = &keel_vms[i];

		memcpy(vm->name, names[i], 2);
		vm->id = i;
		vm->state = VM_RUNNING;
		vm->vcpus[0].vm = vm;
		vm->nr_vcpus = 1;
		console_vm_init(vm);
	}
	keel_vms[0].hvm = some_hvm;
	keel_vms[1].pv = some_pv;
	console_focus = CONSOLE_FOCUS_KEEL;
}

static void check_line(const struct vm_line *l)
{
	FUZZ_CHECK(l->len <= sizeof(l->buf), "console: a line holds what fits");
	for (unsigned i = 0; i < l->len; i++)
		FUZZ_CHECK((l->buf[i] >= 0x20 && l->buf[i] < 0x7f) || l->buf[i] == '\t',
			   "console: a tagged line holds no control byte of a guest");
}

static void write_byte(struct vm *vm, struct fuzz_in *in, bool text)
{
	int focus = console_focus;
	size_t from = stub_uart_len;
	char c = (char)fuzz_u8(in);

	if (text)
		vm_console_text(vm, c);
	else
		vm_console_putc(vm, c);
	if (focus == (int)vm->id && !text)
		FUZZ_CHECK(stub_uart_len == from + 1 && stub_uart_out[from] == c,
			   "console: the focused guest's byte passes unchanged, alone");
	else if (focus != (int)vm->id)
		FUZZ_CHECK(stub_uart_len == from, "console: only the focused guest's bytes go untagged");
}

static void read_typed(struct vm *vm, struct fuzz_in *in)
{
	struct ring *q = console_input_for(vm);
	unsigned n = fuzz_u8(in) % 64;

	FUZZ_CHECK(!q || vm->pv || q == &vm->con.in, "console: only PV guests share a queue");
	while (q && n-- && ring_get(q) >= 0)
		;
}

static void op(struct fuzz_in *in)
{
	uint8_t o = fuzz_u8(in);
	struct vm *vm = &keel_vms[(o >> 4) % NR];

	switch (o & 7) {
	case 0:
	case 1:
		if (vm->state != VM_STOPPED)
			write_byte(vm, in, (o & 7) == 1 && vm->pv);
		break;
	case 2:
		stub_uart_type(fuzz_u8(in));
		break;
	case 3: /* Ctrl-A c, typed */
		stub_uart_type(0x01);
		stub_uart_type('c');
		break;
	case 4:
		console_poll();
		break;
	case 5:
		if (vm->state != VM_STOPPED) {
			console_vm_stopping(vm);
			vm->state = VM_STOPPED;
			console_vm_stopped(vm);
		}
		break;
	case 6:
		read_typed(vm, in);
		break;
	default:
		console_start(vm->name);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	build();
	stub_uart_clear();
	while (fuzz_more(&in)) {
		op(&in);
		FUZZ_CHECK(console_focus == CONSOLE_FOCUS_KEEL ||
				   (console_focus >= 0 && console_focus < NR &&
				    keel_vms[console_focus].state != VM_STOPPED),
			   "console: the focus is Keel's log or a running guest");
		for (unsigned i = 0; i < NR; i++) {
			const struct vm_console *c = &keel_vms[i].con;

			FUZZ_CHECK(ring_count(&c->held) <= sizeof(c->held_buf) &&
					   ring_count(&c->in) <= sizeof(c->in_buf),
				   "console: rings hold what fits");
			check_line(&c->line);
		}
		if (stub_uart_len > sizeof(stub_uart_out) / 2)
			stub_uart_len = 0;
	}
	/* The next input starts as Keel does: no Ctrl-A pending, no line left open. */
	stub_uart_type(0x01);
	stub_uart_type('x');
	console_poll();
	console_focus = CONSOLE_FOCUS_KEEL;
	console_keel_output();
	return 0;
}
