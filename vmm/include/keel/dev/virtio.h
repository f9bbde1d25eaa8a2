/* SPDX-License-Identifier: MIT */
/*
 * Virtio 1.x over PCI ("modern", non-transitional; virtio 1.1 section 4.1):
 * the transport every Keel virtio device sits on. The transport owns the
 * PCI function, its capabilities, feature negotiation, the device status
 * and reset, queue setup, the notify doorbells, the ISR and interrupts
 * (MSI-X through a struct msi_line, else INTx on a struct irq_line). A
 * device type fills in a struct virtio_type and gets:
 *   - notify(dev, queue) on the guest's doorbell write for a ready queue,
 *     where it takes chains with virtq_pop() and returns them with
 *     virtq_push(), then calls virtio_queue_done() (the interrupt, if the
 *     driver wants one);
 *   - reset(dev) when the driver resets the device (status 0);
 *   - its configuration space read from dev->config[0..config_size) as the
 *     guest reads it, and cfg_write() after a guest write there.
 *
 * BAR 0 (32-bit memory, VIRTIO_BAR_SIZE) holds every region:
 *   0x0000 common configuration   0x1000 ISR status   0x2000 device config
 *   0x3000 notify: queue n's doorbell at 0x3000 + 4n (notify_off_multiplier 4)
 *   0x4000 MSI-X table            0x5000 MSI-X PBA
 * The notify region is a doorbell window of the registry (io_set_doorbell):
 * the EPT-violation exit rings it without emulating the store.
 * VIRTIO_PCI_CAP_PCI_CFG at 0x94 is the config-space window onto BAR 0.
 * See docs/virtio.md.
 */
#ifndef KEEL_DEV_VIRTIO_H
#define KEEL_DEV_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <keel/bits.h>
#include <keel/dev/pci.h>
#include <keel/dev/virtq.h>
#include <keel/irq.h>
#include <keel/msi.h>

struct io_access;
struct vm;
struct virtio_dev;

/* Device IDs (virtio 1.1, 5). */
#define VIRTIO_ID_NET     1
#define VIRTIO_ID_BLOCK   2
#define VIRTIO_ID_CONSOLE 3

/* Feature bits the transport handles (6). */
#define VIRTIO_F_INDIRECT_DESC BIT(28)
#define VIRTIO_F_EVENT_IDX     BIT(29)
#define VIRTIO_F_VERSION_1     BIT(32)

/* Device status (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER      2
#define VIRTIO_STATUS_DRIVER_OK   4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED      128

#define VIRTIO_QUEUES_MAX 4
#define VIRTIO_MSIX_VECTORS (VIRTIO_QUEUES_MAX + 1)
#define VIRTIO_MSI_NO_VECTOR 0xffff

/* BAR 0 layout (above). */
#define VIRTIO_BAR_SIZE     0x8000u
#define VIRTIO_COMMON_OFF   0x0000u
#define VIRTIO_ISR_OFF      0x1000u
#define VIRTIO_DEVCFG_OFF   0x2000u
#define VIRTIO_NOTIFY_OFF   0x3000u
#define VIRTIO_NOTIFY_MULT  4u
#define VIRTIO_NOTIFY_LEN   (VIRTIO_NOTIFY_MULT * VIRTIO_QUEUES_MAX)
#define VIRTIO_MSIX_OFF     0x4000u
#define VIRTIO_PBA_OFF      0x5000u
#define VIRTIO_DEVCFG_MAX   0x100u

/* What a device type tells the transport. */
struct virtio_type {
	const char *name;      /* for messages: "virtio-blk" */
	uint16_t device_id;    /* VIRTIO_ID_* */
	uint32_t pci_class;    /* base << 16 | sub << 8 | prog-if */
	uint64_t features;     /* device-specific bits offered; the transport adds its own */
	unsigned nr_queues;    /* at most VIRTIO_QUEUES_MAX */
	uint16_t queue_size;   /* largest size offered per queue (a power of two) */
	void (*notify)(struct virtio_dev *d, unsigned queue);
	void (*reset)(struct virtio_dev *d);
	/* After a guest write to config[off..off+size); NULL: the space is read-only. */
	void (*cfg_write)(struct virtio_dev *d, unsigned off, unsigned size);
};

