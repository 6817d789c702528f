#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Prove that every patch of series/ (SERIES=upstream: upstream/series/ and
# upstream/security/) builds and boots on its own: apply the
# patches one at a time on tag 'base' in the check worktree, build each
# step incrementally, boot it and run test_progs -t tailcalls (whose new
# subtests may fail before the series is complete: only the boot and a
# clean console are required here). BISECT_FROM=N applies patches 1..N-1
# without building them and steps from patch N on (after a change to
# patch N and later ones); BISECT_TO=M stops after patch M.
source "$(dirname "$0")/lib.sh"

FROM=${BISECT_FROM:-1} TO=${BISECT_TO:-999}
[[ $FROM =~ ^[1-9][0-9]*$ ]] || die "BISECT_FROM=$FROM: not a patch number"
[[ $TO =~ ^[1-9][0-9]*$ ]] || die "BISECT_TO=$TO: not a patch number"

# bisect.sh [series|upstream]: upstream steps through upstream/series/ and
# then upstream/security/ on Debian's 6.12 (build/upstream/check).
product "${1:-series}"
if [ "${1:-series}" = upstream ]; then
	SRC=$B/upstream/check OBJ=$B/upstream/obj NAME=bisect-upstream
	extra=("$TOP/config/upstream.config")
	mapfile -t p < <(series_patches "$SERIES"; series_patches "$TOP/upstream/security")
else
	SRC=$B/check/linux OBJ=$B/check/obj NAME=bisect extra=()
	mapfile -t p < <(series_patches)
fi
[ -e "$SRC/.git" ] || die "no check worktree: run 'make check' once first"
# (a step that fails to apply is left as 'git am' left it; the next run
# aborts it)
# step N PATCH: apply PATCH to what SRC has, build and boot it
step() {
	git -C "$SRC" am -q "$2" || die "$(basename "$2") does not apply"
	stage "$NAME-$1-build" "$TOP/scripts/build-kernel.sh" "$SRC" "$OBJ" "$NAME" "${extra[@]}"
	stage "$NAME-$1-boot" "$TOP/scripts/vm.sh" "$B/kernels/$NAME" "$B/results/$NAME" \
		bash -c "cd $SRC/tools/testing/selftests/bpf && ./test_progs -t tailcalls; true"
	echo "ok $1 $(basename "$2")"
}

worktree_at "$SRC" base "$TREE"
n=0
for patch in "${p[@]}"; do
	n=$((n + 1))
	if [ "$n" -lt "$FROM" ]; then
		git -C "$SRC" am -q "$patch" || die "$(basename "$patch") does not apply"
		echo "applied $n $(basename "$patch") (before BISECT_FROM=$FROM: not built)"
		continue
	fi
	step "$n" "$patch"
	if [ "$n" -ge "$TO" ]; then
		echo "stopped after patch $n (BISECT_TO=$TO)"
		exit 0
	fi
done
# the security fix is mailed on its own: on base alone too
if [ "${1:-series}" = upstream ]; then
	worktree_at "$SRC" base "$TREE"
	for patch in $(series_patches "$TOP/upstream/security"); do
		n=$((n + 1))
		step "$n" "$patch"
	done
fi
echo "$n steps (${#p[@]} patches, and the security fix on base alone for upstream): each from $FROM on builds and boots"
