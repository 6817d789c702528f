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
 * Checks (stdout), which tell that a measurement measured what it says:
 *   ok run-CASE       each test_run of CASE returned the value the program
 *                     returns when it runs as described in tests/bench.bpf.c
 *                     and, for the self tail-calling chains, entered it 34
 *                     times per run (33 tail calls)
 *   ok verifier-PROG  the stats lines were found in the verifier's log
 *   ok jit-enabled    net.core.bpf_jit_enable is 1 and bpf_jit_harden 0
 * A case or program the kernel rejects is reported as a '#' line.
 * GUEST_BENCH_SCALE (percent, default 100) scales every repeat count.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tool.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define LOG_SIZE	(4 << 20)
#define MAX_FUNCS	256
#define PKT_LEN		64
#define CHAIN_ENTRIES	34	/* MAX_TAIL_CALL_CNT + 1 */
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
static char *log_buf;
static long scale, samples;

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

static const char *env_str(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

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

/* The verifier's error: the last line of the log that is not one of its
 * statistics lines.
 */
static const char *log_error(const char *log, char *line, size_t size)
{
	const char *p = log, *nl;
	size_t n;

	snprintf(line, size, "(empty log)");
	for (; *p; p = *nl ? nl + 1 : nl) {
		nl = strchrnul(p, '\n');
		n = nl - p;
		if (!n || !strncmp(p, "processed ", 10) ||
		    !strncmp(p, "verification time", 17) ||
		    !strncmp(p, "stack depth", 11))
			continue;
		snprintf(line, size, "%.*s", (int)(n < size ? n : size - 1), p);
	}
	return line;
}

static int quiet_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	return 0;
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
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *p;

	*err = libbpf_get_error(obj);
	if (*err)
		return NULL;
	bpf_object__for_each_program(p, obj) {
		const char *n = bpf_program__name(p);
		int main_prog = !strcmp(n, name);

		bpf_program__set_autoload(p, main_prog || (also && !strcmp(n, also)));
		if (main_prog) {
			bpf_program__set_log_buf(p, log_buf, LOG_SIZE);
			bpf_program__set_log_level(p, level);
		}
		if (tgt && bpf_program__type(p) == BPF_PROG_TYPE_TRACING)
			bpf_program__set_attach_target(p, target_fd(tgt), NULL);
	}
	log_buf[0] = '\0';
	*err = bpf_object__load(obj);
	return obj;
}

struct facts {
	struct bpf_prog_info info;
	__u32 func_lens[MAX_FUNCS];
	unsigned char *image;
	unsigned int calls, tail_calls, tail_calls_sub;
};

