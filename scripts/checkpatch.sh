#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh: run the kernel's checkpatch the way the bpf CI does, on
# the commits of series/ applied to tag 'base' in a review worktree
# (build/review/linux): 'checkpatch.pl --strict --codespell --git
# base..HEAD' inside the tree. Fails on any error, warning or check.
#
# One check is replaced: the pinned tree is a Debian source package
# without upstream's history, so checkpatch cannot find the commits that
# Fixes: tags name (UNKNOWN_COMMIT_ID). Each Fixes: tag is checked against
# config/upstream-commits.txt instead (commit id and subject).
source "$(dirname "$0")/lib.sh"

R=$B/review/linux
[ -d "$B/linux/.git" ] || die "build/linux is missing: run 'make tree' first"
[ -n "$(series_patches)" ] || die "series/ has no patches"
worktree_at "$R" base
apply_series "$R"

rc=0
# (Debian's python3 first: spdxcheck.py needs its python3-ply and
# python3-git, whatever python3 comes first in PATH)
(cd "$R" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --codespell --color=never \
	--ignore UNKNOWN_COMMIT_ID --git base..HEAD) || rc=1

# Fixes: <12+ hex digits> ("<subject>") against the list of known commits
known=$(sed 's/#.*//; /^\s*$/d' "$TOP/config/upstream-commits.txt")
while IFS= read -r tag; do
	id=$(sed -E 's/^Fixes: ([0-9a-f]+) .*/\1/' <<<"$tag")
	subject=$(sed -E 's/^Fixes: [0-9a-f]+ \("(.*)"\)$/\1/' <<<"$tag")
	if grep -qxF "${id:0:12} $subject" <<<"$known"; then
		echo "ok: $tag"
	else
		echo "error: '$tag' is not in config/upstream-commits.txt (id and subject)" >&2
		rc=1
	fi
done < <(git -C "$R" log --format=%B base..HEAD | grep -E '^Fixes:' || true)

[ "$rc" -eq 0 ] || die "checkpatch found problems in series/ (see above)"
echo "checkpatch --strict --codespell: series/ is clean ($(git -C "$R" rev-list --count base..HEAD) commits)"
