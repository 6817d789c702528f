#!/usr/bin/env bash
# boot-tests.sh NAME SELFTESTS_DIR JOB...: boot build/kernels/NAME, run the
# test jobs of scripts/guest/suite.sh, and leave everything in
# build/results/NAME (jobs, boot.rc, JOB.log, console.log). A failed boot is
# recorded, not fatal: scripts/report.py judges it.
source "$(dirname "$0")/lib.sh"

NAME=$1 ST=$2
shift 2
RES=$B/results/$NAME
rc=0
"$TOP/scripts/vm.sh" "$B/kernels/$NAME" "$RES" \
	"$TOP/scripts/guest/suite.sh" "$ST" "$@" || rc=$?
echo "$*" >"$RES/jobs"
echo "$rc" >"$RES/boot.rc"
echo "guest $NAME: exit $rc; results in $RES"
