// SPDX-License-Identifier: GPL-2.0
/* The helpers of the guest tools (see tool.h), linked into each of them by
 * scripts/build-tools.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "tool.h"

/* ---- KTAP output ------------------------------------------------------ */

/* checks printed, failed and skipped so far; the plan, -1 until known */
static int checks, failures, skips, plan = -1;

void tool_plan(int n)
{
	printf("TAP version 13\n");
	if (n >= 0)
		printf("1..%d\n", n);
	plan = n;
	fflush(stdout);
}

static void result(bool ok, const char *name, const char *directive,
		   const char *fmt, va_list ap)
{
	char detail[8192];

	vsnprintf(detail, sizeof(detail), fmt, ap);
	/* one line: the detail may not break it */
	detail[strcspn(detail, "\n")] = '\0';
	printf("%s %d %s", ok ? "ok" : "not ok", ++checks, name);
	if (*directive || *detail)
		printf(" # %s%s", directive, detail);
	putchar('\n');
	fflush(stdout);
}

int tool_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result(ok, name, "", fmt, ap);
	va_end(ap);
	failures += !ok;
	return !ok;
}

void tool_skip(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	result(true, name, "SKIP ", fmt, ap);
	va_end(ap);
	skips++;
}

static void diag_lines(const char *text)
{
	const char *p = text;
	int len;

	while (*p) {
		len = strcspn(p, "\n");
		printf("#%s%.*s\n", len ? " " : "", len, p);
		p += len + (p[len] == '\n');
	}
}

void tool_diag(const char *fmt, ...)
{
	char text[16384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	diag_lines(text);
	fflush(stdout);
}

int tool_exit(void)
{
	if (plan < 0)
		printf("1..%d\n", checks);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:%d error:0\n",
	       checks - failures - skips, failures, skips);
	fflush(stdout);
	return failures ? 1 : 0;
}

/* ---- parameters ------------------------------------------------------- */

const char *tool_kernel_name;
bool tool_debug_kernel;
static char objdir[4096];
/* libbpf's warnings since the last tool_log_reset() */
static char lbmsg[4096];

static int keep_warnings(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	size_t len = strlen(lbmsg);

	if (level == LIBBPF_WARN && len < sizeof(lbmsg) - 1)
		vsnprintf(lbmsg + len, sizeof(lbmsg) - len, fmt, ap);
	return 0;
}

enum tool_kernel tool_start(int argc, char **argv, unsigned int accepted)
{
	static const struct {
		const char *name;
		enum tool_kernel kernel;
	} names[] = {
		{ "series", TOOL_SERIES }, { "debug", TOOL_SERIES },
		{ "dev", TOOL_SERIES }, { "base", TOOL_BASE },
		{ "pristine", TOOL_PRISTINE },
		{ "upstream-pristine", TOOL_UPSTREAM_PRISTINE },
		{ "upstream-fixed", TOOL_UPSTREAM_FIXED },
	};
	char path[sizeof(objdir)];
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	libbpf_set_print(keep_warnings);
	snprintf(path, sizeof(path), "%s", argv[0]);
	snprintf(objdir, sizeof(objdir), "%s", dirname(path));
	for (i = 0; argc == 2 && i < ARRAY_SIZE(names); i++) {
		if (strcmp(argv[1], names[i].name) || !(names[i].kernel & accepted))
			continue;
		tool_kernel_name = argv[1];
		tool_debug_kernel = !strcmp(argv[1], "debug");
		return names[i].kernel;
	}
	fprintf(stderr, "usage: %s KERNEL, one of:", argv[0]);
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (names[i].kernel & accepted)
			fprintf(stderr, " %s", names[i].name);
	fprintf(stderr, " (%s: no expectations for it)\n", argc == 2 ? argv[1] : "none");
	exit(2);
}

long tool_thread_size(void)
{
	return tool_debug_kernel ? 32768 : 16384;
}

unsigned long long tool_env(const char *name, unsigned long long def,
			    unsigned long long min, unsigned long long max)
{
	const char *v = getenv(name);
	unsigned long long n;
	char *end;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtoull(v, &end, 0);
	if (errno || *end || *v == '-' || n < min || n > max) {
		fprintf(stderr, "%s=%s: not a number from %llu to %llu\n", name, v,
			min, max);
		exit(2);
	}
	return n;
}

