/* SPDX-License-Identifier: MIT */
/*
 * virtio-console (vmm/dev/virtio_console.c) driven as a hostile driver
 * would, while bytes are typed for it: the input writes descriptors, avail
 * entries and indices into a small guest RAM, rings either doorbell,
 * resets the device or sets it up again, types bytes into the bounded
 * queue of typed input and switches routing (console=hvc0 or ttyS0, as
 * vmm/hvm_console.c does). After each op:
 *  - every typed byte is either still waiting or was written once, in
 *    order, into a receive buffer (nothing lost, nothing made up);
 *  - the used index never passes the chains the device took;
 *  - a broken ring leaves the device needing a reset, nothing worse.
 * Guest memory is reached only through vm_gpa_to_hva; RAM is allocated
 * exactly, so ASan sees any access past it.
 * Op byte o & 7: 0 descriptor, 1 avail entry, 2 avail index, 7 used-event
 * or flags word (fuzz_virtq_driver.h), 3 doorbell, 4 type bytes, 5 reset
 * (bit 4) or route (bit 5: hvc0) and deliver, 6 driver setup.
 */
#include <string.h>

#include <keel/dev/pci.h>
#include <keel/dev/virtio_console.h>
#include <keel/io.h>

#include "fuzz.h"

#define RAM_BASE 0x100000ULL
#define RAM_SIZE 0x20000ULL
#define QS       16
#define Q(n)     (RAM_BASE + (n) * 0x1000) /* desc +0, avail +0x400, used +0x800 */

static struct pci_bus bus;
static struct virtio_console con;
static uint8_t *ram;
static uint8_t typed_buf[64];
static struct ring typed = RING_INIT(typed_buf);
static bool hvc;
/* Every byte typed, in order, and how many of them hvc0 has received. */
static uint8_t sent[4096];
static size_t nsent, nreceived;

#include "../unit/virtio_stubs.h"

void vm_console_putc(struct vm *vm, char c)
{
	(void)vm, (void)c;
}

static void intx(void *ctx, unsigned gsi, bool level)
{
	(void)ctx, (void)gsi, (void)level;
}

static void route(void *ctx)
{
	(void)ctx;
	con.input = hvc && virtio_console_receiving(&con) ? &typed : NULL;
}

#define DEV (&con.dev)
#include "fuzz_virtq_driver.h"

static void driver_setup(uint8_t how)
{
	driver_setup_with(0, how);
}

/*
 * What hvc0 received is a prefix of what was typed and the rest still waits,
 * in order: the device takes from the head only and counts what it wrote
 * (the bytes' placement in the buffers is test_virtio_console's).
 */
static void check(void)
{
	const struct virtq *q = &con.dev.vq[0];

	FUZZ_CHECK(con.rx_bytes <= nsent, "hvc0 received no byte that was not typed");
	nreceived = con.rx_bytes;
	FUZZ_CHECK(nsent - nreceived == ring_count(&typed), "a typed byte waits or was received");
	for (uint32_t i = 0; i < ring_count(&typed); i++)
		FUZZ_CHECK(ring_peek(&typed, i) == sent[nreceived + i], "waiting bytes keep order");
	FUZZ_CHECK(!q->ready || q->broken || (uint16_t)(q->last_avail - q->used_idx) == 0,
		   "every chain taken is returned at once");
	FUZZ_CHECK(!con.input || hvc, "hvc0 takes input only when routing says so");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };
	unsigned ops = 0;

	if (!ram)
		ram = malloc(RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	ring_clear(&typed);
	nsent = nreceived = 0;
	hvc = true;
	pci_bus_init(&bus);
	virtio_console_init(&con, NULL, &bus, 5, &(struct irq_line){ intx, NULL, 0 },
			    &(struct msi_line){ NULL, NULL });
	con.route = route;
	driver_setup(0);
	while (fuzz_more(&in) && ops++ < 256) {
		uint8_t o = fuzz_u8(&in), q = (o >> 3) & 1;

		switch (o & 7) {
		case 3: wr(VIRTIO_NOTIFY_OFF + VIRTIO_NOTIFY_MULT * q, 2, q); break;
		case 4: /* typed bytes: what does not fit is dropped by its owner, as Keel does */
			for (unsigned n = fuzz_u8(&in) % 80; n; n--) {
				uint8_t b = fuzz_u8(&in);

				if (nsent < sizeof(sent) && ring_put(&typed, b))
					sent[nsent++] = b;
			}
			break;
		case 5:
			if (o & 0x10) {
				wr(0x14, 1, 0);
				break;
			}
			hvc = o & 0x20;
			route(NULL);
			virtio_console_rx(&con);
			break;
		case 6: driver_setup(fuzz_u8(&in)); break;
		default: fuzz_ring_op(&in, o, q); break; /* 0, 1, 2, 7 */
		}
		check();
	}
	return 0;
}
