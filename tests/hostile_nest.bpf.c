// SPDX-License-Identifier: GPL-2.0
/* Targets of the nesting checks of tests/hostile.c: chains of tail calls
 * that keep upstream's overflow shape at every level (seven caller frames
 * with 32 bytes of BPF stack each), run again on the same stack by what
 * their last level does.
 *
 * nest_tc: a tc program. Its last level (where the tail call fails) calls
 * bpf_clone_redirect() to the egress of nest.ifindex, where user space
 * attaches nest_tc too: the clone runs the chain again, nested in the
 * helper, until nest.max_depth clones are in progress. Then the level
 * calls bpf_ktime_get_ns(), which the stack tracer watches. With nest_tc
 * on lo's ingress only, the clone goes out through loopback_xmit() and
 * comes back in NET_RX_SOFTIRQ, which runs when __dev_queue_xmit()
 * enables bottom halves again, inside the helper, on the interrupt stack.
 * Each run records how many last levels it reached and the task it ran
 * in, by clones in progress.
 *
 * nest_fentry: an fentry program on bpf_ktime_get_ns() with the same
 * chain, run while nest.fentry_on is set: every call of the helper by
 * nest_tc's last level runs it on top. Its own last level calls
 * bpf_ktime_get_ns() too (the trampoline does not run a program nested in
 * itself).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "hostile.h"
#include "tool.h"

PROG_ARRAY_1(jmp_tc);
PROG_ARRAY_1(jmp_fentry);

struct hostile_nest nest;

static __always_inline int opaque(int val)
{
	barrier_var(val);
	return val;
}

/* A kept caller frame with 32 bytes of stack: returns what @next returns. */
#define KEEP(name, next, type)						\
static __noinline int name(type ctx)					\
{									\
	char buf[32];							\
									\
	buf[0] = 1;							\
	asm volatile("" : : "r"(buf) : "memory");			\
	return next(ctx) + buf[0] - 1;					\
}

static __noinline int tc_last(struct __sk_buff *skb)
{
	__u32 depth = opaque(nest.depth);

	bpf_tail_call_static(skb, &jmp_tc, 0);
	if (depth <= NEST_MAX)
		nest.last_runs[depth]++;
	if (nest.depth < nest.max_depth) {
		nest.depth++;
		if (nest.depth > nest.deepest)
			nest.deepest = nest.depth;
		if (bpf_clone_redirect(skb, nest.ifindex, 0))
			nest.clone_errors++;
		nest.depth--;
	}
	bpf_ktime_get_ns();
	return opaque(0);
}

KEEP(tc6, tc_last, struct __sk_buff *)
KEEP(tc5, tc6, struct __sk_buff *)
KEEP(tc4, tc5, struct __sk_buff *)
KEEP(tc3, tc4, struct __sk_buff *)
KEEP(tc2, tc3, struct __sk_buff *)
KEEP(tc1, tc2, struct __sk_buff *)

SEC("tc")
int nest_tc(struct __sk_buff *skb)
{
	__u32 depth = opaque(nest.depth);

	if (depth <= NEST_MAX) {
		nest.tc_entries[depth]++;
		if (!nest.entry_task[depth])
			nest.entry_task[depth] = bpf_get_current_task();
	}
	return tc1(skb);
}

static __noinline int fe_last(void *ctx)
{
	bpf_tail_call_static(ctx, &jmp_fentry, 0);
	bpf_ktime_get_ns();
	return opaque(0);
}

KEEP(fe6, fe_last, void *)
KEEP(fe5, fe6, void *)
KEEP(fe4, fe5, void *)
KEEP(fe3, fe4, void *)
KEEP(fe2, fe3, void *)
KEEP(fe1, fe2, void *)

SEC("fentry/bpf_ktime_get_ns")
int nest_fentry(void *ctx)
{
	if (!nest.fentry_on)
		return 0;
	nest.fentry_entries++;
	return fe1(ctx);
}

char __license[] SEC("license") = "GPL";
