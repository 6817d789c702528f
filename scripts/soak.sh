#!/usr/bin/env bash
# The long checks (make soak), after the short ones of make check:
#   debug         the series with KASAN and lockdep (config/debug.config):
#                 tailcalls, hostile programs, SOAK_RANDOM random programs,
#                 SOAK_SECONDS of races
#   debug-harden  the same kernel with net.core.bpf_jit_harden=2 and the
#                 next seed
#   pristine      Debian's untouched tree: the hostile programs, to show
#                 what the series prevents (the hierarchy bomb)
# The three guests run side by side. Seeds and durations are printed, so
# that a failure can be replayed.
source "$(dirname "$0")/lib.sh"

SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_RANDOM=${SOAK_RANDOM:-5000}
SOAK_SEED=${SOAK_SEED:-$(date +%s)}
SRC=$B/check/linux
ST=$SRC/tools/testing/selftests/bpf
T0=$SECONDS

stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh"
"$TOP/scripts/kernels.sh" pristine series debug
stage soak-selftests "$TOP/scripts/selftests.sh" "$SRC" "$B/check/obj"

# guest RUN KERNEL JOB...: one guest in the background, results in
# build/results/RUN.
pids=()
guest() {
	local run=$1 kernel=$2
	shift 2
	RUN_NAME=$run stage "soak-guest-$run" \
		"$TOP/scripts/boot-tests.sh" "$kernel" "$ST" "$@" &
	pids+=($!)
}

echo "soak: seed $SOAK_SEED, $SOAK_RANDOM random programs, races for ${SOAK_SECONDS}s"
export GUEST_RANDOM_COUNT=$SOAK_RANDOM GUEST_RACES_SECONDS=$SOAK_SECONDS
export VM_TIMEOUT=$((SOAK_SECONDS * 2 + 3600))
GUEST_RANDOM_SEED=$SOAK_SEED guest debug debug tailcalls hostile random races
GUEST_RANDOM_SEED=$((SOAK_SEED + 1)) GUEST_JIT_HARDEN=2 \
	guest debug-harden debug tailcalls hostile random races
guest pristine pristine hostile
wait_all "${pids[@]}"

echo "make soak: $(fmt_secs $((SECONDS - T0))) in all (seed $SOAK_SEED)"
python3 "$TOP/scripts/report.py" "debug=$B/results/debug" \
	"debug-harden=$B/results/debug-harden" "pristine=$B/results/pristine" |
	tee "$LOGS/soak-report.txt"
