#!/usr/bin/env bash
# kernel.sh SRC OBJ NAME [FRAGMENT]: configure and build the kernel in SRC
# into the object directory OBJ (incrementally), then keep bzImage and
# test_bpf.ko under build/kernels/NAME/. FRAGMENT (e.g. config/debug.config)
# is merged after config/vm.config.
source "$(dirname "$0")/lib.sh"

SRC=$1 OBJ=$2 NAME=$3 EXTRA=${4:-}
ST=$SRC/tools/testing/selftests/bpf
OUT=$B/kernels/$NAME
mkdir -p "$OBJ" "$OUT"

# The selftests' own fragments first (vmtest.sh does the same), ours last.
ours=("$TOP/config/vm.config" ${EXTRA:+"$EXTRA"})
frag=$(cat "$ST/config" "$ST/config.x86_64" "${ours[@]}")
if [ ! -f "$OBJ/.config" ] || [ "$frag" != "$(cat "$OBJ/.config.fragment" 2>/dev/null)" ]; then
	echo "configuring $OBJ"
	printf '%s\n' "$frag" >"$OBJ/.config"
	make -C "$SRC" O="$OBJ" CC="$KCC" olddefconfig
	# Every option of our fragments must have survived olddefconfig.
	cat "${ours[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=' | while IFS= read -r opt; do
		want=$opt
		[ "${opt#*=}" = n ] && want="# ${opt%=n} is not set"
		grep -qxF "$want" "$OBJ/.config" || die "${ours[*]#$TOP/} ask for '$opt', .config has: $(grep "^.*${opt%%=*}[= ]" "$OBJ/.config" || echo nothing)"
	done
	# only now: a failed check is checked again by the next run
	printf '%s\n' "$frag" >"$OBJ/.config.fragment"
fi

make -C "$SRC" O="$OBJ" CC="$KCC" -j"$JOBS" bzImage modules
cp "$OBJ/arch/x86/boot/bzImage" "$OBJ/lib/test_bpf.ko" "$OUT/"
git -C "$SRC" describe --always --tags --dirty >"$OUT/commit" 2>/dev/null || true
echo "kernel $NAME: $(cat "$OUT/commit" 2>/dev/null) -> $OUT"
