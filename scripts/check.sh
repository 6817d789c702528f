#!/usr/bin/env bash
# The project's test suite (make check). Builds pristine (Debian's tree),
# the base (tag 'base') and then base + series/ in one object directory,
# builds the series' selftests, boots the kernels side by side and runs:
#   pristine: the hierarchy bomb of tests/hostile.c only, to show that
#           upstream's per-frame counter lets it exceed 33 tail calls
#   base:   tailcall_1..6, test_verifier, lib/test_bpf pass; every new
#           tailcalls subtest fails; tests/ objects get the base's verdicts
#   series: everything passes; tests/ objects get the series' verdicts
#   both:   the workspace tools (tests/hostile.c, races.c, random.c) print
#           only 'ok' lines, with the expectations of each kernel
source "$(dirname "$0")/lib.sh"

C=$B/check
SRC=$C/linux
OBJ=$C/obj
JOBS_GUEST=(tailcalls verifier test_bpf reject hostile races random)
T0=$SECONDS

stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh"

# The kernels in the check worktree and object directory, never in the
# tree a developer works in (scripts/kernels.sh); pristine first, so that
# base and series are incremental rebuilds of it.
kernels=(pristine base)
if ls "$TOP"/series/[0-9]*.patch 2>/dev/null | grep -qv '/0000-cover-letter'; then
	kernels+=(series)
else
	echo "series/ has no patches: only the base is tested"
fi
"$TOP/scripts/kernels.sh" "${kernels[@]}"
stage check-selftests "$TOP/scripts/selftests.sh" "$SRC" "$OBJ"

# The guests run side by side: most of their jobs keep one vCPU busy, so
# two guests share the two host cores well (pristine's takes a minute).
results=() pids=()
for k in "${kernels[@]}"; do
	guest_jobs=("${JOBS_GUEST[@]}")
	[ "$k" = pristine ] && guest_jobs=(hostile)
	stage "check-guest-$k" "$TOP/scripts/boot-tests.sh" "$k" \
		"$SRC/tools/testing/selftests/bpf" "${guest_jobs[@]}" &
	pids+=($!)
	results+=("$k=$B/results/$k")
done
wait_all "${pids[@]}"

echo "make check: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${results[@]}" | tee "$LOGS/check-report.txt"
