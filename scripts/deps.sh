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
"$TOP/scripts/fetch-source.sh" >/dev/null
