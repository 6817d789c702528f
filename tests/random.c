// SPDX-License-Identifier: GPL-2.0
/* random KERNEL: seeded random BPF programs that mix bpf-to-bpf calls and
 * tail calls, checked against a reference model of the verifier and of the
 * x86-64 JIT's tail call counter.
 *
 * Each "set" is 1..4 programs built from raw instructions (no clang) plus a
 * prog_array of 1..6 slots. A program is a main function and up to 8
 * subprograms with a random acyclic call graph (at most 8 frames; a few
 * programs get 9 on purpose), random stack sizes (each function writes at
 * fp-K, so that the verifier's stack_depth is exactly K) and random tail
 * call sites: constant indexes (direct tail calls when in range, some out
 * of range) and runtime indexes read from skb->cb[] (indirect). Every
 * function starts from its own constant, adds constants and what its
 * callees return, and returns the sum: the return value encodes the path.
 * Every main function, and some subprograms, count their runs in an array
 * map (an inlined map lookup, so the verifier moves the instructions after
 * it, the direct tail calls of subprograms included). Some subprograms
 * also get a pointer to a stack slot of each of their callers (r2; the
 * callers have 16 bytes of stack or more) and store their running sum
 * through it, before and after their tail calls: the caller adds what it
 * finds in the slot after the call to its own sum. All functions have
 * BTF ('int fN(void *ctx)', static; the verifier does not hold static
 * functions to their BTF arguments). The prog_array is filled while and
 * after the programs load (poke fixups at JIT time and at map updates),
 * some slots first get a decoy that is then replaced or deleted. In a
 * quarter of the sets, empty fexit programs (half of them with an fentry
 * program too) are attached to random functions of the loaded programs
 * before the run: their trampolines must neither change the run nor the
 * tail call count. In a fifth of the sets (drawn after that), one function
 * gets a nest operation: if skb->mark is not 0, it sets it to 0 and
 * clones the packet to the egress of the device whose ifindex the mark
 * was, with bpf_clone_redirect(). Such a set runs with skb->mark = lo's
 * ifindex and its entry program on lo's egress, so that the first nest
 * operation a run reaches runs the entry program again, nested inside the
 * helper, on a clone whose mark is 0: a second run with a tail call
 * counter of its own, deeper on the same stack.
 *
 * The model predicts, per program, the verifier's verdict: errno and the
 * exact message (series: the tail call stack rule of the callers of a
 * tail-calling subprogram, the combined stack size, the call frames; base:
 * any tail call in a program with subprograms), and, for the set's entry
 * program when it loads, the return value of one BPF_PROG_TEST_RUN and
 * every counter, with one tail call counter per run: an attempt with an
 * index below max_entries counts while the counter is below 33, even on
 * an empty slot; a successful tail call from a subprogram returns the
 * target's value to that subprogram's caller, and none of the subprogram's
 * stores through the pointer after it happen; a failed one falls through.
 * A nested run counts into the same counters and leaves the outer run's
 * counter and return value alone; the model puts it below the outer run's
 * frames at the nest operation, NEST_PATH_MAX deeper (twice that on the
 * KASAN kernel).
 * The model does not know where the series' stack check stops a run's tail
 * calls from subprograms (it depends on how deep the stack is when the run
 * starts): a run whose frames may reach 3/8 of the stack by the model's
 * upper bounds (JIT_FRAME_MAX, TRAMP_FRAME_MAX, TEST_RUN_STACK) is only
 * checked to complete, and counted in a diagnostic line.
 *
 * Parameters: GUEST_RANDOM_SEED (default 1), GUEST_RANDOM_COUNT (sets,
 * default 400: 12-40 s on the series under TCG). Set I is generated from
 * seed SEED + I * 1000003, so that GUEST_RANDOM_SEED=<that>
 * GUEST_RANDOM_COUNT=1 replays it (a mismatch prints it).
 * GUEST_RANDOM_DUMP=1 dumps every set (else only those that mismatch);
 * GUEST_RANDOM_DRY=1 only generates and models (no checks, exit 3).
 *
 * Checks (KERNEL series, debug or dev: the series model; base: the base
 * model; any other kernel: exit 2, there is no model for it):
 *   random                      every set matched the model (summary line)
 *   random-SEED-I               (not ok only) set I did not: what differed,
 *                               then a dump of the set as diagnostics
 *   random-accepted             some programs loaded as predicted
 *   random-rejected-stack-rule  series: some were rejected by the tail
 *                               call stack rule, as predicted
 *   random-rejected-base        base: some were rejected for mixing
 *   random-rejected-combined-stack, random-rejected-frames
 *                               series: some hit the 512 byte and the 8
 *                               frame limits (on base too, but too rarely
 *                               to be checked: a diagnostic)
 *   random-tail-call-limit      some runs reached 33 tail calls and the
 *                               next attempt was refused
 *   random-self-tail-call       some programs tail-called themselves
 *   random-runtime-index        series: some tail calls with a runtime
 *                               index succeeded
 *   random-direct-subprog-tail-call  series: direct tail calls from
 *                               subprograms (behind an inlined map lookup)
 *   random-mixed-tail-calls     series: runs where a main function made a
 *                               tail call (or hit the limit) after its
 *                               subprograms made some
 *   random-shared-budget        series: runs where a subprogram tail-called
 *                               twice or more and the limit was reached: one
 *                               budget for all of them
 *   random-store-skipped        series: runs where a subprogram's tail call
 *                               succeeded before a store through its
 *                               caller's pointer, which the caller then read
 *   random-trampolines          runs with trampolines attached that matched
 *   random-nested               runs with a nested run that matched
 * The feature checks count only sets that matched the model. Output: KTAP
 * (tests/tool.h), the plan last (mismatches add checks).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mman.h>
#include "tool.h"

#define MAX_PROGS	4
#define MAX_FUNCS	TOOL_MAX_FUNCS	/* the 9-frame programs need 9 */
#define MAX_OPS		24
#define MAX_SLOTS	6
#define NCB		5
#define MAX_INVOCATIONS	48	/* function runs per program run, bounds verification */
#define MAX_FRAMES	8
#define MAX_STACK	512
#define TC_CALLERS_MAX	256
/* An upper bound of an x86-64 JIT frame beyond its BPF stack (rounded up
 * to 8): return address, rbp, the two tail call counter slots, four
 * callee-saved registers; and what the stack check pushes at a tail call.
 */
#define JIT_FRAME_MAX	64
#define STACK_CHECK_PUSH 24
/* An upper bound of the frame of a trampoline with fentry and fexit
 * programs on a function with one argument (x86-64: 112 bytes measured by
 * tests/hostile.c, stack-depth-F7x32-fexit*). It stays on the stack while
 * the function runs, a tail call from it included; a main function entered
 * by a tail call skips its trampoline.
 */
