// SPDX-License-Identifier: GPL-2.0
/* races KERNEL: race tail calls in BPF subprograms against prog_array
 * updates and fentry/fexit attachment, on both CPUs of the guest.
 *
 * Threads (each CPU has a runner and a mutator, so that every runner
 * races a mutator running at the same time on the other CPU):
 *   runner (CPU 0 and CPU 1)  BPF_PROG_TEST_RUN of races_entry
 *                             (tests/races.bpf.c), GUEST_RACES_REPEAT runs
 *                             a call, main's tail call direct and indirect
 *                             in turn
 *   mapper (CPU 1)            inserts, replaces and deletes the targets of
 *                             slots SUB, IND and MAIN of its prog_array
 *   tracer (CPU 0)            for sub_direct, sub_indirect and the entry's
 *                             main in turn: loads an fentry and an fexit
 *                             program (tests/races_trace.bpf.c), attaches
 *                             fentry then fexit, detaches fexit then fentry
 *   main                      samples the fentry/fexit counters
 * for GUEST_RACES_SECONDS (default 20) seconds; GUEST_RACES_SEED seeds
 * the mapper's choices.
 *
 * Checks (KERNEL series, debug or dev):
 *   races-retval          every run returned a legitimate value (see
 *                         build_legit()): each run's value as recorded by
 *                         the programs, and the value BPF_PROG_TEST_RUN
 *                         gave back; the programs recorded exactly one
 *                         value per run; at least 2 distinct values
 *   races-tailcall-count  no run did more than 33 tail calls, and some
 *                         run did 33 (tc_chain's runs)
 *   races-map-updates     the mapper changed slots (no update failed)
 *   races-attach          the tracer did attach/detach cycles on every
 *                         target (no load or attach failed)
 *   races-trace-counters  in every sample, for every target: fexit
 *                         returns <= fentry calls, neither ever decreases;
 *                         both counted calls in the end
 *   races-fexit-retval    fexit saw only legitimate values for each target
 * KERNEL base: races-base-rejected: races_entry fails to load with the
 * base tree's message. KERNEL pristine (one counter per frame): the same
 * run, but races-tailcall-count and races-trace-counters are skipped (their
 * figures in the SKIP line), and the legitimate values are those of
 * per-frame counters. Output: KTAP (tests/tool.h); races-load fails if
 * the objects (races.bpf.o, races_trace.bpf.o next to the binary) do not
 * load.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/btf.h>
#include "races.h"
#include "tool.h"

#define OBJ		"races.bpf.o"
#define TRACE_OBJ	"races_trace.bpf.o"
#define NRUNNERS	2
#define LOG_LINES	6	/* of the verifier log, for a load that failed */
#define HOLD_US		1000	/* how long fentry and fexit stay attached */

enum { T1, T2, CHAIN, F1, F2, NTARGETS };
static const char *const target_names[NTARGETS] = {
	"tc_t1", "tc_t2", "tc_chain", "tc_f1", "tc_f2",
};

/* what each mutated slot may hold besides nothing */
static const struct slot_states {
	int slot, n, progs[3];
} slots[] = {
	{ RACES_SLOT_SUB, 3, { T1, T2, CHAIN } },
	{ RACES_SLOT_IND, 2, { T1, T2 } },
	{ RACES_SLOT_MAIN, 2, { F1, F2 } },
};
#define NMUT ((int)(sizeof(slots) / sizeof(slots[0])))

static const char *const traced[RACES_NTRACE] = {
	[RACES_TR_SUB_DIRECT] = "sub_direct",
	[RACES_TR_SUB_INDIRECT] = "sub_indirect",
	[RACES_TR_ENTRY] = "races_entry",
};

enum { A_RUN, A_MAP, A_ATTACH, A_COUNTERS, NASPECTS };

