#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-arm64.sh (make check-arm64): the upstream fix series on arm64.
# Cross-builds Debian's 6.12 untouched (upstream-pristine-arm64) and with
# upstream/series/ + upstream/security/ (upstream-fixed-arm64) with
# gcc-aarch64-linux-gnu and config/arm64.config, in build/upstream/obj-arm64;
# cross-builds the reproducers tests/overflow.c and tests/loopcb.c as static
# arm64 binaries (against 6.1's libbpf, as on x86-64: run 'make check'
# first); boots each kernel under qemu-system-aarch64 -M virt -cpu max
# (scripts/vm-arm64.sh) and runs the guests of config/jobs.txt's
# 'check-arm64' lines:
#   upstream-pristine-arm64  tests/overflow.c loads, and the guest dies of
#                            a kernel stack overflow (asserted)
#   upstream-fixed-arm64     both reproducers are rejected (784 bytes: the
#                            arm64 JIT frame is 80 bytes)
# Not part of make check: a cold arm64 kernel does not fit in its budget.
source "$(dirname "$0")/lib.sh"

T0=$SECONDS
[ -f "$B/check/linux/tools/testing/selftests/bpf/tools/include/bpf/btf.h" ] ||
	die "6.1's selftests are not built: run 'make check' first (the tools use their libbpf headers)"

stage deps-arm64 "$TOP/scripts/deps.sh" arm64
stage tree-upstream "$TOP/scripts/tree.sh" upstream
kernels=(upstream-pristine-arm64 upstream-fixed-arm64)
"$TOP/scripts/build-kernels.sh" "${kernels[@]}"
KARCH=arm64 stage tools-arm64 "$TOP/scripts/build-tools.sh" "$B/check/linux" \
	"$TOP/tests/overflow.c" "$TOP/tests/loopcb.c"
run_guests check-arm64 - "${kernels[@]}"

echo "make check-arm64: $(fmt_secs $((SECONDS - T0))) in all"
python3 "$TOP/scripts/report.py" "${RESULTS[@]}" | tee "$LOGS/check-arm64-report.txt"
