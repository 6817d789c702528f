// SPDX-License-Identifier: GPL-2.0
/* overflow KERNEL: the smallest known program shape with which upstream's
 * rule for tail calls in subprograms lets a run take the kernel past the
 * end of its stack. The main function and six subprograms form 7 caller
 * frames, each with 32 bytes of BPF stack and using r6-r9 (so the x86-64
 * JIT saves four callee-saved registers in each); the 8th function
 * tail-calls the program itself. Upstream charges the callers 7 * 32 = 224
 * bytes of BPF stack, under its 256, and accepts it; the JIT keeps 7 * 96
 * bytes per level of tail calls on x86-64 (112 per frame on arm64), and 33
 * levels do not fit in THREAD_SIZE.
 *
 * series, dev, debug  loads (check 1: the series charges BPF stack only, as
 *                     upstream does), and runs to its end (check 2): the
 *                     tail calls that would keep frames beyond the first
 *                     3/8 of the stack fail, so the run returns fewer
 *                     than the 34 levels the counter allows, and more
 *                     than 1
 * base                rejected with the base message (no mixing at all)
 * upstream-fixed      rejected with the fixed 6.12's message (784 bytes on
 *                     arm64: make check-arm64 runs this tool there too)
 * pristine, upstream-pristine
 *                     loads (check 1), then runs: the guest is expected to
 *                     die at the stack guard page before check 2 prints
 *                     (scripts/report.py asserts the console line); if
 *                     the run returns, check 2 fails
 * Prints KTAP (tests/tool.h).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "tool.h"

#define FRAMES		7
#define FRAME_STACK	32

/* the fixed 6.12 charges each caller its JIT frame: 64 bytes on x86-64, 80
 * on arm64
 */
#ifdef __aarch64__
#define UPSTREAM_FIXED_BYTES "784"
#else
#define UPSTREAM_FIXED_BYTES "672"
#endif
#define UPSTREAM_FIXED_MSG \
	"tail_calls are not allowed when call stack of previous frames, with their JIT frames, is " \
	UPSTREAM_FIXED_BYTES " bytes (7 frames). Too large"

/* series: the chain loads and its run ends with 1 < levels < 34. */
static void bounded_run(int fd, int map_fd)
{
	__u32 ret = 0;
	bool ran;

	tool_expect_loaded("overflow-7x32-loads", fd < 0,
			   "7 caller frames of 32 bytes, r6-r9 in each");
	ran = fd >= 0 && !tool_set_slot(map_fd, 0, fd) && !tool_run_once(fd, &ret);
	tool_check(ran && ret > 1 && ret < TOOL_MAX_TAIL_CALLS + 1, "overflow-7x32-bounded",
		   "%u levels of the %d the counter allows: the tail calls past 3/8 of the stack failed",
		   ret, TOOL_MAX_TAIL_CALLS + 1);
}

int main(int argc, char **argv)
{
	static const int stacks[FRAMES] = {
		FRAME_STACK, FRAME_STACK, FRAME_STACK, FRAME_STACK,
		FRAME_STACK, FRAME_STACK, FRAME_STACK,
	};
	enum tool_kernel kernel;
	struct tool_prog p;
	int map_fd, fd = -1;

	kernel = tool_start(argc, argv, TOOL_ANY_KERNEL | TOOL_UPSTREAM_PRISTINE |
			    TOOL_UPSTREAM_FIXED);
	tool_plan(kernel & (TOOL_PRISTINE | TOOL_UPSTREAM_PRISTINE | TOOL_SERIES) ? 2 : 1);
	map_fd = tool_new_prog_array();
	if (map_fd >= 0 && !tool_build_chain(&p, stacks, FRAMES, map_fd, TOOL_RET_INT))
		fd = tool_load_chain("overflow", &p, false);

	if (kernel == TOOL_SERIES)
		bounded_run(fd, map_fd);
	else
		tool_reproduce("overflow-7x32", fd, map_fd,
			       kernel == TOOL_BASE ? TOOL_BASE_MSG :
			       kernel == TOOL_UPSTREAM_FIXED ? UPSTREAM_FIXED_MSG : NULL,
			       "7 caller frames of 32 bytes, r6-r9 in each",
			       "the stack guard page");
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
	return tool_exit();
}
