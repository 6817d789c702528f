#!/usr/bin/env bash
# kernels.sh NAME...: build the named kernels, one after the other, in the
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

# checkout REF: the worktree at REF, whatever state it was left in.
checkout() {
	git -C "$B/linux" worktree prune
	[ -e "$SRC/.git" ] || git -C "$B/linux" worktree add -q --detach "$SRC" "$1"
	git -C "$SRC" am --abort >/dev/null 2>&1 || true
	git -C "$SRC" checkout -q --detach "$1"
	git -C "$SRC" reset -q --hard "$1"
}

apply_series() {
	local p
	mapfile -t p < <(ls "$TOP"/series/[0-9]*.patch 2>/dev/null | grep -v '/0000-cover-letter')
	[ "${#p[@]}" -gt 0 ] || die "series/ has no patches"
	git -C "$SRC" am -q "${p[@]}" || die "series/ does not apply on tag base (run 'make tree' for the failing patch)"
}

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
	pristine | base) stage "checkout-$name" checkout "$name" ;;
	series | debug) stage "checkout-$name" checkout base && stage apply-series apply_series ;;
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
	stage "kernel-$name" "$TOP/scripts/kernel.sh" "$SRC" "$obj" "$name" "${extra[@]}"
	echo "$s" >"$out/stamp"
done
