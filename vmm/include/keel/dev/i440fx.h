/* SPDX-License-Identifier: MIT */
/*
 * The i440FX host bridge (82441FX PMC) at 00:00.0, as QEMU's `-machine pc`
 * presents it: SeaBIOS takes its QEMU path on seeing the subsystem ID, and
 * shadows itself into RAM through the PAM registers (Intel 440FX PCIset
 * datasheet 290549, 3.2.18).
 */
#ifndef KEEL_DEV_I440FX_H
#define KEEL_DEV_I440FX_H

#include <stdint.h>
#include <keel/dev/pci.h>

#define I440FX_VENDOR   0x8086
#define I440FX_DEVICE   0x1237
#define I440FX_PAM0     0x59
#define I440FX_PAM_REGS 7
#define I440FX_SMRAM    0x72

/*
 * 13 PAM segments: 0 is 0xF0000-0xFFFFF (PAM0 bits 7:4), 1-12 are the
 * 16 KiB pieces of 0xC0000-0xEFFFF (PAM1 bits 3:0 for 0xC0000, bits 7:4
 * for 0xC4000, ... PAM6 bits 7:4 for 0xEC000).
 */
#define I440FX_PAM_SEGS 13

/* Per segment: bit 0 RE (reads hit DRAM), bit 1 WE (writes hit DRAM). */
enum pam_mode {
	PAM_OFF = 0, /* reads and writes go to ROM (PCI); writes are lost */
	PAM_RO = 1,  /* reads DRAM, writes go to ROM and are lost */
	PAM_WO = 2,  /* reads ROM, writes DRAM */
	PAM_RW = 3,
};

struct i440fx_pam_seg {
	uint32_t base, size;
	enum pam_mode mode;
};

struct i440fx {
	struct pci_dev *dev;
	uint8_t pam[I440FX_PAM_REGS]; /* as last reported through pam_changed */
	/*
	 * Called once per segment whose mode changed, after the write; the VM
	 * remaps that range (EPT). Reset state is every segment PAM_OFF, and
	 * i440fx_init() reports nothing: the VM starts with ROM mapped there.
	 */
	void (*pam_changed)(void *ctx, unsigned seg, unsigned mode);
	void *ctx;
};

/* Adds 00:00.0 to the bus; leaves pam_changed/ctx as the caller set them. */
int i440fx_init(struct i440fx *h, struct pci_bus *b);
/* Power-on values; reports segments that were not PAM_OFF. */
void i440fx_reset(struct i440fx *h);
/* Segment seg (0-12) of the seven PAM registers pam[0] = PAM0 (0x59). */
int i440fx_pam_decode(const uint8_t *pam, unsigned seg, struct i440fx_pam_seg *out);

#endif