#define TRAMP_FRAME_MAX	160
/* An upper bound of the stack that BPF_PROG_TEST_RUN uses before the
 * entry program: about 900 bytes in the guests (hostile's stack-depth
 * checks print the depth of a run without tail calls: 1440 bytes for
 * stack-depth-F1-small, whose two frames take some 600 of them), plus up
 * to 1023 bytes of random offset at each syscall
 * (CONFIG_RANDOMIZE_KSTACK_OFFSET, on in Debian's config).
 */
#define TEST_RUN_STACK	2560
/* An upper bound of the stack between the nest operation's frame and the
 * nested run's entry: bpf_clone_redirect(), dev_queue_xmit(), the tc
 * egress hook, cls_bpf (hostile's nest-clone: about 1 KiB per level).
 */
#define NEST_PATH_MAX	2048
/* KASAN's redzones make the kernel's own frames (not the JIT's) up to twice
 * as big on the debug kernel, whose stack is twice as big too.
 */
#define KERNEL_FRAMES(bytes) (tool_debug_kernel ? 2 * (bytes) : (bytes))
#define NCOUNTERS	(MAX_PROGS * MAX_FUNCS)
#define DEFAULT_COUNT	400
#define SEED_STRIDE	1000003ULL	/* set i of seed S: seed S + i * SEED_STRIDE */

enum op_kind { OP_ADD, OP_COUNT, OP_CALL, OP_TAIL, OP_TAIL_CB, OP_STORE, OP_NEST };

struct op {
	enum op_kind kind;
	__u32 val;		/* ADD: constant, CALL: callee, TAIL: index, TAIL_CB: cb[] */
				/* STORE: the sum through the caller's pointer */
};

struct func {
	int stack;		/* K: bytes of stack, written at fp-K */
	__u32 base;		/* the constant the function starts from */
	int nops;
	struct op ops[MAX_OPS];
	bool out;		/* gets a pointer to its caller's slot at fp-stack */
};

enum verdict { V_OK, V_STACK_RULE, V_COMBINED, V_FRAMES, V_BASE_MIX, V_OTHER, NVERDICTS };
static const char *const verdict_names[NVERDICTS] = {
	"loads", "stack-rule", "combined-stack", "frames", "base-mixing", "other",
};

struct outcome {
	enum verdict verdict;
	int err;		/* errno of the load */
	char msg[256];		/* the expected verifier message, or the log */
};

struct prog {
	int nfuncs;
	struct func f[MAX_FUNCS];
	__u32 fexit, fentry;	/* functions with an fexit (fentry) program */
	struct tool_prog code;
	struct outcome expect, got;
	int fd;
};

struct set {
	unsigned long long seed;
	int nprogs, nslots;
	struct prog p[MAX_PROGS];
	int slot[MAX_SLOTS];	/* program the slot ends with, -1: none */
	int decoy[MAX_SLOTS];	/* program put there first, -1: none */
	int fill_step[MAX_SLOTS];	/* filled after that many loads */
	int order[MAX_PROGS];	/* load order */
	__u32 cb[NCB];
	bool nest;		/* runs with skb->mark = lo's ifindex, p0 on lo's egress */
};

/* what one run does, predicted or measured */
struct run {
	__u32 retval;
	__u32 counters[NCOUNTERS];
	int tail_calls;		/* successful tail calls */
	/* model only */
	__u32 cnt;		/* the tail call counter */
	int refused, direct_sub_tc, self_tc, runtime_tc;
	int tc_per_func[MAX_PROGS][MAX_FUNCS];	/* successful, by origin */
	int sub_tc[MAX_PROGS];	/* successful from subprograms of the program */
	int mixed;		/* main attempts after the program's subprograms' */
	int skipped_stores;	/* stores after a successful tail call */
	int depth;		/* an upper bound of the JIT frames in use */
	int check_max;		/* the most at a tail call that keeps frames */
	bool mark;		/* skb->mark is not 0: the next nest op clones */
	int nested;		/* runs nested in this one */
};

enum feature {
	F_ACCEPTED, F_STACK_RULE, F_BASE_MIX, F_COMBINED, F_FRAMES, F_LIMIT,
	F_SELF, F_RUNTIME, F_DIRECT_SUB, F_MIXED, F_SHARED, F_STORE_SKIPPED, F_TRAMPOLINE,
	F_NESTED, NFEATURES,
};

static bool base_model;
static bool dump_all;	/* GUEST_RANDOM_DUMP: dump every set */

/* the names of the feature checks, in the order of enum feature */
static const char *const feature_names[] = {
	"random-accepted", "random-rejected-stack-rule", "random-rejected-base",
	"random-rejected-combined-stack", "random-rejected-frames",
	"random-tail-call-limit", "random-self-tail-call", "random-runtime-index",
	"random-direct-subprog-tail-call", "random-mixed-tail-calls",
	"random-shared-budget", "random-store-skipped", "random-trampolines",
	"random-nested",
};
_Static_assert(ARRAY_SIZE(feature_names) == NFEATURES, "a name per feature");

/* The features each model expects: on base no program mixes calls and
 * tail calls, which leaves the tail call limit and self tail calls; the
 * series has all but the base's rejection.
 */
static bool feature_checked(enum feature f)
{
	if (base_model)
		return f == F_ACCEPTED || f == F_BASE_MIX || f == F_LIMIT || f == F_SELF ||
		       f == F_TRAMPOLINE || f == F_NESTED;
	return f != F_BASE_MIX;
}

struct totals {
	int sets, programs, accepted, rejected, runs, tail_calls, mismatches;
	int near_bound;		/* runs not compared: the stack check may cut them */
	int by_verdict[NVERDICTS];
	int features[NFEATURES];
};

enum phase { T_LOAD, T_RELOAD, T_MAPS, T_RUN, T_CLOSE, NPHASES };
static const char *const phase_names[NPHASES] = {
	"load", "load-with-log", "maps", "run", "close",
};
static __u64 phase_ns[NPHASES], phase_t0;

static void phase_start(void)
{
	phase_t0 = tool_now_ns();
}

static void phase_end(enum phase ph)
{
	phase_ns[ph] += tool_now_ns() - phase_t0;
}

static unsigned long long rng;
static struct set cur;

/* ---- random numbers ---- */

