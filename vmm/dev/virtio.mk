# SPDX-License-Identifier: MIT
# Virtio (vmm/dev/virtio_*.c, docs/virtio.md): the sources, their host unit
# tests and fuzz targets. Included by the Makefile before test/unit/build.mk
# and test/fuzz/build.mk, which make the rules.
VIRTIO_SRCS := vmm/dev/virtio_queue.c
KEEL_SRCS += $(VIRTIO_SRCS)

UNIT_TESTS += virtq
UNIT_SRCS_virtq := vmm/dev/virtio_queue.c

# Random rings for the walker; seeds from test/fuzz/mkseeds_virtq.py.
FUZZ_TARGETS += virtq
FUZZ_SRCS_virtq := vmm/dev/virtio_queue.c
