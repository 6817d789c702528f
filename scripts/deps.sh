#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Install what the workspace needs from Debian's archive. The pinned kernel
# source package is not installed: scripts/fetch-source.sh fetches it.
source "$(dirname "$0")/lib.sh"

PKGS=(build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
      rsync xz-utils git git-email libmailtools-perl perl python3 python3-matplotlib ccache clang-16 llvm-16 lld-16
      clang-19 llvm-19
      libcap-dev libzstd-dev zlib1g-dev qemu-system-x86 procps iproute2
      python3-docutils codespell python3-ply python3-git b4)

# deps.sh arm64 (make check-arm64): the cross compiler, QEMU for arm64, the
# arm64 libraries the static tools link (Debian multiarch), and busybox
# for the guest's initramfs (downloaded, not installed).
if [ "${1:-}" = arm64 ]; then
	PKGS+=(gcc-aarch64-linux-gnu qemu-system-arm libelf-dev:arm64 zlib1g-dev:arm64
	       libzstd-dev:arm64)
	if ! dpkg --print-foreign-architectures | grep -qx arm64; then
		[ "$(id -u)" -eq 0 ] || die "arm64 is not a dpkg architecture here
  add it as root: dpkg --add-architecture arm64 && apt-get update"
		dpkg --add-architecture arm64
	fi
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		die "missing packages: ${missing[*]}
  install them as root: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	echo "installing: ${missing[*]}"
	apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "packages ok"
if [ "${1:-}" = arm64 ] && [ ! -x "$ARM64_CACHE/busybox" ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	(cd "$tmp" && apt-get download -q busybox-static:arm64) ||
		die "apt-get download busybox-static:arm64 failed"
	dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
	mkdir -p "$ARM64_CACHE"
	install -m 755 "$tmp/x/bin/busybox" "$ARM64_CACHE/busybox"
	echo "busybox for arm64: $ARM64_CACHE/busybox"
fi
"$TOP/scripts/fetch-source.sh" >/dev/null
