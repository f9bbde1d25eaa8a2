/* SPDX-License-Identifier: MIT */
/* Keel's own PCI configuration access (mechanism #1, ports 0xcf8/0xcfc). */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdint.h>

uint32_t pci_cfg_read32(unsigned bus, unsigned dev, unsigned fn, unsigned reg);

#endif
