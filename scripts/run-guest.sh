#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# run-guest.sh NAME SELFTESTS_DIR JOB...: boot build/kernels/NAME, run the
# test jobs of scripts/guest/suite.sh (an arm64 kernel, NAME-arm64:
# scripts/vm-arm64.sh), and leave everything in
# build/results/RUN (jobs, boot.rc, JOB.log, console.log); RUN is $RUN_NAME,
# NAME by default. A failed boot is recorded, not fatal: scripts/report.py
# judges it.
source "$(dirname "$0")/lib.sh"

NAME=$1 ST=$2
shift 2
RUN=${RUN_NAME:-$NAME}
RES=$B/results/$RUN
HUNG=$B/results/$RUN-hung-console.log
rm -f "$HUNG"
# A guest that hangs is run once more, so that the other jobs still get a
# verdict and one sees whether the hang recurs; the hung console is kept
# and scripts/report.py counts the hang as a failure.
for attempt in 1 2; do
	rc=0
	case $NAME in
	*-arm64) "$TOP/scripts/vm-arm64.sh" "$B/kernels/$NAME" "$RES" "$@" || rc=$? ;;
	*)
		"$TOP/scripts/vm.sh" "$B/kernels/$NAME" "$RES" \
			"$TOP/scripts/guest/suite.sh" "$ST" "$@" || rc=$?
		;;
	esac
	[ "$rc" -eq 124 ] && [ "$attempt" -eq 1 ] || break
	cp "$RES/console.log" "$HUNG"
	echo "guest $RUN hung; console kept in $HUNG; running it once more"
done
echo "$*" >"$RES/jobs"
# A guest that must crash (the evidence against an unfixed kernel):
# scripts/report.py asserts this console line instead of a clean boot.
[ -z "${EXPECT_CRASH:-}" ] || echo "$EXPECT_CRASH" >"$RES/expect-crash"
# A tree without the fixes running their tests: only the subtests this file
# of tests/ lists must pass (scripts/report.py).
[ -z "${EXPECT_PASS_ONLY:-}" ] || echo "$EXPECT_PASS_ONLY" >"$RES/expect-pass-only"
echo "$rc" >"$RES/boot.rc"
[ -f "$HUNG" ] && echo "$HUNG" >"$RES/hung"
echo "guest $RUN: exit $rc; results in $RES"
