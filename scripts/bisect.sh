#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prove that every patch of series/ builds and boots on its own: apply the
# patches one at a time on tag 'base' in the check worktree, build each
# step incrementally, boot it and run test_progs -t tailcalls (whose new
# subtests may fail before the series is complete: only the boot and a
# clean console are required here).
source "$(dirname "$0")/lib.sh"

SRC=$B/check/linux OBJ=$B/check/obj
[ -e "$SRC/.git" ] || die "no check worktree: run 'make check' once first"
# (a step that fails to apply is left as 'git am' left it; the next run
# aborts it)
mapfile -t p < <(series_patches)
worktree_at "$SRC" base
n=0
for patch in "${p[@]}"; do
	n=$((n + 1))
	git -C "$SRC" am -q "$patch" || die "$(basename "$patch") does not apply"
	stage "bisect-$n-build" "$TOP/scripts/build-kernel.sh" "$SRC" "$OBJ" "bisect"
	stage "bisect-$n-boot" "$TOP/scripts/vm.sh" "$B/kernels/bisect" "$B/results/bisect" \
		bash -c "cd $SRC/tools/testing/selftests/bpf && ./test_progs -t tailcalls; true"
	echo "ok $n $(basename "$patch")"
done
echo "${#p[@]} patches: each builds and boots"
