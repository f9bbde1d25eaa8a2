# SPDX-License-Identifier: MIT
# debcache.sh: sourced (never run) by the scripts that build the Linux test
# disks, tools/mkdisk-linux.sh and tools/mkdisk-efi.sh: their messages, the
# download cache of Debian packages and the layout of a disk with one FAT16
# partition. Before sourcing, set `me` (the name messages start with) and
# `top` (the source tree). Sourcing sets `cache` (KEEL_LINUX_CACHE, default
# build/linux-cache, made absolute) and mtools' environment.
#
# Packages are fetched with `apt-get download` at apt's candidate version
# and taken apart with dpkg-deb, never installed.

log() { echo "$me: $*" >&2; }
die() { echo "$me: error: $*" >&2; exit 1; }

cache=${KEEL_LINUX_CACHE:-$top/build/linux-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-946684800}   # mtools' timestamps
export MTOOLS_SKIP_CHECK=1

# apt-get update, once per shell; false if it already ran or failed.
apt_updated=0
apt_update() {
	[ $apt_updated -eq 0 ] || return 1
	apt_updated=1
	log "apt-get update"
	apt-get update -q >&2 || return 1
}

candidate() { # PKG: apt's candidate version, empty if none
	apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ && $2 != "(none)" { print $2 }'
}

# The .deb of PKG at apt's candidate version in the cache, downloaded if
# missing (older versions of PKG are deleted then: of no more use).
cached_deb() { # PKG
	local p=$1 v deb
	v=$(candidate "$p")
	[ -n "$v" ] || { apt_update || true; v=$(candidate "$p"); }
	[ -n "$v" ] || die "apt has no candidate version of $p"
	deb=$(find "$cache" -maxdepth 1 -name "${p}_${v//:/%3a}_*.deb" | head -n1)
	if [ -z "$deb" ]; then
		log "apt-get download $p=$v"
		# -o APT::Sandbox::User=root: the cache may not be readable by _apt.
		( cd "$cache" && apt-get download -q -o APT::Sandbox::User=root "$p=$v" >&2 ) ||
			die "apt-get download $p=$v failed"
		deb=$(find "$cache" -maxdepth 1 -name "${p}_${v//:/%3a}_*.deb" | head -n1)
		[ -n "$deb" ] || die "apt-get download $p=$v left no .deb in $cache"
		find "$cache" -maxdepth 1 -name "${p}_*.deb" ! -name "$(basename "$deb")" -delete
	fi
	echo "$deb"
}

# Sectors of a disk with BYTES of files on a FAT16 partition from LBA 2048:
# the files plus 2 MiB, at least 16 MiB, the whole disk rounded up to
# 16-head, 63-sector cylinders (516,096 bytes) so that emulators which want
# a CHS geometry (Bochs) take it as it is. Sets start, part (the
# partition's) and total (the disk's).
disk_layout() { # BYTES
	local cyl=$(( 16 * 63 ))
	start=2048
	part=$(( ($1 + 2 * 1048576 + 1048575) / 1048576 * 2048 ))
	[ $part -ge 32768 ] || part=32768
	total=$(( (start + part + cyl - 1) / cyl * cyl ))
	part=$(( total - start ))
}

fat16_or_die() { # IMG@@OFFSET
	local info
	info=$(minfo -i "$1" ::)
	grep -q 'disk type="FAT16' <<< "$info" || die "the partition is not FAT16"
}
