#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Keeps the layering arrows pointing down (STYLE.md 1-2): prints each
# violation and fails if there is any.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
violation() { echo "layering: $1"; bad=1; }

# Only arch/x86/vmx executes VMX instructions or touches the VMCS.
while read -r f; do violation "$f uses VMX instructions or the VMCS outside arch/x86/vmx"; done < <(
	grep -rlE '\bvm(read|write|launch|resume|ptrld|clear|xon)\b|vmcs_(read|write)|vmx_priv\.h|"vmcs\.h"' \
		--include='*.[chS]' . | grep -v '^./arch/x86/vmx/' | grep -v '^./arch/x86/asm-offsets.c' |
		grep -v '^./guests/' | grep -v '^./test/' | grep -v '^./build/')
# vmm/ reaches arch only through the public arch/*.h hooks.
while read -r f; do violation "$f includes a private arch/x86 header"; done < <(
	grep -rlE '#include "(\.\./)*arch/|#include ".*vmx/' vmm drivers boot)
# drivers/ know nothing of guests.
while read -r f; do violation "$f (a host driver) includes guest/VM headers"; done < <(
	grep -rlE '#include <keel/(vm|vcpu|io|dev)\.h>' drivers)
# No gnu-efi type leaves boot/efi.
while read -r f; do violation "$f uses gnu-efi outside boot/efi"; done < <(
	grep -rlE '#include <efi(lib)?\.h>|\bEFI_[A-Z_]+\b' --include='*.[ch]' arch vmm drivers guests)
# Guests see only the public ABI header and their own runtime.
while read -r f; do violation "$f (a guest) includes Keel-internal headers"; done < <(
	grep -rlE '#include <(arch|drivers|boot)/|#include <keel/(vm|vcpu|io|dev|frames)\.h>' guests)
[ $bad -eq 0 ] && echo "layering: ok"
exit $bad
