/* SPDX-License-Identifier: MIT */
/*
 * keel.cfg parser. Runs in the EFI loader, in Keel and in host tests, so it
 * calls nothing: not even the memcpy/memset gcc likes to invent for loops
 * (libefi and Keel's -lgcc link provide neither), hence NO_LIBCALLS below.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <boot/config.h>

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALLS
#endif

#define CFG_LINE_MAX 255
#define MEM_DEFAULT  (16ULL << 20)
#define MEM_MIN      (64ULL << 10)
#define HVM_MEM_MIN  (16ULL << 20)
#define MEM_MAX      (64ULL << 30)
#define XSTR(x)      STR(x)
#define STR(x)       #x
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct slice {
	const char *s;
	size_t n;
};

struct parser {
	struct keel_config *cfg;
	struct cfg_error *err;
	struct cfg_guest *guest; /* the guest line being parsed */
	unsigned line;
	bool console_seen;
	bool menu_seen;
	unsigned focus_line; /* the console line naming a focus, checked at the end */
	bool vmx_seen;
	bool host_seen;
};

struct key {
	const char *name;
	int (*set)(struct parser *p, const struct slice *v);
};

struct keyword {
	const char *name;
	const char *in_line; /* " in guest line", for messages */
	const struct key *keys;
	unsigned nr_keys;
	int (*begin)(struct parser *p);
	int (*end)(struct parser *p, unsigned seen); /* optional */
};

static void NO_LIBCALLS zero(void *dst, size_t n)
{
	unsigned char *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = 0;
}

/* dst has room for n + 1 bytes; callers check n first. */
static void NO_LIBCALLS copy_str(char *dst, const struct slice *v)
{
	for (size_t i = 0; i < v->n; i++)
		dst[i] = v->s[i];
	dst[v->n] = '\0';
}

static struct slice slice_of(const char *s)
{
	struct slice v = { s, 0 };

	while (s[v.n])
		v.n++;
	return v;
}

