#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-selftests.sh SRC OBJ [notools]: build the BPF selftests of SRC (test_progs,
# test_verifier, bpftool, bpf_testmod.ko) against the kernel in OBJ, and
# the workspace's own tests from tests/ (scripts/build-tools.sh). The LLVM
# tools they were built with are kept in OBJ/bpf-tools for scripts/vm.sh.
source "$(dirname "$0")/lib.sh"

SRC=$1 OBJ=$2
ST=$SRC/tools/testing/selftests/bpf
[ -f "$OBJ/vmlinux" ] || die "$OBJ/vmlinux is missing: build the kernel first"

# The selftests' lib.mk sets OUTPUT only in a top-level make: do not let
# a calling make (make selftests) leak its level into this one.
unset MAKELEVEL MAKEFLAGS MFLAGS
# Files the tree cannot build (config/selftests-broken.txt), in the check
# worktrees only: a developer's tree is left as it is.
case $SRC in
"$B"/check/* | "$B"/upstream/check*)
	sed 's/#.*//' "$TOP/config/selftests-broken.txt" | while read -r f; do
		[ -z "$f" ] || [ ! -e "$ST/$f" ] || { echo "removing $ST/$f (config/selftests-broken.txt)"; rm -f "$ST/$f"; }
	done
	;;
esac
bpf_tools "$SRC"
make -C "$ST" -j"$JOBS" "${BPF_TOOLS[@]}" VMLINUX_BTF="$OBJ/vmlinux" KDIR="$OBJ" \
	test_progs test_verifier docs
for f in test_progs test_verifier bpf_testmod.ko tools/sbin/bpftool; do
	[ -e "$ST/$f" ] || die "selftests build did not produce $ST/$f"
done
echo "${BPF_TOOLS[*]}" >"$OBJ/bpf-tools"

# The workspace's tools are built against 6.1's selftests only (make check);
# they serve the 6.12 kernels too.
[ "${3:-}" = notools ] || "$TOP/scripts/build-tools.sh" "$SRC"
echo "selftests built in $ST"
