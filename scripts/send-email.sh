#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# send-email.sh: show how series/ would be mailed, and prove that the mail
# applies. The files of series/ are the mails (git format-patch --base
# output); this script
#   1. applies them with 'git am' to tag 'base' in the review worktree
#      (build/review/linux), and checks that the cover letter's
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

R=$B/review/linux
[ -d "$B/linux/.git" ] || die "build/linux is missing: run 'make tree' first"
mapfile -t patches < <(ls "$TOP"/series/*.patch 2>/dev/null)
[ ${#patches[@]} -gt 0 ] || die "series/ has no patches"

worktree_at "$R" base
apply_series "$R"
want=$(git -C "$R" rev-parse base)
have=$(sed -n 's/^base-commit: //p' "${patches[@]}" | head -n 1)
[ "$have" = "$want" ] ||
	die "series/ says base-commit: ${have:-nothing}, but tag base is $want: 'make export' from a tree that 'make tree' assembled"
echo "git am: $(series_patches | wc -l) patches apply to base-commit $want"

gm() {
	local p
	series_patches | while read -r p; do
		(cd "$R" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
			--no-git-fallback --no-fixes "$@" "$p")
	done | sed 's/ (.*)$//' | sort -u
}
mapfile -t to < <(gm --no-l --no-r)
mapfile -t cc < <(gm --no-m | grep -vxF -f <(printf '%s\n' "${to[@]}"))

from="$(git -C "$B/linux" config user.name) <$(git -C "$B/linux" config user.email)>"
args=(--dry-run --confirm=never --suppress-cc=all --from "$from")
for a in "${to[@]}"; do args+=(--to "$a"); done
for a in "${cc[@]}"; do args+=(--cc "$a"); done
echo "git send-email ${args[*]} series/*.patch"
git -C "$TOP" send-email "${args[@]}" "${patches[@]}"
