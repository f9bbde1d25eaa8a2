# SPDX-License-Identifier: MIT
KEEL_SRCS += vmm/main.c vmm/vm.c vmm/vmsr.c vmm/vmsr_mtrr.c vmm/vm_mem.c vmm/hvm_shadow.c vmm/vm_build.c vmm/hvm_build.c vmm/hvm_ram.c vmm/hvm_events.c vmm/console_keys.c vmm/vtime.c vmm/vcpu_stats.c vmm/exit_trace.c vmm/sched.c vmm/runq.c vmm/io.c vmm/hypercall.c vmm/hcall_pv.c vmm/hcall_args.c vmm/hcall_evtchn.c vmm/hcall_grant.c vmm/evtchn.c vmm/grant.c vmm/pv_build.c vmm/pv_callbacks.c \
	vmm/hcall_console.c vmm/mm/frames.c vmm/mm/frame_alloc.c \
	vmm/dev/uart16550.c vmm/dev/debug_exit.c vmm/dev/testdev.c vmm/dev/debugcon.c \
	vmm/dev/vpic.c vmm/dev/vpit.c \
	vmm/dev/pci_bus.c vmm/dev/i440fx.c vmm/dev/piix.c \
	vmm/dev/rtc_cmos.c vmm/dev/fw_cfg.c vmm/dev/port92.c vmm/dev/i8042.c \
	vmm/dev/vlapic.c vmm/dev/vlapic_timer.c vmm/dev/vioapic.c vmm/dev/hpet.c vmm/dev/pci_msi.c vmm/dev/ata.c vmm/dev/ata_identify.c vmm/dev/piix_ide.c \
	vmm/lib/string.c vmm/lib/vsnprintf.c vmm/lib/printk.c boot/config.c boot/elf64.c
# Keel's console: focus, tagged and raw output, typed input queues.
KEEL_SRCS += vmm/console.c vmm/console_input.c vmm/console_lock.c
# Virtual switches and the PV network interface.
KEEL_SRCS += vmm/vswitch.c vmm/vnet.c vmm/hcall_net.c vmm/dev/virtio_net.c vmm/hvm_net.c
# Scheduling across host CPUs: placement by keel.cfg cpus= (vmm/sched.c runs it).
KEEL_SRCS += vmm/sched_place.c
# hvm guests with several vCPUs: their local APICs' bus, INIT/SIPI (docs/vcpus.md).
KEEL_SRCS += vmm/hvm_smp.c vmm/dev/apic_bus.c vmm/vm_lock.c
