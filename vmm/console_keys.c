/* SPDX-License-Identifier: MIT */
/* Keel's console escape keys: Ctrl-A c, s, t, h, Ctrl-A Ctrl-A; where Ctrl-A c moves the focus. */
#include <keel/console_keys.h>

const char console_keys_help[] =
	"keel: console keys: Ctrl-A s exit statistics, Ctrl-A t last exits, Ctrl-A h this help, "
	"Ctrl-A c focus on the next guest or Keel's log, Ctrl-A Ctrl-A sends Ctrl-A to the guest";

enum console_key_action console_key(struct console_keys *k, uint8_t c)
{
	if (!k->escaped) {
		if (c != CONSOLE_ESCAPE)
			return CONSOLE_KEY_GUEST;
		k->escaped = true;
		return CONSOLE_KEY_NONE;
	}
	k->escaped = false;
	switch (c) {
	case 's':
		return CONSOLE_KEY_STATS;
	case 't':
		return CONSOLE_KEY_TRACE;
	case 'h':
		return CONSOLE_KEY_HELP;
	case 'c':
		return CONSOLE_KEY_FOCUS;
	case CONSOLE_ESCAPE:
		return CONSOLE_KEY_GUEST;
	default:
		return CONSOLE_KEY_NONE; /* an unknown command is dropped, not sent */
	}
}

int console_next_focus(int cur, const bool *live, unsigned n)
{
	for (unsigned i = cur < 0 ? 0 : (unsigned)cur + 1; i < n; i++)
		if (live[i])
			return (int)i;
	return -1;
}
