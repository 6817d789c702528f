// SPDX-License-Identifier: GPL-2.0
/* Synthetic programs of the benchmark (tests/bench.c, scripts/bench.sh).
 * Every program is a tc program run with BPF_PROG_TEST_RUN on a 64-byte
 * packet; user space loads them one at a time (with the programs their
 * prog arrays point to) and fills slot 0 of the prog arrays:
 *
 *   empty       returns 0: the baseline of test_run's own loop
 *   leaf        returns 1: the target of the single tail calls
 *   calls       (a) subprograms, no tail call: 8 frames, main -> a1 -> .. -> a7
 *   tc_main     (b) main-only tail call: main tail-calls leaf
 *   tc_sub      (c) subprogram tail call: main -> sub_c, which tail-calls leaf
 *   tc_deep     (d) the 8-frame chain of (a) in a program that can reach a
 *               tail call: main -> d1 -> d2 -> a3 -> .. -> a7, d2 tail-calls
 *               an empty slot (the attempt is counted, nothing is entered)
 *   chain_main  (e) tail-calls itself from main: 33 tail calls, 34 entries
 *   chain_sub   (f) tail-calls itself from a subprogram: 33 tail calls, 34
 *               entries
 *   verif_calls and verif_tail: the verifier's cost, a main function calling
 *               NSUBS subprograms of a few branches each, which in
 *               verif_tail also make a tail call (to an empty slot).
 *
 * The values returned are checked by user space; they tell that each run
 * went the way described (see tests/bench.c).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "tool.h"

PROG_ARRAY_1(jmp_b);
PROG_ARRAY_1(jmp_c);
PROG_ARRAY_1(jmp_d);
PROG_ARRAY_1(jmp_e);
PROG_ARRAY_1(jmp_f);
PROG_ARRAY_1(jmp_v);

/* Entries into chain_main and chain_sub, reset and read by user space. */
__u64 entries_e SEC(".data.entries_e") = 0;
__u64 entries_f SEC(".data.entries_f") = 0;

/* Code after a tail call runs only when the tail call fails: hide the
 * value from the compiler, which would otherwise fold it into the callers.
 */
static __always_inline int tc_ret(int val)
{
	asm volatile("" : "+r"(val));
	return val;
}

SEC("tc")
int empty(struct __sk_buff *skb)
{
	return 0;
}

SEC("tc")
int leaf(struct __sk_buff *skb)
{
	return 1;
}

/* (a): a1 .. a7 each add 1 to what the next frame returns, a7 returns the
 * packet length: calls() returns len + 7.
 */
static __noinline int a7(struct __sk_buff *skb)
{
	return skb->len;
}

#define LINK(name, next)						\
	static __noinline int name(struct __sk_buff *skb)		\
	{								\
		return next(skb) + 1;					\
	}

LINK(a6, a7)
LINK(a5, a6)
LINK(a4, a5)
LINK(a3, a4)
LINK(a2, a3)
LINK(a1, a2)

SEC("tc")
int calls(struct __sk_buff *skb)
{
	return a1(skb) + 1;
}

/* (b): returns leaf's 1 */
SEC("tc")
int tc_main(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &jmp_b, 0);
	return 2;
}

/* (c): returns leaf's 1 + 10 */
static __noinline int sub_c(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &jmp_c, 0);
	return tc_ret(2);
}

SEC("tc")
int tc_sub(struct __sk_buff *skb)
{
	return sub_c(skb) + 10;
}

/* (d): the tail call fails, the chain returns len + 7 as in (a) */
static __noinline int d2(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &jmp_d, 0);
	return a3(skb) + 1;
}

LINK(d1, d2)

SEC("tc")
int tc_deep(struct __sk_buff *skb)
{
	return d1(skb) + 1;
}

/* (e): the last tail call fails, the 34th entry returns 3 */
SEC("tc")
int chain_main(struct __sk_buff *skb)
{
	entries_e++;
	bpf_tail_call_static(skb, &jmp_e, 0);
	return 3;
}

/* (f): the innermost sub_f() returns 5, each of the 34 entries adds 1 */
static __noinline int sub_f(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &jmp_f, 0);
	return tc_ret(5);
}

SEC("tc")
int chain_sub(struct __sk_buff *skb)
{
	entries_f++;
	return sub_f(skb) + 1;
}

/* The verifier's cost: NSUBS subprograms, each explored once per path
 * into it. TAIL is empty for verif_calls, a tail call for verif_tail.
 */
#define VSUB(pfx, n, TAIL)						\
	static __noinline int pfx##n(struct __sk_buff *skb, int x)	\
	{								\
		int v = x ^ (n * 7 + 1);				\
									\
		TAIL;							\
		if (skb->len > n)					\
			v += skb->mark;					\
		else							\
			v -= skb->priority;				\
		if (v & 1)						\
			v = v * 3 + skb->hash;				\
		else							\
			v = (v >> 1) ^ skb->protocol;			\
		if (v > 1000)						\
			v -= skb->ifindex;				\
		return v;						\
	}

#define X10(M, pfx, d, TAIL)						\
	M(pfx, d##0, TAIL) M(pfx, d##1, TAIL) M(pfx, d##2, TAIL)	\
	M(pfx, d##3, TAIL) M(pfx, d##4, TAIL) M(pfx, d##5, TAIL)	\
	M(pfx, d##6, TAIL) M(pfx, d##7, TAIL) M(pfx, d##8, TAIL)	\
	M(pfx, d##9, TAIL)

/* 80 subprograms: pfx10 .. pfx89 */
#define X80(M, pfx, TAIL)						\
	X10(M, pfx, 1, TAIL) X10(M, pfx, 2, TAIL) X10(M, pfx, 3, TAIL)	\
	X10(M, pfx, 4, TAIL) X10(M, pfx, 5, TAIL) X10(M, pfx, 6, TAIL)	\
	X10(M, pfx, 7, TAIL) X10(M, pfx, 8, TAIL)

#define VCALL(pfx, n, unused) x = pfx##n(skb, x);

#define NO_TAIL do { } while (0)
#define TAIL_CALL bpf_tail_call_static(skb, &jmp_v, 0)

X80(VSUB, vc, NO_TAIL)
X80(VSUB, vt, TAIL_CALL)

SEC("tc")
int verif_calls(struct __sk_buff *skb)
{
	int x = skb->len;

	X80(VCALL, vc, 0)
	return x & 1;
}

SEC("tc")
int verif_tail(struct __sk_buff *skb)
{
	int x = skb->len;

	X80(VCALL, vt, 0)
	return x & 1;
}

char _license[] SEC("license") = "GPL";
