/* SPDX-License-Identifier: MIT */
/*
 * The virtual switch (vmm/vswitch.c) fed frames from up to VSW_PORTS_MAX
 * ports as the input chooses: destinations drawn from broadcast, a port's
 * address, an address in the input; lengths around the limits; sources
 * sometimes forged; time jumping past the ageing time; queues drained or
 * left full. After each op:
 *  - no queue holds more than VSW_QUEUE_LEN frames, each of a valid length;
 *  - no frame is queued on the port it came from (its source is that port's);
 *  - every frame queued came from a port of this switch (no forged source);
 *  - each port's rx counts what was queued there (queued + taken = rx);
 *  - the address table points only at attached ports.
 * Op byte: o & 7: 0-2 send (o >> 3 picks the port), 3 take a frame,
 * 4 time passes, 5 attach a port, 6 send a forged source, 7 drain all.
 */
#include <stdint.h>
#include <string.h>

#include <keel/vswitch.h>

#include "fuzz.h"

static struct vswitch sw;
static struct vsw_port ports[VSW_PORTS_MAX];
static uint64_t taken[VSW_PORTS_MAX];
static uint64_t now;

static void attach(struct fuzz_in *in)
{
	uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0 };
	unsigned n = sw.nr_ports;

	if (n >= VSW_PORTS_MAX)
		return;
	mac[5] = (uint8_t)(n + 1);
	if (fuzz_u8(in) & 1) /* sometimes an address the switch must refuse */
		mac[0] = fuzz_u8(in);
	if (vsw_attach(&sw, &ports[n], mac, NULL, NULL) == 0)
		taken[n] = 0;
}

static void send(struct fuzz_in *in, unsigned from, bool forge)
{
	struct vsw_port *p;
	uint8_t sel = fuzz_u8(in);
	size_t len = fuzz_u16(in) % (VSW_FRAME_MAX + 8);

	if (!sw.nr_ports)
		return;
	p = &ports[from % sw.nr_ports];
	memset(p->tx_buf, sel, sizeof(p->tx_buf));
	if ((sel & 3) == 0)
		memset(p->tx_buf, 0xff, 6);
	else if ((sel & 3) == 1)
		memcpy(p->tx_buf, ports[(sel >> 2) % sw.nr_ports].mac, 6);
	else
		for (unsigned i = 0; i < 6; i++)
			p->tx_buf[i] = fuzz_u8(in);
	memcpy(p->tx_buf + 6, p->mac, 6);
	if (forge)
		p->tx_buf[6 + fuzz_u8(in) % 6] ^= (uint8_t)(1 + fuzz_u8(in) % 255);
	vsw_input(p, p->tx_buf, len, now);
}

static void take(unsigned at)
{
	if (!sw.nr_ports)
		return;
	at %= sw.nr_ports;
	if (vsw_peek(&ports[at])) {
		vsw_pop(&ports[at]);
		taken[at]++;
	}
}

static void check(void)
{
	for (unsigned i = 0; i < sw.nr_ports; i++) {
		struct vsw_port *p = &ports[i];

		FUZZ_CHECK(p->count <= VSW_QUEUE_LEN && p->head < VSW_QUEUE_LEN, "queue bounded");
		FUZZ_CHECK(p->count + taken[i] == p->st.rx, "rx counts what was queued");
		for (unsigned k = 0; k < p->count; k++) {
			const struct vsw_frame *f = &p->q[(p->head + k) % VSW_QUEUE_LEN];
			bool from_port = false;

			FUZZ_CHECK(f->len >= VSW_FRAME_MIN && f->len <= VSW_FRAME_MAX, "frame length");
			FUZZ_CHECK(memcmp(f->data + 6, p->mac, 6) != 0, "frame sent back to its port");
			for (unsigned j = 0; j < sw.nr_ports; j++)
				from_port |= !memcmp(f->data + 6, ports[j].mac, 6);
			FUZZ_CHECK(from_port, "a queued frame has a forged source");
		}
	}
	for (unsigned m = 0; m < VSW_MACS_MAX; m++)
		FUZZ_CHECK(!sw.mac[m].used || sw.mac[m].port < sw.nr_ports, "table entry's port");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size, 0 };

	vsw_init(&sw, "fuzz");
	memset(ports, 0, sizeof(ports));
	now = 0;
	for (unsigned i = 0; i < 3; i++)
		attach(&(struct fuzz_in){ (const uint8_t *)"", 0, 0 });
	while (fuzz_more(&in)) {
		uint8_t o = fuzz_u8(&in);

		switch (o & 7) {
		case 0: case 1: case 2: send(&in, o >> 3, false); break;
		case 3: take(o >> 3); break;
		case 4: now += (uint64_t)fuzz_u16(&in) << (o >> 3); break;
		case 5: attach(&in); break;
		case 6: send(&in, o >> 3, true); break;
		case 7:
			for (unsigned i = 0; i < sw.nr_ports; i++)
				while (vsw_peek(&ports[i]))
					take(i);
			break;
		}
		check();
	}
	return 0;
}
