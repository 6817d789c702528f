#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# build-kernel.sh SRC OBJ NAME [FRAGMENT]: configure and build the kernel in SRC
# into the object directory OBJ (incrementally), then keep bzImage and
# test_bpf.ko (arm64: Image) under build/kernels/NAME/. The config is the fragments of
# config_fragments (lib.sh); FRAGMENT (e.g. config/debug.config) is merged
# last.
source "$(dirname "$0")/lib.sh"

SRC=$1 OBJ=$2 NAME=$3 EXTRA=${4:-}
OUT=$B/kernels/$NAME
mkdir -p "$OBJ" "$OUT"
# what to build and keep, per architecture (KARCH, lib.sh)
case $KARCH in
arm64)
	kmake=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- CC="ccache aarch64-linux-gnu-gcc")
	targets=(Image) outputs=(arch/arm64/boot/Image)
	;;
*)
	kmake=(CC="$KCC")
	targets=(bzImage modules) outputs=(arch/x86/boot/bzImage lib/test_bpf.ko)
	;;
esac

mapfile -t frags < <(config_fragments "$SRC" "$EXTRA")
frag=$(cat "${frags[@]}")
if [ ! -f "$OBJ/.config" ] || [ "$frag" != "$(cat "$OBJ/.config.fragment" 2>/dev/null)" ]; then
	echo "configuring $OBJ from ${frags[*]#$TOP/}"
	printf '%s\n' "$frag" >"$OBJ/.config"
	make -C "$SRC" O="$OBJ" "${kmake[@]}" olddefconfig
	# Every option of every fragment must have survived olddefconfig
	# (the last fragment that sets an option wins; '=n' is also met by an
	# option that its dependencies hide).
	cat "${frags[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | tac | sort -s -u -t= -k1,1 | while IFS= read -r opt; do
		want=$opt
		[ "${opt#*=}" = n ] && want="# ${opt%=n} is not set"
		grep -qxF "$want" "$OBJ/.config" ||
			{ [ "${opt#*=}" = n ] && ! grep -q "^${opt%=n}=" "$OBJ/.config"; } || die "config fragments ${frags[*]#$TOP/} ask for '$opt', .config has: $(grep "^.*${opt%%=*}[= ]" "$OBJ/.config" || echo nothing)"
	done
	# only now: a failed check is checked again by the next run
	printf '%s\n' "$frag" >"$OBJ/.config.fragment"
fi

make -C "$SRC" O="$OBJ" "${kmake[@]}" -j"$JOBS" "${targets[@]}"
cp "${outputs[@]/#/$OBJ/}" "$OUT/"
# the object directory, whose vmlinux the selftests are built against
echo "$OBJ" >"$OUT/obj"
git -C "$SRC" describe --always --tags --dirty >"$OUT/commit" 2>/dev/null || true
echo "kernel $NAME: $(cat "$OUT/commit" 2>/dev/null) -> $OUT"
