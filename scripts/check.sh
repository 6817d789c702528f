#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The project's test suite (make check). Builds pristine (Debian's tree),
# the base (tag 'base') and then base + series/ in one object directory,
# builds the series' selftests, boots the kernels side by side and runs
# (config/jobs.txt):
#   pristine: the hierarchy bomb of tests/hostile.c only, to show that
#           upstream's per-frame counter lets it exceed 33 tail calls
#   base:   tailcall_1..6, test_verifier, lib/test_bpf pass; every new
#           tailcalls subtest fails; tests/ objects get the base's verdicts
#   series: everything passes; tests/ objects get the series' verdicts
#   both:   the workspace tools (tests/hostile.c, races.c, random.c) print
#           only 'ok' results (KTAP), with the expectations of each kernel
# then the upstream fix series on Debian's 6.12 (lib.sh: run_upstream,
# scripts/upstream.sh): the reproducers crash upstream-pristine, each in a
# guest of its own; upstream-fixed rejects them and passes 6.12's
# test_progs -t tailcalls (with the series' tests) and test_verifier; on
# upstream-pristine the new rejection tests fail.
source "$(dirname "$0")/lib.sh"

C=$B/check
SRC=$C/linux
OBJ=$C/obj
T0=$SECONDS

stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh"

# The kernels in the check worktree and object directory, never in the
# tree a developer works in (scripts/build-kernels.sh); pristine first, so that
# base and series are incremental rebuilds of it.
kernels=(pristine base)
if [ -n "$(series_patches)" ]; then
	kernels+=(series)
else
	echo "series/ has no patches: only the base is tested"
fi
"$TOP/scripts/build-kernels.sh" "${kernels[@]}"
stage check-selftests "$TOP/scripts/build-selftests.sh" "$SRC" "$OBJ"

# The guests (config/jobs.txt) run side by side: most of their jobs keep
# one vCPU busy, so two guests share the two host cores well (pristine's
# takes a minute).
run_guests check "$SRC/tools/testing/selftests/bpf" "${kernels[@]}"
results=("${RESULTS[@]}")

# The upstream fix series (upstream/): Debian's 6.12 without and with it.
run_upstream
results+=("${RESULTS[@]}")

echo "make check: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${results[@]}" | tee "$LOGS/check-report.txt"