const char *tool_env_str(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

long tool_sysctl(const char *path)
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

/* ---- clock ------------------------------------------------------------ */

__u64 tool_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* ---- objects and verifier logs ---------------------------------------- */

char tool_log[TOOL_LOG_SIZE];

void tool_log_reset(void)
{
	tool_log[0] = '\0';
	lbmsg[0] = '\0';
}

void tool_log_tail(int lines)
{
	const char *logs[] = { tool_log, lbmsg }, *p;
	unsigned int i;
	int n;

	for (i = 0; i < ARRAY_SIZE(logs); i++) {
		p = logs[i] + strlen(logs[i]);
		for (n = 0; p > logs[i] && n < lines; p--)
			n += p[-1] == '\n';
		while (*p) {
			n = strcspn(p, "\n");
			if (n)
				printf("#   %.*s\n", n, p);
			p += n + (p[n] == '\n');
		}
	}
	fflush(stdout);
}

bool tool_log_has_line(const char *msg)
{
	size_t len = strlen(msg);
	const char *p;

	for (p = strstr(tool_log, msg); p; p = strstr(p + 1, msg))
		if ((p == tool_log || p[-1] == '\n') && (p[len] == '\n' || !p[len]))
			return true;
	return false;
}

const char *tool_log_error(char *line, size_t size)
{
	const char *p, *nl;
	size_t n;

	snprintf(line, size, "(empty log)");
	for (p = tool_log; *p; p = *nl ? nl + 1 : nl) {
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

struct bpf_object *tool_open(const char *file, const char *const *progs)
{
	struct bpf_program *prog;
	struct bpf_object *obj;
	char path[sizeof(objdir) + 256];
	int i;

	if (strchr(file, '/'))
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", objdir, file);
	tool_log_reset();
	obj = bpf_object__open_file(path, NULL);
	if (libbpf_get_error(obj)) {
		tool_diag("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	bpf_object__for_each_program(prog, obj) {
		bool on = false;

		for (i = 0; progs && progs[i]; i++)
			on |= !strcmp(progs[i], bpf_program__name(prog));
		on |= !progs;
		bpf_program__set_autoload(prog, on);
		if (on)
			bpf_program__set_log_buf(prog, tool_log, sizeof(tool_log));
	}
	return obj;
}

int tool_load_one(const char *file, const char *name, struct bpf_object **objp)
{
	const char *progs[] = { name, NULL };
	struct bpf_object *obj = tool_open(file, progs);

	*objp = NULL;
	if (!obj || bpf_object__load(obj)) {
		bpf_object__close(obj);
		return -1;
	}
	*objp = obj;
	return tool_prog_fd(obj, name);
}

int tool_prog_fd(struct bpf_object *obj, const char *name)
{
	return bpf_program__fd(bpf_object__find_program_by_name(obj, name));
}

int tool_map_fd(struct bpf_object *obj, const char *name)
{
	return bpf_map__fd(bpf_object__find_map_by_name(obj, name));
}

struct bpf_map *tool_bss(struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj)
		if (strstr(bpf_map__name(map), ".bss"))
			return map;
	return NULL;
}

int tool_set_slot(int map_fd, __u32 slot, int prog_fd)
{
	return bpf_map_update_elem(map_fd, &slot, &prog_fd, BPF_ANY);
}

/* ---- test runs -------------------------------------------------------- */

int tool_test_run(int fd, struct tool_run *run)
{
	struct __sk_buff ctx = {};
	char pkt[64] = {};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = pkt,
		    .data_size_in = sizeof(pkt), .repeat = run->repeat ?: 1);
	int err;

	if (run->cb || run->mark) {
		if (run->cb)
			memcpy(ctx.cb, run->cb, sizeof(ctx.cb));
		ctx.mark = run->mark;
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	opts.retval = ~0U;
	err = bpf_prog_test_run_opts(fd, &opts);
	run->retval = opts.retval;
	run->duration = opts.duration;
	return err ? -1 : 0;
}

int tool_tc_attach(int ifindex, int fd, bool ingress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = ingress ? BPF_TC_INGRESS : BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = fd);
	int err;

	if (fd < 0) {
		hook.attach_point = BPF_TC_EGRESS | BPF_TC_INGRESS;
		return bpf_tc_hook_destroy(&hook);
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	return bpf_tc_attach(&hook, &opts);
}

int tool_run_once(int fd, __u32 *retval)
{
	struct tool_run run = {};
	int err = tool_test_run(fd, &run);

	*retval = run.retval;
	return err;
}

/* ---- loaded programs -------------------------------------------------- */

int tool_prog_info(int fd, struct tool_prog_info *pi)
{
	struct bpf_prog_info *info = &pi->info;
	__u32 len = sizeof(*info), nlens, nfi;

	memset(pi, 0, sizeof(*pi));
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		return -errno;
	nlens = info->nr_jited_func_lens;
	nfi = info->nr_func_info;
	pi->func_lens = calloc(nlens + 1, sizeof(*pi->func_lens));
	pi->image = calloc(1, info->jited_prog_len + 1);
	pi->xlated = calloc(1, info->xlated_prog_len + 1);
	pi->func_info = calloc(nfi + 1, sizeof(*pi->func_info));
	if (!pi->func_lens || !pi->image || !pi->xlated || !pi->func_info)
		return -ENOMEM;
	*info = (struct bpf_prog_info){
		.jited_prog_len = info->jited_prog_len,
		.jited_prog_insns = (__u64)(unsigned long)pi->image,
		.nr_jited_func_lens = nlens,
		.jited_func_lens = (__u64)(unsigned long)pi->func_lens,
		.xlated_prog_len = info->xlated_prog_len,
		.xlated_prog_insns = (__u64)(unsigned long)pi->xlated,
		.nr_func_info = nfi,
		.func_info_rec_size = sizeof(*pi->func_info),
		.func_info = (__u64)(unsigned long)pi->func_info,
	};
	len = sizeof(*info);
	return bpf_obj_get_info_by_fd(fd, info, &len) ? -errno : 0;
}

void tool_prog_info_free(struct tool_prog_info *pi)
{
	free(pi->func_lens);
	free(pi->image);
	free(pi->xlated);
	free(pi->func_info);
	memset(pi, 0, sizeof(*pi));
}

/* ---- raw programs ----------------------------------------------------- */

void tool_emit(struct tool_prog *p, const struct bpf_insn *insn, int n)
{
	if (p->len + n > TOOL_MAX_INSNS) {
		p->overflow = true;
		return;
	}
	memcpy(p->insn + p->len, insn, n * sizeof(*insn));
	p->len += n;
}

void tool_begin_func(struct tool_prog *p, enum tool_ret ret)
{
	if (p->nfunc == TOOL_MAX_FUNCS) {
		p->overflow = true;
		return;
	}
	p->start[p->nfunc] = p->len;
	p->ret[p->nfunc++] = ret;
}

int tool_finish(struct tool_prog *p)
{
	struct bpf_insn *in;
	int i;

	if (p->overflow)
		return -1;
	for (i = 0; i < p->len; i++) {
		in = &p->insn[i];
		if ((in->code == (BPF_JMP | BPF_CALL) && in->src_reg == BPF_PSEUDO_CALL) ||
		    (in->code == (BPF_LD | BPF_IMM | BPF_DW) && in->src_reg == BPF_PSEUDO_FUNC)) {
			if (in->imm < 0 || in->imm >= p->nfunc)
				return -1;
			in->imm = p->start[in->imm] - i - 1;
		}
		/* the second half of an ld_imm64 is no instruction of its own */
		i += in->code == (BPF_LD | BPF_IMM | BPF_DW);
	}
	return 0;
}

int tool_btf(struct tool_prog *p)
{
	struct btf *btf = btf__new_empty();
	int int_id, ptr_id, proto, id, i, fd = -1;
	char name[16];

	if (!btf)
		return -1;
	int_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	ptr_id = btf__add_ptr(btf, 0);
	for (i = 0; i < p->nfunc; i++) {
		proto = btf__add_func_proto(btf, p->ret[i] == TOOL_RET_INT ? int_id :
					    p->ret[i] == TOOL_RET_PTR ? ptr_id : 0);
		snprintf(name, sizeof(name), "f%d", i);
		if (proto < 0 || btf__add_func_param(btf, "ctx", ptr_id))
			goto out;
		id = btf__add_func(btf, name, BTF_FUNC_STATIC, proto);
		if (id < 0)
			goto out;
		p->btf_id[i] = id;
	}
	if (int_id >= 0 && ptr_id >= 0 && !btf__load_into_kernel(btf))
		fd = dup(btf__fd(btf));
out:
	btf__free(btf);
	return fd;
}

int tool_load_raw(const struct tool_prog *p, const char *name, int btf_fd,
		  enum tool_log_mode log)
{
	struct bpf_func_info fi[TOOL_MAX_FUNCS];
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	char pname[BPF_OBJ_NAME_LEN];
	int i, fd;

	/* program names: letters, digits, '_' and '.' */
	snprintf(pname, sizeof(pname), "%s", name);
	for (i = 0; pname[i]; i++)
		if (pname[i] == '-')
			pname[i] = '_';
	if (btf_fd >= 0) {
		for (i = 0; i < p->nfunc; i++)
			fi[i] = (struct bpf_func_info){ p->start[i], p->btf_id[i] };
		opts.prog_btf_fd = btf_fd;
		opts.func_info = fi;
		opts.func_info_cnt = p->nfunc;
		opts.func_info_rec_size = sizeof(fi[0]);
	}
	tool_log_reset();
	if (log != TOOL_LOG_NONE) {
		opts.log_buf = tool_log;
		opts.log_size = sizeof(tool_log);
		opts.log_level = log == TOOL_LOG_ALWAYS;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, pname, "GPL", p->insn, p->len, &opts);
	if (fd < 0 && log != TOOL_LOG_NONE && !tool_log[0])
		snprintf(tool_log, sizeof(tool_log), "bpf_prog_load: %s\n", strerror(errno));
	return fd;
}

/* ---- chains of caller frames ending in a tail call ---- */

static void begin_big_frame(struct tool_prog *p, enum tool_ret ret, int stack)
{
	tool_begin_func(p, ret);
	EMIT(p, BPF_MOV64_REG(BPF_REG_6, BPF_REG_1));
	EMIT(p, BPF_MOV64_REG(BPF_REG_7, BPF_REG_1));
	EMIT(p, BPF_MOV64_REG(BPF_REG_8, BPF_REG_1));
	EMIT(p, BPF_MOV64_REG(BPF_REG_9, BPF_REG_1));
	if (stack)
		EMIT(p, BPF_ST_MEM(BPF_DW, BPF_REG_10, -stack, 0));
}

/* A caller frame: uses 'stack' bytes of BPF stack, runs
 * bpf_loop(1, function 'loop_cb', NULL, 0) first if loop_cb >= 0 (a
 * constant callback and flags 0: the verifier inlines the loop, in a frame
 * 24 bytes bigger), and calls function 'callee' with its ctx; the main
 * function adds 1 to what it gets.
 */
static void emit_caller(struct tool_prog *p, int stack, int callee, int loop_cb)
{
	bool main_func = !p->nfunc;

	begin_big_frame(p, TOOL_RET_INT, stack);
	if (loop_cb >= 0) {
		EMIT(p, BPF_MOV64_IMM(BPF_REG_1, 1));
		EMIT(p, BPF_LD_IMM64_RAW(BPF_REG_2, BPF_PSEUDO_FUNC, loop_cb));
		EMIT(p, BPF_MOV64_IMM(BPF_REG_3, 0));
		EMIT(p, BPF_MOV64_IMM(BPF_REG_4, 0));
		EMIT(p, BPF_EMIT_CALL(BPF_FUNC_loop));
	}
	EMIT(p, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
	EMIT(p, BPF_CALL_REL(callee));
	if (main_func)
		EMIT(p, BPF_ALU64_IMM(BPF_ADD, BPF_REG_0, 1));
	EMIT(p, BPF_EXIT_INSN());
}

/* The tail-calling subprogram: uses 'stack' bytes, tail-calls
 * map[skb->mark] (an indirect tail call: the index is not a constant),
 * and if that fails calls bpf_ktime_get_ns(), which ftrace can trace, and
 * returns 0.
 */
static void emit_tail_sub(struct tool_prog *p, int stack, int map_fd,
			  enum tool_ret ret)
{
	begin_big_frame(p, ret, stack);
	EMIT(p, BPF_LD_MAP_FD(BPF_REG_2, map_fd));
	EMIT(p, BPF_LDX_MEM(BPF_W, BPF_REG_3, BPF_REG_6, offsetof(struct __sk_buff, mark)));
	EMIT(p, BPF_MOV64_REG(BPF_REG_1, BPF_REG_6));
	EMIT(p, BPF_EMIT_CALL(BPF_FUNC_tail_call));
	EMIT(p, BPF_EMIT_CALL(BPF_FUNC_ktime_get_ns));
	EMIT(p, BPF_MOV64_IMM(BPF_REG_0, 0));
	EMIT(p, BPF_EXIT_INSN());
}

static int round32(int n)
{
	return (n + 31) / 32 * 32;
}

/* main -> caller 1 -> ... -> the tail-calling subprogram: 'frames' callers
 * with 'stacks' bytes each; the subprogram gets the rest of the 512 bytes
 * the chain may use. With 'loop', every caller runs bpf_loop() with the
 * last function as its callback, which returns 0.
 */
static int build_chain(struct tool_prog *p, const int *stacks, int frames,
		       int map_fd, enum tool_ret ret, bool loop)
{
	int i, left = TOOL_BPF_STACK;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < frames; i++) {
		emit_caller(p, stacks[i], i + 1, loop ? frames + 1 : -1);
		left -= round32(stacks[i] ? stacks[i] : 1);
	}
	emit_tail_sub(p, left, map_fd, ret);
	if (loop) {
		tool_begin_func(p, TOOL_RET_INT);
		EMIT(p, BPF_MOV64_IMM(BPF_REG_0, 0));
		EMIT(p, BPF_EXIT_INSN());
	}
	return tool_finish(p);
}

int tool_build_chain(struct tool_prog *p, const int *stacks, int frames,
		     int map_fd, enum tool_ret ret)
{
	return build_chain(p, stacks, frames, map_fd, ret, false);
}

int tool_build_loop_chain(struct tool_prog *p, const int *stacks, int frames,
			  int map_fd)
{
	return build_chain(p, stacks, frames, map_fd, TOOL_RET_INT, true);
}

/* Load 'p' as a tc program, with hand-made BTF unless 'no_btf': the fd,
 * or -1 with the verifier log in tool_log.
 */
int tool_load_chain(const char *name, struct tool_prog *p, bool no_btf)
{
	int btf_fd = -1, fd;

	if (!no_btf) {
		btf_fd = tool_btf(p);
		if (btf_fd < 0) {
			snprintf(tool_log, sizeof(tool_log), "BTF load failed: %s\n",
				 strerror(errno));
			return -1;
		}
	}
	fd = tool_load_raw(p, name, btf_fd, TOOL_LOG_ON_ERROR);
	if (btf_fd >= 0)
		close(btf_fd);
	return fd;
}

int tool_new_prog_array(void)
{
	return bpf_map_create(BPF_MAP_TYPE_PROG_ARRAY, NULL, 4, 4, 1, NULL);
}

/* ---- load checks ---- */

#define TOOL_LOG_LINES	6

void tool_expect_rejected(const char *check, int err, const char *msg)
{
	bool ok = err && tool_log_has_line(msg);

	tool_check(ok, check, "%s: \"%s\"", err ? "rejected" : "loaded", msg);
	if (!ok)
		tool_log_tail(TOOL_LOG_LINES);
}

void tool_expect_loaded(const char *check, int err, const char *what)
{
	tool_check(!err, check, "%s: %s", err ? "rejected" : "loaded", what);
	if (err)
		tool_log_tail(TOOL_LOG_LINES);
}

void tool_reproduce(const char *name, int fd, int map_fd, const char *reject,
		    const char *what, const char *crash)
{
	char loads[64], crashes[64];
	__u32 ret;

	if (reject) {
		tool_expect_rejected(name, fd < 0, reject);
		return;
	}
	snprintf(loads, sizeof(loads), "%s-loads", name);
	snprintf(crashes, sizeof(crashes), "%s-crashes", name);
	tool_expect_loaded(loads, fd < 0, what);
	if (fd < 0 || tool_set_slot(map_fd, 0, fd)) {
		tool_check(false, crashes, "not run: %s", strerror(errno));
		return;
	}
	tool_diag("running it: the guest should die of %s now", crash);
	fflush(stdout);
	sync();
	if (tool_run_once(fd, &ret))
		tool_check(false, crashes, "test run failed: %s", strerror(errno));
	else
		tool_check(false, crashes, "returned %u: no %s", ret, crash);
}

/* ---- trampolines ---- */

int tool_attach_tracing(int prog_fd, __u32 btf_id, enum bpf_attach_type type)
{
	const struct bpf_insn insns[] = { BPF_MOV64_IMM(BPF_REG_0, 0), BPF_EXIT_INSN() };
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = tool_log,
		    .log_size = sizeof(tool_log), .attach_prog_fd = prog_fd,
		    .attach_btf_id = btf_id, .expected_attach_type = type);
	int prog, link = -1;

	tool_log_reset();
	prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, "tool_trace", "GPL", insns,
			     ARRAY_SIZE(insns), &opts);
	if (prog >= 0) {
		link = bpf_link_create(prog, 0, type, NULL);
		close(prog);
	}
	return link;
}
