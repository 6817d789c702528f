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
#   upstream-fixed     both programs are rejected; the fixed tree's
#                      test_progs -t tailcalls and test_verifier pass
#   upstream-pristine-tests  the same tailcalls tests: only those of
#                      tests/upstream-pristine-tailcalls.txt pass
# make check runs the same (lib.sh: run_upstream) after the 6.1 kernels.
# The workspace tools are those 'make check' built (against 6.1's libbpf,
# which serves 6.12 as well).
source "$(dirname "$0")/lib.sh"

T0=$SECONDS
[ -x "$B/tests/loopcb" ] || die "build/tests/loopcb is missing: run 'make check' (or 'make selftests') first"
stage deps "$TOP/scripts/deps.sh"
run_upstream
echo "make upstream: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${RESULTS[@]}" | tee "$LOGS/upstream-report.txt"
