#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm-arm64.sh KERNEL_DIR RESULTS_DIR JOB...: boot an arm64 kernel
# (KERNEL_DIR/Image, cross-built) under qemu-system-aarch64 -M virt -cpu
# max (TCG) with an initramfs of busybox, the static tools of
# build/tests-arm64/ and an init that runs each JOB (a tool) with the
# kernel's name without '-arm64' as its argument, as scripts/guest/suite.sh
# does on x86-64. Leaves console.log, and JOB.log and JOB.rc for each job
# that finished, in RESULTS_DIR. Exit code: 0 if the guest powered off
# after its jobs, 124 if it hung (VM_TIMEOUT seconds), else 1 (a panic).
source "$(dirname "$0")/lib.sh"

KDIR=$1 RES=$2
shift 2
TIMEOUT=${VM_TIMEOUT:-600}
BUSYBOX=$ARM64_CACHE/busybox
[ -f "$KDIR/Image" ] || die "no kernel at $KDIR/Image: build it first"
[ -x "$BUSYBOX" ] || die "$BUSYBOX is missing: run 'make check-arm64' (it fetches it)"
rm -rf "$RES"
mkdir -p "$RES"
kind=$(basename "$KDIR")
kind=${kind%-arm64}

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp}
cp "$BUSYBOX" "$root/bin/busybox"
for job in "$@"; do
	[ -x "$B/tests-arm64/$job" ] || die "no tool build/tests-arm64/$job for job $job"
	cp "$B/tests-arm64/$job" "$root/bin/"
done
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "guest: \$(uname -r) \$(uname -m), jobs: $*"
for job in $*; do
	echo "=== job \$job start"
	/bin/\$job $kind
	echo "=== job \$job exit \$?"
done
echo "=== guest done"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$RES/initramfs.cpio.gz"

echo "booting $KDIR/Image (qemu-system-aarch64, TCG), jobs: $*"
rc=0
timeout -k 10 "$TIMEOUT" qemu-system-aarch64 -M virt -cpu max -smp 2 -m 1G \
	-nographic -no-reboot -kernel "$KDIR/Image" -initrd "$RES/initramfs.cpio.gz" \
	-append "console=ttyAMA0 panic=-1 oops=panic" </dev/null >"$RES/console.log" 2>&1 || rc=$?

# each job's output and exit code, from the console
for job in "$@"; do
	sed -n "/^=== job $job start/,/^=== job $job exit/p" "$RES/console.log" |
		sed '1d; /^=== job /d' | tr -d '\r' >"$RES/$job.log"
	sed -n "s/^=== job $job exit \([0-9]*\).*/\1/p" "$RES/console.log" >"$RES/$job.rc"
	[ -s "$RES/$job.rc" ] || rm -f "$RES/$job.rc"
done
[ "$rc" -eq 124 ] && exit 124
grep -q '^=== guest done' "$RES/console.log" || exit 1
! grep -qE -f <(sed 's/#.*//; /^\s*$/d' "$TOP/config/splats.txt") "$RES/console.log" || exit 1
exit 0
