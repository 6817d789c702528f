#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# vm.sh KERNEL_DIR RESULTS_DIR CMD...: boot build/kernels/<name>/bzImage in
# QEMU (TCG) with the host's / as the root, run CMD in the guest (cwd: the
# workspace), stream its output to this script's stdout as it runs, and
# fail if the guest hangs, panics, or CMD fails. The guest writes into
# overlays that vanish at power-off (scripts/guest/init.sh); RESULTS_DIR
# is the one directory it shares with the host: it gets cmd.sh, output
# (CMD's output), rc and console.log. With no CMD, an interactive shell on
# the console. The host's GUEST_* environment variables are exported to
# CMD, and the selftests' make variables of the kernel's object directory
# (VMLINUX_BTF, KDIR, CLANG, ...), so that the selftests' own make finds
# its build up to date. VM_QEMU_EXTRA adds QEMU options (e.g. '-icount
# shift=0'). Exit code: CMD's, 124 if the guest hung (VM_TIMEOUT seconds),
# else 1.
source "$(dirname "$0")/lib.sh"

KDIR=$1 RES=$2
shift 2
TIMEOUT=${VM_TIMEOUT:-1200}
[ -f "$KDIR/bzImage" ] || die "no kernel at $KDIR/bzImage: build it first"
rm -rf "$RES"
mkdir -p "$RES"
RES=$(cd "$RES" && pwd)

{
	echo "cd '$TOP'"
	echo "export WS_KERNEL_DIR='$KDIR'"
	# GUEST_* variables of the host are the guest tools' parameters.
	env | grep -E '^GUEST_[A-Z0-9_]*=' | sed "s/=\(.*\)/='\1'/; s/^/export /" || true
	# what scripts/build-selftests.sh built the selftests with
	if [ -f "$KDIR/obj" ]; then
		obj=$(cat "$KDIR/obj")
		printf 'export VMLINUX_BTF=%q KDIR=%q\n' "$obj/vmlinux" "$obj"
		[ ! -f "$obj/bpf-tools" ] || read -ra BPF_TOOLS <"$obj/bpf-tools"
		printf 'export %q\n' "${BPF_TOOLS[@]}"
	fi
	if [ $# -gt 0 ]; then printf '%q ' "$@"; echo; else echo 'exec bash -i </dev/console >/dev/console 2>&1'; fi
} >"$RES/cmd.sh"

# One host thread for all vCPUs (VM_TCG_THREAD=single): with QEMU 7.2's
# multi-threaded TCG, a vCPU was seen executing an int3 that another vCPU
# had already replaced in a BPF program being text-poked (an 'int3: 0000'
# oops in the races test on the series, an RCU stall on pristine); never
# with one thread, which is also faster for IPI-heavy work.
qemu=(qemu-system-x86_64 -accel "tcg,thread=${VM_TCG_THREAD:-single}" -cpu max -smp "${VM_CPUS:-2}" -m "${VM_MEM:-4G}"
	-kernel "$KDIR/bzImage" -display none -no-reboot -monitor none
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=/dev/root
	-fsdev "local,id=results,path=$RES,security_model=none"
	-device virtio-9p-pci,fsdev=results,mount_tag=results
	${VM_QEMU_EXTRA:-}
	-append "console=ttyS0 root=/dev/root rootfstype=9p rootflags=trans=virtio,version=9p2000.L,msize=1048576 ro panic=-1 oops=panic init=$TOP/scripts/guest/init.sh WS_TOP=$TOP WS_RESULTS=$RES")

if [ $# -eq 0 ]; then
	exec "${qemu[@]}" -serial mon:stdio
fi

t0=$SECONDS
rc=0
timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" -serial "file:$RES/console.log" </dev/null &
qemu_pid=$!
tail -n +1 -F --pid="$qemu_pid" "$RES/output" 2>/dev/null &
wait "$qemu_pid" || rc=$?
wait
echo "guest ran $(fmt_secs $((SECONDS - t0)))"
if [ ! -s "$RES/console.log" ]; then
	die "qemu failed to start (exit $rc)"
fi
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	echo "error: guest timed out after ${TIMEOUT}s; console: $RES/console.log" >&2
	tail -n 30 "$RES/console.log" >&2
	exit 124
fi
# panics, oopses, WARN()s, lockdep and RCU reports, stalls and hung tasks
SPLAT=$(sed '/^#/d; /^$/d' "$TOP/config/splats.txt" | paste -sd '|')
# (up to the power-off: init may be killed by the vanishing 9p root after it)
if sed '/reboot: Power down/q' "$RES/console.log" | grep -qE "$SPLAT"; then
	echo "error: the guest kernel reported a problem; console: $RES/console.log" >&2
	sed '/reboot: Power down/q' "$RES/console.log" | grep -m1 -B2 -A20 -E "$SPLAT" >&2
	exit 1
fi
[ -f "$RES/rc" ] || { echo "error: guest stopped before the command finished; console: $RES/console.log" >&2; tail -n 30 "$RES/console.log" >&2; exit 1; }
rc=$(cat "$RES/rc")
[ "$rc" -eq 0 ] || echo "the command exited $rc in the guest; its output: $RES/output" >&2
exit "$rc"
