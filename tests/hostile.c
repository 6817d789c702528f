// SPDX-License-Identifier: GPL-2.0
/* hostile KERNEL: programs that try to get around the limits of tail calls
 * in subprograms, on KERNEL = series|debug|dev (the series), base (no mixing
 * of bpf-to-bpf calls and tail calls) or pristine (Debian's 6.1: upstream's
 * design, one tail call counter per frame). Prints one "ok/not ok CHECK"
 * line per check; exits 0 iff all are ok. Objects: hostile.bpf.o and
 * hostile_attach.bpf.o next to this binary; the stack and rejection checks
 * use raw instructions with hand-made BTF, for exact stack sizes.
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
 * stack-limit-F1, -F2    series: the callers of the tail-calling subprogram
 *                        are charged exactly 256 bytes (1 and 2 frames), the
 *                        subprogram has the rest of the 512 bytes: loads.
 * stack-over-F1, -F2, -F3
 *                        series: 8 more bytes in the main function (F1, F2),
 *                        three callers without stack (F3, the smallest
 *                        chain of three): rejected with the exact numbers.
 * stack-depth-F1, -F2    series: the stack-limit programs run 33 tail calls
 *                        deep and call bpf_ktime_get_ns() at the bottom; the
 *                        ftrace stack tracer's maximum, minus that of a
 *                        program calling the helper directly, is within the
 *                        documented bound (9472), each level of tail calls
 *                        keeps at most 256 bytes (the callers use all
 *                        callee-saved registers: x86-64 keeps exactly
 *                        256), and the total is below THREAD_SIZE.
 * stack-depth-F1-fexit   series: the same with an fexit program on the
 *                        tail-calling subprogram: its trampoline frame stays
 *                        on the stack at every level (outside the documented
 *                        bound); 33 tail calls, total below THREAD_SIZE.
 * reject-callback, -interpreter, -nobtf, -ret-void, -ret-ptr
 *                        series: rejected with the series' messages; the
 *                        same programs on base: the base message.
 * On base all stack-* and reject-* programs are rejected with the base
 * message. On pristine only the bomb-capped checks run.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "hostile.h"
#include "tool.h"

enum kernel { SERIES, BASE, PRISTINE };

static enum kernel kernel;
static bool debug_kernel;
static char objdir[4096];
static char vlog[1 << 20];
/* libbpf's warnings since the last open_obj(), for a load that failed */
static char lbmsg[4096];

#define BASE_MSG "tail_calls are not allowed in programs with bpf-to-bpf calls"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The last lines of the verifier log (and libbpf's warnings), for a check
 * that failed, as free text.
 */
static void print_log_tail(void)
{
	const char *logs[] = { vlog, lbmsg }, *p, *end;
	int i, lines;

	for (i = 0; i < 2; i++) {
		end = logs[i] + strlen(logs[i]);
		for (p = end, lines = 0; p > logs[i] && lines < 6; p--)
			lines += p[-1] == '\n';
		while (p < end) {
			int len = strcspn(p, "\n");

			if (len)
				printf("#   %.*s\n", len, p);
			p += len + (p[len] == '\n');
		}
	}
}

/* Is 'msg' a whole line of the verifier log? */
static bool log_has_line(const char *msg)
{
	size_t len = strlen(msg);
	const char *p;

	for (p = strstr(vlog, msg); p; p = strstr(p + 1, msg))
		if ((p == vlog || p[-1] == '\n') && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

/* A load that must fail with 'msg' in the verifier log. */
static void expect_rejected(const char *check, int err, const char *msg)
{
	bool ok = err && log_has_line(msg);

	tool_check(ok, check, "%s: \"%s\"", err ? "rejected" : "loaded", msg);
	if (!ok)
		print_log_tail();
}

static void expect_loaded(const char *check, int err, const char *what)
{
	tool_check(!err, check, "%s: %s", err ? "rejected" : "loaded", what);
	if (err)
		print_log_tail();
}

/* ---- libbpf objects ---------------------------------------------------- */

static int keep_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(lbmsg);

	if (level == LIBBPF_WARN && len < sizeof(lbmsg) - 1)
		vsnprintf(lbmsg + len, sizeof(lbmsg) - len, fmt, ap);
	return 0;
}

/* Open 'file' with only the programs in 'names' (NULL-terminated) to be
 * loaded, each logging into vlog.
 */
static struct bpf_object *open_obj(const char *file, const char *const *names)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[4200];
	int i;

	snprintf(path, sizeof(path), "%s/%s", objdir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("# cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(prog, obj) {
		bool on = false;

		for (i = 0; names[i]; i++)
			on |= !strcmp(names[i], bpf_program__name(prog));
		bpf_program__set_autoload(prog, on);
		if (on)
			bpf_program__set_log_buf(prog, vlog, sizeof(vlog));
	}
	vlog[0] = '\0';
	lbmsg[0] = '\0';
	return obj;
}

/* Open 'file' and load the one program 'name': its fd, or -1 with *objp
 * NULL and vlog holding why.
 */
static int load_one(const char *file, const char *name, struct bpf_object **objp)
{
	const char *names[] = { name, NULL };
	struct bpf_object *obj = open_obj(file, names);

	*objp = NULL;
	if (!obj || bpf_object__load(obj)) {
		bpf_object__close(obj);
		return -1;
	}
	*objp = obj;
	return bpf_program__fd(bpf_object__find_program_by_name(obj, name));
}

static int prog_fd(struct bpf_object *obj, const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(obj, name));
}

