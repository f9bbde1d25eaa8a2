# SPDX-License-Identifier: MIT
# Virtio (vmm/dev/virtio_*.c, docs/virtio.md): the sources, their host unit
# tests and fuzz targets. Included by the Makefile before test/unit/build.mk
# and test/fuzz/build.mk, which make the rules.
VIRTIO_TRANSPORT := vmm/dev/virtio_queue.c vmm/dev/virtio_pci.c vmm/dev/virtio_regs.c
VIRTIO_SRCS := $(VIRTIO_TRANSPORT) vmm/dev/virtio_blk.c vmm/dev/virtio_console.c vmm/hvm_virtio.c vmm/hvm_console.c
KEEL_SRCS += $(VIRTIO_SRCS)

UNIT_TESTS += virtq
UNIT_SRCS_virtq := vmm/dev/virtio_queue.c

UNIT_TESTS += virtio_pci
UNIT_SRCS_virtio_pci := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c

UNIT_TESTS += virtio_blk
UNIT_SRCS_virtio_blk := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_blk.c

UNIT_TESTS += virtio_console
UNIT_SRCS_virtio_console := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_console.c

UNIT_TESTS += hvm_console
UNIT_SRCS_hvm_console := $(VIRTIO_TRANSPORT) vmm/dev/pci_bus.c vmm/dev/virtio_console.c \
	vmm/hvm_console.c

# Random rings for the walker; seeds from test/fuzz/mkseeds_virtq.py.
FUZZ_TARGETS += virtq
FUZZ_SRCS_virtq := vmm/dev/virtio_queue.c