static unsigned long long splitmix64(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static __u32 rnd32(void)
{
	rng = splitmix64(rng);
	return rng >> 32;
}

/* uniform in [0, n) */
static int rnd(int n)
{
	return (int)(((unsigned long long)rnd32() * n) >> 32);
}

static bool chance(int percent)
{
	return rnd(100) < percent;
}

/* ---- generation ---- */

static bool ops_overflow;	/* a function got more than MAX_OPS ops */

static void add_op(struct func *fn, enum op_kind kind, __u32 val)
{
	if (fn->nops < MAX_OPS)
		fn->ops[fn->nops++] = (struct op){ kind, val };
	else
		ops_overflow = true;
}

static int count_ops(const struct func *fn, enum op_kind kind)
{
	int i, n = 0;

	for (i = 0; i < fn->nops; i++)
		n += fn->ops[i].kind == kind;
	return n;
}

static bool has_tail_call(const struct func *fn)
{
	return count_ops(fn, OP_TAIL) + count_ops(fn, OP_TAIL_CB) > 0;
}

/* Stack sizes: mostly small enough for the tail call rule of the callers
 * (one caller: 192 bytes, two: 128 in all), some large ones for it and for
 * the combined 512 bytes.
 */
static int pick_stack(int f)
{
	int r = rnd(100);

	if (r < 10 && f)
		return 0;
	if (r < 65)
		return 8 * (1 + rnd(8));	/* 8..64 */
	if (r < 90)
		return 8 * (9 + rnd(16));	/* 72..192 */
	return 8 * (25 + rnd(40));		/* 200..512 */
}

/* Call edges from earlier to later functions (acyclic); a function's depth
 * (its frames minus one) stays <= maxdepth. Sometimes a caller calls the
 * same callee several times.
 */
static void add_calls(struct prog *p, int caller, int callee, int *depth)
{
	int n = chance(15) ? 2 + rnd(2) : 1;

	while (n--)
		add_op(&p->f[caller], OP_CALL, callee);
	if (depth[callee] < depth[caller] + 1)
		depth[callee] = depth[caller] + 1;
}

static int pick_caller(int f, const int *depth, int maxdepth)
{
	int c;

	if (chance(35) && depth[f - 1] < maxdepth)
		return f - 1;
	do
		c = rnd(f);
	while (depth[c] >= maxdepth);
	return c;
}

static void gen_graph(struct prog *p, int *depth)
{
	bool deep = chance(3);
	int maxdepth = deep ? MAX_FRAMES : MAX_FRAMES - 1;
	int f, c;

	if (deep)
		p->nfuncs = MAX_FUNCS;
	else
		p->nfuncs = chance(25) ? 1 : 2 + rnd(MAX_FUNCS - 2);
	depth[0] = 0;
	for (f = 1; f < p->nfuncs; f++) {
		depth[f] = 0;
		c = deep ? f - 1 : pick_caller(f, depth, maxdepth);
		add_calls(p, c, f, depth);
		c = rnd(f);
		if (chance(25) && depth[c] < maxdepth)
			add_calls(p, c, f, depth);
	}
}

static int invocations(const struct prog *p)
{
	int inv[MAX_FUNCS] = { 1 }, f, i, total = 0;

	for (f = 0; f < p->nfuncs; f++) {
		total += inv[f];
		for (i = 0; i < p->f[f].nops; i++)
			if (p->f[f].ops[i].kind == OP_CALL)
				inv[p->f[f].ops[i].val] += inv[f];
	}
	return total;
}

static __u32 pick_index(int nslots)
{
	int r = rnd(100);

	if (r < 80)
		return rnd(nslots);			/* in range */
	if (r < 95)
		return nslots + rnd(3);			/* just out of range */
	return 0x7ffffff0 + rnd(16);			/* far out */
}

static void add_tail_calls(struct set *s, struct func *fn, int f, int depth)
{
	static const int percent_at_depth[] = { 80, 50, 35 };
	int pct = depth < 3 ? percent_at_depth[depth] : 8;
	int n;

	if (!chance(pct))
		return;
	n = 1 + (chance(f ? 30 : 50) ? 1 + rnd(2) : 0);
	while (n--) {
		if (chance(30))
			add_op(fn, OP_TAIL_CB, rnd(NCB));
		else
			add_op(fn, OP_TAIL, pick_index(s->nslots));
	}
}

static void shuffle_ops(struct func *fn, int from)
{
	int i, j;
	struct op t;

	for (i = fn->nops - 1; i > from; i--) {
		j = from + rnd(i - from + 1);
		t = fn->ops[i];
		fn->ops[i] = fn->ops[j];
		fn->ops[j] = t;
	}
}

/* the usual shape of a main function: work first, then tail calls */
static void tail_calls_last(struct func *fn)
{
	struct op ops[MAX_OPS];
	int i, n = 0;

	for (i = 0; i < fn->nops; i++)
		if (fn->ops[i].kind != OP_TAIL && fn->ops[i].kind != OP_TAIL_CB)
			ops[n++] = fn->ops[i];
	for (i = 0; i < fn->nops; i++)
		if (fn->ops[i].kind == OP_TAIL || fn->ops[i].kind == OP_TAIL_CB)
			ops[n++] = fn->ops[i];
	memcpy(fn->ops, ops, n * sizeof(ops[0]));
}

static void gen_func_body(struct set *s, struct prog *p, int f, int depth)
{
	struct func *fn = &p->f[f];
	int n;

	fn->base = rnd32();
	fn->stack = pick_stack(f);
	add_tail_calls(s, fn, f, depth);
	if (fn->stack && (f == 0 || chance(50)))
		add_op(fn, OP_COUNT, 0);
	for (n = rnd(3); n; n--)
		add_op(fn, OP_ADD, rnd32());
	if (f == 0) {
		/* the main function counts first: entries = tail calls + 1 */
		for (n = 0; n < fn->nops && fn->ops[n].kind != OP_COUNT; n++)
			;
		if (n < fn->nops) {	/* else ops_overflow: generated again */
			fn->ops[n] = fn->ops[0];
			fn->ops[0] = (struct op){ OP_COUNT, 0 };
		}
	}
	shuffle_ops(fn, f == 0);
	if (f == 0 && chance(50))
		tail_calls_last(fn);
}

/* Give some subprograms whose callers all have a slot (16 bytes of stack or
 * more: fp-8 holds the key of OP_COUNT) a pointer to it, and one or two
 * stores through it among their other operations, tail calls included.
 */
static void gen_out_args(struct prog *p)
{
	struct func *fn;
	int f, c, i, n;
	bool ok;

	for (f = 1; f < p->nfuncs; f++) {
		ok = true;
		for (c = 0; c < f; c++)
			for (i = 0; i < p->f[c].nops; i++)
				if (p->f[c].ops[i].kind == OP_CALL && p->f[c].ops[i].val == (__u32)f)
					ok &= p->f[c].stack >= 16;
		fn = &p->f[f];
		if (!ok || !chance(has_tail_call(fn) ? 70 : 30))
			continue;
		fn->out = true;
		for (n = 1 + rnd(2); n; n--)
			add_op(fn, OP_STORE, 0);
		shuffle_ops(fn, 0);
	}
}

static void gen_prog(struct set *s, struct prog *p)
{
	int depth[MAX_FUNCS], f;

	do {
		memset(p, 0, offsetof(struct prog, code));
		ops_overflow = false;
		gen_graph(p, depth);
		for (f = 0; f < p->nfuncs; f++)
			gen_func_body(s, p, f, depth[f]);
		gen_out_args(p);
	} while (ops_overflow || invocations(p) > MAX_INVOCATIONS);
}

static void gen_map_plan(struct set *s)
{
	int i, j, t, pos[MAX_PROGS];

	for (i = 0; i < s->nprogs; i++)
		s->order[i] = i;
	for (i = s->nprogs - 1; i > 0; i--) {
		j = rnd(i + 1);
		t = s->order[i], s->order[i] = s->order[j], s->order[j] = t;
	}
	for (i = 0; i < s->nprogs; i++)
		pos[s->order[i]] = i + 1;
	for (i = 0; i < s->nslots; i++) {
		s->slot[i] = chance(25) ? -1 : rnd(s->nprogs);
		s->decoy[i] = chance(20) ? rnd(s->nprogs) : -1;
		t = 1;
		if (s->slot[i] >= 0 && pos[s->slot[i]] > t)
			t = pos[s->slot[i]];
		if (s->decoy[i] >= 0 && pos[s->decoy[i]] > t)
			t = pos[s->decoy[i]];
		s->fill_step[i] = t + rnd(s->nprogs - t + 1);
	}
}

/* In a quarter of the sets, empty fexit programs, some with an fentry
 * program too, on random functions of the programs (drawn last, so that
 * the rest of a set is what it was without them).
 */
static void gen_trampolines(struct set *s)
{
	int i, f;

	if (!chance(25))
		return;
	for (i = 0; i < s->nprogs; i++)
		for (f = 0; f < s->p[i].nfuncs; f++) {
			if (!chance(30))
				continue;
			s->p[i].fexit |= 1u << f;
			if (chance(50))
				s->p[i].fentry |= 1u << f;
		}
}

/* In a fifth of the sets, a nest operation in a random function (after the
 * count that a main function starts with), drawn after everything else.
 */
static void gen_nesting(struct set *s)
{
	struct prog *p;
	struct func *fn;
	int f, at, from;

	if (!chance(20))
		return;
	p = &s->p[rnd(s->nprogs)];
	f = rnd(p->nfuncs);
	fn = &p->f[f];
	if (fn->nops == MAX_OPS)
		return;
	from = f == 0 && fn->nops && fn->ops[0].kind == OP_COUNT;
	at = from + rnd(fn->nops - from + 1);
	memmove(&fn->ops[at + 1], &fn->ops[at], (fn->nops - at) * sizeof(fn->ops[0]));
	fn->ops[at] = (struct op){ OP_NEST, 0 };
	fn->nops++;
	s->nest = true;
}

static void gen_set(struct set *s, unsigned long long seed)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->seed = seed;
	rng = splitmix64(seed);
	s->nprogs = 1 + rnd(MAX_PROGS);
	s->nslots = 1 + rnd(MAX_SLOTS);
	for (i = 0; i < NCB; i++)
		s->cb[i] = chance(95) ? (__u32)rnd(s->nslots + 1) : 0xfffffff0u + rnd(16);
	for (i = 0; i < s->nprogs; i++)
		gen_prog(s, &s->p[i]);
	gen_map_plan(s);
	gen_trampolines(s);
	gen_nesting(s);
}