/* The fd of the object's .bss map: one struct of hostile.h. */
static int bss_fd(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (strstr(bpf_map__name(map), ".bss"))
			return bpf_map__fd(map);
	return -1;
}

static int bss_set(struct bpf_object *obj, const void *val)
{
	__u32 zero = 0;

	return bpf_map_update_elem(bss_fd(obj), &zero, val, BPF_ANY);
}

static int bss_get(struct bpf_object *obj, void *val)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(bss_fd(obj), &zero, val);
}

static int set_slot0(int map_fd, int fd)
{
	__u32 zero = 0;

	return bpf_map_update_elem(map_fd, &zero, &fd, BPF_ANY);
}

/* One BPF_PROG_TEST_RUN of a tc program on a zeroed 64-byte packet. */
static int test_run(int fd, __u32 *retval)
{
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = 1);
	int err = bpf_prog_test_run_opts(fd, &opts);

	*retval = opts.retval;
	return err;
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
	else if (*cnt < HOSTILE_TAIL_CALLS)
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

	if (bss_set(obj, &init) || test_run(fd, ret) || bss_get(obj, st))
		return -1;
	return 0;
}

/* series and pristine: run bombN with 'cap' and compare with the model */
static void bomb_run(const char *check, struct bpf_object *obj, int fd,
		     __u32 n, __u32 cap)
{
	bool shared = kernel == SERIES, ok;
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
		ok = ok && st.entries - 1 == HOSTILE_TAIL_CALLS &&
		     st.calls - st.fails - st.skips == HOSTILE_TAIL_CALLS;
	else
		ok = ok && st.entries - 1 > HOSTILE_TAIL_CALLS;
	if (ok)
		tool_check(true, check, "%s", got);
	else
		tool_check(false, check, "%s, expected %s", got, want);
}

