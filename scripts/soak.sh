#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The long checks (make soak), after the short ones of make check:
#   debug         the series with KASAN and lockdep (config/debug.config):
#                 tailcalls, hostile programs, SOAK_RANDOM random programs,
#                 SOAK_SECONDS of races
#   debug-harden  the same kernel with net.core.bpf_jit_harden=2 and the
#                 next seed
#   pristine      Debian's untouched tree: the hostile programs, to show
#                 what the series prevents (the hierarchy bomb)
# The three guests (config/jobs.txt) run side by side. Seeds and durations are printed, so
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
"$TOP/scripts/build-kernels.sh" pristine series debug
stage soak-selftests "$TOP/scripts/build-selftests.sh" "$SRC" "$B/check/obj"

echo "soak: seed $SOAK_SEED, $SOAK_RANDOM random programs, races for ${SOAK_SECONDS}s"
export GUEST_RANDOM_COUNT=$SOAK_RANDOM GUEST_RACES_SECONDS=$SOAK_SECONDS
export VM_TIMEOUT=$((SOAK_SECONDS * 2 + 3600))
SEED_BASE=$SOAK_SEED run_guests soak "$ST"

echo "make soak: $(fmt_secs $((SECONDS - T0))) in all (seed $SOAK_SEED)"
python3 "$TOP/scripts/report.py" "${RESULTS[@]}" | tee "$LOGS/soak-report.txt"