/* BPF_FUNC_tail_call is how the kernel dumps its BPF_TAIL_CALL insns. */
static void count_calls(struct facts *f, const struct bpf_insn *insn,
			const struct bpf_func_info *fi)
{
	__u32 i, main_end = f->info.nr_func_info > 1 ? fi[1].insn_off : ~0u;

	for (i = 0; i < f->info.xlated_prog_len / sizeof(*insn); i++) {
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
	__u32 len = sizeof(f->info), nfi, n;
	struct bpf_func_info *fi;
	struct bpf_insn *insn;
	int err;

	memset(f, 0, sizeof(*f));
	if (bpf_obj_get_info_by_fd(fd, &f->info, &len))
		return -errno;
	n = f->info.xlated_prog_len;
	nfi = f->info.nr_func_info;
	insn = calloc(1, n);
	fi = calloc(nfi + 1, sizeof(*fi));
	f->image = calloc(1, f->info.jited_prog_len + 1);
	if (f->info.nr_jited_func_lens > MAX_FUNCS)
		f->info.nr_jited_func_lens = MAX_FUNCS;
	f->info = (struct bpf_prog_info){
		.xlated_prog_len = n,
		.xlated_prog_insns = (__u64)(unsigned long)insn,
		.nr_func_info = nfi,
		.func_info_rec_size = sizeof(*fi),
		.func_info = (__u64)(unsigned long)fi,
		.nr_jited_func_lens = f->info.nr_jited_func_lens,
		.jited_func_lens = (__u64)(unsigned long)f->func_lens,
		.jited_prog_len = f->info.jited_prog_len,
		.jited_prog_insns = (__u64)(unsigned long)f->image,
	};
	len = sizeof(f->info);
	err = bpf_obj_get_info_by_fd(fd, &f->info, &len) ? -errno : 0;
	if (!err)
		count_calls(f, insn, fi);
	free(insn);
	free(fi);
	return err;
}

static void json_facts(const struct facts *f)
{
	__u32 i;

	fprintf(out, ",\"jited_len\":%u,\"func_lens\":[", f->info.jited_prog_len);
	for (i = 0; i < f->info.nr_jited_func_lens; i++)
		fprintf(out, "%s%u", i ? "," : "", f->func_lens[i]);
	fprintf(out, "],\"xlated_insns\":%zu,\"funcs\":%u,\"calls\":%u",
		f->info.xlated_prog_len / sizeof(struct bpf_insn),
		f->info.nr_func_info ? f->info.nr_func_info : 1, f->calls);
	fprintf(out, ",\"tail_calls\":%u,\"tail_calls_sub\":%u,\"verified_insns\":%u",
		f->tail_calls, f->tail_calls_sub, f->info.verified_insns);
}

static void json_rejected(int err)
{
	char line[512];

	fprintf(out, ",\"status\":\"rejected\",\"errno\":%d", -err);
	json_str("msg", log_error(log_buf, line, sizeof(line)));
}

/* The JITed image in hex, ".." for each byte that may belong to an
 * address: within 7 bytes of a byte that differs between two loads of the
 * same program (helper calls are relative to the image, map pointers are
 * absolute). Images are compared across kernels with ".." as a wildcard.
 */
static void json_image(const struct facts *a, const struct facts *b)
{
	__u32 i, j, n = a->info.jited_prog_len;
	int addr;

	if (n != b->info.jited_prog_len) {
		json_str("image", "");
		return;
	}
	fputs(",\"image\":\"", out);
	for (i = 0; i < n; i++) {
		addr = 0;
		for (j = i > 7 ? i - 7 : 0; j <= i + 7 && j < n; j++)
			addr |= a->image[j] != b->image[j];
		if (addr)
			fputs("..", out);
		else
			fprintf(out, "%02x", a->image[i]);
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

	f->image = NULL;
	*objp = open_load(path, name, NULL, 0, tgt, &err);
	if (!*objp)
		return err ? : -ENOENT;
	if (!err)
		err = prog_facts(bpf_program__fd(bpf_object__find_program_by_name(*objp, name)), f);
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
	free(f.image);
	free(g.image);
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
		tgt = bpf_object__open_file(path, NULL);
		if (libbpf_get_error(tgt))
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
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj)) {
		printf("# %s: cannot open\n", path);
		tool_failures++;
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
	static const char pkt[PKT_LEN];
	long repeat = c->repeat * scale / 100 ? : 1;
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = repeat);
	__u64 entries = 0, expect = (__u64)c->entries * repeat;
	__u32 key = 0;
	int err;

	if (cnt_fd >= 0)
		bpf_map_update_elem(cnt_fd, &key, &entries, 0);
	err = bpf_prog_test_run_opts(fd, &topts);
	if (cnt_fd >= 0)
		bpf_map_lookup_elem(cnt_fd, &key, &entries);
	tool_check(!err && topts.retval == c->retval && entries == expect,
	      c->prog, "sample %d: err %d retval %u (want %u) entries %llu (want %llu) %u ns/run",
	      i, err, topts.retval, c->retval, (unsigned long long)entries,
	      (unsigned long long)expect, topts.duration);
	json_begin("run");
	json_str("case", c->prog);
	fprintf(out, ",\"status\":\"%s\",\"sample\":%d,\"repeat\":%ld,\"ns\":%u,\"retval\":%u}\n",
		err ? "error" : "ok", i, repeat, topts.duration, topts.retval);
	fflush(out);
}