static struct {
	bool shared;		/* one tail call counter per run */
	int seconds, repeat;
	unsigned int seed;
	struct bpf_object *obj, *tobj;
	int entry_fd, jmp_fd, prog_fd[NTARGETS];
	struct races_hist *hist;
	struct races_hits *hits;
	/* tracing programs by target and kind (0 fentry, 1 fexit) */
	const struct bpf_insn *insns[RACES_NTRACE][2];
	size_t insn_cnt[RACES_NTRACE][2];
	__u32 btf_id[RACES_NTRACE];
	volatile int stop;
	pthread_mutex_t lock;
	char err[NASPECTS][256];
	/* written by one thread each */
	__u64 runs[NRUNNERS][2], bad_retvals, bad_retval;
	__u64 inserts, replaces, deletes;
	__u64 cycles[RACES_NTRACE];
	__u64 samples, prev_fentry[RACES_NTRACE], prev_fexit[RACES_NTRACE];
} g = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* legit[t][v]: target t (RACES_TR_*) may return v; RACES_TR_ENTRY: a run */
static bool legit[RACES_NTRACE][RACES_NVAL];

static void fail(int aspect, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g.lock);
	if (!g.err[aspect][0]) {
		va_start(ap, fmt);
		vsnprintf(g.err[aspect], sizeof(g.err[aspect]), fmt, ap);
		va_end(ap);
	}
	g.stop = 1;
	pthread_mutex_unlock(&g.lock);
}

static __u64 load64(const __u64 *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * The legitimate return values (tests/races.bpf.c). Each slot state gives
 * one value:
 *   slot SUB  (sub_direct, direct):     empty 0, tc_t1 1, tc_t2 2, tc_chain 3
 *   slot IND  (sub_indirect, indirect): empty 0, tc_t1 1, tc_t2 2
 *   slot MAIN (main, direct or indirect): empty 0, tc_f1 1, tc_f2 2
 * and a run returns sub + 4 * ind + 16 * main. The mapper changes slots
 * during runs, so a run may see any state of each slot: every combination
 * is legitimate but one. With one counter per run (series), tc_chain
 * spends the run's whole budget (the tail call into it and 32 from it:
 * 33), so the tail calls of sub_indirect and main fail after it: sub = 3
 * only with ind = main = 0. The 28 values on series:
 *   0 1 2 3 4 5 6 8 9 10 16 17 18 20 21 22 24 25 26 32 33 34 36 37 38 40 41 42
 * With one counter per frame (pristine), sub_indirect and main get fresh
 * budgets after tc_chain returns: all 36 combinations, 0..11, 16..27
 * and 32..43.
 * sub_direct returns the SUB value, sub_indirect the IND value.
 */
static void build_legit(bool shared)
{
	static const int sub[] = { 0, RACES_VAL_T1, RACES_VAL_T2, RACES_VAL_CHAIN };
	static const int ind[] = { 0, RACES_VAL_T1, RACES_VAL_T2 };
	static const int mn[] = { 0, 1, 2 };
	int s, i, m;

	for (s = 0; s < 4; s++)
		legit[RACES_TR_SUB_DIRECT][sub[s]] = true;
	for (i = 0; i < 3; i++)
		legit[RACES_TR_SUB_INDIRECT][ind[i]] = true;
	for (s = 0; s < 4; s++)
		for (i = 0; i < 3; i++)
			for (m = 0; m < 3; m++) {
				if (shared && sub[s] == RACES_VAL_CHAIN && (ind[i] || mn[m]))
					continue;
				legit[RACES_TR_ENTRY][sub[s] + RACES_MUL_IND * ind[i] +
						      RACES_MUL_MAIN * mn[m]] = true;
			}
}

static void pin(int cpu, int aspect)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail(aspect, "sched_setaffinity(cpu %d): %s", cpu, strerror(errno));
}

static void *runner(void *arg)
{
	long cpu = (long)arg;
	__u32 cb[5] = {};
	struct tool_run run = { .repeat = g.repeat, .cb = cb };
	int ind;

	pin(cpu, A_RUN);
	for (ind = 0; !g.stop; ind = !ind) {
		cb[RACES_CB_INDIRECT] = ind;
		if (tool_test_run(g.entry_fd, &run)) {
			fail(A_RUN, "BPF_PROG_TEST_RUN: %s", strerror(errno));
			break;
		}
		if (run.retval >= RACES_NVAL || !legit[RACES_TR_ENTRY][run.retval]) {
			__atomic_add_fetch(&g.bad_retvals, 1, __ATOMIC_RELAXED);
			g.bad_retval = run.retval;
		}
		g.runs[cpu][ind] += g.repeat;
	}
	return NULL;
}

