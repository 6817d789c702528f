#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# clean.sh: remove build/, unless build/linux holds work that series/ does
# not have (uncommitted changes, or commits after tag 'base' that are not
# the patches of series/). FORCE=1 removes it anyway.
source "$(dirname "$0")/lib.sh"

L=$B/linux
ids() { git patch-id --stable | cut -d' ' -f1 | sort; }
if [ -e "$L/.git" ] && [ -z "${FORCE:-}" ]; then
	[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
		die "build/linux has uncommitted changes: commit them and 'make export', or 'FORCE=1 make clean'"
	mine=$(git -C "$L" format-patch --stdout base..HEAD | ids)
	ours=$(series_patches | xargs -r cat | ids)
	[ "$mine" = "$ours" ] ||
		die "build/linux has commits that series/ does not (or the reverse): 'make export' first, or 'FORCE=1 make clean'"
fi
rm -rf "$B"
echo "removed $B (the ccache in $CCACHE_DIR stays)"