/* ---- instructions ---- */

/* counters[key]++ with an (inlined) array map lookup */
static void emit_count(struct tool_prog *c, int key, int counters_fd)
{
	EMIT(c, BPF_ST_MEM(BPF_W, BPF_REG_10, -8, key));
	EMIT(c, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
	EMIT(c, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -8));
	EMIT(c, BPF_LD_MAP_FD(BPF_REG_1, counters_fd));
	EMIT(c, BPF_EMIT_CALL(BPF_FUNC_map_lookup_elem));
	EMIT(c, BPF_JMP_IMM(BPF_JEQ, BPF_REG_0, 0, 2));
	EMIT(c, BPF_MOV64_IMM(BPF_REG_1, 1));
	EMIT(c, BPF_ATOMIC_OP(BPF_DW, BPF_ADD, BPF_REG_0, BPF_REG_1, 0));
}

static void emit_tail_call(struct tool_prog *c, const struct op *op, int prog_array_fd)
{
	EMIT(c, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
	EMIT(c, BPF_LD_MAP_FD(BPF_REG_2, prog_array_fd));
	if (op->kind == OP_TAIL)
		EMIT(c, BPF_MOV64_IMM(BPF_REG_3, op->val));
	else
		EMIT(c, BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_6,
				    offsetof(struct __sk_buff, cb) + 4 * op->val));
	EMIT(c, BPF_EMIT_CALL(BPF_FUNC_tail_call));
}

/* if (skb->mark) { ifindex = skb->mark; skb->mark = 0;
 * bpf_clone_redirect(skb, ifindex, 0); }: the helper's result is not used
 */