static unsigned int rnd(void)
{
	g.seed ^= g.seed << 13;
	g.seed ^= g.seed >> 17;
	g.seed ^= g.seed << 5;
	return g.seed;
}

/* one change of a random slot: a different target, or none */
static int mutate(int *cur)
{
	int k = rnd() % NMUT, c = rnd() % (slots[k].n + 1);
	__u32 key = slots[k].slot;
	int prog = c < slots[k].n ? slots[k].progs[c] : -1;

	if (prog == cur[k])
		return 0;
	if (prog < 0) {
		if (bpf_map_delete_elem(g.jmp_fd, &key))
			return -errno;
		g.deletes++;
	} else {
		if (tool_set_slot(g.jmp_fd, key, g.prog_fd[prog]))
			return -errno;
		if (cur[k] < 0)
			g.inserts++;
		else
			g.replaces++;
	}
	cur[k] = prog;
	return 0;
}

static void *mapper(void *arg)
{
	int cur[NMUT], k, err;

	for (k = 0; k < NMUT; k++)
		cur[k] = -1;
	pin(1, A_MAP);
	while (!g.stop) {
		err = mutate(cur);
		if (err) {
			fail(A_MAP, "prog_array update: %s", strerror(-err));
			break;
		}
	}
	return NULL;
}

static int load_tracer(int t, int kind)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = kind ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY,
		    .attach_prog_fd = g.entry_fd,
		    .attach_btf_id = g.btf_id[t]);

	return bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", g.insns[t][kind],
			     g.insn_cnt[t][kind], &opts);
}

/* attach fentry then fexit to target t, detach fexit then fentry */
static int trace_cycle(int t)
{
	int fd[2] = { -1, -1 }, link[2] = { -1, -1 }, k, err = 0;

	for (k = 0; k < 2 && !err; k++) {
		fd[k] = load_tracer(t, k);
		if (fd[k] < 0)
			err = -errno;
	}
	for (k = 0; k < 2 && !err; k++) {
		link[k] = bpf_link_create(fd[k], 0, k ? BPF_TRACE_FEXIT : BPF_TRACE_FENTRY,
					  NULL);
		if (link[k] < 0)
			err = -errno;
	}
	if (!err)
		usleep(HOLD_US);
	for (k = 1; k >= 0; k--) {
		if (link[k] >= 0)
			close(link[k]);
		if (fd[k] >= 0)
			close(fd[k]);
	}
	return err;
}

static void *tracer(void *arg)
{
	int t, err;

	pin(0, A_ATTACH);
	for (t = 0; !g.stop; t = (t + 1) % RACES_NTRACE) {
		err = trace_cycle(t);
		if (err) {
			fail(A_ATTACH, "%s: load/attach: %s", traced[t], strerror(-err));
			break;
		}
		g.cycles[t]++;
	}
	return NULL;
}

static __u64 fexit_total(int t)
{
	__u64 sum = 0;
	int v;

	for (v = 0; v < RACES_NVAL; v++)
		sum += load64(&g.hits->fexit[t][v]);
	return sum;
}

/* fexit is read before fentry: an fexit count above it is a real excess */
static void sample(void)
{
	__u64 x, e;
	int t;

	for (t = 0; t < RACES_NTRACE; t++) {
		x = fexit_total(t);
		e = load64(&g.hits->fentry[t]);
		if (x > e)
			fail(A_COUNTERS, "%s: fexit %llu > fentry %llu", traced[t], x, e);
		if (e < g.prev_fentry[t] || x < g.prev_fexit[t])
			fail(A_COUNTERS, "%s: decreased: fentry %llu -> %llu, fexit %llu -> %llu",
			     traced[t], g.prev_fentry[t], e, g.prev_fexit[t], x);
		g.prev_fentry[t] = e;
		g.prev_fexit[t] = x;
	}
	g.samples++;
}

static struct bpf_program *find_prog(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);

	if (!p)
		tool_diag("no program %s", name);
	return p;
}

