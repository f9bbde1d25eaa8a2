/* SPDX-License-Identifier: MIT */
/* The emulated PC of an hvm guest: its devices and how they are wired. */
#ifndef KEEL_HVM_H
#define KEEL_HVM_H

#include <stdint.h>
#include <keel/console_keys.h>
#include <keel/dev/ata.h>
#include <keel/dev/fw_cfg.h>
#include <keel/dev/i440fx.h>
#include <keel/dev/i8042.h>
#include <keel/dev/pci.h>
#include <keel/dev/piix.h>
#include <keel/dev/piix_ide.h>
#include <keel/dev/port92.h>
#include <keel/dev/rtc_cmos.h>
#include <keel/dev/vpic.h>
#include <keel/dev/vpit.h>
#include <keel/dev/vioapic.h>
#include <keel/dev/vlapic.h>

struct vm;
struct vcpu;

struct hvm_platform {
	struct vpic pic;
	struct vlapic lapic;
	struct vioapic ioapic;
	struct vpit pit;
	struct piix_ide ide;
	struct pci_bus pci;
	struct i440fx northbridge;
	struct piix southbridge;
	struct rtc_cmos rtc;
	struct fw_cfg fw_cfg;
	struct fw_cfg_e820_entry e820[2];
	struct port92 port92;
	struct i8042 kbc;
	uint64_t next_event_ns; /* earliest device deadline, VTIME_NEVER if none */
	uint64_t next_event_tsc; /* the same as a host TSC value, ~0 if none */
	uint64_t console_poll_ns; /* when Keel's console is next read for input */
	unsigned console_len_seen, console_quiet; /* to show a prompt left without '\n' */
	struct console_keys keys; /* Ctrl-A commands typed on Keel's console */
	uint64_t irqs_injected;
};

/* Wait in HLT until an interrupt can be delivered; false if none ever can. */
bool hvm_idle(struct vcpu *v);

#endif