static void emit_nest(struct tool_prog *c)
{
	EMIT(c, BPF_LDX_MEM(BPF_W, BPF_REG_2, BPF_REG_6, offsetof(struct __sk_buff, mark)));
	EMIT(c, BPF_JMP_IMM(BPF_JEQ, BPF_REG_2, 0, 4));
	EMIT(c, BPF_MOV64_IMM(BPF_REG_3, 0));
	EMIT(c, BPF_STX_MEM(BPF_W, BPF_REG_6, BPF_REG_3, offsetof(struct __sk_buff, mark)));
	EMIT(c, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
	EMIT(c, BPF_EMIT_CALL(BPF_FUNC_clone_redirect));
}

static void emit_op(struct prog *p, int f, int key, const struct op *op, int *fds)
{
	const struct func *fn = &p->f[f];
	bool out = op->kind == OP_CALL && p->f[op->val].out;
	struct tool_prog *c = &p->code;

	switch (op->kind) {
	case OP_ADD:
		EMIT(c, BPF_ALU32_IMM(BPF_ADD, BPF_REG_7, op->val));
		break;
	case OP_COUNT:
		emit_count(c, key, fds[1]);
		break;
	case OP_CALL:
		EMIT(c, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
		if (out) {	/* r2 = fp - stack: this function's slot */
			EMIT(c, BPF_MOV64_REG(BPF_REG_2, BPF_REG_10));
			EMIT(c, BPF_ALU64_IMM(BPF_ADD, BPF_REG_2, -fn->stack));
		}
		EMIT(c, BPF_CALL_REL(op->val));	/* see tool_finish() */
		EMIT(c, BPF_ALU32_REG(BPF_ADD, BPF_REG_7, BPF_REG_0));
		if (out) {	/* add what the callee left in the slot */
			EMIT(c, BPF_LDX_MEM(BPF_DW, BPF_REG_1, BPF_REG_10, -fn->stack));
			EMIT(c, BPF_ALU32_REG(BPF_ADD, BPF_REG_7, BPF_REG_1));
		}
		break;
	case OP_STORE:
		EMIT(c, BPF_STX_MEM(BPF_DW, BPF_REG_8, BPF_REG_7, 0));
		break;
	case OP_TAIL:
	case OP_TAIL_CB:
		emit_tail_call(c, op, fds[0]);
		break;
	case OP_NEST:
		emit_nest(c);
		break;
	}
}

/* key: this function's counter */
static void emit_func(struct prog *p, int f, int key, int *fds)
{
	struct func *fn = &p->f[f];
	struct tool_prog *c = &p->code;
	int i;

	tool_begin_func(c, TOOL_RET_INT);
	EMIT(c, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));
	if (fn->out)
		EMIT(c, BPF_MOV64_REG(BPF_REG_8, BPF_REG_2));
	EMIT(c, BPF_MOV32_IMM(BPF_REG_7, fn->base));
	if (fn->stack)
		EMIT(c, BPF_STX_MEM(BPF_DW, BPF_REG_10, BPF_REG_7, -fn->stack));
	for (i = 0; i < fn->nops; i++)
		emit_op(p, f, key, &fn->ops[i], fds);
	EMIT(c, BPF_MOV32_REG(BPF_REG_0, BPF_REG_7));
	EMIT(c, BPF_EXIT_INSN());
}

/* program 'idx' of the set; fds[0]: prog_array, fds[1]: counters */
static void emit_prog(struct prog *p, int idx, int *fds)
{
	int f;

	memset(&p->code, 0, sizeof(p->code));
	for (f = 0; f < p->nfuncs; f++)
		emit_func(p, f, idx * MAX_FUNCS + f, fds);
	if (tool_finish(&p->code)) {
		tool_diag("random: program too long");
		exit(1);
	}
}

/* ---- the verifier's model ---- */

static int set_outcome(struct outcome *o, enum verdict v, int err, const char *fmt, ...)
{
	va_list ap;

	o->verdict = v;
	o->err = err;
	va_start(ap, fmt);
	vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* do_check(): the first path, calls entered in instruction order */
static int model_do_check(const struct prog *p, int f, int frame, struct outcome *o)
{
	const struct func *fn = &p->f[f];
	const struct op *op;
	int i;

	for (i = 0; i < fn->nops; i++) {
		op = &fn->ops[i];
		if (op->kind == OP_CALL) {
			if (frame + 1 >= MAX_FRAMES)
				return set_outcome(o, V_FRAMES, E2BIG,
						   "the call stack of %d frames is too deep",
						   frame + 2);
			if (model_do_check(p, op->val, frame + 1, o))
				return -1;
		} else if ((op->kind == OP_TAIL || op->kind == OP_TAIL_CB) &&
			   base_model && p->nfuncs > 1) {
			return set_outcome(o, V_BASE_MIX, EINVAL, TOOL_BASE_MSG);
		}
	}
	return 0;
}

static int round_stack(int stack)
{
	return ((stack ? stack : 1) + 31) / 32 * 32;
}

/* check_max_stack_depth(): 'depth' is what the callers use */
static int model_stack(const struct prog *p, int f, int frame, int depth,
		       struct outcome *o)
{
	const struct func *fn = &p->f[f];
	int i;

	if (!base_model && has_tail_call(fn) && frame && depth > TC_CALLERS_MAX)
		return set_outcome(o, V_STACK_RULE, EACCES,
				   "subprog#%d has a tail call, but its %d caller frames use %d bytes of stack, more than %d",
				   f, frame, depth, TC_CALLERS_MAX);
	depth += round_stack(fn->stack);
	if (depth > MAX_STACK)
		return set_outcome(o, V_COMBINED, EACCES,
				   "combined stack size of %d calls is %d. Too large",
				   frame + 1, depth);
	for (i = 0; i < fn->nops; i++)
		if (fn->ops[i].kind == OP_CALL &&
		    model_stack(p, fn->ops[i].val, frame + 1, depth, o))
			return -1;
	return 0;
}

static void model_verdict(struct prog *p)
{
	struct outcome *o = &p->expect;

	memset(o, 0, sizeof(*o));
	if (model_do_check(p, 0, 0, o) == 0)
		model_stack(p, 0, 0, 0, o);
}

/* ---- the run's model ---- */

static __u32 model_func(const struct set *s, struct run *r, int p, int f, __u32 *out);

/* Returns 1 and the target's value in *ret if the tail call happened.
 * after_sub: a main function whose subprograms made tail calls already.
 */
static int model_tail_call(const struct set *s, struct run *r, int p, int f, int cost,
			   const struct op *op, bool after_sub, __u32 *ret)
{
	__u32 idx = op->kind == OP_TAIL ? op->val : s->cb[op->val];
	int t;

	if (idx >= (__u32)s->nslots)
		return 0;
	r->mixed += after_sub;
	if (r->cnt >= TOOL_MAX_TAIL_CALLS) {
		r->refused++;
		return 0;
	}
	/* a subprogram's tail call checks the stack here */
	if (f && r->depth + STACK_CHECK_PUSH > r->check_max)
		r->check_max = r->depth + STACK_CHECK_PUSH;
	r->cnt++;
	t = s->slot[idx];
	if (t < 0 || s->p[t].expect.verdict != V_OK)
		return 0;
	r->tail_calls++;
	r->tc_per_func[p][f]++;
	r->sub_tc[p] += f > 0;
	r->direct_sub_tc += f && op->kind == OP_TAIL;
	r->self_tc += t == p;
	r->runtime_tc += op->kind == OP_TAIL_CB;
	/* the target's frame takes the place of the tail-calling one */
	r->depth -= cost;
	*ret = model_func(s, r, t, 0, NULL);
	r->depth += cost;
	return 1;
}

/* A run of the entry program nested in the helper of a nest operation, at
 * the outer run's depth there: its own tail call counter, the same
 * counters (and, in r->tail_calls, one more entry of a main function).
 */
static void model_nested(const struct set *s, struct run *r)
{
	struct run in;
	int i;

	memset(&in, 0, sizeof(in));
	in.depth = r->depth + KERNEL_FRAMES(NEST_PATH_MAX) + (s->p[0].fexit & 1 ? TRAMP_FRAME_MAX : 0);
	model_func(s, &in, 0, 0, NULL);
	for (i = 0; i < NCOUNTERS; i++)
		r->counters[i] += in.counters[i];
	r->tail_calls += in.tail_calls + 1;
	if (in.check_max > r->check_max)
		r->check_max = in.check_max;
	r->nested++;
}

/* @out: the caller's slot, if the function gets a pointer to it */
static __u32 model_func(const struct set *s, struct run *r, int p, int f, __u32 *out)
{
	const struct func *fn = &s->p[p].f[f];
	int cost = (fn->stack + 7) / 8 * 8 + JIT_FRAME_MAX;
	/* subprograms are called through their trampolines */
	int tramp = f && (s->p[p].fexit & (1u << f)) ? TRAMP_FRAME_MAX : 0;
	const struct op *op;
	__u32 acc = fn->base, ret, slot = fn->base;
	int i, j, sub_tc = r->sub_tc[p];
	bool done;

	r->depth += cost + tramp;

	for (i = 0; i < fn->nops; i++) {
		op = &fn->ops[i];
		switch (op->kind) {
		case OP_ADD:
			acc += op->val;
			break;
		case OP_COUNT:
			r->counters[p * MAX_FUNCS + f]++;
			break;
		case OP_CALL:
			if (s->p[p].f[op->val].out) {
				acc += model_func(s, r, p, op->val, &slot);
				acc += slot;
			} else {
				acc += model_func(s, r, p, op->val, NULL);
			}
			break;
		case OP_TAIL:
		case OP_TAIL_CB:
			done = model_tail_call(s, r, p, f, cost, op,
					       !f && r->sub_tc[p] > sub_tc, &ret);
			if (done) {
				for (j = i + 1; j < fn->nops; j++)
					if (fn->ops[j].kind == OP_STORE) {
						r->skipped_stores++;
						break;
					}
				r->depth -= cost + tramp;
				return ret;
			}
			break;
		case OP_STORE:
			*out = acc;
			break;
		case OP_NEST:
			if (r->mark) {
				r->mark = false;
				model_nested(s, r);
			}
			break;
		}
	}
	r->depth -= cost + tramp;
	return acc;
}

/* Whether the tail calls that keep frames may go beyond the first three
 * eighths of the stack (bpf_tail_call_stack_ok()), where the model no longer knows
 * which of them fail: such runs must only complete.
 */
static bool near_bound(const struct run *r)
{
	long kept = tool_thread_size() / 8 * 3;

	return r->check_max && KERNEL_FRAMES(TEST_RUN_STACK) + r->check_max > kept;
}

static void model_run(const struct set *s, struct run *r)
{
	memset(r, 0, sizeof(*r));
	/* the entry is called through its trampoline, once per run */
	r->depth = s->p[0].fexit & 1 ? TRAMP_FRAME_MAX : 0;
	r->mark = s->nest;
	r->retval = model_func(s, r, 0, 0, NULL);
}

/* ---- the kernel ---- */

static int btf_fd;
static __u32 btf_ids[MAX_FUNCS];	/* of f0 .. f8, 'int fN(void *ctx)' */
static int counters_fd;
static __u64 *counters;	/* mmap()ed values of counters_fd */

/* One BTF for all programs: MAX_FUNCS functions returning int. */
static int setup_btf(void)
{
	struct tool_prog *funcs = calloc(1, sizeof(*funcs));
	int f;

	if (!funcs)
		return -1;
	for (f = 0; f < MAX_FUNCS; f++)
		tool_begin_func(funcs, TOOL_RET_INT);
	btf_fd = tool_btf(funcs);
	memcpy(btf_ids, funcs->btf_id, sizeof(btf_ids));
	free(funcs);
	return btf_fd < 0 ? -1 : 0;
}

static int setup_counters(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	void *mem;

	counters_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "counters", 4, 8,
				     NCOUNTERS, &opts);
	if (counters_fd < 0)
		return -1;
	mem = mmap(NULL, sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE,
		   MAP_SHARED, counters_fd, 0);
	if (mem == MAP_FAILED)
		return -1;
	counters = mem;
	return 0;
}

/* Load; on failure load again with a log to read the verifier's message:
 * the verdict is the expected one if the message is exactly the expected
 * one (and the errno, see same_outcome()).
 */
static void load_prog(struct prog *p)
{
	struct outcome *got = &p->got;
	char line[sizeof(got->msg)];

	memcpy(p->code.btf_id, btf_ids, sizeof(btf_ids));
	memset(got, 0, sizeof(*got));
	phase_start();
	p->fd = tool_load_raw(&p->code, "rnd", btf_fd, TOOL_LOG_NONE);
	phase_end(T_LOAD);
	if (p->fd >= 0)
		return;
	got->err = errno;
	got->verdict = V_OTHER;
	phase_start();
	p->fd = tool_load_raw(&p->code, "rnd", btf_fd, TOOL_LOG_ALWAYS);
	phase_end(T_RELOAD);
	if (p->fd >= 0) {
		snprintf(got->msg, sizeof(got->msg), "loaded on the second try");
		close(p->fd);
		p->fd = -1;
		return;
	}
	snprintf(got->msg, sizeof(got->msg), "%s", tool_log_error(line, sizeof(line)));
	if (p->expect.verdict != V_OK && !strcmp(got->msg, p->expect.msg))
		got->verdict = p->expect.verdict;
}

static void update_slot(int map_fd, int slot, int prog)
{
	const struct prog *p = &cur.p[prog];

	if (p->fd >= 0 && tool_set_slot(map_fd, slot, p->fd))
		tool_diag("random: seed %llu: slot %d: update failed: %s",
			  cur.seed, slot, strerror(errno));
}

static void fill_slots(int map_fd, int step)
{
	__u32 key;
	int i;

	phase_start();
	for (i = 0; i < cur.nslots; i++) {
		if (cur.fill_step[i] != step)
			continue;
		if (cur.decoy[i] >= 0)
			update_slot(map_fd, i, cur.decoy[i]);
		if (cur.slot[i] >= 0) {
			update_slot(map_fd, i, cur.slot[i]);
		} else if (cur.decoy[i] >= 0) {
			key = i;
			bpf_map_delete_elem(map_fd, &key);
		}
	}
	/* a slot whose program was rejected keeps no decoy either */
	for (i = 0; i < cur.nslots; i++) {
		if (cur.fill_step[i] == step && cur.slot[i] >= 0 &&
		    cur.p[cur.slot[i]].fd < 0) {
			key = i;
			bpf_map_delete_elem(map_fd, &key);
		}
	}
	phase_end(T_MAPS);
}

/* lo's ifindex: the mark of a set with nesting, where its entry runs */
static int lo_ifindex;

static int test_run(int fd, struct run *r)
{
	struct tool_run run = { .cb = cur.cb, .mark = cur.nest ? lo_ifindex : 0 };
	int err, i;

	memset(counters, 0, NCOUNTERS * sizeof(*counters));
	memset(r, 0, sizeof(*r));
	phase_start();
	err = tool_test_run(fd, &run);
	phase_end(T_RUN);
	if (err)
		return -errno;
	r->retval = run.retval;
	for (i = 0; i < NCOUNTERS; i++)
		r->counters[i] = counters[i];
	r->tail_calls = -1;
	for (i = 0; i < MAX_PROGS; i++)
		r->tail_calls += r->counters[i * MAX_FUNCS];
	return 0;
}

/* ---- reporting ---- */

static void dump_op(char *buf, size_t size, const struct op *op)
{
	switch (op->kind) {
	case OP_ADD:
		snprintf(buf, size, " add:%#x", op->val);
		break;
	case OP_COUNT:
		snprintf(buf, size, " count");
		break;
	case OP_CALL:
		snprintf(buf, size, " call:f%u", op->val);
		break;
	case OP_TAIL:
		snprintf(buf, size, " tail:%u", op->val);
		break;
	case OP_TAIL_CB:
		snprintf(buf, size, " tail:cb[%u]=%u", op->val, cur.cb[op->val]);
		break;
	case OP_STORE:
		snprintf(buf, size, " store");
		break;
	case OP_NEST:
		snprintf(buf, size, " nest");
		break;
	}
}

static void dump_prog(int i)
{
	const struct prog *p = &cur.p[i];
	const struct func *fn;
	const struct bpf_insn *in;
	char ops[MAX_OPS * 24], *o;
	int f, j;

	printf("#  p%d: expected %s %s; got %s (errno %d) %s; fexit on %#x, fentry on %#x (bits: functions)\n",
	       i, verdict_names[p->expect.verdict], p->expect.msg,
	       verdict_names[p->got.verdict], p->got.err, p->got.msg, p->fexit, p->fentry);
	for (f = 0; f < p->nfuncs; f++) {
		fn = &p->f[f];
		o = ops;
		*o = 0;
		for (j = 0; j < fn->nops; j++)
			dump_op(o + strlen(o), sizeof(ops) - (o - ops) - strlen(o), &fn->ops[j]);
		printf("#    f%d (insn %d) stack=%d base=%#x%s:%s\n", f, p->code.start[f],
		       fn->stack, fn->base, fn->out ? " out" : "", ops);
	}
	for (j = 0; j < p->code.len; j++) {
		in = &p->code.insn[j];
		printf("#      %4d: %02x %x %x %6d %d\n", j, in->code, in->dst_reg,
		       in->src_reg, in->off, in->imm);
	}
}

static const char *prog_name(int prog, const char *none)
{
	static const char *const names[MAX_PROGS] = { "p0", "p1", "p2", "p3" };

	return prog < 0 ? none : names[prog];
}

static void dump_set(void)
{
	struct run want;
	int i;

	printf("# set seed=%llu programs=%d entry=p0 max_entries=%d cb=[%u %u %u %u %u]%s\n",
	       cur.seed, cur.nprogs, cur.nslots, cur.cb[0], cur.cb[1], cur.cb[2],
	       cur.cb[3], cur.cb[4], cur.nest ? " mark=lo, p0 on lo's egress" : "");
	printf("#  load order:");
	for (i = 0; i < cur.nprogs; i++)
		printf(" p%d", cur.order[i]);
	printf("\n");
	for (i = 0; i < cur.nslots; i++)
		printf("#  slot %d: %s, filled after %d loads, decoy first: %s\n",
		       i, prog_name(cur.slot[i], "empty"), cur.fill_step[i],
		       prog_name(cur.decoy[i], "none"));
	for (i = 0; i < cur.nprogs; i++)
		dump_prog(i);
	model_run(&cur, &want);
	printf("#  model: retval=%#x tail_calls=%d counters:", want.retval, want.tail_calls);
	for (i = 0; i < NCOUNTERS; i++)
		if (want.counters[i])
			printf(" p%df%d=%u", i / MAX_FUNCS, i % MAX_FUNCS, want.counters[i]);
	printf("\n");
}

static int describe_run_diff(char *buf, size_t size, const struct run *want,
			     const struct run *got)
{
	int n, i;

	n = snprintf(buf, size, " retval expected=%#x actual=%#x tail_calls expected=%d actual=%d",
		     want->retval, got->retval, want->tail_calls, got->tail_calls);
	for (i = 0; i < NCOUNTERS && n < (int)size; i++)
		if (want->counters[i] != got->counters[i])
			n += snprintf(buf + n, size - n, " p%df%d-count expected=%u actual=%u",
				      i / MAX_FUNCS, i % MAX_FUNCS,
				      want->counters[i], got->counters[i]);
	return n;
}

static bool same_outcome(const struct prog *p)
{
	if (p->expect.verdict == V_OK)
		return p->got.verdict == V_OK;
	return p->got.verdict == p->expect.verdict && p->got.err == p->expect.err;
}

/* ---- one set ---- */

static void count_features(struct totals *t, const struct run *r)
{
	bool twice = false;
	int p, f;

	for (p = 0; p < MAX_PROGS; p++)
		for (f = 1; f < MAX_FUNCS; f++)
			twice |= r->tc_per_func[p][f] >= 2;
	t->features[F_LIMIT] += r->cnt == TOOL_MAX_TAIL_CALLS && r->refused;
	t->features[F_SELF] += r->self_tc > 0;
	t->features[F_RUNTIME] += r->runtime_tc > 0;
	t->features[F_DIRECT_SUB] += r->direct_sub_tc > 0;
	t->features[F_MIXED] += r->mixed > 0;
	t->features[F_SHARED] += twice && r->refused;
	t->features[F_STORE_SKIPPED] += r->skipped_stores > 0;
	for (p = 0; p < cur.nprogs; p++)
		if (cur.p[p].fexit) {
			t->features[F_TRAMPOLINE]++;
			break;
		}
	t->features[F_NESTED] += r->nested > 0;
	t->tail_calls += r->tail_calls;
	t->runs++;
}

/* Programs and their verdicts count always, the features only in sets
 * that matched the model ('matched'), the run's if there was one ('run').
 */
static void account(struct totals *t, bool matched, const struct run *run)
{
	static const enum feature of[NVERDICTS] = {
		[V_OK] = F_ACCEPTED, [V_STACK_RULE] = F_STACK_RULE,
		[V_COMBINED] = F_COMBINED, [V_FRAMES] = F_FRAMES,
		[V_BASE_MIX] = F_BASE_MIX, [V_OTHER] = NFEATURES,
	};
	enum verdict v;
	int i;

	for (i = 0; i < cur.nprogs; i++) {
		v = cur.p[i].expect.verdict;
		t->programs++;
		t->by_verdict[v]++;
		if (v == V_OK)
			t->accepted++;
		else
			t->rejected++;
		if (matched && of[v] != NFEATURES)
			t->features[of[v]]++;
	}
	if (matched && run)
		count_features(t, run);
}

/* Attach the set's trampolines to its loaded programs: 0, or -1 with what
 * failed in 'diff'.
 */
static int attach_trampolines(int *links, int *nlinks, char *diff, size_t size)
{
	const struct prog *p;
	int i, f, k;

	for (i = 0; i < cur.nprogs; i++) {
		p = &cur.p[i];
		for (f = 0; f < p->nfuncs && p->fd >= 0; f++)
			for (k = 0; k < 2; k++) {
				if (!((k ? p->fentry : p->fexit) & (1u << f)))
					continue;
				links[*nlinks] = tool_attach_tracing(p->fd, btf_ids[f],
								     k ? BPF_TRACE_FENTRY :
									 BPF_TRACE_FEXIT);
				if (links[*nlinks] < 0) {
					snprintf(diff, size, " %s on p%df%d: %s", k ? "fentry" : "fexit",
						 i, f, strerror(errno));
					return -1;
				}
				(*nlinks)++;
			}
	}
	return 0;
}

static void run_set(int map_fd, unsigned long long seed0, int idx, struct totals *t)
{
	int i, n = 0, err = 0, links[2 * MAX_PROGS * MAX_FUNCS], nlinks = 0;
	struct run want, got = {};
	char diff[1024], name[64];
	bool ran = false;

	for (i = 0; i < cur.nprogs; i++)
		cur.p[i].fd = -1;
	for (i = 0; i < cur.nprogs; i++) {
		load_prog(&cur.p[cur.order[i]]);
		fill_slots(map_fd, i + 1);
	}
	diff[0] = 0;
	for (i = 0; i < cur.nprogs; i++)
		if (!same_outcome(&cur.p[i]))
			n += snprintf(diff + n, sizeof(diff) - n, " p%d: expected %s errno %d, got %s errno %d;",
				      i, verdict_names[cur.p[i].expect.verdict],
				      cur.p[i].expect.err, verdict_names[cur.p[i].got.verdict],
				      cur.p[i].got.err);
	model_run(&cur, &want);
	if (!n && attach_trampolines(links, &nlinks, diff, sizeof(diff)))
		n = strlen(diff);
	if (!n && cur.p[0].fd >= 0 && cur.nest && tool_tc_attach(lo_ifindex, cur.p[0].fd, false))
		n = snprintf(diff, sizeof(diff), " p0 on lo's egress: %s", strerror(errno));
	if (!n && cur.p[0].fd >= 0) {
		ran = true;
		err = test_run(cur.p[0].fd, &got);
		if (err)
			n = snprintf(diff, sizeof(diff), " test_run: %s", strerror(-err));
		else if (near_bound(&want))
			ran = false;
		else if (memcmp(got.counters, want.counters, sizeof(got.counters)) ||
			 got.retval != want.retval)
			n = describe_run_diff(diff, sizeof(diff), &want, &got);
	}
	phase_start();
	if (cur.nest)
		tool_tc_attach(lo_ifindex, -1, false);
	while (nlinks > 0)
		close(links[--nlinks]);
	for (i = 0; i < cur.nprogs; i++)
		if (cur.p[i].fd >= 0)
			close(cur.p[i].fd);
	phase_end(T_CLOSE);
	t->near_bound += !n && cur.p[0].fd >= 0 && !ran;
	account(t, !n, ran ? &want : NULL);
	if (n) {
		t->mismatches++;
		snprintf(name, sizeof(name), "random-%llu-%d", seed0, idx);
		tool_check(false, name, "replay: GUEST_RANDOM_SEED=%llu GUEST_RANDOM_COUNT=1;%s",
			   cur.seed, diff);
		dump_set();
	}
}

static int one_set(unsigned long long seed0, int idx, struct totals *t, bool dry)
{
	int fds[2], map_fd = -1;
	char name[64];
	struct run want;
	int i;

	gen_set(&cur, seed0 + idx * SEED_STRIDE);
	t->sets++;
	if (!dry) {
		map_fd = bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, "slots", 4, 4,
					cur.nslots, NULL);
		if (map_fd < 0) {
			snprintf(name, sizeof(name), "random-%llu-%d", seed0, idx);
			tool_check(false, name, "prog_array: %s", strerror(errno));
			t->mismatches++;
			return -1;
		}
	}
	fds[0] = dry ? 1000 : map_fd;
	fds[1] = dry ? 1001 : counters_fd;
	for (i = 0; i < cur.nprogs; i++) {
		emit_prog(&cur.p[i], i, fds);
		model_verdict(&cur.p[i]);
	}
	if (dry) {
		model_run(&cur, &want);
		t->near_bound += cur.p[0].expect.verdict == V_OK && near_bound(&want);
		account(t, true, cur.p[0].expect.verdict == V_OK && !near_bound(&want) ?
			&want : NULL);
	} else {
		run_set(map_fd, seed0, idx, t);
		close(map_fd);
	}
	if (dump_all)
		dump_set();
	return 0;
}

