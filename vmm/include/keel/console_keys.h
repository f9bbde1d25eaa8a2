/* SPDX-License-Identifier: MIT */
/*
 * Escape keys on Keel's console, as in QEMU's -serial mon:stdio: Ctrl-A
 * followed by a command key is for Keel, every other byte is the guest's.
 */
#ifndef KEEL_CONSOLE_KEYS_H
#define KEEL_CONSOLE_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

enum console_key_action {
	CONSOLE_KEY_NONE,    /* consumed: nothing to do */
	CONSOLE_KEY_GUEST,   /* the byte goes to the guest */
	CONSOLE_KEY_STATS,   /* print the running guest's exit statistics */
	CONSOLE_KEY_TRACE,   /* print its last exits (the exit trace) */
	CONSOLE_KEY_HELP,    /* print the one-line help */
	CONSOLE_KEY_FOCUS,   /* move the console's focus to the next guest, or Keel's log */
};

struct console_keys {
	bool escaped; /* the previous byte was Ctrl-A */
};

/* What byte c typed on Keel's console asks for. */
enum console_key_action console_key(struct console_keys *k, uint8_t c);

/* The help line printed for Ctrl-A h. */
extern const char console_keys_help[];

/*
 * The focus after cur (-1: Keel's log; else a guest's index) for Ctrl-A c:
 * the next guest i with live[i], in config order; after the last, Keel's log.
 */
int console_next_focus(int cur, const bool *live, unsigned n);

#endif
