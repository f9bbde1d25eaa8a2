/* SPDX-License-Identifier: MIT */
/* What netsvc and netcli share on top of the runtime's driver (keel_net_*) and inet.h. */
#ifndef PV_NET_PVNET_H
#define PV_NET_PVNET_H

#include <keel_pv.h>
#include "inet.h"

/*
 * Open the guest's interface as nif with address ip: 0, or the error
 * after printing why ("WHO: no network interface ...").
 */
long pvnet_open(const char *who, uint32_t ip, struct inet_if *nif, struct keel_net_info *info);
/* Build frame i of n (at most KEEL_NET_BATCH_MAX) in out[FRAME_MAX]; its length. */
typedef size_t pvnet_build_fn(unsigned i, uint8_t *out, void *ctx);
/* Build n frames and send them with one KEEL_HC_NET_SEND_BATCH: what it returned. */
long pvnet_send_built(unsigned n, pvnet_build_fn *build, void *ctx);

#endif
