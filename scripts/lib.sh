# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the workspace scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$TOP/build
LOGS=$B/logs
mkdir -p "$LOGS"

# Build tools, used by every stage that compiles something.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-subprog-tailcalls/ccache}
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
JOBS=${JOBS:-$(nproc)}
# make check-arm64's downloads (busybox for the guest's initramfs)
ARM64_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/bpf-subprog-tailcalls/arm64
KCC="ccache gcc"
BPF_TOOLS=(CLANG=clang-16 LLC=llc-16 LLVM_STRIP=llvm-strip-16)

# bpf_tools SRC: set BPF_TOOLS for the selftests of the tree SRC. 6.1's
# build with LLVM 16; 6.12's assemble BPF v4 instructions in inline asm
# (sign extension, e.g. "r0 = (s8)r0"), which LLVM 18 was the first to
# know: LLVM 19, Debian's newest in bookworm.
bpf_tools() {
	local v=16
	grep -qx 'VERSION = 6' "$1/Makefile" && grep -qx 'PATCHLEVEL = 12' "$1/Makefile" && v=19
	BPF_TOOLS=(CLANG=clang-$v LLC=llc-$v LLVM_STRIP=llvm-strip-$v)
}

# KARCH: the architecture of the kernel being built, x86_64 (the guests of
# make check) or arm64 (make check-arm64, cross-built).
export KARCH=${KARCH:-x86_64}

# config_fragments SRC [FRAGMENT]: the config fragments of a kernel built
# from SRC, one per line, in merge order: the selftests' own config (what
# the BPF tests need), the guest's (config/vm.config), then FRAGMENT. An
# arm64 kernel has config/arm64.config only.
config_fragments() {
	if [ "$KARCH" = arm64 ]; then
		echo "$TOP/config/arm64.config"
		return
	fi
	printf '%s\n' "$1/tools/testing/selftests/bpf/config" "$TOP/config/vm.config" ${2:+"$2"}
}

die() {
	echo "error: $*" >&2
	exit 1
}

fmt_secs() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# wait_all PID...: wait for every background stage; fail if one failed
# (after all of them ended, so that no guest is left running).
wait_all() {
	local pid rc=0
	for pid in "$@"; do
		wait "$pid" || rc=1
	done
	[ "$rc" -eq 0 ] || die "a stage run side by side failed (see above)"
}

# stage NAME CMD...: run CMD with its output in $LOGS/NAME.log and print
# one line with the elapsed time. On failure name the stage and the log,
# show the log's last lines, and fail.
stage() {
	local name=$1 log=$LOGS/$1.log t0=$SECONDS rc=0
	shift
	echo "[$name] ..."
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "[$name] FAILED after $(fmt_secs $((SECONDS - t0))) (exit $rc); log: $log" >&2
		tail -n 25 "$log" | sed 's/^/    /' >&2
		exit 1
	fi
	echo "[$name] $(fmt_secs $((SECONDS - t0)))"
}

# worktree_at DIR REF [REPO]: a worktree of REPO (build/linux) at DIR,
# detached at REF, whatever state it was left in (files git does not
# ignore and does not track removed; made anew if REPO was
# assembled anew since).
worktree_at() {
	local dir=$1 ref=$2 repo=${3:-$B/linux} admin
	git -C "$repo" worktree prune
	# git names a worktree's administrative directory after the last
	# component of its path (build/check/linux, build/review/linux): one
	# that another worktree's has taken over (seen 2026-12-01, a bisect and
	# a checkpatch then moved each other's HEAD) is made anew
	admin=$(git -C "$dir" rev-parse --git-dir 2>/dev/null) &&
		[ "$(cat "$admin/gitdir" 2>/dev/null)" = "$(cd "$dir" && pwd -P)/.git" ] ||
		rm -rf "$dir"
	[ -e "$dir/.git" ] || git -C "$repo" worktree add -q --detach "$dir" "$ref"
	git -C "$dir" am --abort >/dev/null 2>&1 || true
	git -C "$dir" checkout -q -f --detach "$ref"
	git -C "$dir" reset -q --hard "$ref"
	git -C "$dir" clean -fdq
}

# product NAME: the variables of one of the repository's patch series:
#   series    series/, for bpf-next: on base/pin + base/patches, developed
#             in build/linux
#   upstream  upstream/series/, fixes for the bpf tree: on upstream/pin
#             (Debian's 6.12), developed in build/upstream/linux
#   upstream-security  upstream/security/, a security fix for the bpf
#             tree, on upstream/pin too, developed in build/upstream/security;
#             it goes to security@kernel.org and the BPF maintainers
#             before any public posting (PRIVATE=1)
# PIN (the pinned source), BASE_PATCHES (scaffolding applied before tag
# base, or nothing), SERIES (the series' directory), TREE (the git tree),
# STAMP (what TREE was assembled from), REVIEW (a worktree of TREE where
# the mailed patches are applied and checked), PREFIX (the subject prefix),
# PRIVATE (1: not for public lists).
PRIVATE_NOTE="PRIVATE: for security@kernel.org and the BPF maintainers only, not for a public list before they agree."
product() {
	# the upstream series move code within verifier.c: histogram diffs show
	# it as moved, not the code around it as rewritten (what checkpatch and
	# reviewers then read); series/ was exported with git's default
	PRIVATE= DIFF_ALGORITHM=histogram
	case $1 in
	series)
		PIN=$TOP/base/pin BASE_PATCHES=$TOP/base/patches SERIES=$TOP/series
		DIFF_ALGORITHM=
		TREE=$B/linux STAMP=$B/tree.stamp REVIEW=$B/review/linux
		PREFIX="PATCH bpf-next"
		;;
	upstream)
		PIN=$TOP/upstream/pin BASE_PATCHES= SERIES=$TOP/upstream/series
		TREE=$B/upstream/linux STAMP=$B/upstream/tree.stamp
		REVIEW=$B/upstream/review PREFIX="PATCH bpf"
		;;
	upstream-security)
		# a security fix: mailed privately first (send-email.sh)
		PIN=$TOP/upstream/pin BASE_PATCHES= SERIES=$TOP/upstream/security
		TREE=$B/upstream/security STAMP=$B/upstream/security.stamp
		REVIEW=$B/upstream/security-review PREFIX="PATCH bpf"
		PRIVATE=1
		;;
	*) die "unknown series '$1' (series, upstream or upstream-security)" ;;
	esac
}

