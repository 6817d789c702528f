#!/usr/bin/env bash
# The main job (make): build the kernel and the BPF selftests of the tree a
# developer works in (build/linux, uncommitted changes included), boot it,
# run test_progs -t tailcalls and test_verifier, and print the results.
source "$(dirname "$0")/lib.sh"

L=$B/linux
T0=$SECONDS
stage deps "$TOP/scripts/deps.sh"
stage tree "$TOP/scripts/tree.sh"
stage kernel "$TOP/scripts/kernel.sh" "$L" "$B/obj" dev
stage selftests "$TOP/scripts/selftests.sh" "$L" "$B/obj"
stage guest-dev "$TOP/scripts/boot-tests.sh" dev "$L/tools/testing/selftests/bpf" tailcalls verifier
echo "make: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "dev=$B/results/dev" | tee "$LOGS/report.txt"
