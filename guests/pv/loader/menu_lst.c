/* SPDX-License-Identifier: MIT */
/*
 * GRUB-legacy menu.lst parser (docs/pv-loader.md). Strict where GRUB would
 * boot something other than what the file seems to say: unknown keywords,
 * stray kernel lines and bad numbers are refused with the line number,
 * because a PV guest has no menu to fix them in. Only cosmetic GRUB commands
 * are ignored.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "menu_lst.h"

#define XSTR(x) STR(x)
#define STR(x)  #x
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define VALUE_SHOWN 24 /* longest value quoted in an error message */

struct slice {
	const char *s;
	size_t n;
};

struct parser {
	struct menu *m;
	struct menu_error *err;
	struct menu_entry *entry; /* the entry being read, NULL before a title */
	uint32_t line;
	uint32_t entry_line;      /* its title line */
	uint32_t default_line, fallback_line, timeout_line;
	struct slice default_arg, fallback_arg; /* for range errors at the end */
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool eq(struct slice v, const char *s)
{
	return strlen(s) == v.n && memcmp(v.s, s, v.n) == 0;
}

static void put(struct menu_error *e, size_t *at, const char *s, size_t n)
{
	for (size_t i = 0; i < n && s[i] && *at + 1 < sizeof(e->msg); i++)
		e->msg[(*at)++] = s[i];
	e->msg[*at] = '\0';
}

static void put_u32(struct menu_error *e, size_t *at, uint32_t v)
{
	char d[10];
	size_t n = 0;

	do
		d[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n)
		put(e, at, &d[--n], 1);
}

/*
 * "menu.lst:LINE: pre 'value'post" (no ":LINE" for line 0). Long values are
 * cut so that post, which says what is wrong, still fits.
 */
static int fail_at(struct parser *p, uint32_t line, const char *pre,
		   const struct slice *v, const char *post)
{
	struct menu_error *e = p->err;
	size_t at = 0;

	e->line = line;
	put(e, &at, "menu.lst:", SIZE_MAX);
	if (line) {
		put_u32(e, &at, line);
		put(e, &at, ":", 1);
	}
	put(e, &at, " ", 1);
	put(e, &at, pre, SIZE_MAX);
	if (v) {
		put(e, &at, " '", 2);
		put(e, &at, v->s, v->n > VALUE_SHOWN ? VALUE_SHOWN - 3 : v->n);
		if (v->n > VALUE_SHOWN)
			put(e, &at, "...", 3);
		put(e, &at, "'", 1);
	}
	put(e, &at, post, SIZE_MAX);
	return -1;
}

static int fail(struct parser *p, const char *pre, const struct slice *v, const char *post)
{
	return fail_at(p, p->line, pre, v, post);
}

/* Splits off the first whitespace-delimited word of *rest. */
static struct slice word(struct slice *rest)
{
	struct slice w = { rest->s, 0 };

