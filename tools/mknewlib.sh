#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# mknewlib.sh OUT_DIR: newlib, the C library PV guests link against, built
# from Debian's newlib-source package for a freestanding x86-64 target.
# OUT_DIR gets include/ and lib/{libc,libm,libg}.a.
#
# Debian 12 has no x86_64-elf cross compiler; the host gcc builds newlib's
# newlib/ directory on its own (no libgloss: the PV runtime supplies the
# system calls), configured as x86_64-elf, with -nostdinc so that no glibc
# header leaks in. Target and flags:
#   --host=x86_64-elf  newlib's generic case: no syscall directory, and
#                      MISSING_SYSCALL_NAMES, so libc calls write, sbrk,
#                      fstat... (not _write): the runtime defines those.
#   -fno-pic -fno-pie  guests are static non-PIE ELFs linked at 1 MiB+
#                      (Debian's gcc defaults to PIE); the default small
#                      code model then fits.
#   -mno-red-zone      events may be delivered on the guest's own stack.
#   -fno-stack-protector  no TLS canary: guests have no %fs set up.
#   SSE stays on: the x86-64 ABI passes doubles in xmm registers, every
#   printf-family function saves xmm0-7 in its prologue (varargs), and gcc
#   vectorises at -O2 (malloc too). A guest must enable SSE, and keep %rsp
#   16-byte aligned at calls, before it calls into libc.
#
# The result is kept in a cache under a hash of its inputs (the package
# version, this script, the gcc version): with unchanged inputs OUT_DIR is
# a copy of the cached tree. A cold build takes about a minute on 2 cores.
#
# Host packages: newlib-source, build-essential, xz-utils (tools/setup.sh).
# Environment:
#   KEEL_NEWLIB_CACHE  cache directory (default build/newlib-cache)
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${KEEL_NEWLIB_CACHE:-$top/build/newlib-cache}
cc=gcc
mkdir -p "$cache" "$(dirname "$out")"
cache=$(cd "$cache" && pwd)

log() { echo "mknewlib: $*" >&2; }
die() { echo "mknewlib: error: $*" >&2; exit 1; }

status=$(dpkg-query -W -f='${Status} ${Version}' newlib-source 2>/dev/null || true)
[[ $status == "install ok installed "* ]] ||
	die "newlib-source is not installed (tools/setup.sh installs it)"
ver=${status##* }
tarball=$(find /usr/src/newlib -maxdepth 1 -name 'newlib-*.tar.*' | head -n1)
[ -n "$tarball" ] || die "newlib-source $ver installed no /usr/src/newlib/newlib-*.tar.*"

key=$( {
	echo "newlib-source $ver"
	sha256sum < "$0"
	$cc --version | head -n1
} | sha256sum | cut -c1-16)
cached=$cache/newlib-$key

install_out() {
	rm -rf "$out.tmp"
	cp -R "$cached" "$out.tmp"   # not -p: fresh times keep make's targets newer than their inputs
	rm -rf "$out"
	mv "$out.tmp" "$out"
}

if [ -d "$cached" ]; then
	install_out
	log "$out is up to date (cache $(basename "$cached"))"
	exit 0
fi

# --- build -------------------------------------------------------------------
work=$(mktemp -d "$cache/work.XXXXXX")
trap 'rm -rf "$work"' EXIT
buildlog=$cache/build.log
: > "$buildlog"
run() { # the command's output goes to the log, shown if it fails
	"$@" >> "$buildlog" 2>&1 || { tail -n 40 "$buildlog" >&2; die "'$*' failed (log: $buildlog)"; }
}
# When make runs this script, its jobserver is not ours to use.
unset MAKEFLAGS MFLAGS MAKELEVEL
start=$(date +%s)

log "building newlib-source $ver ($(basename "$tarball")), log in $buildlog"
mkdir -p "$work/src" "$work/build"
tar -xf "$tarball" -C "$work/src" --strip-components=1

cflags="-O2 -g -ffreestanding -fno-pic -fno-pie -fno-stack-protector -mno-red-zone"
cd "$work/build"
# CCASFLAGS: newlib's x86_64 memcpy.S, memset.S and setjmp.S carry no
# .note.GNU-stack, and ld would then make a guest's stack executable.
run "$work/src/newlib/configure" --build="$($cc -dumpmachine)" --host=x86_64-elf --target=x86_64-elf \
	--prefix="$work/prefix" --disable-multilib --disable-newlib-supplied-syscalls \
	--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	CC="$cc -nostdinc -isystem $($cc -print-file-name=include)" \
	CFLAGS="$cflags" CCASFLAGS="$cflags -Wa,--noexecstack" \
	AR=ar AS=as RANLIB=ranlib MAKEINFO=true
run make -j"$(nproc)"
run make install
cd "$top"

# The install puts everything under PREFIX/x86_64-elf/.
prefix=$work/prefix/x86_64-elf
for f in include/stdio.h lib/libc.a lib/libm.a; do
	[ -e "$prefix/$f" ] || die "newlib installed no $f"
done
find "$cache" -mindepth 1 -maxdepth 1 -name 'newlib-*' -type d -exec rm -rf {} +
mv "$prefix" "$cached"
rm -rf "$work"   # source and build trees: ~140 MB, ~8000 files
install_out
log "$out: newlib $ver built in $(( $(date +%s) - start )) s"