static void bomb_checks(void)
{
	static const __u32 ns[] = { 2, 3, 8 };
	struct bpf_object *obj;
	char check[32], prog[16];
	long double total;
	unsigned int i, k;
	int fd;

	for (i = 0; i < ARRAY_SIZE(ns); i++) {
		snprintf(prog, sizeof(prog), "bomb%u", ns[i]);
		fd = load_one("hostile.bpf.o", prog, &obj);
		snprintf(check, sizeof(check), "bomb-N%u", ns[i]);
		if (kernel == BASE) {
			expect_rejected(check, fd < 0, BASE_MSG);
			bpf_object__close(obj);
			continue;
		}
		if (fd < 0 || set_slot0(bpf_map__fd(bpf_object__find_map_by_name(obj, "jmp_table")), fd)) {
			tool_check(false, check, "load or slot 0 update failed");
			print_log_tail();
			bpf_object__close(obj);
			continue;
		}
		if (kernel == SERIES)
			bomb_run(check, obj, fd, ns[i], ~0U);
		/* pristine: what the uncapped bomb would do */
		for (total = 0, k = 1; k <= HOSTILE_TAIL_CALLS; k++)
			total = total * ns[i] + ns[i];
		printf("# N=%u: a counter per frame would allow %.4Lg tail calls per run\n",
		       ns[i], total);
		snprintf(check, sizeof(check), "bomb-capped-N%u", ns[i]);
		bomb_run(check, obj, fd, ns[i], 10000);
		bpf_object__close(obj);
	}
	if (kernel == BASE)
		printf("# base: bomb-capped-N* are the same programs, not printed\n");
	if (kernel == PRISTINE)
		printf("# pristine: bomb-N* (no cap) not run: N + ... + N^33 tail calls\n");
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
	obj = open_obj("hostile_attach.bpf.o", names);
	for (i = 0; obj && i < n; i++)
		bpf_program__set_attach_target(bpf_object__find_program_by_name(obj, names[i]),
					       tgt_fd, "bomb_sub");
	if (!obj || bpf_object__load(obj)) {
		tool_check(false, check, "tracing programs did not load");
		print_log_tail();
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
		     st.entries - 1 == HOSTILE_TAIL_CALLS &&
		     hits.fentry == (mask & TRACE_FENTRY ? m.st.calls : 0) &&
		     hits.fexit == (mask & TRACE_FEXIT ? m.st.calls : 0) &&
		     hits.fexit_ret == (mask & TRACE_FEXIT ? m.ret_sum : 0);
	}
	tool_check(ok, check,
	       "runs=%d tail calls=%u entries=%u calls=%u ret=%u fentry=%u fexit=%u fexit_ret_sum=%u%s",
	       run, st.entries - 1, st.entries, st.calls, ret, hits.fentry,
	       hits.fexit, hits.fexit_ret, ok ? "" : " (see the model)");
	if (!ok)
		printf("# expected per run: %u entries, %u calls, ret %u, %u hits per attached program, fexit sum %u\n",
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

	fd = load_one("hostile.bpf.o", "bomb3", &tgt);
	if (fd < 0 || set_slot0(bpf_map__fd(bpf_object__find_map_by_name(tgt, "jmp_table")), fd)) {
		for (i = 0; i < ARRAY_SIZE(tests); i++)
			tool_check(false, tests[i].check, "bomb3 did not load");
		print_log_tail();
		bpf_object__close(tgt);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(tests); i++)
		traced_run(tests[i].check, tgt, fd, tests[i].mask);
	bpf_object__close(tgt);
}

/* ---- freplace ---------------------------------------------------------- */

/* Load extension 'ext' of hostile_attach.bpf.o for 'func' of program
 * 'tgt_fd': the object, or NULL with vlog saying why.
 */
static struct bpf_object *load_ext(const char *ext, int tgt_fd, const char *func)
{
	const char *names[] = { ext, NULL };
	struct bpf_object *obj = open_obj("hostile_attach.bpf.o", names);

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
		printf("# expected %s hops=%u ext=%u\n", exp, want->hops, ext ? 1 : 0);
	}
}

/* fr_entry calls hop() -> fr_sub(), which tail-calls loop(), which tail-
 * calls itself until the budget is gone: loop() runs 33 times, the last
 * tail call fails (fails=1) and loop() returns 1 to hop(); fr_entry then
 * calls fr_sub() directly, whose tail call fails (fails=2): 1 + 1 = 2.
 * With ext_hop() in place of hop(), fr_entry gets 5 from it and the first
 * fr_sub() call is the one that tail-calls: 5 + 1 = 6, calls=1, fails=1.
 */
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

	tgt = open_obj("hostile.bpf.o", names);
	if (!tgt || bpf_object__load(tgt)) {
		if (kernel == BASE)
			expect_rejected("freplace-target", 1, BASE_MSG);
		else
			expect_loaded("freplace-target", 1, "fr_entry");
		goto out;
	}
	if (kernel == BASE) {
		tool_check(false, "freplace-target", "fr_entry loaded on base");
		goto out;
	}
	fd = prog_fd(tgt, "fr_entry");
	if (set_slot0(bpf_map__fd(bpf_object__find_map_by_name(tgt, "jmp_table")),
		      prog_fd(tgt, "loop"))) {
		tool_check(false, "freplace-target", "slot 0 update: %s", strerror(errno));
		goto out;
	}
	fr_run("freplace-target", tgt, fd, NULL, &plain, 2);

	ext = load_ext("ext_tail", fd, "hop");
	expect_loaded("freplace-tail-reachable", !ext, "ext_tail for hop()");
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

	fd = load_one("hostile.bpf.o", "plain_entry", &tgt);
	if (fd < 0) {
		tool_check(false, "freplace-tail-plain", "plain_entry did not load");
		print_log_tail();
		return;
	}
	ext = load_ext("ext_tail", fd, "plain_hop");
	expect_loaded("freplace-tail-plain", !ext, "ext_tail for plain_hop()");
	bpf_object__close(ext);
	ext = load_ext("ext_tail", fd, "plain_entry");
	expect_loaded("freplace-tail-main", !ext, "ext_tail for plain_entry()");
	bpf_object__close(ext);
	bpf_object__close(tgt);
}

