#!/usr/bin/env bash
# Show how series/ would be mailed: git send-email --dry-run, with To and
# Cc from the kernel's scripts/get_maintainer.pl run on the series.
source "$(dirname "$0")/lib.sh"

L=$B/linux
[ -x "$L/scripts/get_maintainer.pl" ] || die "$L is missing: run 'make tree' first"
mapfile -t patches < <(ls "$TOP"/series/*.patch 2>/dev/null)
[ ${#patches[@]} -gt 0 ] || die "series/ has no patches"

gm() {
	local p
	for p in "${patches[@]}"; do
		case $p in */0000-cover-letter.patch) continue ;; esac
		(cd "$L" && perl scripts/get_maintainer.pl --no-rolestats --no-git \
			--no-git-fallback "$@" "$p")
	done | sed 's/ (.*)$//' | sort -u
}
# Maintainers and reviewers go to To, lists and other people to Cc.
mapfile -t to < <(gm --no-l --no-r)
mapfile -t cc < <(gm --no-m | grep -vxF -f <(printf '%s\n' "${to[@]}"))

args=(--dry-run --confirm=never --suppress-cc=all --from "$(git -C "$L" config user.name) <$(git -C "$L" config user.email)>")
for a in "${to[@]}"; do args+=(--to "$a"); done
for a in "${cc[@]}"; do args+=(--cc "$a"); done
echo "git send-email ${args[*]} series/*.patch"
git -C "$TOP" send-email "${args[@]}" "${patches[@]}"
