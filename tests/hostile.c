// SPDX-License-Identifier: GPL-2.0
/* hostile KERNEL: programs that try to get around the limits of tail calls
 * in subprograms, on KERNEL = series|debug|dev (the series), base (no mixing
 * of bpf-to-bpf calls and tail calls) or pristine (Debian's 6.1: upstream's
 * design, one tail call counter per frame). Prints KTAP (tests/tool.h),
 * one "ok/not ok N CHECK" line per check; exits 0 iff all are ok.
 * Objects: hostile.bpf.o and
 * hostile_attach.bpf.o next to this binary; the stack and rejection checks
 * use raw instructions with hand-made BTF, for exact stack sizes. What the
 * verifier refuses, with its messages, is tested by the series' selftests
 * (tailcall_bpf2bpf_rules.c, RUN_TESTS); this tool keeps what selftests
 * cannot do: run counts against a model, stack high-water marks, programs
 * without BTF, the base and pristine kernels.
 *
 * bomb-N2, -N3, -N8      An entry program calls bomb_sub() N times and
 *                        bomb_sub() tail-calls the entry program again.
 *                        series: 33 tail calls per run in total, 34 entries,
 *                        and the counters and return value of a model of
 *                        one shared counter. base: rejected with the base
 *                        message. Not run on pristine (N + ... + N^33 tail
 *                        calls).
 * bomb-capped-N*         The same, bomb_sub() stops trying after 10000
 *                        entries. series: still 33. pristine: 9999 tail
 *                        calls, and the counters and return value of a
 *                        model of a counter per frame.
 * traced-fentry, -fexit, -both
 *                        series: bomb-N3 with fentry/fexit programs on
 *                        bomb_sub(): still 33 tail calls; both programs run
 *                        once per call of bomb_sub() (102); fexit sees the
 *                        sum of the values bomb_sub() returns.
 * freplace-target        series: fr_entry reaches 33 tail calls through the
 *                        global function hop() (into loop(), which tail-
 *                        calls itself); base: rejected.
 * freplace-ext           series: an extension without tail calls replaces
 *                        hop(): it runs once, hop() never, and the run
 *                        still makes exactly 33 tail calls.
 * freplace-tail-reachable, freplace-tail-plain
 *                        series: an extension with a tail call loads in
 *                        place of hop(), and of a global function of a
 *                        program without tail calls (base: the second one
 *                        loads too); it starts a count of its own, and
 *                        neither it nor the program it extends may join a
 *                        prog array while attached (selftests).
 * freplace-tail-main     series, base: such an extension may replace a main
 *                        function: it loads.
 * stack-limit-*         series: the verifier's rule at its boundary: callers
 *                        with 256 bytes of BPF stack load, with 288 they are
 *                        rejected; seven frames without stack load (charged
 *                        7 * 32, as upstream charges them).
 * stack-depth-*          series: chains of 1, 2 and 7 callers (every caller
 *                        uses r6-r9) run as deep as they may and call
 *                        bpf_ktime_get_ns() at the bottom, without and with
 *                        fexit (and fentry) programs on 1, 2 and all of the
 *                        subprograms whose frames each level keeps. The
 *                        ftrace stack tracer's maximum must be within the
 *                        documented bound: 3/8 of THREAD_SIZE, plus one
 *                        level; the small chain makes all 33 tail calls, the
 *                        others fewer. The -loop chains run a bpf_loop()
 *                        in every caller, which the verifier inlines after
 *                        its stack checks (24 more bytes per frame): the
 *                        bound holds all the same.
 * nest-clone, nest-fentry, nest-clone-fentry
 *                        series: upstream's overflow shape (hostile_nest.bpf.c)
 *                        as a tc program on lo's egress whose last level
 *                        clones the packet to lo's egress again, 8 runs
 *                        nested in bpf_clone_redirect(); and/or with an
 *                        fentry program with the same chain on the helper
 *                        that each last level calls. The outer chain stops
 *                        at 3/8 of the stack; the runs nested below it make
 *                        no tail call; the stack tracer's maximum stays below
 *                        THREAD_SIZE.
 * nest-softirq           series: the same chain, on lo's ingress, clones
 *                        once to lo's egress: the clone's run is in the
 *                        softirq that runs before the helper returns, in
 *                        the same task, on the interrupt stack, where the
 *                        check calls out; it makes tail calls and stops at
 *                        the bound there (more than 1, fewer than 34
 *                        levels), one last level per run.
 * reject-nobtf           series: the stack-limit-F1 chain without BTF is
 *                        rejected with the series' message; base: the base
 *                        message.
 * On base all stack-* and reject-* programs are rejected with the base
 * message. On pristine only the bomb-capped checks run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include "hostile.h"
#include "tool.h"

static enum tool_kernel kernel;

/* lines of the verifier log (and of libbpf's warnings) a failure shows */
#define LOG_LINES	6

/* A load that must fail with 'msg' in the verifier log. */
/* The object's .bss: one struct of hostile.h. */
static int bss_set(struct bpf_object *obj, const void *val)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bpf_map__fd(tool_bss(obj)), &zero, val, BPF_ANY);
}

static int bss_get(struct bpf_object *obj, void *val)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(tool_bss(obj)), &zero, val);
}

/* Slot 0 of the object's prog array 'jmp_table' = 'fd' */
static int set_jmp_table(struct bpf_object *obj, int fd)
{
	return tool_set_slot(tool_map_fd(obj, "jmp_table"), 0, fd);
}

