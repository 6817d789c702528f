#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# suite.sh SELFTESTS_DIR JOB...: run test jobs in the guest. Each job's
# output goes to $WS_RESULTS/JOB.log and its exit code to $WS_RESULTS/JOB.rc;
# the host (scripts/report.py) judges them. Jobs:
#   tailcalls   test_progs -t tailcalls
#   verifier    test_verifier
#   test_bpf    insmod lib/test_bpf.ko (JIT and interpreter tests)
#   NAME        any other job runs the workspace tool build/tests/NAME
#               with the kernel's name (base, series, pristine, ...) as
#               its argument; it prints KTAP (scripts/report.py reads it)
set -u
ST=$1
shift

# GUEST_JIT_HARDEN=2 runs every job with constant blinding on.
if [ -n "${GUEST_JIT_HARDEN:-}" ]; then
	sysctl -qw net.core.bpf_jit_harden="$GUEST_JIT_HARDEN" || exit 2
	echo "guest: net.core.bpf_jit_harden=$(cat /proc/sys/net/core/bpf_jit_harden)"
fi

run() {
	local job=$1 rc=0
	shift
	echo "guest: job $job: $*"
	"$@" >"$WS_RESULTS/$job.log" 2>&1 || rc=$?
	echo "$rc" >"$WS_RESULTS/$job.rc"
	echo "guest: job $job: exit $rc"
}

test_bpf() {
	dmesg -C
	local rc=0
	insmod "$WS_KERNEL_DIR/test_bpf.ko" || rc=$?
	dmesg | grep 'test_bpf:'
	rmmod test_bpf 2>/dev/null
	return "$rc"
}

for job in "$@"; do
	case $job in
	tailcalls) (cd "$ST" && run tailcalls ./test_progs -t tailcalls) ;;
	verifier) (cd "$ST" && run verifier ./test_verifier) ;;
	test_bpf) run test_bpf test_bpf ;;
	*)
		[ -x "build/tests/$job" ] || { echo "guest: no tool build/tests/$job for job $job" >&2; exit 2; }
		run "$job" "build/tests/$job" "$(basename "$WS_KERNEL_DIR")"
		;;
	esac
done
