#!/bin/bash
# PID 1 of the QEMU guest. The root filesystem is the host's /, read-only
# over virtio-9p. WS_RESULTS (from the kernel command line) is the one
# writable directory, shared with the host: the command to run is
# $WS_RESULTS/cmd.sh, its exit code goes to $WS_RESULTS/rc. WS_TOP is the
# workspace.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm 2>/dev/null
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# A writable /tmp; if the workspace itself lives under /tmp, keep it
# visible through the tmpfs.
case $WS_TOP in
/tmp/*)
	mount --bind /tmp /mnt
	mount -t tmpfs tmpfs /tmp
	mkdir -p "$WS_TOP"
	mount --bind "/mnt${WS_TOP#/tmp}" "$WS_TOP"
	;;
*)
	mount -t tmpfs tmpfs /tmp
	;;
esac
mount -t tmpfs tmpfs /run
mount -t bpf bpffs /sys/fs/bpf
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 results "$WS_RESULTS"
ip link set lo up 2>/dev/null
ulimit -l unlimited

echo "guest: $(uname -r), running $WS_RESULTS/cmd.sh"
rc=0
bash "$WS_RESULTS/cmd.sh" || rc=$?
echo "$rc" >"$WS_RESULTS/rc"
sync
echo "guest: done, exit code $rc"
# Power off: through sysrq if the kernel has it, else reboot(2) itself
# (LINUX_REBOOT_CMD_POWER_OFF; the lean config/vm.config has no sysrq).
echo o 2>/dev/null >/proc/sysrq-trigger ||
	python3 -c 'import ctypes; ctypes.CDLL(None).syscall(169, 0xfee1dead, 672274793, 0x4321fedc, 0)'
sleep 10