/* ---- the bomb ---------------------------------------------------------- */

/* What the bomb programs do, run in user space, with one tail call counter
 * for the run (series) or a copy per frame (pristine: the entry program
 * hands its own count to every bomb_sub() call, a tail call passes its
 * frame's count plus one to the entry program it enters).
 */
struct model {
	__u32 n;		/* calls of bomb_sub() per entry */
	bool shared;		/* one counter per run */
	__u32 count;		/* that counter */
	__u32 ret_sum;		/* sum of what bomb_sub() returned */
	struct hostile_state st;
};

static __u32 model_entry(struct model *m, __u32 count);

static __u32 model_sub(struct model *m, __u32 count)
{
	__u32 *cnt = m->shared ? &m->count : &count;
	__u32 ret = 1;

	m->st.calls++;
	if (m->st.entries >= m->st.cap)
		m->st.skips++;
	else if (*cnt < TOOL_MAX_TAIL_CALLS)
		ret = model_entry(m, ++*cnt);
	else
		m->st.fails++;
	m->ret_sum += ret;
	return ret;
}

static __u32 model_entry(struct model *m, __u32 count)
{
	__u32 i, ret = 0;

	m->st.entries++;
	for (i = 0; i < m->n; i++)
		ret += model_sub(m, count);
	return ret;
}

/* The model's run of bombN with 'cap'; returns the entry's return value. */
static __u32 model_run(struct model *m, __u32 n, __u32 cap, bool shared)
{
	memset(m, 0, sizeof(*m));
	m->n = n;
	m->shared = shared;
	m->st.cap = cap;
	return model_entry(m, 0);
}

static bool same_state(const struct hostile_state *a, const struct hostile_state *b)
{
	return a->entries == b->entries && a->calls == b->calls &&
	       a->fails == b->fails && a->skips == b->skips && a->hops == b->hops;
}

static void print_state(char *buf, size_t len, const struct hostile_state *s,
			__u32 ret)
{
	/* every entry but the first is a successful tail call */
	snprintf(buf, len, "tail calls=%u entries=%u calls=%u fails=%u skips=%u ret=%u",
		 s->entries - 1, s->entries, s->calls, s->fails, s->skips, ret);
}

/* Reset the counters with 'cap', run 'fd' once, read the counters. */
static int run_counted(struct bpf_object *obj, int fd, __u32 cap,
		       struct hostile_state *st, __u32 *ret)
{
	struct hostile_state init = { .cap = cap };

	if (bss_set(obj, &init) || tool_run_once(fd, ret) || bss_get(obj, st))
		return -1;
	return 0;
}

/* series and pristine: run bombN with 'cap' and compare with the model */
static void bomb_run(const char *check, struct bpf_object *obj, int fd,
		     __u32 n, __u32 cap)
{
	bool shared = kernel == TOOL_SERIES, ok;
	struct hostile_state st;
	char got[160], want[160];
	struct model m;
	__u32 ret, mret;

	mret = model_run(&m, n, cap, shared);
	print_state(want, sizeof(want), &m.st, mret);
	if (run_counted(obj, fd, cap, &st, &ret)) {
		tool_check(false, check, "test run failed: %s", strerror(errno));
		return;
	}
	print_state(got, sizeof(got), &st, ret);
	ok = same_state(&st, &m.st) && ret == mret;
	/* the limit itself, spelled out: 33 tail calls on the series */
	if (shared)
		ok = ok && st.entries - 1 == TOOL_MAX_TAIL_CALLS &&
		     st.calls - st.fails - st.skips == TOOL_MAX_TAIL_CALLS;
	else
		ok = ok && st.entries - 1 > TOOL_MAX_TAIL_CALLS;
	if (ok)
		tool_check(true, check, "%s", got);
	else
		tool_check(false, check, "%s, expected %s", got, want);
}

static void bomb_checks(void)
{
	static const __u32 ns[] = { 2, 3, 8 };
	char check[32], capped[32], prog[16];
	struct bpf_object *obj;
	long double total;
	unsigned int i, k;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		snprintf(prog, sizeof(prog), "bomb%u", ns[i]);
		fd = tool_load_one("hostile.bpf.o", prog, &obj);
		snprintf(check, sizeof(check), "bomb-N%u", ns[i]);
		snprintf(capped, sizeof(capped), "bomb-capped-N%u", ns[i]);
		if (kernel == TOOL_BASE) {
			tool_expect_rejected(check, fd < 0, TOOL_BASE_MSG);
			bpf_object__close(obj);
			continue;
		}
		if (fd < 0 || set_jmp_table(obj, fd)) {
			if (kernel == TOOL_SERIES)
				tool_check(false, check, "load or slot 0 update failed");
			tool_check(false, capped, "load or slot 0 update failed");
			tool_log_tail(LOG_LINES);
			bpf_object__close(obj);
			continue;
		}
		if (kernel == TOOL_SERIES)
			bomb_run(check, obj, fd, ns[i], ~0U);
		/* pristine: what the uncapped bomb would do */
		for (total = 0, k = 1; k <= TOOL_MAX_TAIL_CALLS; k++)
			total = total * ns[i] + ns[i];
		tool_diag("N=%u: a counter per frame would allow %.4Lg tail calls per run",
			  ns[i], total);
		bomb_run(capped, obj, fd, ns[i], 10000);
		bpf_object__close(obj);
	}
	if (kernel == TOOL_BASE)
		tool_diag("base: bomb-capped-N* are the same programs, not printed");
	if (kernel == TOOL_PRISTINE)
		tool_diag("pristine: bomb-N* (no cap) not run: N + ... + N^33 tail calls");
}

