/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the workspace's tests: for the BPF objects a one-slot program
 * array; for the guest tools (hostile, races, random, bench, jitdump) the
 * helpers of tests/tool.c, which scripts/build-tools.sh links into each of them:
 * KTAP output, parameters, the clock, objects and verifier logs, test
 * runs, and raw programs with hand-made BTF.
 */
#ifndef __TOOL_H
#define __TOOL_H

/* MAX_TAIL_CALL_CNT of include/linux/bpf.h: the tail call budget of a run */
#define TOOL_MAX_TAIL_CALLS	33

#ifdef __bpf__
#define PROG_ARRAY_1(name)					\
	struct {						\
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);		\
		__uint(max_entries, 1);				\
		__uint(key_size, sizeof(__u32));		\
		__uint(value_size, sizeof(__u32));		\
	} name SEC(".maps")
#else
#include <stdbool.h>
#include <stddef.h>
#include <linux/filter.h>	/* tools/include: the kernel's BPF_* insn macros */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

/* The base tree's verifier message for any mix of calls and tail calls */
#define TOOL_BASE_MSG	"tail_calls are not allowed in programs with bpf-to-bpf calls"

/* ---- KTAP output --------------------------------------------------------
 * "TAP version 13", the plan "1..N" (first if the tool knows N, else
 * last), one line per check: "ok N NAME", "ok N NAME # DETAIL",
 * "not ok N NAME # DETAIL", "ok N NAME # SKIP DETAIL"; diagnostics
 * start with "# "; last "# Totals: pass:P fail:F xfail:0 xpass:0 skip:S
 * error:0". scripts/report.py reads it.
 */

/* The header, and the plan if 'checks' >= 0 (else tool_exit() prints it). */
void tool_plan(int checks);

