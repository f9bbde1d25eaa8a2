/* SPDX-License-Identifier: MIT */
/*
 * The boot menu: every *.cfg in \keel\, keel.cfg first (the default) and
 * the rest by name, each with the guests it names; a countdown of the
 * default's `menu timeout=N` seconds, during which a digit boots another
 * config and Enter the default at once. With one config there is no menu.
 */
#include "loader.h"

#define MENU_MAX  9  /* one digit each */
#define NAME_MAX  32
#define KEEL_DIR_ONLY L"\\keel"
#define TICK      1000000 /* 100 ms, in the 100 ns units of SetTimer */
#define DEFAULT   "keel.cfg"

struct menu {
	char names[MENU_MAX + 1][NAME_MAX]; /* the last one is room to insert */
	unsigned nr, more;
};

static struct menu menu;
static struct keel_config cfg;

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* FAT names are case-insensitive: so is the order. */
static int name_cmp(const char *a, const char *b)
{
	for (; *a && lower(*a) == lower(*b); a++, b++)
		;
	return lower(*a) - lower(*b);
}

static BOOLEAN before(const char *a, const char *b)
{
	if (!name_cmp(b, DEFAULT))
		return FALSE;
	return !name_cmp(a, DEFAULT) || name_cmp(a, b) < 0;
}

static void copy_name(char *dst, const char *src, UINTN max)
{
	UINTN i;

	for (i = 0; src[i] && i < max - 1; i++)
		dst[i] = src[i];
	dst[i] = 0;
}

/* A printable ASCII name ending in .cfg that fits NAME_MAX, into out. */
static BOOLEAN cfg_name(const CHAR16 *in, char *out)
{
	UINTN n;

	for (n = 0; in[n]; n++) {
		if (n == NAME_MAX - 1 || in[n] <= L' ' || in[n] > L'~')
			return FALSE;
		out[n] = (char)in[n];
	}
	out[n] = 0;
	return n > 4 && !name_cmp(out + n - 4, ".cfg");
}

static void add(struct menu *m, const char *name)
{
	unsigned i = m->nr;

	for (; i && before(name, m->names[i - 1]); i--)
		CopyMem(m->names[i], m->names[i - 1], NAME_MAX);
	copy_name(m->names[i], name, NAME_MAX);
	if (m->nr < MENU_MAX)
		m->nr++;
	else
		m->more++;
}

static void list_configs(EFI_FILE_HANDLE root, struct menu *m)
{
	UINT64 buf[(SIZE_OF_EFI_FILE_INFO + 512 + 7) / 8]; /* 255 UCS-2 characters */
	EFI_FILE_INFO *info = (EFI_FILE_INFO *)buf;
	EFI_FILE_HANDLE dir;
	char name[NAME_MAX];
	UINTN size;

	if (EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &dir, KEEL_DIR_ONLY,
					EFI_FILE_MODE_READ, 0)))
		return;
	/* One entry a Read; a size of 0 is the end (a name too long for buf ends it too). */
	while (size = sizeof(buf), !EFI_ERROR(uefi_call_wrapper(dir->Read, 3, dir, &size, buf)) &&
				   size)
		if (!(info->Attribute & EFI_FILE_DIRECTORY) && cfg_name(info->FileName, name))
			add(m, name);
	uefi_call_wrapper(dir->Close, 1, dir);
}

/* Parse a config into cfg: 0, or -1 with err (line 0: it cannot be read). */
static int read_config(EFI_FILE_HANDLE root, const char *name, struct cfg_error *err)
{
	void *text;
	UINTN size;
	int r;

	err->line = 0;
	if (EFI_ERROR(file_read(root, name, &text, &size)))
		return -1;
	r = config_parse(text, size, &cfg, err);
	FreePool(text);
	return r;
}

