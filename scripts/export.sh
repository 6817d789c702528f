#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Export the commits after tag 'base' in build/linux into series/, as
# 'git format-patch --cover-letter' output. The cover letter keeps the
# subject and text it already has in series/.
source "$(dirname "$0")/lib.sh"

L=$B/linux
[ -d "$L/.git" ] || die "$L does not exist: run 'make tree' first"
[ -z "$(git -C "$L" status --porcelain --untracked-files=no)" ] ||
	die "$L has uncommitted changes: commit them first"
n=$(git -C "$L" rev-list --count base..HEAD)
[ "$n" -gt 0 ] || die "no commits after tag 'base' in $L"

old=$(mktemp)
trap 'rm -f "$old"' EXIT
cp "$TOP/series/0000-cover-letter.patch" "$old" 2>/dev/null || : >"$old"
rm -f "$TOP"/series/*.patch
# (index lines abbreviated as in a kernel tree with its history, whatever
# the size of this repository)
git -C "$L" -c core.abbrev=9 format-patch -q --cover-letter --zero-commit --no-signature \
	--base=base --subject-prefix='PATCH bpf-next' -o "$TOP/series" base..HEAD
python3 "$TOP/scripts/cover-letter.py" "$old" "$TOP/series/0000-cover-letter.patch"

source "$TOP/base/pin"
hash=$(cat "$TOP/base/pin" "$TOP"/base/patches/*.patch "$TOP"/series/*.patch | sha256sum | cut -d' ' -f1)
printf '%s\n%s\n' "$hash" "$(git -C "$L" rev-parse HEAD)" >"$B/tree.stamp"
echo "exported $n patches to series/"