/* One check; returns 1 if it failed. */
int tool_check(bool ok, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A check that does not apply: "ok N NAME # SKIP DETAIL". */
void tool_skip(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Free text, each line as a diagnostic "# ...". */
void tool_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The late plan and the totals; the exit code: 0 iff no check failed. */
int tool_exit(void);

/* ---- parameters ------------------------------------------------------- */

/* The kernel a tool runs on, its only argument: series, debug and dev run
 * the series (debug: KASAN, twice the stack), base and pristine are what
 * they say.
 */
enum tool_kernel {
	TOOL_SERIES	= 1,
	TOOL_BASE	= 2,
	TOOL_PRISTINE	= 4,
	/* Debian's 6.12 (upstream/pin): untouched, and with upstream/series */
	TOOL_UPSTREAM_PRISTINE	= 8,
	TOOL_UPSTREAM_FIXED	= 16,
};
#define TOOL_ANY_KERNEL	(TOOL_SERIES | TOOL_BASE | TOOL_PRISTINE)

extern const char *tool_kernel_name;	/* argv[1] */
extern bool tool_debug_kernel;

/* THREAD_SIZE of the kernel under test (x86-64): 16 KiB, doubled by KASAN
 * on the debug kernel.
 */
long tool_thread_size(void);

/* Parse argv (KERNEL, one of 'accepted'), note where the binary is, quiet
 * libbpf and make stdout line-buffered; usage and exit 2 if argv is wrong.
 */
enum tool_kernel tool_start(int argc, char **argv, unsigned int accepted);

/* Environment variable 'name' as a number in [min, max] (C syntax: 0x...
 * too), 'def' if unset or empty; a message and exit 2 if it is not.
 */
unsigned long long tool_env(const char *name, unsigned long long def,
			    unsigned long long min, unsigned long long max);
const char *tool_env_str(const char *name, const char *def);

/* The number in /proc/sys file 'path', -1 if there is none. */
long tool_sysctl(const char *path);

/* ---- clock ------------------------------------------------------------ */

/* CLOCK_MONOTONIC in ns */
__u64 tool_now_ns(void);

static inline double tool_secs(__u64 ns)
{
	return ns / 1e9;
}

/* ---- objects and verifier logs ---------------------------------------- */

#define TOOL_LOG_SIZE	(8 << 20)

/* the verifier log of the last load made through these helpers */
extern char tool_log[TOOL_LOG_SIZE];

/* Empty tool_log and the libbpf warnings kept since the last load. */
void tool_log_reset(void);

/* The last 'lines' lines of tool_log and of libbpf's warnings, as
 * diagnostics, for a load that failed.
 */
void tool_log_tail(int lines);

/* Is 'msg' a whole line of tool_log? */
bool tool_log_has_line(const char *msg);

/* The verifier's error: the last line of tool_log that is not one of its
 * statistics lines ("processed ...", "verification time ...", "stack
 * depth ..."), in 'line'.
 */
const char *tool_log_error(char *line, size_t size);

/* Open 'file' (a name: next to the binary; else a path) with only the
 * programs in 'progs' (NULL-terminated; NULL: all) to be loaded, each
 * logging into tool_log, which is reset. NULL (and a diagnostic) if it cannot be opened.
 */
struct bpf_object *tool_open(const char *file, const char *const *progs);

/* Open 'file' and load its program 'name' alone: its fd, or -1 with *objp
 * NULL and the log saying why.
 */
int tool_load_one(const char *file, const char *name, struct bpf_object **objp);

int tool_prog_fd(struct bpf_object *obj, const char *name);
int tool_map_fd(struct bpf_object *obj, const char *name);

/* The object's .bss map (libbpf names it "<object>.bss") */
struct bpf_map *tool_bss(struct bpf_object *obj);

/* prog_array[slot] = prog_fd */
int tool_set_slot(int map_fd, __u32 slot, int prog_fd);

/* ---- test runs -------------------------------------------------------- */

struct tool_run {
	__u32 repeat;		/* in: runs (0: 1) */
	const __u32 *cb;	/* in: skb->cb[0..4], or NULL */
	__u32 mark;		/* in: skb->mark (no ctx_in if 0 and no cb) */
	__u32 retval;		/* out: the program's return value */
	__u32 duration;		/* out: ns per run */
};

/* BPF_PROG_TEST_RUN of a tc program on a zeroed 64-byte packet: 0, or
 * -1 with errno.
 */
int tool_test_run(int fd, struct tool_run *run);

/* An empty fentry or fexit program ('type') attached to the function with
 * BTF id 'btf_id' of the loaded program 'prog_fd': the link's fd, or -1
 * (errno; the verifier log in tool_log).
 */
int tool_attach_tracing(int prog_fd, __u32 btf_id, enum bpf_attach_type type);

/* Attach the tc program 'fd' to the egress (or 'ingress') of 'ifindex' (a
 * clsact qdisc of its own), or with fd < 0 remove that qdisc and its
 * programs: 0, or a negative error.
 */
int tool_tc_attach(int ifindex, int fd, bool ingress);

/* The retval of one run, without cb: 0, or -1 with errno. */
int tool_run_once(int fd, __u32 *retval);

/* ---- loaded programs -------------------------------------------------- */

/* What bpf_prog_info tells about a loaded program, arrays included */
struct tool_prog_info {
	struct bpf_prog_info info;
	__u32 *func_lens;		/* jited_func_lens */
	unsigned char *image;		/* the JITed image */
	struct bpf_insn *xlated;	/* the translated instructions */
	struct bpf_func_info *func_info;
};

/* Fill 'pi' for program 'fd': 0, or -errno; free with tool_prog_info_free() */
int tool_prog_info(int fd, struct tool_prog_info *pi);
void tool_prog_info_free(struct tool_prog_info *pi);

/* ---- raw programs ------------------------------------------------------
 * Built with the kernel's instruction macros (tools/include/linux/filter.h)
 * through EMIT(), one function after the other. A bpf-to-bpf call is
 * BPF_CALL_REL(f), a function's address BPF_LD_IMM64_RAW(reg,
 * BPF_PSEUDO_FUNC, f), with f the index of the function: tool_finish()
 * turns indexes into offsets. Each function gets a static BTF FUNC
 * 'RET fI(void *ctx)'.
 */
#define TOOL_MAX_INSNS	2048
#define TOOL_MAX_FUNCS	9

enum tool_ret { TOOL_RET_INT, TOOL_RET_VOID, TOOL_RET_PTR };

struct tool_prog {
	int len;			/* instructions so far */
	bool overflow;			/* more than TOOL_MAX_INSNS/FUNCS */
	int nfunc;
	int start[TOOL_MAX_FUNCS];	/* first instruction of each function */
	enum tool_ret ret[TOOL_MAX_FUNCS];	/* its return type in the BTF */
	__u32 btf_id[TOOL_MAX_FUNCS];	/* its BTF FUNC (tool_btf()) */
	struct bpf_insn insn[TOOL_MAX_INSNS];
};

void tool_emit(struct tool_prog *p, const struct bpf_insn *insn, int n);

/* EMIT(p, BPF_MOV64_IMM(...)), EMIT(p, BPF_LD_MAP_FD(...)) (two insns) */
#define EMIT(p, ...)							\
	tool_emit(p, (const struct bpf_insn[]){ __VA_ARGS__ },		\
		  sizeof((const struct bpf_insn[]){ __VA_ARGS__ }) /	\
		  sizeof(struct bpf_insn))

/* Start function p->nfunc, returning 'ret'. */
void tool_begin_func(struct tool_prog *p, enum tool_ret ret);

/* Resolve the function indexes; -1 if the program overflowed. */
int tool_finish(struct tool_prog *p);

/* Load BTF with one static FUNC per function of 'p' into the kernel, its
 * ids into p->btf_id: the BTF's fd, or -1 with errno.
 */
int tool_btf(struct tool_prog *p);

enum tool_log_mode {
	TOOL_LOG_NONE,		/* no log */
	TOOL_LOG_ON_ERROR,	/* tool_log, filled if the load fails */
	TOOL_LOG_ALWAYS,	/* tool_log at log level 1 */
};

/* Load 'p' as a tc program named 'name' ('-' becomes '_'), with the BTF
 * 'btf_fd' and p->btf_id unless btf_fd < 0: its fd, or -1 with errno.
 */
int tool_load_raw(const struct tool_prog *p, const char *name, int btf_fd,
		  enum tool_log_mode log);

/* ---- chains of caller frames ending in a tail call ---- */

#define TOOL_BPF_STACK	512	/* MAX_BPF_STACK */

/* main -> caller 1 -> ... -> a subprogram that tail-calls map[skb->mark]:
 * 'frames' callers, caller i with 'stacks[i]' bytes of BPF stack, each
 * using r6-r9 (so that the x86-64 JIT saves all four callee-saved
 * registers); the tail-calling subprogram gets the rest of the 512 bytes
 * the chain may use and, if the tail call fails, calls bpf_ktime_get_ns()
 * and returns 0; the main function returns what it gets plus 1. 0, or -1
 * if the program does not fit.
 */
int tool_build_chain(struct tool_prog *p, const int *stacks, int frames,
		     int map_fd, enum tool_ret ret);

/* The same chain (returning int) with a bpf_loop(1, cb, NULL, 0) in every
 * caller before its call, cb being one more function that returns 0: the
 * verifier inlines these loops after its stack checks, each in 24 more
 * bytes of its caller's frame.
 */
int tool_build_loop_chain(struct tool_prog *p, const int *stacks, int frames,
			  int map_fd);

/* Load 'p' as a tc program with hand-made BTF (none if 'no_btf'): the fd,
 * or -1 with the verifier log in tool_log.
 */
int tool_load_chain(const char *name, struct tool_prog *p, bool no_btf);

/* A prog array of one slot, or -1. */
int tool_new_prog_array(void);

/* Checks of a load: rejected with 'msg' as a whole line of the verifier
 * log, or loaded ('what' says what); the log's tail if not.
 */
void tool_expect_rejected(const char *check, int err, const char *msg);
void tool_expect_loaded(const char *check, int err, const char *what);

/* A reproducer of a crash: with 'reject' (the kernel has the fix), the load
 * of 'fd' must have failed with that message; without, the program must
 * have loaded ('what' says what it is), goes into slot 0 of 'map_fd' and
 * runs once, and the guest should die of 'crash' on the way: a run that
 * returns fails. Checks NAME or NAME-loads and NAME-crashes.
 */
void tool_reproduce(const char *name, int fd, int map_fd, const char *reject,
		    const char *what, const char *crash);
#endif /* __bpf__ */

#endif /* __TOOL_H */