/* ---- raw programs with hand-made BTF ----------------------------------- */

#define INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })
#define MOV64_REG(d, s)		INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define MOV64_IMM(d, i)		INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define ADD64_IMM(d, i)		INSN(BPF_ALU64 | BPF_ADD | BPF_K, d, 0, 0, i)
#define ST_DW(d, o, i)		INSN(BPF_ST | BPF_MEM | BPF_DW, d, 0, o, i)
#define STX_DW(d, s, o)		INSN(BPF_STX | BPF_MEM | BPF_DW, d, s, o, 0)
#define LDX(sz, d, s, o)	INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define LD_IMM64(d, s, i)	INSN(BPF_LD | BPF_DW | BPF_IMM, d, s, 0, i)
#define CALL_HELPER(f)		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, f)
#define EXIT()			INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

enum ret_type { RET_INT, RET_VOID, RET_PTR };

#define MAX_INSNS	128
#define MAX_FUNCS	8

struct rprog {
	struct bpf_insn insn[MAX_INSNS];
	int len;
	int nfunc;
	int start[MAX_FUNCS];		/* first instruction of each function */
	enum ret_type ret[MAX_FUNCS];	/* its return type in the BTF */
	__u32 btf_id[MAX_FUNCS];	/* its BTF FUNC, once loaded */
	int nfix;
	int fix_at[MAX_FUNCS * 2];	/* a call or ld_imm64 of a function ... */
	int fix_to[MAX_FUNCS * 2];	/* ... and that function */
};

static void emit(struct rprog *p, struct bpf_insn insn)
{
	if (p->len < MAX_INSNS)
		p->insn[p->len] = insn;
	p->len++;
}

static void begin_func(struct rprog *p, enum ret_type ret)
{
	p->start[p->nfunc] = p->len;
	p->ret[p->nfunc++] = ret;
}

/* A bpf-to-bpf call of function 'func' (call), or its address in 'reg'
 * (ld_imm64, for callbacks); the offsets are filled in by finish().
 */
static void ref_func(struct rprog *p, bool call, int reg, int func)
{
	p->fix_at[p->nfix] = p->len;
	p->fix_to[p->nfix++] = func;
	if (call) {
		emit(p, INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
		return;
	}
	emit(p, LD_IMM64(reg, BPF_PSEUDO_FUNC, 0));
	emit(p, INSN(0, 0, 0, 0, 0));
}

static void emit_map(struct rprog *p, int reg, int map_fd)
{
	emit(p, LD_IMM64(reg, BPF_PSEUDO_MAP_FD, map_fd));
	emit(p, INSN(0, 0, 0, 0, 0));
}

static int finish(struct rprog *p)
{
	int i;

	for (i = 0; i < p->nfix; i++)
		p->insn[p->fix_at[i]].imm = p->start[p->fix_to[i]] - p->fix_at[i] - 1;
	return p->len <= MAX_INSNS && p->nfunc <= MAX_FUNCS ? 0 : -1;
}

/* Start a function that returns 'ret' and has the largest JIT frame for
 * 'stack' bytes of BPF stack: it uses them, and all four callee-saved
 * registers (the x86-64 JIT saves those a function uses). r6 = ctx.
 */
static void begin_big_frame(struct rprog *p, enum ret_type ret, int stack)
{
	begin_func(p, ret);
	emit(p, MOV64_REG(BPF_REG_6, BPF_REG_1));
	emit(p, MOV64_REG(BPF_REG_7, BPF_REG_1));
	emit(p, MOV64_REG(BPF_REG_8, BPF_REG_1));
	emit(p, MOV64_REG(BPF_REG_9, BPF_REG_1));
	if (stack)
		emit(p, ST_DW(BPF_REG_10, -stack, 0));
}

/* A caller frame: uses 'stack' bytes of BPF stack and calls function
 * 'callee' with its ctx; the main function adds 1 to what it gets.
 */
static void emit_caller(struct rprog *p, int stack, int callee)
{
	bool main_func = !p->nfunc;

	begin_big_frame(p, RET_INT, stack);
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_6));
	ref_func(p, true, 0, callee);
	if (main_func)
		emit(p, ADD64_IMM(BPF_REG_0, 1));
	emit(p, EXIT());
}