/* the kernel's .bss of obj, mapped (libbpf maps it only for skeletons) */
static void *bss(struct bpf_object *obj, size_t size)
{
	struct bpf_map *m = tool_bss(obj);
	void *p;

	if (!m || bpf_map__value_size(m) != size) {
		tool_diag("no .bss of %zu bytes", size);
		return NULL;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		tool_diag("mmap .bss: %s", strerror(errno));
		return NULL;
	}
	return p;
}

/* load races.bpf.o; on failure the verifier log is in tool_log */
static int load_entry(void)
{
	struct bpf_program *p;
	int err;

	g.obj = tool_open(OBJ, NULL);
	if (!g.obj)
		return -errno;
	p = find_prog(g.obj, "races_entry");
	if (!p)
		return -ENOENT;
	err = bpf_object__load(g.obj);
	if (err)
		return err;
	g.entry_fd = bpf_program__fd(p);
	g.jmp_fd = tool_map_fd(g.obj, "jmp_table");
	g.hist = bss(g.obj, sizeof(*g.hist));
	return g.jmp_fd < 0 || !g.hist ? -ENOENT : 0;
}

/* the prog_array starts with tc_chain in its slot, the others empty */
static int setup_targets(void)
{
	struct bpf_program *p;
	int i;

	for (i = 0; i < NTARGETS; i++) {
		p = find_prog(g.obj, target_names[i]);
		if (!p)
			return -ENOENT;
		g.prog_fd[i] = bpf_program__fd(p);
	}
	return tool_set_slot(g.jmp_fd, RACES_SLOT_CHAIN, g.prog_fd[CHAIN]) ? -errno : 0;
}

/* BTF ids of the traced functions in races_entry's BTF */
static int find_btf_ids(void)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);
	struct btf *btf;
	int t, id;

	if (bpf_obj_get_info_by_fd(g.entry_fd, &info, &len))
		return -errno;
	btf = btf__load_from_kernel_by_id(info.btf_id);
	if (!btf)
		return -errno;
	for (t = 0; t < RACES_NTRACE; t++) {
		id = btf__find_by_name_kind(btf, traced[t], BTF_KIND_FUNC);
		if (id <= 0)
			break;
		g.btf_id[t] = id;
	}
	btf__free(btf);
	return t < RACES_NTRACE ? -ENOENT : 0;
}

/* the tracing program for target t, fentry or fexit */
static struct bpf_program *tracer_prog(int t, int kind)
{
	char name[64];

	snprintf(name, sizeof(name), "%s_%s", kind ? "fexit" : "fentry", traced[t]);
	return find_prog(g.tobj, name);
}

/* load races_trace.bpf.o once, keep its instructions (map fds resolved) */
static int load_tracers(void)
{
	struct bpf_program *p;
	int t, k, err;

	g.tobj = tool_open(TRACE_OBJ, NULL);
	if (!g.tobj)
		return -errno;
	for (t = 0; t < RACES_NTRACE; t++)
		for (k = 0; k < 2; k++) {
			p = tracer_prog(t, k);
			if (!p)
				return -ENOENT;
			err = bpf_program__set_attach_target(p, g.entry_fd, traced[t]);
			if (err)
				return err;
		}
	err = bpf_object__load(g.tobj);
	if (err)
		return err;
	for (t = 0; t < RACES_NTRACE; t++)
		for (k = 0; k < 2; k++) {
			p = tracer_prog(t, k);
			g.insns[t][k] = bpf_program__insns(p);
			g.insn_cnt[t][k] = bpf_program__insn_cnt(p);
		}
	g.hits = bss(g.tobj, sizeof(*g.hits));
	return g.hits ? 0 : -ENOENT;
}

static void base_rejected(void)
{
	int err = load_entry();

	if (!err) {
		tool_check(false, "races-base-rejected", "races_entry loaded");
		return;
	}
	if (!strstr(tool_log, TOOL_BASE_MSG)) {
		tool_check(false, "races-base-rejected", "load failed (%d) without \"%s\"",
			   err, TOOL_BASE_MSG);
		tool_log_tail(LOG_LINES);
		return;
	}
	tool_check(true, "races-base-rejected", "\"%s\"", TOOL_BASE_MSG);
}

