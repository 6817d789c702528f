// SPDX-License-Identifier: GPL-2.0
/* bench KERNEL: the guest side of the benchmark (scripts/bench.sh).
 *
 * Writes one JSON object per line to GUEST_BENCH_OUT (default
 * $WS_RESULTS/bench.jsonl), each tagged with KERNEL:
 *   meta      the guest: kernel release, JIT sysctls, CPUs
 *   jit       every program of the corpus, loaded alone: JIT image size
 *             (jited_prog_len, jited_func_lens), what its translated code
 *             contains (functions, bpf-to-bpf calls, tail calls, tail
 *             calls outside the main function), verified_insns; or
 *             "rejected" with errno and the verifier's error line
 *   run       BPF_PROG_TEST_RUN of the synthetic cases of
 *             tests/bench.bpf.c: ns per run (test_run's duration) for
 *             one call with 'repeat' runs, GUEST_BENCH_SAMPLES times
 *   verifier  verif_calls and verif_tail loaded with BPF_LOG_STATS,
 *             GUEST_BENCH_SAMPLES times: "verification time", "processed
 *             insns" and bpf_prog_info.verified_insns
 * The corpus is every program of GUEST_BENCH_ST/tailcall*.bpf.o (the
 * tail call selftests) and of GUEST_BENCH_OBJ (tests/bench.bpf.o).
 * Programs a kernel rejects are data, not errors.
 *
 * Checks (stdout, KTAP as in tests/tool.h, the plan last), which tell that
 * a measurement measured what it says:
 *   CASE              each test_run of CASE returned the value the program
 *                     returns when it runs as described in tests/bench.bpf.c
 *                     and, for the self tail-calling chains, entered it 34
 *                     times per run (33 tail calls); and its slot was filled
 *   PROG              verif_calls, verif_tail: the stats lines were found
 *                     in the verifier's log
 *   jit-enabled       net.core.bpf_jit_enable is 1 and bpf_jit_harden 0
 *   corpus            (not ok only) an object of the corpus is missing
 * A case or program the kernel rejects is reported as a diagnostic.
 * GUEST_BENCH_SCALE (percent, default 100) scales every repeat count;
 * GUEST_BENCH_LABEL names the kernel in the results (default: KERNEL).
 */
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include "tool.h"

#define PKT_LEN		64	/* tool_test_run()'s packet */
#define CHAIN_ENTRIES	(TOOL_MAX_TAIL_CALLS + 1)
#define LOG_STATS	4	/* the kernel's BPF_LOG_STATS */

/* A case of the run time measurement: @prog, with @slot_prog in slot 0 of
 * @map when given; each run returns @retval and, with @counter, enters
 * @prog @entries times.
 */
struct run_case {
	const char *prog;
	const char *map;
	const char *slot_prog;
	const char *counter;
	unsigned int retval;
	unsigned int entries;
	long repeat;
};

/* Repeats: about 0.3 s per test_run under TCG on a 2020s x86-64 host. */
static const struct run_case cases[] = {
	{ "empty", NULL, NULL, NULL, 0, 0, 2000000 },
	{ "calls", NULL, NULL, NULL, PKT_LEN + 7, 0, 500000 },
	{ "tc_main", "jmp_b", "leaf", NULL, 1, 0, 1000000 },
	{ "tc_sub", "jmp_c", "leaf", NULL, 11, 0, 1000000 },
	{ "tc_deep", "jmp_d", NULL, NULL, PKT_LEN + 7, 0, 500000 },
	{ "chain_main", "jmp_e", "chain_main", ".data.entries_e", 3,
	  CHAIN_ENTRIES, 300000 },
	{ "chain_sub", "jmp_f", "chain_sub", ".data.entries_f",
	  5 + CHAIN_ENTRIES, CHAIN_ENTRIES, 150000 },
};

static const char *const verif_progs[] = { "verif_calls", "verif_tail" };

/* Tracing programs of the corpus and the program they attach to. */
static const struct {
	const char *obj, *target_obj;
} attach_targets[] = {
	{ "tailcall_bpf2bpf_trace", "tailcall_bpf2bpf_fentry" },
};

static const char *kernel;
static FILE *out;
static long scale, samples;

static void json_str(const char *key, const char *s)
{
	fprintf(out, ",\"%s\":\"", key);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		if ((unsigned char)*s >= ' ')
			fputc(*s, out);
	}
	fputc('"', out);
}

static void json_begin(const char *kind)
{
	fprintf(out, "{\"kind\":\"%s\",\"kernel\":\"%s\"", kind, kernel);
}

