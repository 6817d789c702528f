// SPDX-License-Identifier: GPL-2.0
/* A tc program whose subprogram does a tail call: the smallest program
 * that mixes bpf-to-bpf calls and tail calls. The base tree must reject
 * it, the series must accept it (tests/expect.txt).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} jmp_table SEC(".maps");

static __noinline int subprog_tail(struct __sk_buff *skb)
{
	bpf_tail_call(skb, &jmp_table, 0);
	return skb->len * 2;
}

SEC("tc")
int entry(struct __sk_buff *skb)
{
	return subprog_tail(skb) + 1;
}

char _license[] SEC("license") = "GPL";