/* ---- fentry/fexit ------------------------------------------------------ */

enum { TRACE_FENTRY = 1, TRACE_FEXIT = 2 };

/* Attach the programs of 'mask' to bomb_sub() of bomb3 ('tgt'), run bomb3
 * twice and check the counts of both runs.
 */
static void traced_run(const char *check, struct bpf_object *tgt, int tgt_fd,
		       unsigned int mask)
{
	const char *names[3] = {}, *all[] = { "fentry_sub", "fexit_sub" };
	struct bpf_link *links[2] = {};
	struct hostile_hits hits = {}, zero = {};
	struct hostile_state st = {};
	struct bpf_object *obj;
	struct model m;
	__u32 ret = 0, mret;
	int i, n = 0, run;
	bool ok = true;

	for (i = 0; i < 2; i++)
		if (mask & (1 << i))
			names[n++] = all[i];
	obj = tool_open("hostile_attach.bpf.o", names);
	for (i = 0; obj && i < n; i++)
		bpf_program__set_attach_target(bpf_object__find_program_by_name(obj, names[i]),
					       tgt_fd, "bomb_sub");
	if (!obj || bpf_object__load(obj)) {
		tool_check(false, check, "tracing programs did not load");
		tool_log_tail(LOG_LINES);
		goto out;
	}
	for (i = 0; i < n; i++) {
		links[i] = bpf_program__attach_trace(bpf_object__find_program_by_name(obj, names[i]));
		if (!links[i]) {
			tool_check(false, check, "attach %s: %s", names[i], strerror(errno));
			goto out;
		}
	}
	mret = model_run(&m, 3, ~0U, true);
	/* Two runs: the counters are reset in between, the runs must agree. */
	for (run = 0; run < 2 && ok; run++) {
		ok = !bss_set(obj, &zero) &&
		     !run_counted(tgt, tgt_fd, ~0U, &st, &ret) &&
		     !bss_get(obj, &hits);
		ok = ok && same_state(&st, &m.st) && ret == mret &&
		     st.entries - 1 == TOOL_MAX_TAIL_CALLS &&
		     hits.fentry == (mask & TRACE_FENTRY ? m.st.calls : 0) &&
		     hits.fexit == (mask & TRACE_FEXIT ? m.st.calls : 0) &&
		     hits.fexit_ret == (mask & TRACE_FEXIT ? m.ret_sum : 0);
	}
	tool_check(ok, check,
		   "runs=%d tail calls=%u entries=%u calls=%u ret=%u fentry=%u fexit=%u fexit_ret_sum=%u%s",
		   run, st.entries - 1, st.entries, st.calls, ret, hits.fentry,
		   hits.fexit, hits.fexit_ret, ok ? "" : " (see the model)");
	if (!ok)
		tool_diag("expected per run: %u entries, %u calls, ret %u, %u hits per attached program, fexit sum %u",
			  m.st.entries, m.st.calls, mret, m.st.calls, m.ret_sum);
out:
	for (i = 0; i < 2; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
}

/* How fexit sees a subprogram that tail-calls (x86-64 JIT,
 * arch_prepare_bpf_trampoline() with BPF_TRAMP_F_CALL_ORIG): the
 * trampoline calls the body of bomb_sub() (past its patched nop5), so the
 * return address of bomb_sub()'s frame points into the trampoline. A tail
 * call leaves that return address and the saved rbp in place and enters
 * the target after its "push rbp; mov rbp, rsp" (X86_TAIL_CALL_OFFSET):
 * the target's ret lands in the trampoline, which runs the fexit program
 * with the target's return value. So every call of bomb_sub(), tail
 * calling or not, is seen once by fentry and once by fexit, and fexit sees
 * what the call returned to its caller (the model's ret_sum).
 */
static void traced_checks(void)
{
	static const struct {
		const char *check;
		unsigned int mask;
	} tests[] = {
		{ "traced-fentry", TRACE_FENTRY },
		{ "traced-fexit", TRACE_FEXIT },
		{ "traced-both", TRACE_FENTRY | TRACE_FEXIT },
	};
	struct bpf_object *tgt;
	unsigned int i;
	int fd;

	fd = tool_load_one("hostile.bpf.o", "bomb3", &tgt);
	if (fd < 0 || set_jmp_table(tgt, fd)) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			tool_check(false, tests[i].check, "bomb3 did not load");
		tool_log_tail(LOG_LINES);
		bpf_object__close(tgt);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		traced_run(tests[i].check, tgt, fd, tests[i].mask);
	bpf_object__close(tgt);
}

/* ---- freplace ---------------------------------------------------------- */

/* Load extension 'ext' of hostile_attach.bpf.o for 'func' of program
 * 'tgt_fd': the object, or NULL with tool_log saying why.
 */
static struct bpf_object *load_ext(const char *ext, int tgt_fd, const char *func)
{
	const char *names[] = { ext, NULL };
	struct bpf_object *obj = tool_open("hostile_attach.bpf.o", names);

	if (!obj)
		return NULL;
	bpf_program__set_attach_target(bpf_object__find_program_by_name(obj, ext),
				       tgt_fd, func);
	if (bpf_object__load(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Run fr_entry and compare its counters with 'want' and 'want_ret', and
 * the runs of the extension in 'ext' (if any) with 1.
 */
static void fr_run(const char *check, struct bpf_object *tgt, int fd,
		   struct bpf_object *ext, const struct hostile_state *want,
		   __u32 want_ret)
{
	struct hostile_hits hits = {};
	struct hostile_state st = {};
	char got[160], exp[160];
	__u32 ret = 0;
	bool ok;

	ok = !run_counted(tgt, fd, 0, &st, &ret) && same_state(&st, want) &&
	     ret == want_ret;
	if (ext)
		ok = !bss_get(ext, &hits) && hits.ext == 1 && ok;
	print_state(got, sizeof(got), &st, ret);
	tool_check(ok, check, "%s hops=%u ext=%u", got, st.hops, hits.ext);
	if (!ok) {
		print_state(exp, sizeof(exp), want, want_ret);
		tool_diag("expected %s hops=%u ext=%u", exp, want->hops, ext ? 1 : 0);
	}
}

/* fr_entry calls hop() -> fr_sub(), which tail-calls loop(), which tail-
 * calls itself until the budget is gone: loop() runs 33 times, the last
 * tail call fails (fails=1) and loop() returns 1 to hop(); fr_entry then
 * calls fr_sub() directly, whose tail call fails (fails=2): 1 + 1 = 2.
 * With ext_hop() in place of hop(), fr_entry gets 5 from it and the first
 * fr_sub() call is the one that tail-calls: 5 + 1 = 6, calls=1, fails=1.
 */
/* series: the checks that need fr_entry, which did not get that far */
static void fr_not_run(const char *why)
{
	if (kernel != TOOL_SERIES)
		return;
	tool_check(false, "freplace-tail-reachable", "not run: %s", why);
	tool_check(false, "freplace-ext", "not run: %s", why);
}

static void freplace_reachable(void)
{
	static const struct hostile_state plain = {
		.entries = 34, .calls = 2, .fails = 2, .hops = 1,
	}, extended = {
		.entries = 34, .calls = 1, .fails = 1,
	};
	struct bpf_object *tgt, *ext = NULL;
	const char *names[] = { "fr_entry", "loop", NULL };
	struct bpf_link *link = NULL;
	int fd;

	tgt = tool_open("hostile.bpf.o", names);
	if (!tgt || bpf_object__load(tgt)) {
		if (kernel == TOOL_BASE)
			tool_expect_rejected("freplace-target", 1, TOOL_BASE_MSG);
		else
			tool_expect_loaded("freplace-target", 1, "fr_entry");
		fr_not_run("fr_entry did not load");
		goto out;
	}
	if (kernel == TOOL_BASE) {
		tool_check(false, "freplace-target", "fr_entry loaded on base");
		goto out;
	}
	fd = tool_prog_fd(tgt, "fr_entry");
	if (set_jmp_table(tgt, tool_prog_fd(tgt, "loop"))) {
		tool_check(false, "freplace-target", "slot 0 update: %s", strerror(errno));
		fr_not_run("slot 0 update failed");
		goto out;
	}
	fr_run("freplace-target", tgt, fd, NULL, &plain, 2);

	ext = load_ext("ext_tail", fd, "hop");
	tool_expect_loaded("freplace-tail-reachable", !ext, "ext_tail for hop()");
	bpf_object__close(ext);

	ext = load_ext("ext_hop", fd, "hop");
	if (ext)
		link = bpf_program__attach_freplace(bpf_object__find_program_by_name(ext, "ext_hop"),
						    fd, "hop");
	if (!link) {
		tool_check(false, "freplace-ext", "ext_hop: %s", ext ? strerror(errno) : "load failed");
		goto out;
	}
	fr_run("freplace-ext", tgt, fd, ext, &extended, 6);
out:
	bpf_link__destroy(link);
	bpf_object__close(ext);
	bpf_object__close(tgt);
}

/* An extension is entered by a jump and its prologue starts a tail call
 * count of its own. Like upstream, the series lets an extension with a tail
 * call replace any function: a program it extends cannot be tail-called
 * while it is attached, so its count cannot start again within one chain.
 */
static void freplace_plain(void)
{
	struct bpf_object *tgt, *ext;
	int fd;

	fd = tool_load_one("hostile.bpf.o", "plain_entry", &tgt);
	if (fd < 0) {
		tool_check(false, "freplace-tail-plain", "plain_entry did not load");
		tool_check(false, "freplace-tail-main", "plain_entry did not load");
		tool_log_tail(LOG_LINES);
		return;
	}
	ext = load_ext("ext_tail", fd, "plain_hop");
	tool_expect_loaded("freplace-tail-plain", !ext, "ext_tail for plain_hop()");
	bpf_object__close(ext);
	ext = load_ext("ext_tail", fd, "plain_entry");
	tool_expect_loaded("freplace-tail-main", !ext, "ext_tail for plain_entry()");
	bpf_object__close(ext);
	bpf_object__close(tgt);
}

/* ---- raw programs with hand-made BTF ----------------------------------- */

/* Start a function that returns 'ret' and has the largest JIT frame for
 * 'stack' bytes of BPF stack: it uses them, and all four callee-saved
 * registers (the x86-64 JIT saves those a function uses). r6 = ctx.
 */
/* ---- kernel stack ------------------------------------------------------ */

#define TRACEFS		"/sys/kernel/tracing"
#define STACK_TRACER	"/proc/sys/kernel/stack_tracer_enabled"
#define JIT_ENABLE	"/proc/sys/net/core/bpf_jit_enable"
#define TRACED_HELPER	"bpf_ktime_get_ns"

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_TRUNC), len = strlen(val), ret;

	if (fd < 0)
		return -1;
	ret = write(fd, val, len) == len ? 0 : -1;
	close(fd);
	return ret;
}

static int read_str(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The ftrace stack tracer, for TRACED_HELPER only. */
static int stack_tracer(bool on)
{
	if (!on)
		return write_str(STACK_TRACER, "0") | write_str(TRACEFS "/stack_trace_filter", "");
	return write_str(TRACEFS "/stack_trace_filter", TRACED_HELPER) ?:
	       write_str(STACK_TRACER, "1");
}

/* Run 'fd' once with a fresh stack maximum: the deepest stack (bytes) at
 * which TRACED_HELPER was entered, or -1.
 */
static long stack_of_run(int fd, __u32 *ret)
{
	char buf[32];

	if (write_str(TRACEFS "/stack_max_size", "0") || tool_run_once(fd, ret) ||
	    read_str(TRACEFS "/stack_max_size", buf, sizeof(buf)))
		return -1;
	return atol(buf);
}

/* Keep the stack tracer's last trace in the results directory. */
static void save_stack_trace(const char *check)
{
	const char *dir = getenv("WS_RESULTS");
	char path[4200], cmd[4400];

	snprintf(path, sizeof(path), "%s/hostile-%s-stack_trace.txt", dir ? dir : "/tmp", check);
	snprintf(cmd, sizeof(cmd), "cat %s/stack_trace > '%s'", TRACEFS, path);
	if (system(cmd) == 0)
		tool_diag("stack trace saved in %s", path);
}

/* The stack the series promises (kernel/bpf/core.c,
 * bpf_tail_call_stack_ok(), and Documentation/bpf/tail_calls.rst): a tail
 * call that keeps frames is made only while at least 5/8 of the stack
 * (BPF_TAIL_CALL_STACK_RESERVE) are free below the stack pointer at the
 * tail call, whatever the frames above are: JIT frames, trampolines, other
 * runs. So at the last tail call of a run at most 3/8 of THREAD_SIZE is
 * in use, and the level it starts adds what one level adds. The helper
 * that the last level calls is entered with a return address pushed.
 */
#define HELPER_ENTRY	8

/* The verifier's rule: the callers of a tail-calling subprogram keep at
 * most 256 bytes of BPF stack, each frame charged round_up(max(stack, 1),
 * 32).
 */
#define CALLERS_STACK	256

#define MAX_LINKS	(2 * 8)

/* The thread sizes at which a chain fits: all 33 tail calls happen. KASAN
 * doubles THREAD_SIZE, and with it the bound, but not the JIT's frames, so
 * a chain cut on the 16 KiB stack may fit on the debug kernel's 32 KiB.
 */
#define FITS_16K	1
#define FITS_32K	2

struct depth_case {
	const char *check;
	int frames;
	int stacks[7];
	int fexit;	/* fexit programs on the last 'fexit' functions */
	bool fentry;	/* and fentry programs on the same functions */
	unsigned int fits; /* FITS_16K, FITS_32K: where the chain fits */
	bool loop;	/* bpf_loop() inlined in every caller */
};

/* How many instructions the verifier added to the 'loaded' of 'fd' (the
 * inlined bpf_loop() calls): >= 0, or -1.
 */
static int xlated_growth(int fd, int loaded)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		tool_diag("bpf_prog_info: %s", strerror(errno));
		return -1;
	}
	return info.xlated_prog_len / sizeof(struct bpf_insn) - loaded;
}

/* Run the chain of 'c' with slot 0 empty (the tail call fails at once) and
 * with slot 0 = the chain itself, under the stack tracer, with the
 * trampolines of 'c' on the subprograms whose frames each level keeps
 * (the tail-calling one included: its trampoline called it). The deepest
 * stack must stay within the bound above, and the chain must make all 33
 * tail calls if it fits at this thread size, fewer otherwise.
 */
static void stack_depth(const struct depth_case *c)
{
	long shallow = -1, deep = -1, level = 0, bound = tool_thread_size() / 8 * 3;
	bool all_levels = c->fits & (tool_debug_kernel ? FITS_32K : FITS_16K);
	int map_fd = tool_new_prog_array(), fd = -1, links[MAX_LINKS];
	__u32 ret_shallow = 0, ret_deep = 0;
	int nlinks = 0, i, growth = 0;
	struct tool_prog p;
	bool ok;

	if (map_fd < 0 ||
	    (c->loop ? tool_build_loop_chain(&p, c->stacks, c->frames, map_fd) :
		       tool_build_chain(&p, c->stacks, c->frames, map_fd, TOOL_RET_INT)) ||
	    (fd = tool_load_chain(c->check, &p, false)) < 0) {
		tool_check(false, c->check, "chain did not load: %s", strerror(errno));
		tool_log_tail(LOG_LINES);
		goto out;
	}
	/* every caller's bpf_loop() call became the same inline loop */
	if (c->loop) {
		growth = xlated_growth(fd, p.len);
		if (growth <= 0 || growth % c->frames) {
			tool_check(false, c->check, "bpf_loop() not inlined in all %d callers: %d instructions added",
				   c->frames, growth);
			goto out;
		}
		tool_diag("%s: bpf_loop() inlined in all %d callers, %d instructions each",
			  c->check, c->frames, growth / c->frames);
	}
	for (i = 0; i < c->fexit; i++) {
		links[nlinks] = tool_attach_tracing(fd, p.btf_id[c->frames - i], BPF_TRACE_FEXIT);
		if (links[nlinks] >= 0 && c->fentry)
			links[++nlinks] = tool_attach_tracing(fd, p.btf_id[c->frames - i], BPF_TRACE_FENTRY);
		if (links[nlinks++] < 0) {
			tool_check(false, c->check, "trampoline %d did not attach: %s", i, strerror(errno));
			tool_log_tail(LOG_LINES);
			nlinks--;
			goto out;
		}
	}
	shallow = stack_of_run(fd, &ret_shallow);
	if (!tool_set_slot(map_fd, 0, fd))
		deep = stack_of_run(fd, &ret_deep);
	/* main adds 1 per level: 34 levels, or 1 without tail calls */
	if (ret_deep > 1 && deep > shallow && (deep - shallow) % (ret_deep - 1) == 0)
		level = (deep - shallow) / (ret_deep - 1);
	/* a chain cut by the check went past the bound (not stopped early) */
	ok = shallow > 0 && ret_shallow == 1 && level > 0 &&
	     deep <= bound + level + HELPER_ENTRY && (all_levels || deep > bound) &&
	     (all_levels ? ret_deep == TOOL_MAX_TAIL_CALLS + 1 :
			   ret_deep < TOOL_MAX_TAIL_CALLS + 1);
	tool_check(ok, c->check,
		   "%u levels (%s), %ld bytes per level; stack_max_size=%ld, bound %ld + %ld + %d; no tail call %ld; thread size %ld",
		   ret_deep, all_levels ? "all 34 expected" : "fewer than 34 expected",
		   level, deep, bound, level, HELPER_ENTRY, shallow, tool_thread_size());
	if (!ok)
		save_stack_trace(c->check);
out:
	while (nlinks > 0)
		close(links[--nlinks]);
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
}

/* The verifier's rule at its boundary (BPF stack only, as upstream), and
 * on series how deep the accepted chains go, with trampolines on kept
 * frames.
 */
static void stack_checks(void)
{
	static const struct {
		const char *check;
		int frames;
		int stacks[7];
		int cost;	/* what the verifier charges the callers */
	} tests[] = {
		{ "stack-limit-F1", 1, { 256 }, 256 },
		{ "stack-limit-F1-288", 1, { 288 }, 288 },
		{ "stack-limit-F2", 2, { 64, 64 }, 128 },
		{ "stack-limit-F7", 7, { 0, 0, 0, 0, 0, 0, 0 }, 7 * 32 },
	};
	/* chains of 1, 2 and 7 callers keep 250 to 1500 bytes per level:
	 * their tail calls stop at 3/8 of the stack; one caller without
	 * stack keeps little enough for all 33, and two callers of 64 bytes
	 * (256 bytes per level) too on the debug kernel's 32 KiB
	 */
	static const struct depth_case depths[] = {
		{ "stack-depth-F1", 1, { 256 }, 0, false, 0 },
		{ "stack-depth-F1-small", 1, { 0 }, 0, false, FITS_16K | FITS_32K },
		{ "stack-depth-F2", 2, { 64, 64 }, 0, false, FITS_32K },
		{ "stack-depth-F7x32", 7, { 32, 32, 32, 32, 32, 32, 32 }, 0, false, 0 },
		{ "stack-depth-F7x0", 7, { 0, 0, 0, 0, 0, 0, 0 }, 0, false, 0 },
		{ "stack-depth-F1-fexit", 1, { 256 }, 1, false, 0 },
		{ "stack-depth-F7x32-fexit1", 7, { 32, 32, 32, 32, 32, 32, 32 }, 1, false, 0 },
		{ "stack-depth-F7x32-fexit2", 7, { 32, 32, 32, 32, 32, 32, 32 }, 2, false, 0 },
		{ "stack-depth-F7x32-fexit-all", 7, { 32, 32, 32, 32, 32, 32, 32 }, 7, false, 0 },
		{ "stack-depth-F7x32-fentry-fexit-all", 7, { 32, 32, 32, 32, 32, 32, 32 }, 7, true, 0 },
		{ "stack-depth-F1-loop", 1, { 256 }, 0, false, 0, true },
		{ "stack-depth-F7x32-loop", 7, { 32, 32, 32, 32, 32, 32, 32 }, 0, false, 0, true },
		{ "stack-depth-F7x32-loop-fexit-all", 7, { 32, 32, 32, 32, 32, 32, 32 }, 7, false, 0, true },
	};
	int map_fd = tool_new_prog_array(), fd;
	char msg[160];
	struct tool_prog p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		fd = -1;
		if (map_fd >= 0 && !tool_build_chain(&p, tests[i].stacks, tests[i].frames, map_fd, TOOL_RET_INT))
			fd = tool_load_chain(tests[i].check, &p, false);
		if (tests[i].cost > CALLERS_STACK)
			snprintf(msg, sizeof(msg),
				 "subprog#%d has a tail call, but its %d caller frames use %d bytes of stack, more than %d",
				 tests[i].frames, tests[i].frames, tests[i].cost, CALLERS_STACK);
		else
			snprintf(msg, sizeof(msg), "%d caller frames charged %d bytes",
				 tests[i].frames, tests[i].cost);
		if (kernel == TOOL_BASE)
			tool_expect_rejected(tests[i].check, fd < 0, TOOL_BASE_MSG);
		else if (tests[i].cost > CALLERS_STACK)
			tool_expect_rejected(tests[i].check, fd < 0, msg);
		else
			tool_expect_loaded(tests[i].check, fd < 0, msg);
		if (fd >= 0)
			close(fd);
	}
	if (map_fd >= 0)
		close(map_fd);
	if (kernel == TOOL_BASE) {
		tool_diag("base: stack-depth-* not run (no chain loads)");
		return;
	}
	if (stack_tracer(true))
		snprintf(msg, sizeof(msg), "cannot enable the stack tracer: %s", strerror(errno));
	else
		msg[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(depths); i++) {
		if (msg[0])
			tool_check(false, depths[i].check, "%s", msg);
		else
			stack_depth(&depths[i]);
	}
	stack_tracer(false);
}