static void json_end(void)
{
	fputs("}\n", out);
	fflush(out);
}

static int target_fd(struct bpf_object *tgt)
{
	struct bpf_program *p = bpf_object__next_program(tgt, NULL);

	return p ? bpf_program__fd(p) : -1;
}

/* Open @path with only @name and @also (may be NULL) to load, @name with
 * the log buffer at @level (libbpf retries at level 1 when level 0
 * fails), tracing programs attached to the program of @tgt. Returns the
 * object, loaded or not (*err), or NULL if it cannot be opened.
 */
static struct bpf_object *open_load(const char *path, const char *name,
				    const char *also, __u32 level,
				    struct bpf_object *tgt, int *err)
{
	const char *progs[] = { name, also, NULL };
	struct bpf_object *obj = tool_open(path, progs);
	struct bpf_program *p;

	*err = obj ? 0 : -errno;
	if (!obj)
		return NULL;
	bpf_program__set_log_level(bpf_object__find_program_by_name(obj, name), level);
	bpf_object__for_each_program(p, obj)
		if (tgt && bpf_program__type(p) == BPF_PROG_TYPE_TRACING)
			bpf_program__set_attach_target(p, target_fd(tgt), NULL);
	*err = bpf_object__load(obj);
	return obj;
}

struct facts {
	struct tool_prog_info pi;
	unsigned int calls, tail_calls, tail_calls_sub;
};

/* BPF_FUNC_tail_call is how the kernel dumps its BPF_TAIL_CALL insns. */
static void count_calls(struct facts *f)
{
	const struct bpf_prog_info *info = &f->pi.info;
	const struct bpf_insn *insn = f->pi.xlated;
	__u32 i, main_end = info->nr_func_info > 1 ? f->pi.func_info[1].insn_off : ~0u;

	for (i = 0; i < info->xlated_prog_len / sizeof(*insn); i++) {
		if (insn[i].code != (BPF_JMP | BPF_CALL))
			continue;
		if (insn[i].src_reg == BPF_PSEUDO_CALL) {
			f->calls++;
		} else if (!insn[i].src_reg && insn[i].imm == BPF_FUNC_tail_call) {
			f->tail_calls++;
			f->tail_calls_sub += i >= main_end;
		}
	}
}

static int prog_facts(int fd, struct facts *f)
{
	int err;

	memset(f, 0, sizeof(*f));
	err = tool_prog_info(fd, &f->pi);
	if (!err)
		count_calls(f);
	return err;
}

static void json_facts(const struct facts *f)
{
	const struct bpf_prog_info *info = &f->pi.info;
	__u32 i;

	fprintf(out, ",\"jited_len\":%u,\"func_lens\":[", info->jited_prog_len);
	for (i = 0; i < info->nr_jited_func_lens; i++)
		fprintf(out, "%s%u", i ? "," : "", f->pi.func_lens[i]);
	fprintf(out, "],\"xlated_insns\":%zu,\"funcs\":%u,\"calls\":%u",
		info->xlated_prog_len / sizeof(struct bpf_insn),
		info->nr_func_info ? info->nr_func_info : 1, f->calls);
	fprintf(out, ",\"tail_calls\":%u,\"tail_calls_sub\":%u,\"verified_insns\":%u",
		f->tail_calls, f->tail_calls_sub, info->verified_insns);
}

static void json_rejected(int err)
{
	char line[512];

	fprintf(out, ",\"status\":\"rejected\",\"errno\":%d", -err);
	json_str("msg", tool_log_error(line, sizeof(line)));
}

/* The JITed image in hex, ".." for each byte that may belong to an
 * address: within 7 bytes of a byte that differs between two loads of the
 * same program (helper calls are relative to the image, map pointers are
 * absolute). Images are compared across kernels with ".." as a wildcard.
 */
static void json_image(const struct facts *a, const struct facts *b)
{
	__u32 i, j, n = a->pi.info.jited_prog_len;
	int addr;

	if (n != b->pi.info.jited_prog_len) {
		json_str("image", "");
		return;
	}
	fputs(",\"image\":\"", out);
	for (i = 0; i < n; i++) {
		addr = 0;
		for (j = i > 7 ? i - 7 : 0; j <= i + 7 && j < n; j++)
			addr |= a->pi.image[j] != b->pi.image[j];
		if (addr)
			fputs("..", out);
		else
			fprintf(out, "%02x", a->pi.image[i]);
	}
	fputc('"', out);
}

/* Load @name of @path alone: the object (in *objp, to be closed) and 0
 * with the program's facts in @f, or the error.
 */
