// SPDX-License-Identifier: GPL-2.0
/* Targets of tests/hostile.c (see there for the expected values).
 *
 * bombN (N = 2, 3, 8): the "hierarchy bomb". The entry program is slot 0
 * of jmp_table and calls bomb_sub() N times; bomb_sub() tail-calls slot 0,
 * that is the entry program again. With one tail call budget per run this
 * stops after 33 tail calls; with a budget per frame (upstream's design)
 * it would run N + N^2 + ... + N^33 of them, so bomb_sub() also stops
 * trying once st.cap entries have run.
 *
 * fr_entry: the target of the freplace checks. Its global function hop()
 * can reach a tail call (through fr_sub()), and fr_entry also calls
 * fr_sub() itself, so that its tail calls go on when hop() is replaced.
 * An extended program cannot be a tail call target (Debian's 6.1 has
 * upstream's fix for the freplace loop, see prog_fd_array_get_ptr()), so
 * fr_sub() tail-calls loop(), a main function that tail-calls itself.
 *
 * plain_entry: a program without any tail call, with a global function.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hostile.h"
#include "tool.h"

PROG_ARRAY_1(jmp_table);

struct hostile_state st;

/* After bpf_tail_call() the code runs only if the tail call failed; a
 * successful one returns the target's value. Keep the compiler from
 * folding the constant into the callers.
 */
static __always_inline int opaque(int val)
{
	barrier_var(val);
	return val;
}

/* Try a tail call to slot 0 and return 1 if it failed. */
static __always_inline int tail_slot0(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &jmp_table, 0);
	st.fails++;
	return opaque(1);
}

static __noinline int bomb_sub(struct __sk_buff *skb)
{
	st.calls++;
	if (st.entries >= st.cap) {
		st.skips++;
		return opaque(1);
	}
	return tail_slot0(skb);
}

#define BOMB(n)							\
SEC("tc")							\
int bomb##n(struct __sk_buff *skb)				\
{								\
	int i, ret = 0;						\
								\
	st.entries++;						\
	for (i = 0; i < n; i++)					\
		ret += bomb_sub(skb);				\
	return ret;						\
}

BOMB(2)
BOMB(3)
BOMB(8)

static __noinline int fr_sub(struct __sk_buff *skb)
{
	st.calls++;
	return tail_slot0(skb);
}

__noinline int hop(struct __sk_buff *skb)
{
	st.hops++;
	return fr_sub(skb);
}

SEC("tc")
int loop(struct __sk_buff *skb)
{
	st.entries++;
	return tail_slot0(skb);
}

SEC("tc")
int fr_entry(struct __sk_buff *skb)
{
	int ret;

	st.entries++;
	ret = hop(skb);
	ret += fr_sub(skb);
	return ret;
}

__noinline int plain_hop(struct __sk_buff *skb)
{
	/* used, so that callers really pass skb, as its BTF says */
	barrier_var(skb);
	st.hops++;
	return opaque(2);
}

SEC("tc")
int plain_entry(struct __sk_buff *skb)
{
	st.entries++;
	return plain_hop(skb) + 1;
}

char _license[] SEC("license") = "GPL";