/* The tail-calling subprogram: uses 'stack' bytes, tail-calls
 * map[skb->mark] (an indirect tail call: the index is not a constant),
 * and if that fails calls bpf_ktime_get_ns(), which ftrace can trace, and
 * returns 0.
 */
static void emit_tail_sub(struct rprog *p, int stack, int map_fd,
			  enum ret_type ret)
{
	begin_big_frame(p, ret, stack);
	emit_map(p, BPF_REG_2, map_fd);
	emit(p, LDX(BPF_W, BPF_REG_3, BPF_REG_6, offsetof(struct __sk_buff, mark)));
	emit(p, MOV64_REG(BPF_REG_1, BPF_REG_6));
	emit(p, CALL_HELPER(BPF_FUNC_tail_call));
	emit(p, CALL_HELPER(BPF_FUNC_ktime_get_ns));
	emit(p, MOV64_IMM(BPF_REG_0, 0));
	emit(p, EXIT());
}

#define BPF_STACK	512	/* MAX_BPF_STACK */

static int round32(int n)
{
	return (n + 31) / 32 * 32;
}

/* main -> caller 1 -> ... -> the tail-calling subprogram: 'frames' callers
 * with 'stacks' bytes each; the subprogram gets the rest of the 512 bytes
 * the chain may use.
 */
static int build_chain(struct rprog *p, const int *stacks, int frames,
		       int map_fd, enum ret_type ret)
{
	int i, left = BPF_STACK;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < frames; i++) {
		emit_caller(p, stacks[i], i + 1);
		left -= round32(stacks[i] ? stacks[i] : 1);
	}
	emit_tail_sub(p, left, map_fd, ret);
	return finish(p);
}

/* BTF with one static function per function of 'p', 'int f<i>(void *ctx)'
 * or returning what p->ret says; its fd, func_info filled in.
 */
static int make_btf(const struct rprog *p, struct bpf_func_info *fi)
{
	struct btf *btf = btf__new_empty();
	int int_id, ptr_id, proto, i, fd = -1;
	char name[16];

	if (!btf)
		return -1;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ptr_id = btf__add_ptr(btf, 0);
	for (i = 0; i < p->nfunc; i++) {
		proto = btf__add_func_proto(btf, p->ret[i] == RET_INT ? int_id :
					    p->ret[i] == RET_PTR ? ptr_id : 0);
		btf__add_func_param(btf, "ctx", ptr_id);
		snprintf(name, sizeof(name), "f%d", i);
		fi[i].insn_off = p->start[i];
		fi[i].type_id = btf__add_func(btf, name, BTF_FUNC_STATIC, proto);
	}
	if (!btf__load_into_kernel(btf))
		fd = dup(btf__fd(btf));
	btf__free(btf);
	return fd;
}

/* Load 'p' as a tc program, with BTF unless 'no_btf': the fd, or -1 with
 * the verifier log in vlog.
 */
static int load_raw(const char *name, struct rprog *p, bool no_btf)
{
	struct bpf_func_info fi[MAX_FUNCS];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = vlog,
		    .log_size = sizeof(vlog));
	int btf_fd = -1, fd, i;
	char pname[BPF_OBJ_NAME_LEN];

	/* program names: letters, digits, '_' and '.' */
	snprintf(pname, sizeof(pname), "%s", name);
	for (i = 0; pname[i]; i++)
		if (pname[i] == '-')
			pname[i] = '_';
	vlog[0] = '\0';
	lbmsg[0] = '\0';
	if (!no_btf) {
		btf_fd = make_btf(p, fi);
		if (btf_fd < 0) {
			snprintf(vlog, sizeof(vlog), "BTF load failed: %s\n", strerror(errno));
			return -1;
		}
		opts.prog_btf_fd = btf_fd;
		opts.func_info = fi;
		opts.func_info_cnt = p->nfunc;
		opts.func_info_rec_size = sizeof(fi[0]);
		for (i = 0; i < p->nfunc; i++)
			p->btf_id[i] = fi[i].type_id;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, pname, "GPL", p->insn,
			   p->len, &opts);
	if (fd < 0 && !vlog[0])
		snprintf(vlog, sizeof(vlog), "bpf_prog_load: %s\n", strerror(errno));
	if (btf_fd >= 0)
		close(btf_fd);
	return fd;
}