# inputs_hash: what the tree of the current product is assembled from (the
# pin and the patches), as one hash; the first line of STAMP.
inputs_hash() {
	cat "$PIN" ${BASE_PATCHES:+"$BASE_PATCHES"/*.patch} "$SERIES"/*.patch 2>/dev/null |
		sha256sum | cut -d' ' -f1
}

# series_patches [DIR]: the patches of DIR (series/), cover letter excluded.
series_patches() {
	ls "${1:-$TOP/series}"/[0-9]*.patch 2>/dev/null | grep -v '/0000-cover-letter' || true
}

# apply_series DIR [SERIES_DIR]: the patches of SERIES_DIR (series/) on top
# of what DIR has checked out.
# series_v1: extract series/ as committed at the revision that
# config/series-v1.txt names into build/series-v1/.
series_v1() {
	local rev dir=$B/series-v1
	rev=$(grep -v '^#' "$TOP/config/series-v1.txt" | head -1)
	git -C "$TOP" cat-file -e "$rev^{commit}" 2>/dev/null ||
		die "config/series-v1.txt: $rev is not a commit of this repository (a shallow clone?)"
	rm -rf "$dir"
	mkdir -p "$dir"
	git -C "$TOP" archive "$rev" series | tar -x -C "$dir" --strip-components=1 ||
		die "cannot extract series/ at $rev into $dir"
	echo "series/ at $rev: $(ls "$dir" | wc -l) files in $dir"
}

apply_series() {
	local p dir=${2:-$TOP/series}
	mapfile -t p < <(series_patches "$dir")
	[ "${#p[@]}" -gt 0 ] || die "${dir#$TOP/}/ has no patches"
	git -C "$1" am -q "${p[@]}" || die "${dir#$TOP/}/ does not apply on tag base (run 'make tree' for the failing patch)"
}

# run_guests TARGET SELFTESTS_DIR [KERNEL...]: boot the guests that
# config/jobs.txt lists for TARGET side by side (only those of the
# KERNELs, if given), each as a stage TARGET-guest-RUN, and wait for all.
# With SEED_BASE set, the n-th guest gets GUEST_RANDOM_SEED=SEED_BASE+n.
# Sets RESULTS to RUN=build/results/RUN for each guest, for report.py.
run_guests() {
	local target=$1 st=$2 run kernel jobs env n=0 pids=()
	shift 2
	RESULTS=()
	while read -r run kernel jobs env; do
		[ $# -eq 0 ] || printf '%s\n' "$@" | grep -qxF "$kernel" || continue
		(
			[ -z "${SEED_BASE:-}" ] || export GUEST_RANDOM_SEED=$((SEED_BASE + n))
			for v in $env; do export "${v?}"; done
			RUN_NAME=$run stage "$target-guest-$run" \
				"$TOP/scripts/run-guest.sh" "$kernel" "$st" ${jobs//,/ }
		) </dev/null &
		pids+=($!)
		RESULTS+=("$run=$B/results/$run")
		n=$((n + 1))
	done < <(sed 's/#.*//' "$TOP/config/jobs.txt" | awk -v t="$target" '$1 == t { $1 = ""; print }')
	[ ${#pids[@]} -gt 0 ] || die "config/jobs.txt has no guest for '$target'${*:+ on $*}"
	wait_all "${pids[@]}"
}

# run_upstream: the upstream fix series' part of make check and make
# upstream: Debian's 6.12 untouched (upstream-pristine) and with
# upstream/series/ + upstream/security/ (upstream-fixed), one object
# directory (build/upstream/obj); the fixed tree's selftests (LLVM 19);
# the guests of config/jobs.txt's 'upstream' lines. The workspace tools
# are those of the 6.1 selftests (build/tests/). Sets RESULTS.
run_upstream() {
	local kernels=(upstream-pristine) st=$B/upstream/check/tools/testing/selftests/bpf
	stage tree-upstream "$TOP/scripts/tree.sh" upstream
	product upstream
	if [ -n "$(series_patches "$SERIES")" ]; then
		kernels+=(upstream-fixed)
	else
		echo "upstream/series/ has no patches: only the pristine 6.12 is tested"
	fi
	"$TOP/scripts/build-kernels.sh" "${kernels[@]}"
	stage upstream-selftests "$TOP/scripts/build-selftests.sh" "$B/upstream/check" "$B/upstream/obj" notools
	run_guests upstream "$st" "${kernels[@]}"
}