static int load_facts(const char *path, const char *name,
		      struct bpf_object *tgt, struct facts *f,
		      struct bpf_object **objp)
{
	int err;

	memset(f, 0, sizeof(*f));
	*objp = open_load(path, name, NULL, 0, tgt, &err);
	if (!*objp)
		return err ? : -ENOENT;
	if (!err)
		err = prog_facts(tool_prog_fd(*objp, name), f);
	return err;
}

/* Both loads are alive together, so that their maps and images are at
 * different addresses.
 */
static void jit_one(const char *path, const char *obj_name, const char *name,
		    struct bpf_object *tgt)
{
	struct bpf_object *obj1, *obj2 = NULL;
	struct facts f, g = {};
	int err;

	err = load_facts(path, name, tgt, &f, &obj1);
	json_begin("jit");
	json_str("object", obj_name);
	json_str("prog", name);
	if (err) {
		json_rejected(err);
	} else {
		err = load_facts(path, name, tgt, &g, &obj2);
		fprintf(out, ",\"status\":\"%s\"", err ? "error" : "loaded");
		json_facts(&f);
		if (!err)
			json_image(&f, &g);
	}
	json_end();
	tool_prog_info_free(&f.pi);
	tool_prog_info_free(&g.pi);
	bpf_object__close(obj2);
	bpf_object__close(obj1);
}

/* The loaded target of the tracing programs of @obj_name, NULL if none
 * (the programs are then rejected for want of a target).
 */