static int new_prog_array(void)
{
	return bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, NULL, 4, 4, 1, NULL);
}

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

	if (write_str(TRACEFS "/stack_max_size", "0") || test_run(fd, ret) ||
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
		printf("# stack trace saved in %s\n", path);
}

/* The stack the series promises for one run (verifier.c, before
 * mark_tail_call_chain(), and Documentation/bpf/tail_calls.rst): every
 * level of tail calls keeps at most BPF_TAIL_CALL_CALLERS_STACK (256)
 * bytes of caller frames, 33 levels; the last program adds at most its
 * own frames: 512 bytes of BPF stack and 8 frames of 64 bytes of JIT
 * overhead. 33 * 256 + 512 + 8 * 64 = 9472.
 */
#define CALLERS_STACK	256
#define FRAME_COST	64
#define MAX_FRAMES	8
#define RUN_STACK_BOUND	(HOSTILE_TAIL_CALLS * CALLERS_STACK + BPF_STACK + MAX_FRAMES * FRAME_COST)

/* THREAD_SIZE on x86-64: 16 KiB, doubled by KASAN (the debug kernel). */
static long thread_size(void)
{
	return debug_kernel ? 32768 : 16384;
}

/* Attach an empty fexit program to function 'func' of 'p' (loaded as
 * 'fd'): the link's fd, or -1.
 */
static int attach_fexit(const struct rprog *p, int fd, int func)
{
	const struct bpf_insn insns[] = { MOV64_IMM(BPF_REG_0, 0), EXIT() };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = vlog,
		    .log_size = sizeof(vlog), .attach_prog_fd = fd,
		    .attach_btf_id = p->btf_id[func],
		    .expected_attach_type = BPF_TRACE_FEXIT);
	int prog, link = -1;

	vlog[0] = '\0';
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "fexit_tail", "GPL", insns,
			     ARRAY_SIZE(insns), &opts);
	if (prog >= 0) {
		link = bpf_link_create(prog, 0, BPF_TRACE_FEXIT, NULL);
		close(prog);
	}
	return link;
}

/* Run the 'stacks' chain with slot 0 empty (the tail call fails at once)
 * and with slot 0 = the chain itself (33 tail calls, each level keeping
 * the callers' frames), under the stack tracer. With 'fexit', an fexit
 * program on the tail-calling subprogram: its trampoline called the body,
 * so its frame stays below the next level too (the documented bound leaves
 * trampolines out; only THREAD_SIZE applies).
 */
static void stack_depth(const char *check, const int *stacks, int frames,
			long baseline, bool fexit)
{
	long shallow = -1, deep = -1, level = 0;
	__u32 ret_shallow = 0, ret_deep = 0;
	int map_fd = new_prog_array(), fd = -1, link = -1;
	struct rprog p;
	bool ok;

	if (map_fd < 0 || build_chain(&p, stacks, frames, map_fd, RET_INT) ||
	    (fd = load_raw(check, &p, false)) < 0 ||
	    (fexit && (link = attach_fexit(&p, fd, frames)) < 0)) {
		tool_check(false, check, "chain did not load or attach: %s", strerror(errno));
		print_log_tail();
		goto out;
	}
	shallow = stack_of_run(fd, &ret_shallow);
	if (!set_slot0(map_fd, fd))
		deep = stack_of_run(fd, &ret_deep);
	if (deep > shallow && (deep - shallow) % HOSTILE_TAIL_CALLS == 0)
		level = (deep - shallow) / HOSTILE_TAIL_CALLS;
	/* main adds 1 per level: 34 levels, or 1 without tail calls */
	ok = shallow > 0 && ret_shallow == 1 && ret_deep == HOSTILE_TAIL_CALLS + 1 &&
	     level > 0 && deep < thread_size();
	if (!fexit)
		ok = ok && level <= CALLERS_STACK && deep - baseline <= RUN_STACK_BOUND;
	tool_check(ok, check,
	       "stack_max_size=%ld baseline=%ld difference=%ld (bound %d%s), no tail call %ld, per level %ld (bound %d%s), thread size %ld, ret %u/%u",
	       deep, baseline, deep - baseline, RUN_STACK_BOUND,
	       fexit ? ", not applied" : "", shallow, level, CALLERS_STACK,
	       fexit ? ", not applied" : "", thread_size(), ret_deep, ret_shallow);
	if (!ok)
		save_stack_trace(check);
out:
	if (link >= 0)
		close(link);
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
}

