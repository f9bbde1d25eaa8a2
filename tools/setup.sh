#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages Keel needs to build, run and test. Idempotent.
set -euo pipefail
pkgs=(build-essential gnu-efi newlib-source mtools dosfstools gdisk ovmf bochs bochs-term bochsbios
      qemu-system-x86 seabios vgabios libdevmapper1.02.1 xz-utils libcmocka-dev libcapstone-dev python3-pytest python3-pytest-xdist
      clang libfuzzer-14-dev)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
