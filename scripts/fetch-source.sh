#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-source.sh [PIN]: print the path of the kernel source tarball that
# PIN (base/pin by default; upstream/pin) pins, fetching the package from
# Debian's archive into the workspace's cache first if needed. The package
# is never installed, so whichever version of it the machine has
# installed, or none, changes nothing.
source "$(dirname "$0")/lib.sh"
PIN=${1:-$TOP/base/pin}
source "$PIN"
pin=${PIN#$TOP/}

dir=${XDG_CACHE_HOME:-$HOME/.cache}/bpf-subprog-tailcalls/source
tarball=$dir/${PKG}_$VERSION.tar.xz

check() {
	local sum
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	[ "$sum" = "$SHA256" ] ||
		die "checksum mismatch for $1 ($PKG $VERSION, $MEMBER): got $sum, $pin wants $SHA256"
}

if [ ! -f "$tarball" ]; then
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/fetch.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	echo "fetching $PKG $VERSION into $dir" >&2
	(cd "$tmp" && apt-get download -q "$PKG=$VERSION") >"$tmp/apt.log" 2>&1 || {
		cp "$tmp/apt.log" "$LOGS/source-apt.log"
		die "apt-get cannot download $PKG $VERSION, pinned in $pin (log: $LOGS/source-apt.log).
  As root, run 'apt-get update' and try again. If the archive no longer has
  $VERSION, add a source that does (snapshot.debian.org), or update VERSION
  and SHA256 in $pin deliberately."
	}
	dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -xO -f - "$MEMBER" >"$tmp/src.tar.xz" ||
		die "$PKG $VERSION has no $MEMBER"
	check "$tmp/src.tar.xz"
	mv "$tmp/src.tar.xz" "$tarball"
fi
check "$tarball"
echo "$tarball"