/* A program without subprograms or tail calls that calls the helper. */
static long stack_baseline(void)
{
	struct rprog p = {};
	__u32 ret;
	long size;
	int fd;

	begin_func(&p, RET_INT);
	emit(&p, CALL_HELPER(BPF_FUNC_ktime_get_ns));
	emit(&p, MOV64_IMM(BPF_REG_0, 0));
	emit(&p, EXIT());
	fd = load_raw("baseline", &p, false);
	if (fd < 0)
		return -1;
	size = stack_of_run(fd, &ret);
	close(fd);
	return size;
}

/* The stack rule at its boundary; on series also how deep the accepted
 * chains go.
 */
static void stack_checks(void)
{
	static const struct {
		const char *check;
		int frames;
		int stacks[3];
		int cost;	/* what the verifier charges the callers */
	} tests[] = {
		{ "stack-limit-F1", 1, { 192 }, 192 + 64 },
		{ "stack-limit-F2", 2, { 64, 64 }, 64 + 64 + 2 * 64 },
		{ "stack-over-F1", 1, { 200 }, 224 + 64 },
		{ "stack-over-F2", 2, { 72, 64 }, 96 + 64 + 2 * 64 },
		/* 3 * (32 + 64): no chain of three callers can pass */
		{ "stack-over-F3", 3, { 0, 0, 0 }, 3 * 32 + 3 * 64 },
	};
	int map_fd = new_prog_array(), fd;
	char msg[160];
	long baseline;
	struct rprog p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		fd = -1;
		if (map_fd >= 0 && !build_chain(&p, tests[i].stacks, tests[i].frames, map_fd, RET_INT))
			fd = load_raw(tests[i].check, &p, false);
		if (tests[i].cost > CALLERS_STACK)
			snprintf(msg, sizeof(msg),
				 "subprog#%d has a tail call, but its %d caller frames use %d bytes of stack, more than %d",
				 tests[i].frames, tests[i].frames, tests[i].cost, CALLERS_STACK);
		else
			snprintf(msg, sizeof(msg), "%d caller frames charged %d bytes",
				 tests[i].frames, tests[i].cost);
		if (kernel == BASE)
			expect_rejected(tests[i].check, fd < 0, BASE_MSG);
		else if (tests[i].cost > CALLERS_STACK)
			expect_rejected(tests[i].check, fd < 0, msg);
		else
			expect_loaded(tests[i].check, fd < 0, msg);
		if (fd >= 0)
			close(fd);
	}
	if (map_fd >= 0)
		close(map_fd);
	if (kernel == BASE) {
		printf("# base: stack-depth-* not run (no chain loads)\n");
		return;
	}
	if (stack_tracer(true)) {
		tool_check(false, "stack-depth", "cannot enable the stack tracer: %s", strerror(errno));
		return;
	}
	baseline = stack_baseline();
	if (baseline <= 0) {
		tool_check(false, "stack-depth", "baseline run failed");
	} else {
		stack_depth("stack-depth-F1", tests[0].stacks, tests[0].frames, baseline, false);
		stack_depth("stack-depth-F2", tests[1].stacks, tests[1].frames, baseline, false);
		stack_depth("stack-depth-F1-fexit", tests[0].stacks, tests[0].frames, baseline, true);
	}
	stack_tracer(false);
}

/* ---- rejections -------------------------------------------------------- */

/* main -> bpf_loop(1, cb, &ctx) ; cb -> the tail-calling subprogram */
static int build_callback(struct rprog *p, int map_fd)
{
	memset(p, 0, sizeof(*p));
	begin_func(p, RET_INT);
	emit(p, STX_DW(BPF_REG_10, BPF_REG_1, -8));
	emit(p, MOV64_IMM(BPF_REG_1, 1));
	ref_func(p, false, BPF_REG_2, 1);
	emit(p, MOV64_REG(BPF_REG_3, BPF_REG_10));
	emit(p, ADD64_IMM(BPF_REG_3, -8));
	emit(p, MOV64_IMM(BPF_REG_4, 0));
	emit(p, CALL_HELPER(BPF_FUNC_loop));
	emit(p, MOV64_IMM(BPF_REG_0, 0));
	emit(p, EXIT());
	/* the callback: its second argument points at the saved ctx */
	begin_func(p, RET_INT);
	emit(p, LDX(BPF_DW, BPF_REG_1, BPF_REG_2, 0));
	ref_func(p, true, 0, 2);
	emit(p, MOV64_IMM(BPF_REG_0, 0));
	emit(p, EXIT());
	emit_tail_sub(p, 0, map_fd, RET_INT);
	return finish(p);
}

