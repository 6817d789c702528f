#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# send-email.sh [series|upstream]: show how a series (series/,
# upstream/series/) would be mailed, and prove that the mail applies. Its
# files are the mails (git format-patch --base output); this script
#   1. applies them with 'git am' to tag 'base' in the review worktree
#      (lib.sh: product), and checks that the cover letter's
#      'base-commit:' is that commit (scripts/tree.sh makes it the same on
#      every machine);
#   2. takes To and Cc from the tree's get_maintainer.pl: maintainers and
#      reviewers to To, lists and other people to Cc (--no-fixes: the
#      pinned tree has no history in which to find who wrote the commit a
#      Fixes: tag names; add that author by hand);
#   3. runs 'git send-email --dry-run' with them: nothing is sent.
# To really send: the printed command without --dry-run, after rebasing
# onto bpf-next and signing off with your own identity.
source "$(dirname "$0")/lib.sh"

product "${1:-series}"
R=$REVIEW
[ -d "$TREE/.git" ] || die "$TREE is missing: run 'make tree' first"
mapfile -t patches < <(ls "$SERIES"/*.patch 2>/dev/null)
[ ${#patches[@]} -gt 0 ] || die "${SERIES#$TOP/}/ has no patches"

worktree_at "$R" base "$TREE"
apply_series "$R" "$SERIES"
want=$(git -C "$R" rev-parse base)
have=$(sed -n 's/^base-commit: //p' "${patches[@]}" | head -n 1)
[ "$have" = "$want" ] ||
	die "${SERIES#$TOP/}/ says base-commit: ${have:-nothing}, but tag base is $want: 'make export' from a tree that 'make tree' assembled"
echo "git am: $(series_patches "$SERIES" | wc -l) patches apply to base-commit $want"

gm() {
	local p
	series_patches "$SERIES" | while read -r p; do
		(cd "$R" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
			--no-git-fallback --no-fixes "$@" "$p")
	done | sed 's/ (.*)$//' | sort -u
}
mapfile -t to < <(gm --no-l --no-r)
mapfile -t cc < <(gm --no-m | grep -vxF -f <(printf '%s\n' "${to[@]}"))
if [ -n "$PRIVATE" ]; then
	# A security fix: security@kernel.org and the maintainers only, never
	# a list or a reviewer; every mail must carry the note (export.sh).
	for p in "${patches[@]}"; do
		grep -q '^PRIVATE' "$p" || die "$p lacks the PRIVATE note: run 'make export SERIES=$1'"
	done
	to=(security@kernel.org "${to[@]}") cc=()
	echo "PRIVATE series: To security@kernel.org and the BPF maintainers; no list, no Cc"
fi

from="$(git -C "$TREE" config user.name) <$(git -C "$TREE" config user.email)>"
args=(--dry-run --confirm=never --suppress-cc=all --from "$from")
for a in "${to[@]}"; do args+=(--to "$a"); done
for a in "${cc[@]}"; do args+=(--cc "$a"); done
echo "git send-email ${args[*]} ${SERIES#$TOP/}/*.patch"
git -C "$TOP" send-email "${args[@]}" "${patches[@]}"
