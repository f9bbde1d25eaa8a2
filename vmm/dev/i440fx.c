/* SPDX-License-Identifier: MIT */
/* The i440FX host bridge; see keel/dev/i440fx.h. */
#include <keel/dev/i440fx.h>
#include <keel/errno.h>
#include <keel/string.h>

#define CLASS_HOST_BRIDGE 0x060000
#define REVISION          0x02

/* SMRAM (datasheet 3.2.23): C_BASE_SEG (2:0) is hardwired to 010b. */
#define SMRAM_C_BASE_SEG 0x02
#define SMRAM_G_SMRAME   BIT(3)
#define SMRAM_D_LCK      BIT(4)
#define SMRAM_D_CLS      BIT(5)
#define SMRAM_D_OPEN     BIT(6)

#define PAM_SEG0_BASE 0xf0000
#define PAM_SEGN_BASE 0xc0000
#define PAM_SEGN_SIZE 0x4000

int i440fx_pam_decode(const uint8_t *pam, unsigned seg, struct i440fx_pam_seg *out)
{
	unsigned reg, shift;

	if (seg >= I440FX_PAM_SEGS)
		return -EINVAL;
	if (seg == 0) {
		reg = 0;
		shift = 4; /* PAM0 bits 3:0 are reserved */
		out->base = PAM_SEG0_BASE;
		out->size = 0x10000;
	} else {
		reg = 1 + (seg - 1) / 2;
		shift = (seg - 1) & 1 ? 4 : 0;
		out->base = PAM_SEGN_BASE + (seg - 1) * PAM_SEGN_SIZE;
		out->size = PAM_SEGN_SIZE;
	}
	out->mode = (enum pam_mode)(pam[reg] >> shift & 3);
	return 0;
}

/* Report every segment whose mode differs from what was last reported. */
static void pam_sync(struct i440fx *h)
{
	const uint8_t *now = &h->dev->cfg[I440FX_PAM0];

	for (unsigned s = 0; s < I440FX_PAM_SEGS; s++) {
		struct i440fx_pam_seg was, is;

		i440fx_pam_decode(h->pam, s, &was);
		i440fx_pam_decode(now, s, &is);
		if (was.mode != is.mode && h->pam_changed)
			h->pam_changed(h->ctx, s, is.mode);
	}
	memcpy(h->pam, now, I440FX_PAM_REGS);
}

/* D_LCK freezes SMRAM until reset, except D_CLS, and closes D_OPEN. */
static void smram_sync(struct pci_dev *d)
{
	if (d->cfg[I440FX_SMRAM] & SMRAM_D_LCK) {
		d->cfg[I440FX_SMRAM] &= (uint8_t)~SMRAM_D_OPEN;
		d->wmask[I440FX_SMRAM] = SMRAM_D_CLS;
	}
}

static void i440fx_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t old)
{
	struct i440fx *h = d->ctx;

	(void)old;
	/* SeaBIOS writes the PAMs as dwords at 0x58 and 0x5c. */
	if (pci_overlaps(off, size, I440FX_PAM0, I440FX_PAM_REGS))
		pam_sync(h);
	if (pci_overlaps(off, size, I440FX_SMRAM, 1))
		smram_sync(d);
}

void i440fx_reset(struct i440fx *h)
{
	struct pci_dev *d = h->dev;

	memset(d->cfg, 0, sizeof(d->cfg));
	pci_dev_set_ids(d, I440FX_VENDOR, I440FX_DEVICE, CLASS_HOST_BRIDGE, REVISION,
			PCI_SUBVENDOR_QEMU, PCI_SUBDEVICE_QEMU);
	/* Datasheet 3.2.4/3.2.5: memory and bus master hardwired on. */
	pci_set16(d->cfg, PCI_COMMAND, PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_set16(d->cfg, PCI_STATUS, PCI_STS_FAST_B2B | PCI_STS_DEVSEL_MEDIUM);
	d->cfg[I440FX_SMRAM] = SMRAM_C_BASE_SEG;
	d->wmask[I440FX_SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK | SMRAM_G_SMRAME;
	pam_sync(h);
}

int i440fx_init(struct i440fx *h, struct pci_bus *b)
{
	struct pci_dev *d = pci_bus_add(b, 0, 0);

	if (!d)
		return -EEXIST;
	h->dev = d;
	d->ctx = h;
	d->cfg_write = i440fx_cfg_write;
	pci_set16(d->wmask, PCI_COMMAND, PCI_CMD_PARITY | PCI_CMD_SERR);
	/* Only RE/WE exist: bits 2 and 3 of each nibble, and PAM0 3:0, are reserved. */
	d->wmask[I440FX_PAM0] = 0x30;
	memset(&d->wmask[I440FX_PAM0 + 1], 0x33, I440FX_PAM_REGS - 1);
	memset(h->pam, 0, sizeof(h->pam));
	i440fx_reset(h);
	return 0;
}
