/* SPDX-License-Identifier: MIT */
/*
 * Keel's console: one serial line shared by Keel's log and every guest,
 * and who has its focus (vmm/console.c). Guests write to it through
 * vm_console_putc (keel/vm.h); typed input reaches them through
 * vmm/console_input.c.
 */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define CONSOLE_FOCUS_KEEL (-1) /* Keel's log: every guest tagged, line by line */

/* Who has the focus: CONSOLE_FOCUS_KEEL or a guest's id. */
extern int console_focus;

/*
 * Held while writing to the console or its state (vmm/console_lock.c), by
 * every entry point: recursive on one CPU. A panic takes it over.
 */
void console_lock(void);
void console_unlock(void);
void console_lock_panic(void);
/* Once the guests are built: the focus goes to guest `name` (keel.cfg), or stays with Keel's log. */
void console_start(const char *name);
/* Ctrl-A c: the next live guest, after the last one Keel's log again. */
void console_focus_next(void);
/* Give the focus to `to`: a banner, then the output held for it, tagged. */
void console_focus_set(int to);

/* Keel's own output is about to be written (lib/printk.c): it starts on a line of its own. */
void console_keel_output(void);
/* A byte the guest wrote through the PV console, which is text: '\n' ends a line as "\r\n". */
void vm_console_text(struct vm *vm, char c);
/* The guest is stopping: its partial lines first, so its stop report comes after them. */
void console_vm_stopping(struct vm *vm);
/* It has stopped: if it had the focus, Keel's log takes it back. */
void console_vm_stopped(struct vm *vm);
/* Set up a guest's console rings (once, when it is built). */
void console_vm_init(struct vm *vm);

/* Read what was typed on Keel's console and run Keel's keys (at most every millisecond). */
void console_poll(void);
/*
 * Queued output out as the UART has room, typed input in: at slice ends, in
 * idle, on an hvm guest's 10 ms poll and when a guest looks for input.
 */
void console_service(void);
/*
 * The queue a PV guest's CONSOLE_READ takes typed bytes from: its own while
 * it holds some, else the one typed bytes go to now if they are for vm
 * (its own, or the PV guests' shared one); NULL if typed input is not vm's.
 */
struct ring *console_input_for(struct vm *vm);

#endif
