#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the QEMU guest. The root filesystem is the host's /, read-only
# over virtio-9p, with writable overlays that the host never sees.
# WS_RESULTS (from the kernel command line) is the one directory shared
# with the host for writing: the command to run is $WS_RESULTS/cmd.sh, its
# output goes to $WS_RESULTS/output, its exit code to $WS_RESULTS/rc.
# WS_TOP is the workspace.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
# A writable view of the host, as vmtest.sh and virtme-ng give: an overlay
# with a tmpfs upper over each directory below (the workspace too, so that
# 'make -C build/linux/tools/testing/selftests/bpf run_tests' can write
# into the tree). What the guest writes there vanishes at power-off; only
# WS_RESULTS, mounted over it below, reaches the host.
for dir in /tmp /root /var "$WS_TOP"; do
	case $dir in
	/tmp/* | /root/* | /var/*) continue ;; # under an overlay already
	esac
	up=/run/overlay$dir
	mkdir -p "$up/upper" "$up/work"
	mount -t overlay overlay -o "lowerdir=$dir,upperdir=$up/upper,workdir=$up/work" "$dir" ||
		echo "guest: cannot overlay $dir: it stays read-only"
done
mount -t bpf bpffs /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 results "$WS_RESULTS"
ip link set lo up 2>/dev/null
ulimit -l unlimited

echo "guest: $(uname -r), running $WS_RESULTS/cmd.sh"
# The command's output goes to the console and to $WS_RESULTS/output,
# which scripts/vm.sh streams to the host's terminal as it grows.
bash "$WS_RESULTS/cmd.sh" 2>&1 | tee "$WS_RESULTS/output"
rc=${PIPESTATUS[0]}
echo "$rc" >"$WS_RESULTS/rc"
sync
echo "guest: done, exit code $rc"
# Power off: through sysrq if the kernel has it, else reboot(2) itself
# (LINUX_REBOOT_CMD_POWER_OFF; the lean config/vm.config has no sysrq).
echo o 2>/dev/null >/proc/sysrq-trigger ||
	python3 -c 'import ctypes; ctypes.CDLL(None).syscall(169, 0xfee1dead, 672274793, 0x4321fedc, 0)'
sleep 10