/* Load the stack-limit-F1 chain (which loads on series as it is) with one
 * thing changed; 'jit_off' with net.core.bpf_jit_enable=0.
 */
static int load_variant(const char *name, int map_fd, enum ret_type ret,
			bool no_btf, bool jit_off)
{
	static const int stacks[] = { 192 };
	char old[16] = "";
	struct rprog p;
	int fd;

	if (build_chain(&p, stacks, 1, map_fd, ret))
		return -1;
	if (jit_off && (read_str(JIT_ENABLE, old, sizeof(old)) ||
			write_str(JIT_ENABLE, "0"))) {
		snprintf(vlog, sizeof(vlog), "cannot set %s to 0: %s\n", JIT_ENABLE,
			 strerror(errno));
		return -1;
	}
	fd = load_raw(name, &p, no_btf);
	if (jit_off && write_str(JIT_ENABLE, old))
		printf("# cannot restore %s to %s", JIT_ENABLE, old);
	return fd;
}

static void reject_checks(void)
{
	static const struct {
		const char *check;
		enum ret_type ret;
		bool no_btf, jit_off;
		const char *msg;
	} tests[] = {
		{ "reject-interpreter", RET_INT, false, true,
		  "tail_calls are not allowed in non-JITed programs with bpf-to-bpf calls" },
		{ "reject-nobtf", RET_INT, true, false,
		  "tail_call is not allowed in subprogs without BTF" },
		{ "reject-ret-void", RET_VOID, false, false,
		  "tail_call is only allowed in functions that return 'int'." },
		{ "reject-ret-ptr", RET_PTR, false, false,
		  "tail_call is only allowed in functions that return 'int'." },
	};
	int map_fd = new_prog_array(), fd;
	struct rprog p;
	unsigned int i;

	fd = -1;
	if (map_fd >= 0 && !build_callback(&p, map_fd))
		fd = load_raw("callback", &p, false);
	expect_rejected("reject-callback", fd < 0, kernel == BASE ? BASE_MSG :
			"subprog#2 has a tail call and is reachable from a callback");
	for (i = 0; i < ARRAY_SIZE(tests); i++) {
		if (fd >= 0)
			close(fd);
		fd = load_variant(tests[i].check, map_fd, tests[i].ret,
				  tests[i].no_btf, tests[i].jit_off);
		expect_rejected(tests[i].check, fd < 0,
				kernel == BASE ? BASE_MSG : tests[i].msg);
	}
	if (fd >= 0)
		close(fd);
	if (map_fd >= 0)
		close(map_fd);
}

int main(int argc, char **argv)
{
	const char *k = argc == 2 ? argv[1] : "";
	char path[sizeof(objdir)];

	if (!strcmp(k, "series") || !strcmp(k, "dev") || !strcmp(k, "debug")) {
		kernel = SERIES;
		debug_kernel = !strcmp(k, "debug");
	} else if (!strcmp(k, "base")) {
		kernel = BASE;
	} else if (!strcmp(k, "pristine")) {
		kernel = PRISTINE;
	} else {
		fprintf(stderr, "usage: %s series|debug|dev|base|pristine\n", argv[0]);
		return 2;
	}
	snprintf(path, sizeof(path), "%s", argv[0]);
	snprintf(objdir, sizeof(objdir), "%s", dirname(path));
	libbpf_set_print(keep_warnings);

	bomb_checks();
	if (kernel == PRISTINE) {
		printf("# pristine: only the bomb checks run; traced, freplace, stack and reject checks are about the series and base rules, not run\n");
		return tool_failures ? 1 : 0;
	}
	if (kernel == SERIES)
		traced_checks();
	else
		printf("# base: traced-* not run (bomb3 cannot load)\n");
	freplace_reachable();
	if (kernel == BASE)
		printf("# base: freplace-ext and freplace-tail-reachable not run (fr_entry cannot load)\n");
	freplace_plain();
	stack_checks();
	reject_checks();
	printf("# %d check(s) failed\n", tool_failures);
	return tool_failures ? 1 : 0;
}
