#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# checkpatch.sh: run the kernel's checkpatch the way the bpf CI does, on
# the commits of every series of the repository (series/, upstream/series/)
# applied to tag 'base' of its tree in a review worktree
# (build/review/linux, build/upstream/review): 'checkpatch.pl --strict
# --codespell --git base..HEAD' inside the tree. Fails on any error,
# warning or check.
#
# One check is replaced: the pinned tree is a Debian source package
# without upstream's history, so checkpatch cannot find the commits that
# Fixes: tags name (UNKNOWN_COMMIT_ID). Each Fixes: tag is checked against
# config/upstream-commits.txt instead (commit id and subject).
source "$(dirname "$0")/lib.sh"

# check NAME: checkpatch on one series; fails if it finds anything
check() {
	local rc=0 R known id subject tag
	product "$1"
	R=$REVIEW
	[ -d "$TREE/.git" ] || "$TOP/scripts/tree.sh" "$1" >/dev/null
	worktree_at "$R" base "$TREE"
	apply_series "$R" "$SERIES"

	# (Debian's python3 first: spdxcheck.py needs its python3-ply and
	# python3-git, whatever python3 comes first in PATH)
	(cd "$R" && PATH=/usr/bin:$PATH perl scripts/checkpatch.pl --strict --codespell --color=never \
		--ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES --git base..HEAD) || rc=1

	# FILE_PATH_CHANGES asks of every new file whether MAINTAINERS needs
	# updating; answer it: every file the series adds must have a
	# maintainer in MAINTAINERS as it is.
	while IFS= read -r f; do
		if (cd "$R" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
			--no-l --no-r -f "$f" | grep -q .); then
			echo "ok: new file $f has a maintainer"
		else
			echo "error: new file $f: no maintainer in MAINTAINERS" >&2
			rc=1
		fi
	done < <(git -C "$R" diff --name-only --diff-filter=A base..HEAD)

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

	[ "$rc" -eq 0 ] || die "checkpatch found problems in ${SERIES#$TOP/}/ (see above)"
	echo "checkpatch --strict --codespell: ${SERIES#$TOP/}/ is clean ($(git -C "$R" rev-list --count base..HEAD) commits)"
}

n=0
for name in series upstream upstream-security; do
	product "$name"
	[ -n "$(series_patches "$SERIES")" ] || continue
	check "$name"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || die "no series has patches"
