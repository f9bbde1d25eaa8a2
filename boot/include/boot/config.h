/* SPDX-License-Identifier: MIT */
/*
 * keel.cfg: a small line-oriented text file on the ESP, parsed by the loader
 * (so a bad line is refused before Keel starts) and handed to Keel parsed.
 *
 *   # comment
 *   console port=0x3f8 baud=115200 [focus=linux] [screen=off]
 *   guest name=hello type=elf64 image=hello.elf memory=4M
 *   guest name=linux type=hvm image=disk.img memory=256M [firmware=bios-256k.bin]
 *         [ram-below-4g=3G] [disk=data.img] [console=hvc0|ttyS0] [vcpus=2]
 *   guest name=hello type=pv image=hello.elf memory=8M [module=disk.img] [args="..."]
 *         [net=sw0 [mac=02:00:00:00:00:01]]   (pv and hvm guests)
 *         [cpus=1 | cpus=0-1 | cpus=0,2-3]     (any guest: host CPUs it may run on)
 *   menu timeout=3
 *   vmx preemption-timer=off [apicv=off] [posted=off]
 *   host cpus=2
 *
 * Pure C with no library calls: it builds into the EFI loader, into Keel
 * and into the host unit tests.
 */
#ifndef BOOT_CONFIG_H
#define BOOT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CFG_GUESTS_MAX 8
#define CFG_NAME_MAX   16
#define CFG_PATH_MAX   64
#define CFG_ARGS_MAX   128

/*
 * vcpus=N on an hvm guest line (docs/vcpus.md): at most CFG_VCPUS_MAX per
 * guest and CFG_VCPUS_TOTAL_MAX over all guests (each vCPU is a place in
 * Keel's run queue). SeaBIOS takes up to 255 (8-bit xAPIC IDs; its own
 * MADT and MP table), more than Keel's maximum, which is the limit then.
 */
#define CFG_VCPUS_MAX       8
#define CFG_VCPUS_TOTAL_MAX 16
#define CFG_SEABIOS_VCPUS_MAX 255

/*
 * An hvm guest's RAM above this much goes at 4 GiB, past the PCI hole, as on
 * QEMU's "pc" machine for large guests (its 1 GiB-aligned split); ram-below-4g
 * may lower it, like QEMU's max-ram-below-4g.
 */
#define CFG_RAM_BELOW_4G_MAX (3ULL << 30)

/*
 * Seconds the loader's boot menu waits for a key before it boots the default
 * config; only the default config's (keel.cfg's) menu line counts.
 */
#define CFG_MENU_TIMEOUT_DEFAULT 3
#define CFG_MENU_TIMEOUT_MAX     3600

enum cfg_guest_type {
	CFG_GUEST_ELF64 = 1, /* 64-bit ELF entered in long mode (test guests) */
	CFG_GUEST_REAL,      /* flat binary at 0x7c00 entered in real mode */
	CFG_GUEST_HVM,       /* a PC: firmware at the reset vector, image is its disk */
	CFG_GUEST_PV,        /* a paravirtual 64-bit ELF that calls Keel through hypercalls */
};

struct cfg_guest {
	char     name[CFG_NAME_MAX];
	char     image[CFG_PATH_MAX];
	char     firmware[CFG_PATH_MAX]; /* hvm only: default bios-256k.bin */
	char     module[CFG_PATH_MAX];   /* pv only: a file handed to the guest in RAM */
	char     args[CFG_ARGS_MAX];
	char     net[CFG_NAME_MAX];      /* pv, hvm: the virtual switch its NIC is on, "" if none */
	uint8_t  mac[6];                 /* its NIC's address if has_mac, else derived from name */
	uint8_t  has_mac;
	uint8_t  console;                /* hvm: which console typed input goes to, CFG_HVM_CONSOLE_* */
	uint32_t type;       /* enum cfg_guest_type */
	uint32_t vcpus;      /* hvm: its vCPUs (vcpus=, 1..CFG_VCPUS_MAX); 1 for the others */
	uint64_t memory;     /* bytes: all of the guest's RAM */
	uint64_t ram_below_4g; /* hvm: most RAM at GPA 0, the rest at 4 GiB; else 0 */
	char     disk[CFG_PATH_MAX]; /* hvm: its virtio-blk disk image, "" if none */
	uint64_t cpus;       /* cpus=: host CPUs its vCPUs may run on, bit n = CPU n; 0: any */
	uint32_t cpus_line;  /* the keel.cfg line that said cpus= (Keel refuses a missing CPU) */
	uint32_t cpus_pad;
};

/* cfg_guest.console: keel.cfg console=ttyS0 (the default) or console=hvc0 (docs/virtio.md). */
#define CFG_HVM_CONSOLE_UART 0
#define CFG_HVM_CONSOLE_HVC0 1

/* keel_config.console_flags: Keel leaves the firmware's framebuffer alone (drivers/video). */
#define CFG_CONSOLE_NO_SCREEN 1

/* keel_config.vmx_flags: Keel does without the VMX-preemption timer even if offered. */
#define CFG_VMX_NO_PREEMPTION_TIMER 1
/* keel_config.vmx_flags: Keel emulates the local APIC even where the CPU could virtualize it. */
#define CFG_VMX_NO_APICV 2
/* keel_config.vmx_flags: Keel does without posted interrupts even where the CPU offers them. */
#define CFG_VMX_NO_POSTED 4

/* host cpus=N: Keel uses at most N host CPUs, the boot CPU first (docs/smp.md). */
#define CFG_CPUS_MAX 64

struct keel_config {
	uint16_t         serial_port;
	uint16_t         vmx_flags; /* CFG_VMX_* */
	uint32_t         serial_baud;
	uint32_t         nr_guests;
	uint32_t         menu_timeout; /* seconds; the loader's only */
	struct cfg_guest guests[CFG_GUESTS_MAX];
	char             console_focus[CFG_NAME_MAX]; /* guest focused at start; "": Keel's log */
	uint32_t         console_flags; /* CFG_CONSOLE_* */
	uint32_t         console_pad;
	uint32_t         host_cpus; /* host cpus=N; 0: every CPU found */
	uint32_t         pad;
};

struct cfg_error {
	unsigned line; /* 1-based line of the offending text, 0 if global */
	char     msg[96];
};

/* Parse text[0..len). Returns 0, or -1 with err filled in. */
int config_parse(const char *text, size_t len, struct keel_config *cfg,
		 struct cfg_error *err);

#endif
