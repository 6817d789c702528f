#!/usr/bin/env bash
# Install what the workspace needs from Debian's archive, and check that the
# pinned kernel source package is the one installed.
source "$(dirname "$0")/lib.sh"
source "$TOP/base/pin"

PKGS=(build-essential bc bison flex libelf-dev libssl-dev dwarves kmod cpio
      rsync xz-utils git git-email libmailtools-perl perl python3 python3-matplotlib ccache clang-16 llvm-16 lld-16
      libcap-dev libzstd-dev zlib1g-dev qemu-system-x86 procps iproute2 "$PKG")

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
	# the pinned version, even if the archive offers a newer one
	apt-cache madison "$PKG" | awk '{ print $3 }' | grep -qxF "$VERSION" ||
		die "$PKG $VERSION is pinned in base/pin, but the archive offers: $(apt-cache madison "$PKG" | awk '{ print $3 }' | tr '\n' ' ')
  Update VERSION and SHA256 in base/pin deliberately, or add a mirror that has $PKG=$VERSION (snapshot.debian.org)."
	missing=("${missing[@]/#"$PKG"/"$PKG=$VERSION"}")
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

have=$(dpkg-query -W -f='${Version}' "$PKG")
[ "$have" = "$VERSION" ] ||
	die "$PKG $have is installed, but base/pin pins $VERSION (apt-get install $PKG=$VERSION)"
echo "packages ok; $PKG $have"
