#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# upstream.sh (make upstream): the upstream fix series (upstream/series/,
# for the bpf tree, on Debian's 6.12: upstream/pin). Builds Debian's 6.12
# untouched (upstream-pristine) and, once upstream/series/ has patches,
# with them (upstream-fixed), in one object directory
# (build/upstream/obj), boots them side by side and runs
# (config/jobs.txt):
#   upstream-pristine  tests/overflow.c: the guest must die at the stack
#                      guard page; tests/loopcb.c, in a guest of its own:
#                      it must die at a page fault (the evidence)
#   upstream-fixed     both programs are rejected
# The workspace tools are those 'make check' built (against 6.1's libbpf,
# which serves 6.12 as well).
source "$(dirname "$0")/lib.sh"

T0=$SECONDS
ST=$B/check/linux/tools/testing/selftests/bpf
[ -x "$B/tests/loopcb" ] || die "build/tests/loopcb is missing: run 'make check' (or 'make selftests') first"

stage deps "$TOP/scripts/deps.sh"
stage tree-upstream "$TOP/scripts/tree.sh" upstream
product upstream
kernels=(upstream-pristine)
if [ -n "$(series_patches "$SERIES")" ]; then
	kernels+=(upstream-fixed)
else
	echo "upstream/series/ has no patches: only the pristine 6.12 is tested"
fi
"$TOP/scripts/build-kernels.sh" "${kernels[@]}"
run_guests upstream "$ST" "${kernels[@]}"

echo "make upstream: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${RESULTS[@]}" | tee "$LOGS/upstream-report.txt"
