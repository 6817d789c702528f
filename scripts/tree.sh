#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# tree.sh [series|upstream|upstream-security]: assemble the tree of a series (lib.sh:
# product): build/linux is the pinned tarball as commit 'pristine',
# base/patches on top (tag 'base'), then series/ (branch 'series');
# build/upstream/linux the same with upstream/pin, no base patches and
# upstream/series/. Re-running is cheap: nothing is done when the inputs did
# not change, and the tarball is never unpacked twice.
source "$(dirname "$0")/lib.sh"
product "${1:-series}"
source "$PIN"

L=$TREE


# The commits this script makes are the same on every machine: a fixed
# committer, and fixed dates (the pristine commit's) or the patches' own
# (git am), so that 'base-commit:' in the mailed series names the same
# commit wherever the tree is assembled.
export GIT_COMMITTER_NAME="bpf workspace" GIT_COMMITTER_EMAIL="workspace@localhost"
PRISTINE_DATE="2000-01-01T00:00:00Z"

# am TREE LABEL PATCH...: apply patches with git am; on failure name the
# patch and the file, and leave the tree as it was.
am() {
	local tree=$1 label=$2 out
	shift 2
	[ $# -gt 0 ] || return 0
	if ! out=$(git -C "$tree" am -q --committer-date-is-author-date "$@" 2>&1); then
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		echo "$out" | grep -E '^(error|Patch failed|fatal)' >&2 || echo "$out" >&2
		die "a $label patch does not apply (see above: the patch and the file)"
	fi
}

apply_all() {
	local tree=$1
	base=()
	[ -z "$BASE_PATCHES" ] || mapfile -t base < <(ls "$BASE_PATCHES"/*.patch 2>/dev/null || true)
	mapfile -t series < <(series_patches "$SERIES")
	am "$tree" base "${base[@]}"
	git -C "$tree" tag -f base >/dev/null
	am "$tree" series "${series[@]}"
	echo "base: ${#base[@]} patches, series: ${#series[@]} patches"
}

identity() {
	local tree=$1
	git -C "$tree" config user.name >/dev/null ||
		git -C "$tree" config user.name "bpf workspace"
	git -C "$tree" config user.email >/dev/null ||
		git -C "$tree" config user.email "workspace@localhost"
	# DIFF_ALGORITHM (lib.sh: product) for the patches git writes
	[ -z "$DIFF_ALGORITHM" ] || git -C "$tree" config diff.algorithm "$DIFF_ALGORITHM"
}

unpack() {
	local tmp=$L.tmp tarball
	tarball=$("$TOP/scripts/fetch-source.sh" "$PIN")
	rm -rf "$tmp"
	mkdir -p "$tmp"
	echo "unpacking"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1
	git -C "$tmp" init -q -b series
	identity "$tmp"
	echo "committing the pristine tree"
	# Debian's top-level .gitignore ignores everything: add by force.
	git -C "$tmp" add -A -f
	GIT_AUTHOR_NAME=$GIT_COMMITTER_NAME GIT_AUTHOR_EMAIL=$GIT_COMMITTER_EMAIL \
		GIT_AUTHOR_DATE=$PRISTINE_DATE GIT_COMMITTER_DATE=$PRISTINE_DATE \
		git -C "$tmp" commit -q -m "Linux $VERSION ($PKG, pristine)"
	git -C "$tmp" tag pristine
	apply_all "$tmp"
	mv "$tmp" "$L"
}

refresh() {
	local want_head
	want_head=$(sed -n 2p "$STAMP" 2>/dev/null || true)
	if [ "$(git -C "$L" rev-parse HEAD)" != "$want_head" ] ||
	   [ -n "$(git -C "$L" status --porcelain --untracked-files=no)" ]; then
		die "the pin or the patches changed, but $L has work of its own.
  Export it first ('make export'), or remove $L to assemble it anew."
	fi
	echo "re-applying the patches on 'pristine'"
	git -C "$L" checkout -q -B series pristine
	apply_all "$L"
}

if [ ! -d "$L/.git" ]; then
	unpack
elif [ "$(sed -n 1p "$STAMP" 2>/dev/null)" != "$(inputs_hash)" ]; then
	refresh
else
	echo "$L is up to date"
fi
printf '%s\n%s\n' "$(inputs_hash)" "$(git -C "$L" rev-parse HEAD)" >"$STAMP"
# The mailed series names the commit it applies to: warn if it is not this
# tree's base (base/patches changed since the last export).
named=$(sed -n 's/^base-commit: //p' "$SERIES/0000-cover-letter.patch" 2>/dev/null || true)
if [ -n "$named" ] && [ "$named" != "$(git -C "$L" rev-parse base)" ]; then
	echo "warning: ${SERIES#$TOP/}/ names base-commit $named, but tag base is $(git -C "$L" rev-parse base): run 'make export'" >&2
fi
