#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kernels.sh NAME...: build the named kernels, one after the other, in
# a check worktree and one object directory per series, so that switching
# between the kernels of a series is an incremental rebuild. NAME is one of
#   pristine  Debian's 6.1 untouched (upstream's 2020 design)
#   base      tag 'base': pristine + base/patches (no mixing)
#   series    base + series/
#   v1        base + series/ as committed at the revision in
#             config/series-v1.txt (the first version, for make bench)
#   debug     the series with config/debug.config (KASAN, lockdep, ...),
#             in an object directory of its own (build/check/obj-debug)
# in build/check/linux and build/check/obj, and
#   upstream-pristine  Debian's 6.12 untouched (upstream/pin)
#   upstream-fixed     the same + upstream/series/ + upstream/security/
#   upstream-pristine-arm64, upstream-fixed-arm64  the same, cross-built for
#                      arm64 (config/arm64.config) in build/upstream/obj-arm64
# in build/upstream/check and build/upstream/obj. A kernel whose source tree
# and config fragments are those it was last built from is not rebuilt.
# The worktrees are left at the last NAME.
source "$(dirname "$0")/lib.sh"

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
	# the series, the tag to start from, whether the series is applied
	case $name in
	pristine | base) p=series ref=$name apply= ;;
	series | debug | v1) p=series ref=base apply=1 ;;
	upstream-pristine | upstream-pristine-arm64) p=upstream ref=pristine apply= ;;
	upstream-fixed | upstream-fixed-arm64) p=upstream ref=base apply=1 ;;
	*) die "unknown kernel '$name' (pristine, base, series, v1, debug, upstream-pristine or upstream-fixed)" ;;
	esac
	product "$p"
	if [ "$p" = series ]; then
		SRC=$B/check/linux OBJ=$B/check/obj
	else
		SRC=$B/upstream/check OBJ=$B/upstream/obj
		[ -d "$TREE/.git" ] || stage tree-upstream "$TOP/scripts/tree.sh" upstream
	fi
	stage "checkout-$name" worktree_at "$SRC" "$ref" "$TREE"
	if [ "$name" = v1 ]; then
		stage series-v1 series_v1
		SERIES=$B/series-v1
	fi
	[ -z "$apply" ] || stage "apply-$name" apply_series "$SRC" "$SERIES"
	# the fixed 6.12 has the security fix too (upstream/security/)
	[ "${name%-arm64}" != upstream-fixed ] || stage "apply-$name-security" apply_series "$SRC" "$TOP/upstream/security"
	obj=$OBJ extra=() KARCH=x86_64
	case $name in
	*-arm64) obj=$OBJ-arm64 KARCH=arm64 ;;
	debug) obj=$OBJ-debug extra=("$TOP/config/debug.config") ;;
	upstream-*) extra=("$TOP/config/upstream.config") ;;
	esac
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
