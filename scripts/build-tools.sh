#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-tools.sh SRC [FILE...]: build the workspace's own tests from tests/ into
# build/tests/ against the selftests of SRC (their libbpf and headers):
#   tests/NAME.bpf.c -> build/tests/NAME.bpf.o   (clang-16, BPF objects)
#   tests/NAME.c     -> build/tests/NAME         (gcc, guest tools, libbpf)
# With KARCH=arm64: tests/NAME.c only, static, into build/tests-arm64/.
# Every tool is linked with tests/tool.c, their shared helpers (tool.h);
# tools/include comes before its uapi/ for the kernel's linux/filter.h.
# With FILEs, only those. Each output is written under a temporary name
# and renamed, so a guest never sees half a file.
source "$(dirname "$0")/lib.sh"

SRC=$1
shift
ST=$SRC/tools/testing/selftests/bpf
LIBBPF=$ST/tools/build/libbpf/libbpf.a
out=$B/tests CC=gcc ldflags=()
if [ "$KARCH" = arm64 ]; then
	# KARCH=arm64 (make check-arm64): static, cross-compiled, with a
	# libbpf of SRC's built for arm64, into build/tests-arm64/
	out=$B/tests-arm64 CC=aarch64-linux-gnu-gcc ldflags=(-static -lzstd)
	LIBBPF=$out/libbpf/libbpf.a
	make -C "$SRC/tools/lib/bpf" CROSS_COMPILE=aarch64-linux-gnu- \
		OUTPUT="$out/libbpf/" -j"$JOBS" "$LIBBPF" >/dev/null
fi
[ -f "$LIBBPF" ] || die "$LIBBPF is missing: build the selftests of $SRC first"
mkdir -p "$out"

build() {
	local c=$1 name dst
	name=$(basename "$c")
	case $name in
	*.bpf.c)
		dst=$out/${name%.c}.o
		clang-16 -g -O2 -target bpf -Wall -Werror -I "$TOP/tests" \
			-I "$ST/tools/include" -I "$SRC/tools/include/uapi" \
			-c "$c" -o "$dst.tmp"
		;;
	tool.c) return ;;
	*.c)
		dst=$out/${name%.c}
		"$CC" -O2 -g -Wall -Werror -I "$TOP/tests" -I "$ST/tools/include" \
			-I "$SRC/tools/include" -I "$SRC/tools/include/uapi" \
			"$c" "$TOP/tests/tool.c" -o "$dst.tmp" "$LIBBPF" -lelf -lz "${ldflags[@]}" -lpthread
		;;
	*) die "$c: not a .c file" ;;
	esac
	mv "$dst.tmp" "$dst"
}

if [ $# -eq 0 ]; then
	set -- "$TOP"/tests/*.c
fi
for c in "$@"; do
	[ -e "$c" ] || continue
	build "$c" || die "building $c failed"
done
echo "tests built in $out"