static bool eq(const struct slice *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (s[i] != v->s[i])
			return false;
	return s[i] == '\0';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

static void NO_LIBCALLS msg_put(struct cfg_error *e, size_t *at, const char *s,
				size_t n)
{
	for (size_t i = 0; i < n && s[i] && *at + 1 < sizeof(e->msg); i++)
		e->msg[(*at)++] = s[i];
	e->msg[*at] = '\0';
}

/*
 * Messages are "pre 'value' post"; long values are cut so that the post part,
 * which says what is wrong, still fits in err->msg.
 */
static int fail(struct parser *p, const char *pre, const struct slice *v,
		const char *post)
{
	size_t at = 0;

	p->err->line = p->line;
	msg_put(p->err, &at, pre, (size_t)-1);
	if (v) {
		msg_put(p->err, &at, "'", 1);
		msg_put(p->err, &at, v->s, v->n > 32 ? 29 : v->n);
		if (v->n > 32)
			msg_put(p->err, &at, "...", 3);
		msg_put(p->err, &at, "'", 1);
	}
	msg_put(p->err, &at, post, (size_t)-1);
	return -1;
}

/* Decimal or 0x hex prefix of v; returns digits consumed, 0 if none. */
static size_t parse_num(const struct slice *v, uint64_t *out, bool *overflow)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t n = 0;

	*overflow = false;
	if (v->n > 2 && v->s[0] == '0' && (v->s[1] == 'x' || v->s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (start = i; i < v->n; i++) {
		char c = v->s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			break;
		if (n > (UINT64_MAX - d) / base)
			*overflow = true;
		n = n * base + d;
	}
	*out = n;
	return i == start ? 0 : i;
}

/* A key whose value is one whole number in lo..hi, and the words that refuse it. */
struct num_key {
	const char *key;       /* "vcpus " */
	const char *not_num;   /* " is not a number of vCPUs" */
	const char *range;     /* " is out of range (1..8)" */
	uint64_t lo, hi;
};

static int bounded_num(struct parser *p, const struct num_key *k, const struct slice *v,
		       uint64_t *out)
{
	bool ovf;
	size_t len = parse_num(v, out, &ovf);

	if (!len || len != v->n)
		return fail(p, k->key, v, k->not_num);
	if (ovf || *out < k->lo || *out > k->hi)
		return fail(p, k->key, v, k->range);
	return 0;
}

static int set_port(struct parser *p, const struct slice *v)
{
	static const struct num_key k = { "port ", " is not a number",
					  " is out of range (1..0xffff)", 1, 0xffff };
	uint64_t n;

	if (bounded_num(p, &k, v, &n))
		return -1;
	p->cfg->serial_port = (uint16_t)n;
	return 0;
}

static int set_baud(struct parser *p, const struct slice *v)
{
	static const struct num_key k = { "baud ", " is not a number",
					  " is out of range (300..115200)", 300, 115200 };
	uint64_t n;

	if (bounded_num(p, &k, v, &n))
		return -1;
	/* The UART divisor is 115200 / baud, so only exact divisors work. */
	if (115200 % n)
		return fail(p, "baud ", v, " does not divide 115200");
	p->cfg->serial_baud = (uint32_t)n;
	return 0;
}

static int set_name(struct parser *p, const struct slice *v)
{
	if (v->n < 1 || v->n >= CFG_NAME_MAX)
		return fail(p, "name ", v, " must be 1..15 characters");
	for (size_t i = 0; i < v->n; i++)
		if (!is_alnum(v->s[i]) && v->s[i] != '_' && v->s[i] != '-')
			return fail(p, "name ", v, " may only use [A-Za-z0-9_-]");
	copy_str(p->guest->name, v);
	return 0;
}

static int set_type(struct parser *p, const struct slice *v)
{
	if (eq(v, "elf64"))
		p->guest->type = CFG_GUEST_ELF64;
	else if (eq(v, "real"))
		p->guest->type = CFG_GUEST_REAL;
	else if (eq(v, "hvm"))
		p->guest->type = CFG_GUEST_HVM;
	else if (eq(v, "pv"))
		p->guest->type = CFG_GUEST_PV;
	else
		return fail(p, "type ", v, " is not elf64, real, hvm or pv");
	return 0;
}

/* A file on the ESP, resolved against the config file's directory by the loader. */
static int set_path(struct parser *p, const char *key, char *dst, const struct slice *v)
{
	if (v->n < 1 || v->n >= CFG_PATH_MAX)
		return fail(p, key, v, " must be 1..63 characters");
	if (v->s[0] == '/')
		return fail(p, key, v, " must be a relative path");
	for (size_t i = 0; i < v->n; i++) {
		char c = v->s[i];

		if (!is_alnum(c) && c != '_' && c != '.' && c != '-' && c != '/')
			return fail(p, key, v, " may only use [A-Za-z0-9_.-/]");
	}
	copy_str(dst, v);
	return 0;
}

static int set_image(struct parser *p, const struct slice *v)
{
	return set_path(p, "image ", p->guest->image, v);
}

static int set_firmware(struct parser *p, const struct slice *v)
{
	return set_path(p, "firmware ", p->guest->firmware, v);
}

static int set_module(struct parser *p, const struct slice *v)
{
	return set_path(p, "module ", p->guest->module, v);
}

static int set_disk(struct parser *p, const struct slice *v)
{
	return set_path(p, "disk ", p->guest->disk, v);
}

/* Which of an hvm guest's consoles typed input goes to: its UART or its virtio-console. */
static int set_guest_console(struct parser *p, const struct slice *v)
{
	if (eq(v, "ttyS0"))
		p->guest->console = CFG_HVM_CONSOLE_UART;
	else if (eq(v, "hvc0"))
		p->guest->console = CFG_HVM_CONSOLE_HVC0;
	else
		return fail(p, "console ", v, " is not ttyS0 or hvc0");
	return 0;
}

/* vcpus=N: how many vCPUs an hvm guest has (checked against the type in guest_end). */
static int set_vcpus(struct parser *p, const struct slice *v)
{
	static const struct num_key k = { "vcpus ", " is not a number of vCPUs",
					  " is out of range (1.." XSTR(CFG_VCPUS_MAX) ")", 1,
					  CFG_VCPUS_MAX };
	uint64_t n;

	if (bounded_num(p, &k, v, &n))
		return -1;
	p->guest->vcpus = (uint32_t)n;
	return 0;
}

/* Every guest's vCPUs take places in Keel's one run queue. */
static int check_vcpus(struct parser *p)
{
	unsigned total = p->guest->vcpus;

	if (p->guest->vcpus > 1 && p->guest->type != CFG_GUEST_HVM)
		return fail(p, "vcpus is only for type=hvm guests", NULL, "");
	_Static_assert(CFG_VCPUS_MAX <= CFG_SEABIOS_VCPUS_MAX, "SeaBIOS must find every vCPU");
	for (unsigned i = 0; i < p->cfg->nr_guests; i++)
		total += p->cfg->guests[i].vcpus;
	if (total > CFG_VCPUS_TOTAL_MAX)
		return fail(p, "too many vCPUs in all guests (max " XSTR(CFG_VCPUS_TOTAL_MAX) ")",
			    NULL, "");
	return 0;
}

/*
 * A size: a number with an optional K, M or G suffix. False if v is not one;
 * *too_big when it is above max.
 */
static bool parse_size(const struct slice *v, uint64_t max, uint64_t *out, bool *too_big)
{
	uint64_t n, unit = 1;
	bool ovf;
	size_t i = parse_num(v, &n, &ovf);

	if (i && i + 1 == v->n) {
		switch (v->s[i]) {
		case 'K': case 'k': unit = 1ULL << 10; i++; break;
		case 'M': case 'm': unit = 1ULL << 20; i++; break;
		case 'G': case 'g': unit = 1ULL << 30; i++; break;
		}
	}
	if (!i || i != v->n)
		return false;
	*too_big = ovf || n > max / unit;
	*out = n * unit;
	return true;
}

static int set_memory(struct parser *p, const struct slice *v)
{
	uint64_t n;
	bool big;

	if (!parse_size(v, MEM_MAX, &n, &big))
		return fail(p, "memory ", v, " is not a size");
	if (big)
		return fail(p, "memory ", v, " is above 64G");
	if (n < MEM_MIN)
		return fail(p, "memory ", v, " is below 64K");
	if (n & 0xfff)
		return fail(p, "memory ", v, " is not a multiple of 4K");
	p->guest->memory = n;
	return 0;
}

/* QEMU's max-ram-below-4g; whole MiB, and room below it for the firmware's needs. */
static int set_ram_below_4g(struct parser *p, const struct slice *v)
{
	uint64_t n;
	bool big;

	if (!parse_size(v, CFG_RAM_BELOW_4G_MAX, &n, &big))
		return fail(p, "ram-below-4g ", v, " is not a size");
	if (big)
		return fail(p, "ram-below-4g ", v, " is above 3G");
	if (n < HVM_MEM_MIN)
		return fail(p, "ram-below-4g ", v, " is below 16M");
	if (n & ((1ULL << 20) - 1))
		return fail(p, "ram-below-4g ", v, " is not a multiple of 1M");
	p->guest->ram_below_4g = n;
	return 0;
}

/* The virtual switch the guest's network interface is a port of (net=sw0). */
static int set_net(struct parser *p, const struct slice *v)
{
	if (v->n < 1 || v->n >= CFG_NAME_MAX)
		return fail(p, "net ", v, " must be a switch name of 1..15 characters");
	for (size_t i = 0; i < v->n; i++)
		if (!is_alnum(v->s[i]) && v->s[i] != '_' && v->s[i] != '-')
			return fail(p, "net ", v, " may only use [A-Za-z0-9_-]");
	copy_str(p->guest->net, v);
	return 0;
}

/* One CPU number of a cpus= list, below CFG_CPUS_MAX; its digits consumed, 0 if bad. */
static size_t cpu_num(const struct slice *v, unsigned *cpu)
{
	uint64_t n;
	bool ovf;
	size_t len = parse_num(v, &n, &ovf);

	if (!len || ovf || n >= CFG_CPUS_MAX)
		return 0;
	*cpu = (unsigned)n;
	return len;
}

/*
 * The host CPUs a guest's vCPUs may run on: numbers and ranges split by ','
 * (cpus=1, cpus=0-1, cpus=0,2-3), Keel's CPU numbers (0 is the boot CPU).
 * Whether each exists only Keel knows: it refuses the guest with this line.
 */
static int set_guest_cpus(struct parser *p, const struct slice *v)
{
	uint64_t mask = 0;
	size_t i = 0;

	while (i < v->n) {
		struct slice rest = { v->s + i, v->n - i };
		unsigned lo, hi;
		size_t len = cpu_num(&rest, &lo);

		if (!len)
			return fail(p, "cpus ", v, " is not a list of CPUs 0..63 (cpus=0-1,3)");
		i += len;
		hi = lo;
		if (i < v->n && v->s[i] == '-') {
			rest = (struct slice){ v->s + i + 1, v->n - i - 1 };
			len = cpu_num(&rest, &hi);
			if (!len || hi < lo)
				return fail(p, "cpus ", v, " is not a list of CPUs 0..63 (cpus=0-1,3)");
			i += 1 + len;
		}
		for (unsigned c = lo; c <= hi; c++)
			mask |= 1ULL << c;
		if (i < v->n && (v->s[i] != ',' || i + 1 == v->n))
			return fail(p, "cpus ", v, " is not a list of CPUs 0..63 (cpus=0-1,3)");
		i += i < v->n;
	}
	if (!mask) /* cpus= with no value */
		return fail(p, "cpus ", v, " is not a list of CPUs 0..63 (cpus=0-1,3)");
	p->guest->cpus = mask;
	p->guest->cpus_line = p->line;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* A unicast MAC address, six hex pairs split by ':' (mac=02:00:00:00:00:01). */
static int set_mac(struct parser *p, const struct slice *v)
{
	uint8_t mac[6];
	unsigned any = 0;

	if (v->n != 17)
		return fail(p, "mac ", v, " is not six hex bytes (xx:xx:xx:xx:xx:xx)");
	for (unsigned i = 0; i < 6; i++) {
		int hi = hex_digit(v->s[3 * i]), lo = hex_digit(v->s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && v->s[3 * i + 2] != ':'))
			return fail(p, "mac ", v, " is not six hex bytes (xx:xx:xx:xx:xx:xx)");
		mac[i] = (uint8_t)(hi << 4 | lo);
		any |= mac[i];
	}
	if (mac[0] & 1)
		return fail(p, "mac ", v, " is a multicast address");
	if (!any)
		return fail(p, "mac ", v, " is all zeros");
	for (unsigned i = 0; i < 6; i++)
		p->guest->mac[i] = mac[i];
	p->guest->has_mac = 1;
	return 0;
}

static int set_args(struct parser *p, const struct slice *v)
{
	if (v->n >= CFG_ARGS_MAX)
		return fail(p, "args ", v, " is longer than 127 characters");
	copy_str(p->guest->args, v);
	return 0;
}

static int set_timeout(struct parser *p, const struct slice *v)
{
	static const struct num_key k = { "timeout ", " is not a number of seconds",
					  " is out of range (0.." XSTR(CFG_MENU_TIMEOUT_MAX) ")",
					  0, CFG_MENU_TIMEOUT_MAX };
	uint64_t n;

	if (bounded_num(p, &k, v, &n))
		return -1;
	p->cfg->menu_timeout = (uint32_t)n;
	return 0;
}

static int menu_begin(struct parser *p)
{
	if (p->menu_seen)
		return fail(p, "duplicate menu line", NULL, "");
	p->menu_seen = true;
	return 0;
}

static int menu_end(struct parser *p, unsigned seen)
{
	return seen ? 0 : fail(p, "menu line is missing 'timeout'", NULL, "");
}

/* A vmx line's on/off key: off sets the CFG_VMX_* flag that makes Keel do without a feature. */
static int set_vmx_off(struct parser *p, const struct slice *v, uint16_t flag, const char *key)
{
	if (eq(v, "off"))
		p->cfg->vmx_flags |= flag;
	else if (eq(v, "on"))
		p->cfg->vmx_flags &= (uint16_t)~flag;
	else
		return fail(p, key, v, " is not on or off");
	return 0;
}

/* Off: the LAPIC timer ends slices, as where an outer hypervisor offers no preemption timer. */
static int set_preemption_timer(struct parser *p, const struct slice *v)
{
	return set_vmx_off(p, v, CFG_VMX_NO_PREEMPTION_TIMER, "preemption-timer ");
}

/* Off: the emulated local APIC only, as on a CPU without APIC virtualization. */
static int set_apicv(struct parser *p, const struct slice *v)
{
	return set_vmx_off(p, v, CFG_VMX_NO_APICV, "apicv ");
}

/* Off: interrupts for a vCPU on another CPU go through its model and a kick, never posted. */
static int set_posted(struct parser *p, const struct slice *v)
{
	return set_vmx_off(p, v, CFG_VMX_NO_POSTED, "posted ");
}

static int vmx_begin(struct parser *p)
{
	if (p->vmx_seen)
		return fail(p, "duplicate vmx line", NULL, "");
	p->vmx_seen = true;
	return 0;
}

/* How many host CPUs Keel starts (the boot CPU counts); more than exist is Keel's to report. */
static int set_cpus(struct parser *p, const struct slice *v)
{
	static const struct num_key k = { "cpus ", " is not a number of CPUs",
					  " is out of range (1.." XSTR(CFG_CPUS_MAX) ")", 1,
					  CFG_CPUS_MAX };
	uint64_t n;

	if (bounded_num(p, &k, v, &n))
		return -1;
	p->cfg->host_cpus = (uint32_t)n;
	return 0;
}

static int host_begin(struct parser *p)
{
	if (p->host_seen)
		return fail(p, "duplicate host line", NULL, "");
	p->host_seen = true;
	return 0;
}

static int console_begin(struct parser *p)
{
	if (p->console_seen)
		return fail(p, "duplicate console line", NULL, "");
	p->console_seen = true;
	return 0;
}

static int guest_begin(struct parser *p)
{
	if (p->cfg->nr_guests >= CFG_GUESTS_MAX)
		return fail(p, "too many guests (max " XSTR(CFG_GUESTS_MAX) ")",
			    NULL, "");
	p->guest = &p->cfg->guests[p->cfg->nr_guests];
	p->guest->memory = MEM_DEFAULT;
	p->guest->vcpus = 1;
	return 0;
}

static const struct key guest_keys[] = {
	{ "name", set_name },
	{ "type", set_type },
	{ "image", set_image },
	{ "memory", set_memory },
	{ "args", set_args },
	{ "firmware", set_firmware },
	{ "ram-below-4g", set_ram_below_4g },
	{ "module", set_module },
	{ "net", set_net },
	{ "mac", set_mac },
	{ "disk", set_disk },
	{ "console", set_guest_console },
	{ "cpus", set_guest_cpus },
	{ "vcpus", set_vcpus },
};

/* Whether the guest line named key (seen: a bit per guest_keys entry). */
static bool guest_saw(unsigned seen, const char *key)
{
	for (unsigned k = 0; k < ARRAY_SIZE(guest_keys); k++) {
		struct slice name = slice_of(guest_keys[k].name);

		if (eq(&name, key))
			return seen & (1u << k);
	}
	return false;
}

static int guest_end(struct parser *p, unsigned seen)
{
	struct slice name = slice_of(p->guest->name);

	/* name, type and image (the first three guest_keys) are required. */
	for (unsigned k = 0; k < 3; k++) {
		struct slice key = slice_of(guest_keys[k].name);

		if (!(seen & (1u << k)))
			return fail(p, "guest line is missing ", &key, "");
	}
	for (unsigned i = 0; i < p->cfg->nr_guests; i++)
		if (eq(&name, p->cfg->guests[i].name))
			return fail(p, "duplicate guest name ", &name, "");
	if (p->guest->type == CFG_GUEST_HVM) {
		/* The PC firmware Keel boots HVM guests with, from Debian's seabios. */
		if (!p->guest->firmware[0])
			copy_str(p->guest->firmware, &(struct slice){ "bios-256k.bin", 13 });
		if (p->guest->memory < HVM_MEM_MIN)
			return fail(p, "an hvm guest needs memory of at least 16M", NULL, "");
		if (!p->guest->ram_below_4g)
			p->guest->ram_below_4g = CFG_RAM_BELOW_4G_MAX;
	} else if (p->guest->firmware[0]) {
		return fail(p, "firmware is only for type=hvm guests", NULL, "");
	} else if (p->guest->ram_below_4g) {
		return fail(p, "ram-below-4g is only for type=hvm guests", NULL, "");
	}
	if (p->guest->module[0] && p->guest->type != CFG_GUEST_PV)
		return fail(p, "module is only for type=pv guests", NULL, "");
	if (p->guest->disk[0] && p->guest->type != CFG_GUEST_HVM)
		return fail(p, "disk is only for type=hvm guests (a virtio-blk disk)", NULL, "");
	if (p->guest->net[0] && p->guest->type != CFG_GUEST_PV &&
	    p->guest->type != CFG_GUEST_HVM)
		return fail(p, "net is only for type=pv and type=hvm guests", NULL, "");
	if (guest_saw(seen, "console") && p->guest->type != CFG_GUEST_HVM)
		return fail(p, "console= is only for type=hvm guests (ttyS0 or hvc0)", NULL, "");
	if (p->guest->has_mac && !p->guest->net[0])
		return fail(p, "mac needs net= (the switch the interface is on)", NULL, "");
	if (check_vcpus(p))
		return -1;
	p->cfg->nr_guests++;
	return 0;
}

/* The guest whose console has the focus from the start; that it exists is checked at the end. */
static int set_focus(struct parser *p, const struct slice *v)
{
	if (v->n < 1 || v->n >= CFG_NAME_MAX)
		return fail(p, "focus ", v, " must be a guest name of 1..15 characters");
	copy_str(p->cfg->console_focus, v);
	p->focus_line = p->line;
	return 0;
}

/* Off: Keel draws nothing on the firmware's framebuffer (a screen another program owns). */
static int set_screen(struct parser *p, const struct slice *v)
{
	if (eq(v, "off"))
		p->cfg->console_flags |= CFG_CONSOLE_NO_SCREEN;
	else if (eq(v, "on"))
		p->cfg->console_flags &= ~(uint32_t)CFG_CONSOLE_NO_SCREEN;
	else
		return fail(p, "screen ", v, " is not on or off");
	return 0;
}

static const struct key console_keys[] = {
	{ "port", set_port },
	{ "baud", set_baud },
	{ "focus", set_focus },
	{ "screen", set_screen },
};

static const struct key menu_keys[] = {
	{ "timeout", set_timeout },
};

static const struct key vmx_keys[] = {
	{ "preemption-timer", set_preemption_timer },
	{ "apicv", set_apicv },
	{ "posted", set_posted },
};

static const struct key host_keys[] = {
	{ "cpus", set_cpus },
};

static const struct keyword keywords[] = {
	{ "console", " in console line", console_keys, ARRAY_SIZE(console_keys),
	  console_begin, NULL },
	{ "guest", " in guest line", guest_keys, ARRAY_SIZE(guest_keys),
	  guest_begin, guest_end },
	{ "menu", " in menu line", menu_keys, ARRAY_SIZE(menu_keys), menu_begin, menu_end },
	{ "vmx", " in vmx line", vmx_keys, ARRAY_SIZE(vmx_keys), vmx_begin, NULL },
	{ "host", " in host line", host_keys, ARRAY_SIZE(host_keys), host_begin, NULL },
};

/* Next token of s[*i..n): up to whitespace, '#', and (if stop_eq) '='. */
static struct slice token(const char *s, size_t n, size_t *i, bool stop_eq)
{
	struct slice t = { s + *i, 0 };

	while (*i < n && !is_space(s[*i]) && s[*i] != '#' &&
	       !(stop_eq && s[*i] == '='))
		(*i)++;
	t.n = (size_t)(s + *i - t.s);
	return t;
}

static int parse_value(struct parser *p, const struct slice *key,
		       const char *s, size_t n, size_t *i, struct slice *v)
{
	if (*i < n && s[*i] == '"') {
		/* Only args may hold spaces; a quoted value is taken literally. */
		if (!eq(key, "args"))
			return fail(p, "value of ", key, " must not be quoted");
		v->s = s + ++*i;
		while (*i < n && s[*i] != '"')
			(*i)++;
		if (*i == n)
			return fail(p, "unterminated quote in value of ", key, "");
		v->n = (size_t)(s + *i - v->s);
		(*i)++;
		if (*i < n && !is_space(s[*i]) && s[*i] != '#')
			return fail(p, "text after closing quote of ", key, "");
		return 0;
	}
	*v = token(s, n, i, false);
	for (size_t k = 0; k < v->n; k++)
		if (v->s[k] == '"')
			return fail(p, "stray quote in value of ", key, "");
	return 0;
}

static int parse_pairs(struct parser *p, const struct keyword *kw,
		       const char *s, size_t n, size_t i)
{
	unsigned seen = 0;

	if (kw->begin(p))
		return -1;
	for (;;) {
		struct slice key, val;
		unsigned k;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n || s[i] == '#')
			break;
		key = token(s, n, &i, true);
		if (i == n || s[i] != '=')
			return fail(p, "missing '=' after ", &key, kw->in_line);
		if (!key.n)
			return fail(p, "missing key before '='", NULL, kw->in_line);
		i++;
		for (k = 0; k < kw->nr_keys; k++)
			if (eq(&key, kw->keys[k].name))
				break;
		if (k == kw->nr_keys)
			return fail(p, "unknown key ", &key, kw->in_line);
		if (seen & (1u << k))
			return fail(p, "duplicate key ", &key, kw->in_line);
		seen |= 1u << k;
		if (parse_value(p, &key, s, n, &i, &val) || kw->keys[k].set(p, &val))
			return -1;
	}
	return kw->end ? kw->end(p, seen) : 0;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	struct slice word;
	size_t i = 0;

	for (size_t k = 0; k < n; k++)
		if (s[k] == '\0')
			return fail(p, "NUL byte in text", NULL, "");
	if (n > CFG_LINE_MAX)
		return fail(p, "line longer than " XSTR(CFG_LINE_MAX) " characters",
			    NULL, "");
	while (i < n && is_space(s[i]))
		i++;
	if (i == n || s[i] == '#')
		return 0;
	word = token(s, n, &i, false);
	for (unsigned k = 0; k < ARRAY_SIZE(keywords); k++)
		if (eq(&word, keywords[k].name))
			return parse_pairs(p, &keywords[k], s, n, i);
	return fail(p, "unknown keyword ", &word, "");
}

int config_parse(const char *text, size_t len, struct keel_config *cfg,
		 struct cfg_error *err)
{
	struct parser p = { cfg, err, NULL, 0, false, false, 0, false, false };
	size_t start = 0;

	if (!cfg || !err)
		return -1;
	zero(cfg, sizeof(*cfg));
	zero(err, sizeof(*err));
	cfg->serial_port = 0x3f8;
	cfg->serial_baud = 115200;
	cfg->menu_timeout = CFG_MENU_TIMEOUT_DEFAULT;
	if (!text && len)
		return fail(&p, "no text", NULL, "");
	while (start < len) {
		size_t end = start, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - start;
		if (n && text[start + n - 1] == '\r')
			n--;
		p.line++;
		if (parse_line(&p, text + start, n))
			return -1;
		start = end + 1;
	}
	if (p.focus_line) {
		struct slice focus = slice_of(cfg->console_focus);

		for (unsigned i = 0; i < cfg->nr_guests; i++)
			if (eq(&focus, cfg->guests[i].name))
				return 0;
		p.line = p.focus_line;
		return fail(&p, "focus ", &focus, " names no guest");
	}
	return 0;
}