/* ---- nesting ---------------------------------------------------------- */

/* Load hostile_nest.bpf.o with both prog arrays filled and 'ns' in its
 * .bss (ifindex: lo's): the object, or NULL after a failed check.
 */
static struct bpf_object *nest_open(const char *check, struct hostile_nest *ns)
{
	static const char *const progs[] = { "nest_tc", "nest_fentry", NULL };
	struct bpf_object *obj = tool_open("hostile_nest.bpf.o", progs);

	if (!obj || bpf_object__load(obj)) {
		tool_check(false, check, "hostile_nest.bpf.o did not load");
		tool_log_tail(LOG_LINES);
		bpf_object__close(obj);
		return NULL;
	}
	ns->ifindex = if_nametoindex("lo");
	if (!ns->ifindex ||
	    tool_set_slot(tool_map_fd(obj, "jmp_tc"), 0, tool_prog_fd(obj, "nest_tc")) ||
	    tool_set_slot(tool_map_fd(obj, "jmp_fentry"), 0, tool_prog_fd(obj, "nest_fentry")) ||
	    bss_set(obj, ns)) {
		tool_check(false, check, "lo, prog arrays or .bss: %s", strerror(errno));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* Run nest_tc once by BPF_PROG_TEST_RUN, with its clones on lo's egress
 * ('clone') and/or nest_fentry on bpf_ktime_get_ns() ('fentry').
 */
static void nest_run(const char *check, bool clone, bool fentry)
{
	struct hostile_nest ns = { .max_depth = clone ? NEST_MAX : 0, .fentry_on = fentry };
	struct bpf_object *obj = nest_open(check, &ns);
	struct bpf_link *link = NULL;
	int tc_fd, nested_ok, i;
	bool attached = false;
	long deep = -1;
	__u32 ret = 0;
	bool ok;

	if (!obj)
		return;
	tc_fd = tool_prog_fd(obj, "nest_tc");
	if (fentry) {
		link = bpf_program__attach(bpf_object__find_program_by_name(obj, "nest_fentry"));
		if (libbpf_get_error(link)) {
			link = NULL;
			tool_check(false, check, "fentry did not attach: %s", strerror(errno));
			goto out;
		}
	}
	if (clone) {
		attached = true;
		if (tool_tc_attach(ns.ifindex, tc_fd, false)) {
			tool_check(false, check, "tc egress on lo: %s", strerror(errno));
			goto out;
		}
	}
	deep = stack_of_run(tc_fd, &ret);
	if (bss_get(obj, &ns)) {
		tool_check(false, check, ".bss: %s", strerror(errno));
		goto out;
	}
	/* one last level per run; all runs in this task */
	nested_ok = ns.last_runs[0] == 1;
	for (i = 1; i <= NEST_MAX; i++)
		nested_ok &= ns.tc_entries[i] == (clone ? 1 : 0) &&
			     ns.last_runs[i] == (clone ? 1 : 0) &&
			     ns.entry_task[i] == (clone ? ns.entry_task[0] : 0);
	/* each of the 1 + NEST_MAX last levels calls the helper once */
	ok = deep > 0 && deep < tool_thread_size() && ret == 0 &&
	     ns.tc_entries[0] > 1 && ns.tc_entries[0] < TOOL_MAX_TAIL_CALLS + 1 && nested_ok &&
	     ns.deepest == (clone ? NEST_MAX : 0) && !ns.clone_errors &&
	     ns.fentry_entries == (fentry ? (clone ? NEST_MAX + 1 : 1) : 0);
	tool_check(ok, check,
		   "outer levels %u; nested runs %u deep, levels %u %u %u %u %u %u %u %u (1 each expected); fentry runs and levels %u; clone errors %u; stack_max_size=%ld, thread size %ld",
		   ns.tc_entries[0], ns.deepest, ns.tc_entries[1], ns.tc_entries[2],
		   ns.tc_entries[3], ns.tc_entries[4], ns.tc_entries[5], ns.tc_entries[6],
		   ns.tc_entries[7], ns.tc_entries[8], ns.fentry_entries, ns.clone_errors,
		   deep, tool_thread_size());
	if (!ok)
		save_stack_trace(check);
out:
	if (attached)
		tool_tc_attach(ns.ifindex, -1, false);
	bpf_link__destroy(link);
	bpf_object__close(obj);
}

/* nest-softirq: nest_tc on lo's ingress only; its last level clones once
 * to lo's egress, and the clone comes back through loopback_xmit() in
 * NET_RX_SOFTIRQ, which runs when __dev_queue_xmit() enables bottom halves
 * again, before the helper returns: in the same task (not ksoftirqd), on
 * the interrupt stack (x86-64), which the JIT's inline test of the task's
 * stack does not know, so bpf_tail_call_stack_ok() decides there. On the
 * task's stack, below the outer chain stopped at the bound, the nested
 * run would make no tail call (nest-clone); on the interrupt stack it
 * starts near the top: it makes tail calls (more than 1 level) and stops
 * at the bound of that stack (fewer than 34), with no crash.
 */
static void nest_softirq(const char *check)
{
	struct hostile_nest ns = { .max_depth = 1 };
	struct bpf_object *obj = nest_open(check, &ns);
	__u32 ret = 0, outer, inner;
	bool ok, others = false;
	int i;

	if (!obj)
		return;
	if (tool_tc_attach(ns.ifindex, tool_prog_fd(obj, "nest_tc"), true)) {
		tool_check(false, check, "tc ingress on lo: %s", strerror(errno));
		goto out;
	}
	if (tool_run_once(tool_prog_fd(obj, "nest_tc"), &ret) || bss_get(obj, &ns)) {
		tool_check(false, check, "test run or .bss: %s", strerror(errno));
		goto out;
	}
	outer = ns.tc_entries[0];
	inner = ns.tc_entries[1];
	for (i = 2; i <= NEST_MAX; i++)
		others |= ns.tc_entries[i] || ns.last_runs[i];
	ok = ret == 0 && ns.deepest == 1 && !ns.clone_errors && !others &&
	     ns.last_runs[0] == 1 && ns.last_runs[1] == 1 &&
	     ns.entry_task[1] == ns.entry_task[0] && ns.entry_task[0] &&
	     outer > 1 && outer < TOOL_MAX_TAIL_CALLS + 1 &&
	     inner > 1 && inner < TOOL_MAX_TAIL_CALLS + 1;
	tool_check(ok, check,
		   "outer levels %u, softirq levels %u (each more than 1, fewer than 34 expected); runs %u and %u (1 each); same task %s; deeper runs %s; clone errors %u; retval %u",
		   outer, inner, ns.last_runs[0], ns.last_runs[1],
		   ns.entry_task[1] == ns.entry_task[0] ? "yes" : "no",
		   others ? "yes" : "no", ns.clone_errors, ret);
out:
	tool_tc_attach(ns.ifindex, -1, true);
	bpf_object__close(obj);
}

static void nest_checks(void)
{
	nest_softirq("nest-softirq");
	if (stack_tracer(true)) {
		tool_check(false, "nest-clone", "cannot enable the stack tracer: %s", strerror(errno));
		tool_check(false, "nest-fentry", "cannot enable the stack tracer");
		tool_check(false, "nest-clone-fentry", "cannot enable the stack tracer");
		return;
	}
	nest_run("nest-clone", true, false);
	nest_run("nest-fentry", false, true);
	nest_run("nest-clone-fentry", true, true);
	stack_tracer(false);
}

/* ---- rejections -------------------------------------------------------- */

/* A subprogram without BTF cannot say that it returns a scalar: the
 * stack-limit-F1 chain (which loads on series as it is) without BTF. (The
 * verifier's other refusals are selftests: tailcall_bpf2bpf_rules.c and the
 * tailcall_bpf2bpf_nojit subtest; a program without BTF is the one that
 * libbpf cannot make.)
 */
static void reject_checks(void)
{
	static const int stacks[] = { 192 };
	int map_fd = tool_new_prog_array(), fd = -1;
	struct tool_prog p;

	if (map_fd >= 0 && !tool_build_chain(&p, stacks, 1, map_fd, TOOL_RET_INT))
		fd = tool_load_chain("reject-nobtf", &p, true);
	tool_expect_rejected("reject-nobtf", fd < 0, kernel == TOOL_BASE ? TOOL_BASE_MSG :
			"tail_call is not allowed in subprogs without BTF");
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
}

/* The checks each kernel gets: the bombs (3 on base and pristine, 6 on
 * series); series: traced 3, freplace 5, stack 17, nest 4, reject 1; base:
 * freplace 3, stack 4, reject 1.
 */
#define SERIES_CHECKS	36
#define BASE_CHECKS	11
#define PRISTINE_CHECKS	3

int main(int argc, char **argv)
{
	kernel = tool_start(argc, argv, TOOL_ANY_KERNEL);
	tool_plan(kernel == TOOL_SERIES ? SERIES_CHECKS :
		  kernel == TOOL_BASE ? BASE_CHECKS : PRISTINE_CHECKS);
	bomb_checks();
	if (kernel == TOOL_PRISTINE) {
		tool_diag("pristine: only the bomb checks run; traced, freplace, stack and reject checks are about the series and base rules, not run");
		return tool_exit();
	}
	if (kernel == TOOL_SERIES)
		traced_checks();
	else
		tool_diag("base: traced-* not run (bomb3 cannot load)");
	freplace_reachable();
	if (kernel == TOOL_BASE)
		tool_diag("base: freplace-ext and freplace-tail-reachable not run (fr_entry cannot load)");
	freplace_plain();
	stack_checks();
	if (kernel == TOOL_SERIES)
		nest_checks();
	reject_checks();
	return tool_exit();
}
