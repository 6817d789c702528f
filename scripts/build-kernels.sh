#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kernels.sh NAME...: build the named kernels, one after the other, in the
# check worktree (build/check/linux) and one object directory
# (build/check/obj), so that switching between them is an incremental
# rebuild. NAME is one of
#   pristine  Debian's tree untouched (upstream's 2020 design)
#   base      tag 'base': pristine + base/patches (no mixing)
#   series    base + series/
#   debug     the series with config/debug.config (KASAN, lockdep, ...),
#             in an object directory of its own (build/check/obj-debug)
# A kernel whose source tree and config fragments are those it was last
# built from is not rebuilt. The worktree is left at the last NAME.
source "$(dirname "$0")/lib.sh"

SRC=$B/check/linux
OBJ=$B/check/obj

# stamp [FRAGMENT]: what a kernel is built from (tree, config fragments).
stamp() {
	local frags
	mapfile -t frags < <(config_fragments "$SRC" "$@")
	{
		git -C "$SRC" rev-parse 'HEAD^{tree}'
		cat "${frags[@]}"
	} | sha256sum | cut -d' ' -f1
}

for name in "$@"; do
	case $name in
	pristine | base) stage "checkout-$name" worktree_at "$SRC" "$name" ;;
	series | debug) stage "checkout-$name" worktree_at "$SRC" base && stage apply-series apply_series "$SRC" ;;
	*) die "unknown kernel '$name' (pristine, base, series or debug)" ;;
	esac
	obj=$OBJ extra=()
	if [ "$name" = debug ]; then
		obj=$OBJ-debug extra=("$TOP/config/debug.config")
	fi
	s=$(stamp "${extra[@]}")
	out=$B/kernels/$name
	if [ -f "$out/bzImage" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$s" ]; then
		echo "[kernel-$name] up to date ($out)"
		continue
	fi
	rm -f "$out/stamp"
	stage "kernel-$name" "$TOP/scripts/build-kernel.sh" "$SRC" "$obj" "$name" "${extra[@]}"
	echo "$s" >"$out/stamp"
done