static struct bpf_object *load_target(const char *dir, const char *obj_name)
{
	struct bpf_object *tgt;
	char path[4096];
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(attach_targets); i++) {
		if (strcmp(attach_targets[i].obj, obj_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s.bpf.o", dir, attach_targets[i].target_obj);
		tgt = tool_open(path, NULL);
		if (!tgt)
			return NULL;
		err = bpf_object__load(tgt);
		if (!err)
			return tgt;
		bpf_object__close(tgt);
	}
	return NULL;
}

static void jit_object(const char *path)
{
	char name[256], dir[4096], *dot;
	struct bpf_object *obj, *tgt;
	struct bpf_program *p;

	snprintf(name, sizeof(name), "%s", basename((char *)path));
	dot = strstr(name, ".bpf.o");
	if (dot)
		*dot = '\0';
	snprintf(dir, sizeof(dir), "%s", path);
	tgt = load_target(dirname(dir), name);
	obj = tool_open(path, NULL);
	if (!obj) {
		tool_check(false, "corpus", "cannot open %s", path);
		bpf_object__close(tgt);
		return;
	}
	bpf_object__for_each_program(p, obj)
		jit_one(path, name, bpf_program__name(p), tgt);
	bpf_object__close(obj);
	bpf_object__close(tgt);
}

static int counter_fd(struct bpf_object *obj, const struct run_case *c)
{
	struct bpf_map *m;

	if (!c->counter)
		return -1;
	m = bpf_object__find_map_by_name(obj, c->counter);
	return m ? bpf_map__fd(m) : -1;
}

static void run_sample(const struct run_case *c, int fd, int cnt_fd, int i)
{
	long repeat = c->repeat * scale / 100 ? : 1;
	struct tool_run run = { .repeat = repeat };
	__u64 entries = 0, expect = (__u64)c->entries * repeat;
	__u32 key = 0;
	int err;

	if (cnt_fd >= 0)
		bpf_map_update_elem(cnt_fd, &key, &entries, 0);
	err = tool_test_run(fd, &run) ? -errno : 0;
	if (cnt_fd >= 0)
		bpf_map_lookup_elem(cnt_fd, &key, &entries);
	tool_check(!err && run.retval == c->retval && entries == expect,
		   c->prog, "sample %d: err %d retval %u (want %u) entries %llu (want %llu) %u ns/run",
		   i, err, run.retval, c->retval, (unsigned long long)entries,
		   (unsigned long long)expect, run.duration);
	json_begin("run");
	json_str("case", c->prog);
	fprintf(out, ",\"status\":\"%s\",\"sample\":%d,\"repeat\":%ld,\"ns\":%u,\"retval\":%u}\n",
		err ? "error" : "ok", i, repeat, run.duration, run.retval);
	fflush(out);
}

/* Load the case, fill its slot, and measure it @samples times. */
static void run_case(const char *path, const struct run_case *c)
{
	struct bpf_object *obj;
	int err, fd;
	char line[512];
	long i;

	obj = open_load(path, c->prog, c->slot_prog, 0, NULL, &err);
	if (!obj || err) {
		tool_diag("run-%s: rejected: %s", c->prog, tool_log_error(line, sizeof(line)));
		json_begin("run");
		json_str("case", c->prog);
		json_rejected(err);
		json_end();
		bpf_object__close(obj);
		return;
	}
	fd = tool_prog_fd(obj, c->prog);
	if (c->slot_prog) {
		err = tool_set_slot(tool_map_fd(obj, c->map), 0, tool_prog_fd(obj, c->slot_prog));
		tool_check(!err, c->prog, "slot 0 of %s = %s: %d", c->map, c->slot_prog, err);
	}
	for (i = 0; i < samples; i++)
		run_sample(c, fd, counter_fd(obj, c), i);
	bpf_object__close(obj);
}

static long stat_after(const char *log, const char *key)
{
	const char *p = strstr(log, key);

	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void verifier_sample(const char *path, const char *name, int i)
{
	struct bpf_object *obj;
	long usec, insns;
	struct facts f;
	int err;

	obj = open_load(path, name, NULL, LOG_STATS, NULL, &err);
	json_begin("verifier");
	json_str("prog", name);
	fprintf(out, ",\"sample\":%d", i);
	if (!obj || err) {
		/* level 4 has no error message: ask again at level 1 */
		bpf_object__close(obj);
		obj = open_load(path, name, NULL, 1, NULL, &err);
		json_rejected(err);
		json_end();
		bpf_object__close(obj);
		return;
	}
	usec = stat_after(tool_log, "verification time ");
	insns = stat_after(tool_log, "processed ");
	err = prog_facts(tool_prog_fd(obj, name), &f);
	tool_check(usec >= 0 && insns > 0 && !err, name,
		   "verifier sample %d: %ld usec, %ld insns processed", i, usec, insns);
	fprintf(out, ",\"status\":\"loaded\",\"usec\":%ld,\"processed\":%ld,\"verified_insns\":%u,\"xlated_insns\":%zu",
		usec, insns, f.pi.info.verified_insns,
		f.pi.info.xlated_prog_len / sizeof(struct bpf_insn));
	json_end();
	tool_prog_info_free(&f.pi);
	bpf_object__close(obj);
}

static void meta(void)
{
	long enable = tool_sysctl("/proc/sys/net/core/bpf_jit_enable");
	long harden = tool_sysctl("/proc/sys/net/core/bpf_jit_harden");
	struct utsname u;

	uname(&u);
	tool_check(enable == 1 && harden == 0, "jit-enabled",
		   "bpf_jit_enable %ld bpf_jit_harden %ld", enable, harden);
	json_begin("meta");
	json_str("release", u.release);
	fprintf(out, ",\"jit_enable\":%ld,\"jit_harden\":%ld,\"cpus\":%ld,\"scale\":%ld,\"samples\":%ld",
		enable, harden, sysconf(_SC_NPROCESSORS_ONLN), scale, samples);
	json_end();
}

static void jit_corpus(const char *st, const char *bench_obj)
{
	char pattern[4096];
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/tailcall*.bpf.o", st);
	if (glob(pattern, 0, NULL, &g)) {
		tool_check(0, "corpus", "no %s", pattern);
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		jit_object(g.gl_pathv[i]);
	tool_diag("corpus: %zu selftests objects and %s", g.gl_pathc, bench_obj);
	globfree(&g);
	jit_object(bench_obj);
}

int main(int argc, char **argv)
{
	const char *st = tool_env_str("GUEST_BENCH_ST", "build/check/linux/tools/testing/selftests/bpf");
	const char *obj = tool_env_str("GUEST_BENCH_OBJ", "build/tests/bench.bpf.o");
	char def_out[4096];
	size_t i;
	long s;

	tool_start(argc, argv, TOOL_ANY_KERNEL);
	/* a version of the series runs as 'series' under a label of its own */
	kernel = tool_env_str("GUEST_BENCH_LABEL", tool_kernel_name);
	scale = tool_env("GUEST_BENCH_SCALE", 100, 1, 100000);
	samples = tool_env("GUEST_BENCH_SAMPLES", 3, 1, 1000);
	snprintf(def_out, sizeof(def_out), "%s/bench.jsonl", tool_env_str("WS_RESULTS", "."));
	out = fopen(tool_env_str("GUEST_BENCH_OUT", def_out), "w");
	if (!out)
		return perror("output"), 2;

	tool_plan(-1);
	meta();
	jit_corpus(st, obj);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(obj, &cases[i]);
	for (s = 0; s < samples; s++)
		for (i = 0; i < ARRAY_SIZE(verif_progs); i++)
			verifier_sample(obj, verif_progs[i], s);
	fclose(out);
	return tool_exit();
}
