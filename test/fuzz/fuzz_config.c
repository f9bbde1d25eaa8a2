/* SPDX-License-Identifier: MIT */
/*
 * keel.cfg as the loader reads it (boot/config.c): any text. What it accepts
 * must obey the rules its header and README state, and written back out as
 * keel.cfg it must parse to the same configuration.
 */
#include <stdio.h>
#include <string.h>

#include <boot/config.h>

#include "fuzz.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static bool str_ok(const char *s, size_t cap, bool path)
{
	size_t n = strnlen(s, cap);

	if (n == cap)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || (path && (c == '.' || c == '/'))))
			return false;
	}
	return !path || s[0] != '/';
}

static void check_guest(const struct keel_config *cfg, unsigned i)
{
	const struct cfg_guest *g = &cfg->guests[i];

	FUZZ_CHECK(g->name[0] && str_ok(g->name, sizeof(g->name), false),
		   "a guest name is 1..15 of [A-Za-z0-9_-]");
	FUZZ_CHECK(g->image[0] && str_ok(g->image, sizeof(g->image), true),
		   "an image is a relative path of [A-Za-z0-9_.-/]");
	FUZZ_CHECK(str_ok(g->firmware, sizeof(g->firmware), true) &&
		   str_ok(g->module, sizeof(g->module), true), "firmware and module are paths");
	FUZZ_CHECK(strnlen(g->args, sizeof(g->args)) < sizeof(g->args), "args is terminated");
	FUZZ_CHECK(g->type >= CFG_GUEST_ELF64 && g->type <= CFG_GUEST_PV, "a known guest type");
	FUZZ_CHECK(g->memory >= 64 * KiB && g->memory <= 64 * GiB && !(g->memory & 0xfff),
		   "memory is 64K..64G in whole 4K pages");
	if (g->type == CFG_GUEST_HVM) {
		FUZZ_CHECK(g->memory >= 16 * MiB && g->firmware[0], "an hvm guest has 16M and firmware");
		FUZZ_CHECK(g->ram_below_4g >= 16 * MiB && g->ram_below_4g <= CFG_RAM_BELOW_4G_MAX &&
			   !(g->ram_below_4g & (MiB - 1)), "ram-below-4g is 16M..3G in whole MiB");
	} else {
		FUZZ_CHECK(!g->firmware[0] && !g->ram_below_4g,
			   "firmware and ram-below-4g only for hvm guests");
	}
	FUZZ_CHECK(!g->module[0] || g->type == CFG_GUEST_PV, "module only for pv guests");
	for (unsigned k = 0; k < i; k++)
		FUZZ_CHECK(strcmp(cfg->guests[k].name, g->name), "guest names are unique");
}

/* keel.cfg text for cfg; false if a line would pass the parser's 255 characters. */
static bool write_cfg(const struct keel_config *cfg, char *out, size_t cap, size_t *len)
{
	static const char *const types[] = { "", "elf64", "real", "hvm", "pv" };
	size_t at = (size_t)snprintf(out, cap,
				     "console port=%u baud=%u screen=%s%s%s\nmenu timeout=%u\n"
				     "vmx preemption-timer=%s\n",
				     cfg->serial_port, cfg->serial_baud,
				     cfg->console_flags & CFG_CONSOLE_NO_SCREEN ? "off" : "on",
				     cfg->console_focus[0] ? " focus=" : "", cfg->console_focus,
				     cfg->menu_timeout,
				     cfg->vmx_flags & CFG_VMX_NO_PREEMPTION_TIMER ? "off" : "on");

	if (cfg->host_cpus)
		at += (size_t)snprintf(out + at, cap - at, "host cpus=%u\n", cfg->host_cpus);
	for (unsigned i = 0; i < cfg->nr_guests; i++) {
		const struct cfg_guest *g = &cfg->guests[i];
		char line[1024];
		int n = snprintf(line, sizeof(line), "guest name=%s type=%s image=%s memory=%llu",
				 g->name, types[g->type], g->image, (unsigned long long)g->memory);

		if (g->firmware[0])
			n += snprintf(line + n, sizeof(line) - n, " firmware=%s", g->firmware);
		if (g->ram_below_4g)
			n += snprintf(line + n, sizeof(line) - n, " ram-below-4g=%llu",
				      (unsigned long long)g->ram_below_4g);
		if (g->module[0])
			n += snprintf(line + n, sizeof(line) - n, " module=%s", g->module);
		if (g->net[0])
			n += snprintf(line + n, sizeof(line) - n, " net=%s", g->net);
		if (g->has_mac)
			n += snprintf(line + n, sizeof(line) - n, " mac=%02x:%02x:%02x:%02x:%02x:%02x",
				      g->mac[0], g->mac[1], g->mac[2], g->mac[3], g->mac[4], g->mac[5]);
		if (g->disk[0])
			n += snprintf(line + n, sizeof(line) - n, " disk=%s", g->disk);
		if (g->args[0])
			n += snprintf(line + n, sizeof(line) - n, " args=\"%s\"", g->args);
		if (n > 255 || at + (size_t)n + 1 >= cap)
			return false;
		at += (size_t)snprintf(out + at, cap - at, "%s\n", line);
	}
	*len = at;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct keel_config cfg, again;
	struct cfg_error err, err2;
	unsigned lines = 1;
	char text[8192];
	size_t len;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (config_parse((const char *)data, size, &cfg, &err)) {
		FUZZ_CHECK(err.msg[0] && strnlen(err.msg, sizeof(err.msg)) < sizeof(err.msg),
			   "a refusal says why, in a terminated message");
		FUZZ_CHECK(err.line <= lines, "a refusal names a line of the file");
		return 0;
	}
	FUZZ_CHECK(cfg.nr_guests <= CFG_GUESTS_MAX, "at most CFG_GUESTS_MAX guests");
	FUZZ_CHECK(cfg.serial_port >= 1 && cfg.serial_baud >= 300 && cfg.serial_baud <= 115200 &&
		   115200 % cfg.serial_baud == 0, "the console port and baud are usable");
	FUZZ_CHECK(cfg.menu_timeout <= CFG_MENU_TIMEOUT_MAX, "the menu timeout is in range");
	for (unsigned i = 0; i < cfg.nr_guests; i++)
		check_guest(&cfg, i);
	if (!write_cfg(&cfg, text, sizeof(text), &len))
		return 0;
	FUZZ_CHECK(!config_parse(text, len, &again, &err2), "an accepted config written back parses");
	FUZZ_CHECK(!memcmp(&cfg, &again, sizeof(cfg)), "written back, it parses the same");
	return 0;
}