/* MSI-X table entry (PCI 3.0 6.8.2.6): address, data, vector control. */
struct virtio_msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

struct virtio_dev {
	const struct virtio_type *type;
	void *priv;            /* the device type's state */
	struct vm *vm;
	struct pci_dev *pci;
	struct irq_line intx;  /* INTA#, level: the platform routes it (PIIX3 PIRQ) */
	struct msi_line msi;   /* where MSI-X messages go */
	uint8_t *config;       /* device configuration space, as the guest reads it */
	unsigned config_size;  /* at most VIRTIO_DEVCFG_MAX */
	/* Common configuration (4.1.4.3). */
	uint32_t dfselect, gfselect;
	uint64_t driver_features;
	uint16_t msix_config, queue_select;
	uint8_t status, config_generation, isr;
	bool intx_level;
	struct virtq vq[VIRTIO_QUEUES_MAX];
	uint16_t vq_vector[VIRTIO_QUEUES_MAX];
	/* MSI-X (PCI 3.0 6.8.2). */
	unsigned msix_cap;
	struct virtio_msix_entry msix[VIRTIO_MSIX_VECTORS];
	uint32_t msix_pending; /* PBA bits */
	uint64_t bar_base;     /* where BAR 0 is decoded, 0 if not */
	/* Statistics. */
	uint64_t notifies, interrupts;
};

/*
 * Put the function at dev.fn on bus b and wire it: t its type, config its
 * configuration space (config_size bytes), intx and msi its interrupt
 * lines. The BAR is decoded once the guest programs it and enables memory
 * space (the registry range follows it). -EEXIST if the slot is taken.
 */
int virtio_pci_init(struct virtio_dev *d, struct vm *vm, struct pci_bus *b, unsigned dev,
		    const struct virtio_type *t, void *priv, uint8_t *config,
		    unsigned config_size, const struct irq_line *intx, const struct msi_line *msi);
/*
 * Serve queue q: each chain the driver made available goes to serve(),
 * which returns the bytes it wrote into it, and back to the used ring; a
 * broken ring sets NEEDS_RESET; then the interrupt if the driver wants it.
 * c holds one chain at a time (a device keeps one, it is large).
 */
void virtio_serve(struct virtio_dev *d, unsigned q, struct virtq_chain *c,
		  uint32_t (*serve)(struct virtio_dev *d, const struct virtq_chain *c));
/* The driver gets an interrupt for queue q if the ring says it wants one. */
void virtio_queue_done(struct virtio_dev *d, unsigned q);
/* The device configuration changed: generation count, config interrupt (4.1.4.3, 4.1.5.3). */
void virtio_config_changed(struct virtio_dev *d);
/* The driver broke a rule the device cannot go on past: DEVICE_NEEDS_RESET (2.1.2). */
void virtio_needs_reset(struct virtio_dev *d);
/* Whether the driver has finished setting the device up (DRIVER_OK, not NEEDS_RESET). */
bool virtio_running(const struct virtio_dev *d);

/* BAR 0 accesses, offset-relative (exposed for host tests and fuzzing). */
uint64_t virtio_bar_read(struct virtio_dev *d, uint64_t off, unsigned size);
void virtio_bar_write(struct virtio_dev *d, uint64_t off, unsigned size, uint64_t val);

/* Between the transport's two halves (virtio_pci.c, virtio_regs.c). */
void virtio_reset(struct virtio_dev *d);
bool virtio_msix_enabled(const struct virtio_dev *d);
bool virtio_msix_masked(const struct virtio_dev *d);
/* MSI-X enable or function mask changed: send what unmasking releases, move INTx. */
void virtio_msix_changed(struct virtio_dev *d);
int virtio_mmio(struct vm *vm, void *dev, struct io_access *a);
/* A write to the notify region at off from its start (an io_doorbell_fn: keel/io.h). */
void virtio_doorbell(struct vm *vm, void *dev, uint64_t off);

#endif
