/* SPDX-License-Identifier: MIT */
/*
 * fw_cfg (vmm/dev/fw_cfg.c) alone, holding what hvm_build.c gives SeaBIOS:
 * the RAM map of a 4 GiB guest, the machine, the serial console and the
 * boot order.
 */
#include <string.h>

#include <keel/dev/fw_cfg.h>
#include <keel/vm.h>

#include "fuzz.h"

static struct vm vm;
static struct fw_cfg cfg;
static const struct fw_cfg_e820_entry e820[] = {
	{ 0, 3ULL << 30, FW_CFG_E820_RAM },
	{ 4ULL << 30, 1ULL << 30, FW_CFG_E820_RAM },
};

static void build(struct vm *v)
{
	memset(&v->io, 0, sizeof(v->io));
	fw_cfg_init(&cfg);
	FUZZ_CHECK(!fw_cfg_add_e820(&cfg, e820, 2) && !fw_cfg_add_machine(&cfg, 4ULL << 30, 1, 1) &&
		   !fw_cfg_add_sercon_port(&cfg, 0x3f8) &&
		   !fw_cfg_add_bootorder(&cfg, "/pci@i0cf8/ide@1,1/drive@0/disk@0") &&
		   !fw_cfg_register(v, &cfg), "fw_cfg takes what hvm_build.c gives it");
}

static void after_op(struct vm *v)
{
	(void)v;
	FUZZ_CHECK(cfg.nr_items <= FW_CFG_ITEMS_MAX && cfg.nr_files <= FW_CFG_FILES_MAX,
		   "fw_cfg: the item and file counts stay in their tables");
}

static const struct fuzz_target target = { .after_op = after_op, .reset = build };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&vm, 0, sizeof(vm));
	fuzz_now = 0;
	build(&vm);
	fuzz_run_ops(&vm, data, size, &target);
	return 0;
}