static int setup(void)
{
	long jit = tool_sysctl("/proc/sys/net/core/bpf_jit_enable");

	if (jit <= 0) {
		tool_check(false, "random-setup",
			   "the model needs the JIT: net.core.bpf_jit_enable=%ld", jit);
		return -1;
	}
	lo_ifindex = if_nametoindex("lo");
	if (!lo_ifindex || setup_btf() || setup_counters()) {
		tool_check(false, "random-setup", "lo, BTF or counter map: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A check, or in a dry run the same line as a diagnostic: nothing was
 * checked.
 */
static void result(bool dry, bool ok, const char *name, const char *detail)
{
	if (dry)
		tool_diag("dry: %s %s %s", ok ? "ok" : "not ok", name, detail);
	else
		tool_check(ok, name, "%s", detail);
}

static void report(const struct totals *t, unsigned long long seed, double secs,
		   bool dry)
{
	char detail[256], phases[256];
	int i, n = 0;

	tool_diag("random: %d sets, %d programs, %d runs in %.1f s (%.1f programs/s); rejected: %d stack-rule, %d combined-stack, %d frames, %d base-mixing",
		  t->sets, t->programs, t->runs, secs, secs > 0 ? t->programs / secs : 0,
		  t->by_verdict[V_STACK_RULE], t->by_verdict[V_COMBINED],
		  t->by_verdict[V_FRAMES], t->by_verdict[V_BASE_MIX]);
	snprintf(detail, sizeof(detail),
		 "seed=%llu sets=%d programs=%d accepted=%d rejected=%d tail_calls=%d mismatches=%d",
		 seed, t->sets, t->programs, t->accepted, t->rejected,
		 t->tail_calls, t->mismatches);
	result(dry, !t->mismatches, "random", detail);
	tool_diag("random: %d runs may reach the stack check (%d bytes before the entry program and an upper bound of their JIT frames pass three eighths of the stack): they completed, not compared",
		  t->near_bound, KERNEL_FRAMES(TEST_RUN_STACK));
	for (i = 0; i < NFEATURES; i++) {
		if (!feature_checked(i))
			continue;
		snprintf(detail, sizeof(detail), "%d", t->features[i]);
		result(dry, t->features[i] > 0, feature_names[i], detail);
	}
	for (i = 0; i < NPHASES; i++)
		n += snprintf(phases + n, sizeof(phases) - n, " %s %.1f", phase_names[i],
			      tool_secs(phase_ns[i]));
	tool_diag("random: seconds per phase:%s", phases);
}

int main(int argc, char **argv)
{
	enum tool_kernel kernel = tool_start(argc, argv, TOOL_SERIES | TOOL_BASE);
	unsigned long long seed = tool_env("GUEST_RANDOM_SEED", 1, 0, ULLONG_MAX);
	int i, count = tool_env("GUEST_RANDOM_COUNT", DEFAULT_COUNT, 1, 10000000);
	bool dry = tool_env("GUEST_RANDOM_DRY", 0, 0, 1);
	struct totals t = {};
	__u64 t0, ns;

	dump_all = tool_env("GUEST_RANDOM_DUMP", 0, 0, 1);
	base_model = kernel == TOOL_BASE;
	tool_plan(-1);
	if (!dry && setup())
		return tool_exit();
	t0 = tool_now_ns();
	for (i = 0; i < count; i++)
		one_set(seed, i, &t, dry);
	ns = tool_now_ns() - t0;
	report(&t, seed, dry ? 0 : tool_secs(ns), dry);
	if (dry) {
		tool_exit();
		return 3;
	}
	return tool_exit();
}
