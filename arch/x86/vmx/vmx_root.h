/* SPDX-License-Identifier: MIT */
/* Turning VMX on, shared by the boot CPU (vmx_init.c) and the APs (vmx_ap.c). */
#ifndef ARCH_X86_VMX_ROOT_H
#define ARCH_X86_VMX_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "vmx_ctls.h"

/* The capability MSRs (TRUE_* where IA32_VMX_BASIC offers them). */
void vmx_read_caps(struct vmx_caps *c);
/* IA32_FEATURE_CONTROL: 0 if VMX outside SMX is (now) allowed and locked; quiet: no message. */
int vmx_feature_control(bool quiet);
/* This CPU into VMX root operation with the VMXON region at vmxon_pa; -1 if VMXON fails. */
int vmx_root_on(uint64_t vmxon_pa);
/* 0 if ap equals boot in every capability MSR; else -1, and why names the first that differs. */
int vmx_caps_diff(const struct vmx_caps *ap, const struct vmx_caps *boot, char *why, size_t len);

#endif
