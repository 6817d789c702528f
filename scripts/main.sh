#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The main job (make): build the kernel and the BPF selftests of the tree a
# developer works in (build/linux, uncommitted changes included), boot it,
# run test_progs -t tailcalls and test_verifier (config/jobs.txt), and
# print the results.
source "$(dirname "$0")/lib.sh"

L=$B/linux
T0=$SECONDS
stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh"
stage kernel "$TOP/scripts/build-kernel.sh" "$L" "$B/obj" dev
stage selftests "$TOP/scripts/build-selftests.sh" "$L" "$B/obj"
run_guests make "$L/tools/testing/selftests/bpf"
echo "make: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${RESULTS[@]}" | tee "$LOGS/report.txt"
