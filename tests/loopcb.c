// SPDX-License-Identifier: GPL-2.0
/* loopcb KERNEL: a tail call in a bpf_loop() callback that the verifier
 * cannot inline (its flags come from skb->mark: 0 at run time, not a known
 * constant), so that the helper calls the callback as a C function. Since
 * upstream's hierarchy fix (6.12) a tail call loads the counter through a
 * pointer in rax, which such a callback never got.
 *
 * series, dev, debug  rejected with the series' message
 * base                rejected with the base message
 * upstream-fixed      rejected: "cannot tail call within callback"
 * upstream-pristine   loads (check 1), then runs: the guest is expected to
 *                     die at a page fault before check 2 prints
 *                     (scripts/report.py asserts the console line); on
 *                     arm64 (make check-arm64) the run returns 0 (check 2)
 * Prints KTAP (tests/tool.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/filter.h>
#include "tool.h"

#define SERIES_MSG	"subprog#1 has a tail call and is reachable from a callback"
#define FIXED_MSG	"cannot tail call within callback"

/* main: bpf_loop(1, cb, &ctx, skb->mark); cb: tail call map[0] */
static int build(struct tool_prog *p, int map_fd)
{
	memset(p, 0, sizeof(*p));
	tool_begin_func(p, TOOL_RET_INT);
	EMIT(p, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
	EMIT(p, BPF_LDX_MEM(BPF_W, BPF_REG_4, BPF_REG_1, offsetof(struct __sk_buff, mark)));
	EMIT(p, BPF_MOV64_IMM(BPF_REG_1, 1));
	EMIT(p, BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, 1));
	EMIT(p, BPF_MOV64_REG(BPF_REG_3, BPF_REG_10));
	EMIT(p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_3, -8));
	EMIT(p, BPF_EMIT_CALL(BPF_FUNC_loop));
	EMIT(p, BPF_MOV64_IMM(BPF_REG_0, 0));
	EMIT(p, BPF_EXIT_INSN());
	/* the callback: its second argument points at the saved ctx */
	tool_begin_func(p, TOOL_RET_INT);
	EMIT(p, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_2, 0));
	EMIT(p, BPF_LD_MAP_FD(BPF_REG_2, map_fd));
	EMIT(p, BPF_MOV64_IMM(BPF_REG_3, 0));
	EMIT(p, BPF_EMIT_CALL(BPF_FUNC_tail_call));
	EMIT(p, BPF_MOV64_IMM(BPF_REG_0, 0));
	EMIT(p, BPF_EXIT_INSN());
	return tool_finish(p);
}

int main(int argc, char **argv)
{
	enum tool_kernel kernel;
	struct tool_prog p;
	int map_fd, fd = -1;

	kernel = tool_start(argc, argv, TOOL_SERIES | TOOL_BASE | TOOL_UPSTREAM_PRISTINE |
			    TOOL_UPSTREAM_FIXED);
	tool_plan(kernel == TOOL_UPSTREAM_PRISTINE ? 2 : 1);
	map_fd = tool_new_prog_array();
	if (map_fd >= 0 && !build(&p, map_fd))
		fd = tool_load_chain("loopcb", &p, false);

#ifdef __aarch64__
	if (kernel == TOOL_UPSTREAM_PRISTINE) {
		__u32 ret = 1;

		/* arm64 passes the counter's pointer in x26, which the
		 * helper, a C function, preserves: the callback's tail calls
		 * count against its caller's counter, and the run returns.
		 */
		tool_expect_loaded("loopcb-loads", fd < 0, "tail call in a bpf_loop() callback");
		tool_check(fd >= 0 && !tool_set_slot(map_fd, 0, fd) && !tool_run_once(fd, &ret) &&
			   ret == 0, "loopcb-returns", "returned %u (0 expected)", ret);
		goto out;
	}
#endif
	tool_reproduce("loopcb", fd, map_fd,
		       kernel == TOOL_SERIES ? SERIES_MSG :
		       kernel == TOOL_BASE ? TOOL_BASE_MSG :
		       kernel == TOOL_UPSTREAM_FIXED ? FIXED_MSG : NULL,
		       "tail call in a bpf_loop() callback", "a page fault");
#ifdef __aarch64__
out:
#endif
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
	return tool_exit();
}