/* Load the case, fill its slot, and measure it @samples times. */
static void run_case(const char *path, const struct run_case *c)
{
	struct bpf_object *obj;
	int err, fd, key = 0, slot_fd;
	char line[512];
	long i;

	obj = open_load(path, c->prog, c->slot_prog, 0, NULL, &err);
	if (!obj || err) {
		printf("# run-%s: rejected: %s\n", c->prog, log_error(log_buf, line, sizeof(line)));
		json_begin("run");
		json_str("case", c->prog);
		json_rejected(err);
		json_end();
		bpf_object__close(obj);
		return;
	}
	fd = bpf_program__fd(bpf_object__find_program_by_name(obj, c->prog));
	if (c->slot_prog) {
		slot_fd = bpf_program__fd(bpf_object__find_program_by_name(obj, c->slot_prog));
		err = bpf_map_update_elem(bpf_map__fd(bpf_object__find_map_by_name(obj, c->map)),
					  &key, &slot_fd, 0);
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
	usec = stat_after(log_buf, "verification time ");
	insns = stat_after(log_buf, "processed ");
	err = prog_facts(bpf_program__fd(bpf_object__find_program_by_name(obj, name)), &f);
	tool_check(usec >= 0 && insns > 0 && !err, name, "verifier sample %d: %ld usec, %ld insns processed",
	      i, usec, insns);
	fprintf(out, ",\"status\":\"loaded\",\"usec\":%ld,\"processed\":%ld,\"verified_insns\":%u,\"xlated_insns\":%zu",
		usec, insns, f.info.verified_insns,
		f.info.xlated_prog_len / sizeof(struct bpf_insn));
	json_end();
	free(f.image);
	bpf_object__close(obj);
}

static long sysctl_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void meta(void)
{
	long enable = sysctl_long("/proc/sys/net/core/bpf_jit_enable");
	long harden = sysctl_long("/proc/sys/net/core/bpf_jit_harden");
	struct utsname u;

	uname(&u);
	tool_check(enable == 1 && harden == 0, "jit-enabled", "bpf_jit_enable %ld bpf_jit_harden %ld",
	      enable, harden);
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
	printf("# corpus: %zu selftests objects and %s\n", g.gl_pathc, bench_obj);
	globfree(&g);
	jit_object(bench_obj);
}

int main(int argc, char **argv)
{
	const char *st = env_str("GUEST_BENCH_ST", "build/check/linux/tools/testing/selftests/bpf");
	const char *obj = env_str("GUEST_BENCH_OBJ", "build/tests/bench.bpf.o");
	char def_out[4096];
	size_t i;
	long s;

	if (argc != 2) {
		fprintf(stderr, "usage: %s KERNEL\n", argv[0]);
		return 2;
	}
	kernel = argv[1];
	scale = env_long("GUEST_BENCH_SCALE", 100);
	samples = env_long("GUEST_BENCH_SAMPLES", 3);
	snprintf(def_out, sizeof(def_out), "%s/bench.jsonl", env_str("WS_RESULTS", "."));
	out = fopen(env_str("GUEST_BENCH_OUT", def_out), "w");
	log_buf = malloc(LOG_SIZE);
	if (!out || !log_buf)
		return perror("output"), 2;
	libbpf_set_print(quiet_print);
	setvbuf(stdout, NULL, _IOLBF, 0);

	meta();
	jit_corpus(st, obj);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		run_case(obj, &cases[i]);
	for (s = 0; s < samples; s++)
		for (i = 0; i < ARRAY_SIZE(verif_progs); i++)
			verifier_sample(obj, verif_progs[i], s);
	fclose(out);
	return tool_failures != 0;
}