static int setup(void)
{
	int err = load_entry();

	if (err) {
		tool_check(false, "races-load", "races.bpf.o: %s", strerror(-err));
		tool_log_tail(LOG_LINES);
		return err;
	}
	err = setup_targets();
	if (!err)
		err = find_btf_ids();
	if (!err)
		err = load_tracers();
	if (err) {
		tool_check(false, "races-load", "setup: %s", strerror(-err));
		tool_log_tail(LOG_LINES);
	}
	return err;
}

static void race(void)
{
	pthread_t th[NRUNNERS + 2];
	__u64 end = tool_now_ns() + g.seconds * 1000000000ULL;
	long i;

	for (i = 0; i < NRUNNERS; i++)
		pthread_create(&th[i], NULL, runner, (void *)i);
	pthread_create(&th[NRUNNERS], NULL, mapper, NULL);
	pthread_create(&th[NRUNNERS + 1], NULL, tracer, NULL);
	while (!g.stop && tool_now_ns() < end) {
		usleep(20000);
		sample();
	}
	g.stop = 1;
	for (i = 0; i < NRUNNERS + 2; i++)
		pthread_join(th[i], NULL);
	sample();
}

/* "v:count,..." of the nonzero buckets of h */
static char *hist_str(const __u64 *h, int n)
{
	static char buf[4][2048];
	static int which;
	char *s = buf[which++ % 4];
	int v, len = 0;

	s[0] = 0;
	for (v = 0; v < n; v++)
		if (h[v])
			len += snprintf(s + len, sizeof(buf[0]) - len, "%s%d:%llu",
					len ? "," : "", v, h[v]);
	return s;
}

/* the first illegitimate value in h for target t, or -1 */
static int illegit(const __u64 *h, int t)
{
	int v;

	for (v = 0; v < RACES_NVAL; v++)
		if (h[v] && !legit[t][v])
			return v;
	return -1;
}

static int check_retval(double secs)
{
	__u64 h[RACES_NVAL], runs, total = 0, dir = 0, ind = 0;
	int v, distinct = 0, bad;
	char extra[512] = "";
	bool ok;

	for (v = 0; v < NRUNNERS; v++) {
		dir += g.runs[v][0];
		ind += g.runs[v][1];
	}
	runs = dir + ind;
	for (v = 0; v < RACES_NVAL; v++) {
		h[v] = load64(&g.hist->ret[v]);
		total += h[v];
		distinct += !!h[v];
	}
	bad = illegit(h, RACES_TR_ENTRY);
	if (bad >= 0)
		snprintf(extra, sizeof(extra), " illegitimate=%d", bad);
	if (g.bad_retvals)
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " test_run_bad=%llu last_bad=%llu", g.bad_retvals, g.bad_retval);
	if (g.err[A_RUN][0])
		snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
			 " error: %s", g.err[A_RUN]);
	ok = !extra[0] && total == runs && distinct >= 2;
	return tool_check(ok, "races-retval",
			  "runs=%llu (%.0f/s; main direct %llu, indirect %llu) recorded=%llu distinct=%d values=%s%s",
			  runs, runs / secs, dir, ind, total, distinct,
			  hist_str(h, RACES_NVAL), extra);
}

static int check_count(void)
{
	__u64 h[RACES_NCNT];
	int v, max = -1;
	bool ok;

	for (v = 0; v < RACES_NCNT; v++) {
		h[v] = load64(&g.hist->cnt[v]);
		if (h[v])
			max = v;
	}
	if (!g.shared) {
		tool_skip("races-tailcall-count",
			  "one counter per frame: max=%d tail calls per run, runs by count %s",
			  max, hist_str(h, RACES_NCNT));
		return 0;
	}
	ok = max >= 0 && max <= TOOL_MAX_TAIL_CALLS && h[TOOL_MAX_TAIL_CALLS];
	return tool_check(ok, "races-tailcall-count", "max=%d%s runs_at_%d=%llu by_count=%s",
			  max, max >= RACES_NCNT - 1 ? "+" : "", TOOL_MAX_TAIL_CALLS,
			  h[TOOL_MAX_TAIL_CALLS], hist_str(h, RACES_NCNT));
}

