#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh (make bench): what mixing calls and tail calls costs, measured
# on pristine (Debian's 6.1, upstream's design), base (no mixing), v1
# (base + the first version of series/, config/series-v1.txt) and series
# (base + series/), with the same guest, QEMU and BPF objects:
#  1. build the four kernels in the check worktree and object directory
#     (scripts/build-kernels.sh: incremental), then the series' selftests, whose
#     tailcall*.bpf.o are the corpus on all four kernels, and
#     tests/bench*.c (skipped with BENCH_NO_BUILD=1);
#  2. BENCH_ROUNDS rounds (default 5); each boots the four kernels in
#     turn, in an order rotated every round so that drift cancels, and
#     runs build/tests/bench (tests/bench.c) in the guest; then one boot of
#     each kernel with QEMU's '-icount shift=0' (one vCPU), where the
#     guest clock counts instructions;
#  3. scripts/bench-report.py: build/bench/results.{csv,json},
#     docs/benchmarks.md and docs/bench-ratios.png.
# Raw results: build/bench/raw/<round>-<kernel>.jsonl (icount-<kernel>
# for the icount pass), with the guests' consoles.
# Knobs: BENCH_ROUNDS, BENCH_SAMPLES (test_runs per case and boot, 3),
# BENCH_SCALE (percent of the repeat counts of tests/bench.c, 100),
# BENCH_ICOUNT_SCALE (20), BENCH_NO_BUILD=1, BENCH_SRC (the tree whose
# selftests objects and libbpf are used, build/check/linux).
source "$(dirname "$0")/lib.sh"

KERNELS=(pristine base v1 series)
ROUNDS=${BENCH_ROUNDS:-5}
SRC=${BENCH_SRC:-$B/check/linux}
ST=$SRC/tools/testing/selftests/bpf
OUT=$B/bench
T0=$SECONDS
# The knobs that were set, for the report (grep fails when there are none).
COMMAND="$(env | { grep -E '^BENCH_[A-Z_]*=' || true; } | sort | tr '\n' ' ')make bench"

if [ "${BENCH_NO_BUILD:-}" != 1 ]; then
	stage deps "$TOP/scripts/deps.sh"
	stage tree "$TOP/scripts/tree.sh"
	"$TOP/scripts/build-kernels.sh" "${KERNELS[@]}"
	# the worktree is at the series now: its selftests objects serve
	# all four kernels
	stage bench-selftests "$TOP/scripts/build-selftests.sh" "$B/check/linux" "$B/check/obj"
fi
stage bench-tools "$TOP/scripts/build-tools.sh" "$SRC" "$TOP/tests/bench.c" "$TOP"/tests/bench*.bpf.c
for k in "${KERNELS[@]}"; do
	[ -f "$B/kernels/$k/bzImage" ] || die "no kernel $k: run without BENCH_NO_BUILD=1"
done
rm -rf "$OUT/raw"
mkdir -p "$OUT/raw"

# guest RUN KERNEL: one boot of KERNEL running the bench; its results go
# to $OUT/raw/RUN-KERNEL.* (v1 is a version of the series: the bench tool
# runs it as 'series', and labels its results v1). Explicit returns: a
# stage runs this where 'set -e' does not apply.
guest() {
	local run=$1 k=$2 res=$B/results/bench-$k
	GUEST_BENCH_LABEL=$k "$TOP/scripts/vm.sh" "$B/kernels/$k" "$res" "$B/tests/bench" \
		"${k/#v1/series}" || return
	cp "$res/console.log" "$OUT/raw/$run-$k.console.log" || return
	cp "$res/bench.jsonl" "$OUT/raw/$run-$k.jsonl" || return
}

export GUEST_BENCH_ST=$ST GUEST_BENCH_OBJ=$B/tests/bench.bpf.o
export GUEST_BENCH_SAMPLES=${BENCH_SAMPLES:-3}
for r in $(seq 1 "$ROUNDS"); do
	for i in "${!KERNELS[@]}"; do
		k=${KERNELS[$(((i + r - 1) % ${#KERNELS[@]}))]}
		GUEST_BENCH_SCALE=${BENCH_SCALE:-100} stage "bench-$r-$k" guest "$r" "$k"
	done
done
# One vCPU: QEMU runs icount guests' vCPUs in turn on one thread anyway,
# and an idle second vCPU made the boot crawl. sleep=off: an idle guest
# jumps to its next timer instead of waiting in real time.
for k in "${KERNELS[@]}"; do
	VM_CPUS=1 VM_QEMU_EXTRA='-icount shift=0,sleep=off' \
		GUEST_BENCH_SCALE=${BENCH_ICOUNT_SCALE:-20} stage "bench-icount-$k" guest icount "$k"
done

mkdir -p "$TOP/docs"
stage bench-report /usr/bin/python3 "$TOP/scripts/bench-report.py" --raw "$OUT/raw" --out "$OUT" \
	--doc "$TOP/docs/benchmarks.md" --png "$TOP/docs/bench-ratios.png" \
	--command "$COMMAND" --date "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "make bench: $(fmt_secs $((SECONDS - T0))) in all; docs/benchmarks.md, results in $OUT"
