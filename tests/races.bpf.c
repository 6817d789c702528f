// SPDX-License-Identifier: GPL-2.0
/* Programs raced by tests/races.c: an entry whose subprograms and main
 * function do direct and indirect tail calls into a prog_array that
 * another thread keeps changing.
 *
 * races_entry (run by BPF_PROG_TEST_RUN):
 *   cb[COUNT] = 0
 *   s = sub_direct()     direct tail call into slot SUB, else 0
 *   i = sub_indirect()   indirect tail call into slot idx_ind (= IND), else 0
 *   cb[ACC] = s + MUL_IND * i
 *   tail call into slot MAIN: direct, or indirect (idx_main = MAIN) when
 *   cb[INDIRECT] is set; if it fails, record and return cb[ACC].
 *
 * Targets (every one adds 1 to cb[COUNT], the tail calls of the run):
 *   tc_t1, tc_t2   return RACES_VAL_T1, RACES_VAL_T2 (slots SUB and IND)
 *   tc_chain       tail calls slot CHAIN (itself) until the run's budget
 *                  is spent, then returns RACES_VAL_CHAIN (slot SUB)
 *   tc_f1, tc_f2   record and return cb[ACC] + MUL_MAIN * 1 or 2 (slot MAIN)
 *
 * "record" counts the run's return value in hist.ret[] and its number of
 * tail calls in hist.cnt[]: every run records exactly once.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "races.h"

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, RACES_NSLOTS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

/* runtime indices: .data is writable, so the verifier cannot fold them */
volatile __u32 idx_ind = RACES_SLOT_IND;
volatile __u32 idx_main = RACES_SLOT_MAIN;

struct races_hist hist;

static __always_inline int record(struct __sk_buff *skb, __u32 val)
{
	__u32 v = val, n = skb->cb[RACES_CB_COUNT];

	if (v >= RACES_NVAL)
		v = RACES_NVAL - 1;
	if (n >= RACES_NCNT)
		n = RACES_NCNT - 1;
	__sync_fetch_and_add(&hist.ret[v], 1);
	__sync_fetch_and_add(&hist.cnt[n], 1);
	return val;
}

static __noinline int sub_direct(struct __sk_buff *skb)
{
	int ret = 0;

	bpf_tail_call_static(skb, &jmp_table, RACES_SLOT_SUB);
	barrier_var(ret);	/* keep clang from folding the call's value */
	return ret;
}

static __noinline int sub_indirect(struct __sk_buff *skb)
{
	int ret = 0;

	bpf_tail_call(skb, &jmp_table, idx_ind);
	barrier_var(ret);
	return ret;
}

SEC("tc")
int races_entry(struct __sk_buff *skb)
{
	__u32 s, i;

	skb->cb[RACES_CB_COUNT] = 0;
	s = sub_direct(skb);
	i = sub_indirect(skb);
	skb->cb[RACES_CB_ACC] = s + RACES_MUL_IND * i;
	if (skb->cb[RACES_CB_INDIRECT])
		bpf_tail_call(skb, &jmp_table, idx_main);
	else
		bpf_tail_call_static(skb, &jmp_table, RACES_SLOT_MAIN);
	return record(skb, skb->cb[RACES_CB_ACC]);
}

SEC("tc")
int tc_t1(struct __sk_buff *skb)
{
	skb->cb[RACES_CB_COUNT]++;
	return RACES_VAL_T1;
}

SEC("tc")
int tc_t2(struct __sk_buff *skb)
{
	skb->cb[RACES_CB_COUNT]++;
	return RACES_VAL_T2;
}

SEC("tc")
int tc_chain(struct __sk_buff *skb)
{
	skb->cb[RACES_CB_COUNT]++;
	bpf_tail_call_static(skb, &jmp_table, RACES_SLOT_CHAIN);
	return RACES_VAL_CHAIN;
}

static __always_inline int finish(struct __sk_buff *skb, __u32 main)
{
	skb->cb[RACES_CB_COUNT]++;
	return record(skb, skb->cb[RACES_CB_ACC] + RACES_MUL_MAIN * main);
}

SEC("tc")
int tc_f1(struct __sk_buff *skb)
{
	return finish(skb, 1);
}

SEC("tc")
int tc_f2(struct __sk_buff *skb)
{
	return finish(skb, 2);
}

char _license[] SEC("license") = "GPL";