static int check_updates(double secs)
{
	__u64 n = g.inserts + g.replaces + g.deletes;

	return tool_check(!g.err[A_MAP][0] && n, "races-map-updates",
			  "updates=%llu (%.0f/s) inserts=%llu replaces=%llu deletes=%llu%s%s",
			  n, n / secs, g.inserts, g.replaces, g.deletes,
			  g.err[A_MAP][0] ? " error: " : "", g.err[A_MAP]);
}

static int check_attach(double secs)
{
	__u64 n = 0;
	bool ok = !g.err[A_ATTACH][0];
	int t;

	for (t = 0; t < RACES_NTRACE; t++) {
		n += g.cycles[t];
		ok &= g.cycles[t] > 0;
	}
	return tool_check(ok, "races-attach",
			  "cycles=%llu (%.1f/s) %s=%llu %s=%llu %s=%llu%s%s", n, n / secs,
			  traced[0], g.cycles[0], traced[1], g.cycles[1], traced[2],
			  g.cycles[2], g.err[A_ATTACH][0] ? " error: " : "", g.err[A_ATTACH]);
}

static int check_counters(void)
{
	char buf[512];
	int t, len = 0;
	bool ok = !g.err[A_COUNTERS][0];

	for (t = 0; t < RACES_NTRACE; t++) {
		len += snprintf(buf + len, sizeof(buf) - len, " %s=%llu/%llu",
				traced[t], g.prev_fentry[t], g.prev_fexit[t]);
		ok &= g.prev_fentry[t] > 0 && g.prev_fexit[t] > 0;
	}
	if (!g.shared) {
		tool_skip("races-trace-counters", "not checked on this kernel: fentry/fexit:%s%s%s",
			  buf, g.err[A_COUNTERS][0] ? " problem: " : "", g.err[A_COUNTERS]);
		return 0;
	}
	return tool_check(ok, "races-trace-counters", "samples=%llu fentry/fexit:%s%s%s",
			  g.samples, buf, g.err[A_COUNTERS][0] ? " error: " : "",
			  g.err[A_COUNTERS]);
}

static int check_fexit_retval(void)
{
	char buf[4096];
	int t, bad, len = 0;
	bool ok = true;

	for (t = 0; t < RACES_NTRACE; t++) {
		bad = illegit(g.hits->fexit[t], t);
		ok &= bad < 0;
		len += snprintf(buf + len, sizeof(buf) - len, " %s=%s", traced[t],
				hist_str(g.hits->fexit[t], RACES_NVAL));
		if (bad >= 0)
			len += snprintf(buf + len, sizeof(buf) - len, "(illegitimate %d)", bad);
	}
	return tool_check(ok, "races-fexit-retval", "%s", buf + 1);
}

/* base: races-base-rejected; else the six checks above */
#define BASE_CHECKS	1
#define RACE_CHECKS	6

int main(int argc, char **argv)
{
	enum tool_kernel kernel = tool_start(argc, argv, TOOL_ANY_KERNEL);
	__u64 t0;
	double secs;

	if (kernel == TOOL_BASE) {
		tool_plan(BASE_CHECKS);
		base_rejected();
		return tool_exit();
	}
	g.shared = kernel != TOOL_PRISTINE;
	g.seconds = tool_env("GUEST_RACES_SECONDS", 20, 1, 1000000);
	g.repeat = tool_env("GUEST_RACES_REPEAT", 256, 1, 1000000);
	g.seed = tool_env("GUEST_RACES_SEED", 1, 0, UINT_MAX) ?: 1;
	tool_plan(RACE_CHECKS);
	build_legit(g.shared);
	if (setup())
		return tool_exit();
	tool_diag("races: %d s, repeat %d, seed %u, 2 runners (CPU 0, 1), mapper (CPU 1), tracer (CPU 0)",
		  g.seconds, g.repeat, g.seed);
	t0 = tool_now_ns();
	race();
	secs = tool_secs(tool_now_ns() - t0);
	check_retval(secs);
	check_count();
	check_updates(secs);
	check_attach(secs);
	check_counters();
	check_fexit_retval();
	return tool_exit();
}
