/* SPDX-License-Identifier: MIT */
/* Shared inside the ATA model (ata.c, ata_identify.c) only. */
#ifndef VMM_DEV_ATA_PRIV_H
#define VMM_DEV_ATA_PRIV_H

#include <stdbool.h>
#include <keel/dev/ata.h>

/* Default CHS translation, as Bochs and QEMU give disks of this size. */
#define GEOM_HEADS   16
#define GEOM_SPT     63
#define GEOM_MAX_CYL 16383u
#define LBA28_MAX    0x0fffffffULL

/* Fill d->buf with the IDENTIFY DEVICE data; other: the other unit is present. */
void ata_identify_fill(struct ata_drive *d, bool other);

#endif
