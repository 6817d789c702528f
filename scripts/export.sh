#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# export.sh [series|upstream|upstream-security]: export the commits after tag 'base' in the
# series' tree (build/linux, build/upstream/linux) into its directory
# (series/, upstream/series/), as 'git format-patch --cover-letter --base'
# output. The cover letter keeps the subject and text it already has.
source "$(dirname "$0")/lib.sh"
product "${1:-series}"

L=$TREE
[ -d "$L/.git" ] || die "$L does not exist: run 'make tree' first"
[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
	die "$L has uncommitted changes: commit them first"
n=$(git -C "$L" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "no commits after tag 'base' in $L"

old=$(mktemp)
trap 'rm -f "$old"' EXIT
cp "$SERIES/0000-cover-letter.patch" "$old" 2>/dev/null || : >"$old"
rm -f "$SERIES"/*.patch
# (index lines abbreviated as in a kernel tree with its history, whatever
# the size of this repository)
git -C "$L" -c core.abbrev=9 format-patch -q --cover-letter --zero-commit --no-signature \
	--base=base --subject-prefix="$PREFIX" -o "$SERIES" base..HEAD
python3 "$TOP/scripts/cover-letter.py" "$old" "$SERIES/0000-cover-letter.patch"
# A private series says so in every patch, below the '---' line (not part
# of the commit message), so that no patch of it travels alone unmarked.
if [ -n "$PRIVATE" ]; then
	for p in $(series_patches "$SERIES"); do
		sed -i "0,/^---\$/s//---\n$PRIVATE_NOTE\n/" "$p"
	done
fi

printf '%s\n%s\n' "$(inputs_hash)" "$(git -C "$L" rev-parse HEAD)" >"$STAMP"
echo "exported $n patches to ${SERIES#$TOP/}/"