/* "  2  keel-bench.cfg   bench64 pvbench ping pong" (libefi's Print pads only on the left) */
static void print_entry(EFI_FILE_HANDLE root, unsigned i)
{
	char guests[80], name[NAME_MAX];
	struct cfg_error err;
	UINTN at = 0;

	copy_name(name, menu.names[i], sizeof(name));
	while (name[at])
		at++;
	for (; at < 16; at++)
		name[at] = ' ';
	name[at] = 0;
	at = 0;
	if (read_config(root, menu.names[i], &err)) {
		if (err.line)
			con_print(L"keel-loader:   %u  %a (line %u: %a)\n", i + 1, name, err.line,
				  err.msg);
		else
			con_print(L"keel-loader:   %u  %a (cannot be read)\n", i + 1, name);
		return;
	}
	copy_name(guests, "(no guests)", sizeof(guests));
	for (unsigned g = 0; g < cfg.nr_guests && at + CFG_NAME_MAX + 1 <= sizeof(guests); g++) {
		if (at)
			guests[at++] = ' ';
		copy_name(guests + at, cfg.guests[g].name, CFG_NAME_MAX);
		while (guests[at])
			at++;
	}
	con_print(L"keel-loader:   %u  %a %a%s\n", i + 1, name, guests,
		  i ? L"" : L"  (default)");
}

/*
 * Counts down secs, a digit at each second. Returns the entry to boot and
 * why (the key, or 0 when the time ran out).
 */
static unsigned countdown(uint32_t secs, int *key)
{
	EFI_EVENT timer, ev[2];
	UINTN ticks = (UINTN)secs * 10, idx;
	int c;

	*key = 0;
	/* The boot manager's 5-minute watchdog would reset a long wait. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	if (EFI_ERROR(uefi_call_wrapper(BS->CreateEvent, 5, EVT_TIMER, 0, NULL, NULL, &timer)))
		return 0;
	uefi_call_wrapper(BS->SetTimer, 3, timer, TimerPeriodic, TICK);
	ev[0] = timer;
	ev[1] = ST->ConIn->WaitForKey;
	con_print(L"%u", secs);
	while (ticks) {
		if (EFI_ERROR(uefi_call_wrapper(BS->WaitForEvent, 3, 2, ev, &idx)))
			break;
		while ((c = con_key()) >= 0) {
			if ((c >= '1' && c < '1' + (int)menu.nr) || c == '\r' || c == '\n') {
				*key = c;
				ticks = 0;
				break;
			}
		}
		if (ticks && idx == 0 && --ticks && ticks % 10 == 0)
			con_print(L" %u", (unsigned)(ticks / 10));
	}
	uefi_call_wrapper(BS->SetTimer, 3, timer, TimerCancel, 0);
	uefi_call_wrapper(BS->CloseEvent, 1, timer);
	con_print(L"\n");
	return *key >= '1' && *key <= '9' ? (unsigned)(*key - '1') : 0;
}

void menu_choose(EFI_FILE_HANDLE root, char *name, UINTN max)
{
	uint32_t secs = CFG_MENU_TIMEOUT_DEFAULT;
	struct cfg_error err;
	unsigned pick;
	int key;

	list_configs(root, &menu);
	copy_name(name, menu.nr ? menu.names[0] : DEFAULT, max);
	if (menu.nr < 2)
		return;
	/* The default's console line says where the menu goes, its menu line how long. */
	if (read_config(root, menu.names[0], &err) == 0)
		secs = cfg.menu_timeout;
	else
		config_parse(NULL, 0, &cfg, &err); /* COM1 at 115200, as Keel's default */
	con_init(cfg.serial_port, cfg.serial_baud);
	if (!secs)
		return;
	con_print(L"keel-loader: boot menu (\\keel\\*.cfg):\n");
	for (unsigned i = 0; i < menu.nr; i++)
		print_entry(root, i);
	if (menu.more)
		con_print(L"keel-loader:   (%u more not listed: at most %u)\n", menu.more, MENU_MAX);
	con_print(L"keel-loader: 1-%u boots that config, Enter the default; %a in ", menu.nr,
		  menu.names[0]);
	pick = countdown(secs, &key);
	copy_name(name, menu.names[pick], max);
	if (key >= '1' && key <= '9')
		con_print(L"keel-loader: booting %a (key %c)\n", name, (CHAR16)key);
	else
		con_print(L"keel-loader: booting %a (%s)\n", name, key ? L"Enter" : L"no key");
}