	while (w.n < rest->n && !is_space(w.s[w.n]))
		w.n++;
	rest->s += w.n;
	rest->n -= w.n;
	while (rest->n && is_space(*rest->s)) {
		rest->s++;
		rest->n--;
	}
	return w;
}

static void copy(char *dst, struct slice v)
{
	memcpy(dst, v.s, v.n);
	dst[v.n] = '\0';
}

/* A whole decimal number, at most max. */
static int number(struct parser *p, const char *what, struct slice v, uint32_t max,
		  uint32_t *out, uint32_t *line, struct slice *keep)
{
	uint64_t n = 0;
	struct slice w = v;

	if (*line)
		return fail(p, "duplicate ", NULL, what);
	if (p->entry)
		return fail(p, what, NULL, " after the first title");
	if (word(&w).n != v.n)
		return fail(p, what, NULL, " takes one number");
	for (size_t i = 0; i < v.n; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return fail(p, what, NULL, " is not a number");
		if (n <= max)
			n = n * 10 + (uint64_t)(v.s[i] - '0');
	}
	if (!v.n)
		return fail(p, what, NULL, " is not a number");
	if (n > max)
		return fail(p, what, &v, " is too large");
	*out = (uint32_t)n;
	*line = p->line;
	if (keep)
		*keep = v;
	return 0;
}

static int cmd_default(struct parser *p, struct slice arg)
{
	return number(p, "default", arg, MENU_ENTRIES_MAX - 1, &p->m->default_entry,
		      &p->default_line, &p->default_arg);
}

static int cmd_fallback(struct parser *p, struct slice arg)
{
	return number(p, "fallback", arg, MENU_ENTRIES_MAX - 1, &p->m->fallback_entry,
		      &p->fallback_line, &p->fallback_arg);
}

static int cmd_timeout(struct parser *p, struct slice arg)
{
	return number(p, "timeout", arg, MENU_TIMEOUT_MAX, &p->m->timeout, &p->timeout_line,
		      NULL);
}

/* An entry is complete when the next title or the end of the file comes. */
static int end_entry(struct parser *p)
{
	if (p->entry && !p->entry->kernel[0]) {
		struct slice t = { p->entry->title, strlen(p->entry->title) };

		return fail_at(p, p->entry_line, "entry", &t, " has no kernel");
	}
	return 0;
}

static int cmd_title(struct parser *p, struct slice arg)
{
	if (end_entry(p))
		return -1;
	if (p->m->nr_entries == MENU_ENTRIES_MAX)
		return fail(p, "too many entries (max " XSTR(MENU_ENTRIES_MAX) ")", NULL, "");
	if (!arg.n)
		return fail(p, "title without a name", NULL, "");
	if (arg.n >= MENU_TITLE_MAX)
		return fail(p, "title", &arg, " is longer than 63 characters");
	p->entry = &p->m->entries[p->m->nr_entries++];
	p->entry_line = p->line;
	copy(p->entry->title, arg);
	return 0;
}

static int cmd_root(struct parser *p, struct slice arg)
{
	struct slice w = arg;

	if (p->entry->root[0])
		return fail(p, "second root in entry", NULL, "");
	if (arg.n < 3 || arg.n >= MENU_ROOT_MAX || arg.s[0] != '(' ||
	    arg.s[arg.n - 1] != ')' || word(&w).n != arg.n)
		return fail(p, "root", &arg, " is not a device like (hd0,0)");
	copy(p->entry->root, arg);
	return 0;
}

/* PATH [args]: an absolute path on the boot volume, then free text. */
static int path_args(struct parser *p, const char *what, struct slice arg, char *path,
		     char *args)
{
	struct slice w = word(&arg);

	if (!w.n)
		return fail(p, what, NULL, " without a path");
	if (w.s[0] == '(')
		return fail(p, what, &w, ": a device in the path is not supported (use root)");
	if (w.s[0] != '/')
		return fail(p, what, &w, " is not an absolute path");
	if (w.n >= MENU_PATH_MAX)
		return fail(p, what, &w, " is longer than 127 characters");
	if (!args && arg.n)
		return fail(p, what, &arg, " is unexpected after the path");
	if (args && arg.n >= MENU_ARGS_MAX)
		return fail(p, what, NULL, " arguments are longer than 383 characters");
	copy(path, w);
	if (args)
		copy(args, arg);
	return 0;
}

static int cmd_kernel(struct parser *p, struct slice arg)
{
	if (p->entry->kernel[0])
		return fail(p, "second kernel in entry", NULL, "");
	return path_args(p, "kernel", arg, p->entry->kernel, p->entry->cmdline);
}

static int cmd_initrd(struct parser *p, struct slice arg)
{
	if (p->entry->initrd[0])
		return fail(p, "second initrd in entry", NULL, "");
	if (!p->entry->kernel[0])
		return fail(p, "initrd before kernel", NULL, "");
	return path_args(p, "initrd", arg, p->entry->initrd, NULL);
}

static int cmd_module(struct parser *p, struct slice arg)
{
	struct menu_entry *e = p->entry;

	/* As in GRUB, a module belongs to the kernel loaded before it. */
	if (!e->kernel[0])
		return fail(p, "module before kernel", NULL, "");
	if (e->nr_modules == MENU_MODULES_MAX)
		return fail(p, "too many modules (max " XSTR(MENU_MODULES_MAX) ")", NULL, "");
	if (path_args(p, "module", arg, e->modules[e->nr_modules].path,
		      e->modules[e->nr_modules].args))
		return -1;
	e->nr_modules++;
	return 0;
}

static int cmd_ignore(struct parser *p, struct slice arg)
{
	(void)p;
	(void)arg;
	return 0;
}

enum where { ANYWHERE, IN_ENTRY };

static const struct command {
	const char *name;
	enum where where;
	int (*run)(struct parser *p, struct slice arg);
} commands[] = {
	{ "title", ANYWHERE, cmd_title },
	{ "default", ANYWHERE, cmd_default },
	{ "fallback", ANYWHERE, cmd_fallback },
	{ "timeout", ANYWHERE, cmd_timeout },
	{ "root", IN_ENTRY, cmd_root },
	{ "rootnoverify", IN_ENTRY, cmd_root },
	{ "kernel", IN_ENTRY, cmd_kernel },
	{ "initrd", IN_ENTRY, cmd_initrd },
	{ "module", IN_ENTRY, cmd_module },
	/* Menu looks and explicit boot: nothing a PV loader has to act on. */
	{ "boot", ANYWHERE, cmd_ignore },
	{ "color", ANYWHERE, cmd_ignore },
	{ "hiddenmenu", ANYWHERE, cmd_ignore },
	{ "splashimage", ANYWHERE, cmd_ignore },
	{ "foreground", ANYWHERE, cmd_ignore },
	{ "background", ANYWHERE, cmd_ignore },
	{ "savedefault", ANYWHERE, cmd_ignore },
};

/* GRUB commands whose effect cannot be had here; ignoring them would mislead. */
static const char *const unsupported[] = {
	"chainloader", "configfile", "password", "lock", "makeactive", "map",
};

static int parse_line(struct parser *p, const char *s, size_t n)
{
	struct slice rest = { s, n }, kw;

	if (memchr(s, '\0', n))
		return fail(p, "NUL byte in text", NULL, "");
	if (n > MENU_LINE_MAX)
		return fail(p, "line longer than " XSTR(MENU_LINE_MAX) " characters", NULL, "");
	while (rest.n && is_space(rest.s[rest.n - 1]))
		rest.n--;
	while (rest.n && is_space(*rest.s)) {
		rest.s++;
		rest.n--;
	}
	/* Comments are whole lines: '#' may appear in a kernel command line. */
	if (!rest.n || rest.s[0] == '#')
		return 0;
	/* "default=0" is as good as "default 0" to GRUB. */
	kw.s = rest.s;
	for (kw.n = 0; kw.n < rest.n && !is_space(kw.s[kw.n]) && kw.s[kw.n] != '='; kw.n++)
		;
	rest.s += kw.n;
	rest.n -= kw.n;
	while (rest.n && is_space(*rest.s)) {
		rest.s++;
		rest.n--;
	}
	if (rest.n && *rest.s == '=') {
		rest.s++;
		rest.n--;
		while (rest.n && is_space(*rest.s)) {
			rest.s++;
			rest.n--;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!eq(kw, commands[i].name))
			continue;
		if (commands[i].where == IN_ENTRY && !p->entry)
			return fail(p, commands[i].name, NULL, " outside a title");
		return commands[i].run(p, rest);
	}
	for (size_t i = 0; i < ARRAY_SIZE(unsupported); i++)
		if (eq(kw, unsupported[i]))
			return fail(p, unsupported[i], NULL, " is not supported by the PV loader");
	return fail(p, "unknown keyword", &kw, "");
}

/* Checks that need the whole file: entry count and the numbers naming entries. */
static int finish(struct parser *p)
{
	struct menu *m = p->m;

	if (end_entry(p))
		return -1;
	if (!m->nr_entries)
		return fail_at(p, 0, "no entries", NULL, "");
	if (m->default_entry >= m->nr_entries)
		return fail_at(p, p->default_line, "default", &p->default_arg,
			       " is out of range (no such entry)");
	if (m->fallback_entry != MENU_NONE && m->fallback_entry >= m->nr_entries)
		return fail_at(p, p->fallback_line, "fallback", &p->fallback_arg,
			       " is out of range (no such entry)");
	return 0;
}

int menu_parse(const char *text, size_t len, struct menu *m, struct menu_error *err)
{
	struct parser p = { .m = m, .err = err };
	size_t start = 0;

	memset(m, 0, sizeof(*m));
	memset(err, 0, sizeof(*err));
	m->fallback_entry = MENU_NONE;
	m->timeout = MENU_NONE;
	if (!text && len)
		return fail_at(&p, 0, "no text", NULL, "");
	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - start;

		if (n && text[start + n - 1] == '\r') /* CRLF files count as LF */
			n--;
		p.line++;
		if (parse_line(&p, text + start, n))
			return -1;
		start = end + 1;
	}
	return finish(&p);
}
