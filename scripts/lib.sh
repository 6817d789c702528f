# Shared helpers for the workspace scripts. Source it; do not run it.
# shellcheck shell=bash
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
B=$TOP/build
LOGS=$B/logs
mkdir -p "$LOGS"

# Build tools, used by every stage that compiles something.
export CCACHE_DIR=${CCACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/bpf-subprog-tailcalls/ccache}
export CCACHE_BASEDIR=$TOP
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-20G}
JOBS=${JOBS:-$(nproc)}
KCC="ccache gcc"
BPF_TOOLS=(CLANG=clang-16 LLC=llc-16 LLVM_STRIP=llvm-strip-16)

# config_fragments SRC [FRAGMENT]: the config fragments of a kernel built
# from SRC, one per line, in merge order: the selftests' own config (what
# the BPF tests need), the guest's (config/vm.config), then FRAGMENT.
config_fragments() {
	printf '%s\n' "$1/tools/testing/selftests/bpf/config" "$TOP/config/vm.config" ${2:+"$2"}
}

die() {
	echo "error: $*" >&2
	exit 1
}

fmt_secs() {
	printf '%dm%02ds' $(($1 / 60)) $(($1 % 60))
}

# wait_all PID...: wait for every background stage; fail if one failed
# (after all of them ended, so that no guest is left running).
wait_all() {
	local pid rc=0
	for pid in "$@"; do
		wait "$pid" || rc=1
	done
	[ "$rc" -eq 0 ] || die "a stage run side by side failed (see above)"
}

# stage NAME CMD...: run CMD with its output in $LOGS/NAME.log and print
# one line with the elapsed time. On failure name the stage and the log,
# show the log's last lines, and fail.
stage() {
	local name=$1 log=$LOGS/$1.log t0=$SECONDS rc=0
	shift
	echo "[$name] ..."
	"$@" >"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "[$name] FAILED after $(fmt_secs $((SECONDS - t0))) (exit $rc); log: $log" >&2
		tail -n 25 "$log" | sed 's/^/    /' >&2
		exit 1
	fi
	echo "[$name] $(fmt_secs $((SECONDS - t0)))"
}
