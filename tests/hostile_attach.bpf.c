// SPDX-License-Identifier: GPL-2.0
/* Programs that tests/hostile.c attaches to the programs of
 * hostile.bpf.c once those are loaded (it sets the attach targets):
 * fentry/fexit programs for bomb_sub() and freplace programs for hop()
 * and plain_hop().
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hostile.h"
#include "tool.h"

PROG_ARRAY_1(ext_table);

struct hostile_hits hits;

SEC("fentry/bomb_sub")
int fentry_sub(__u64 *ctx)
{
	hits.fentry++;
	return 0;
}

SEC("fexit/bomb_sub")
int fexit_sub(__u64 *ctx)
{
	/* bomb_sub() has one argument; its return value comes next */
	hits.fexit++;
	hits.fexit_ret += (int)ctx[1];
	return 0;
}

/* replaces hop(): no tail call, returns 5 */
SEC("freplace")
int ext_hop(struct __sk_buff *skb)
{
	hits.ext++;
	return 5;
}

/* an extension with a tail call, which the series keeps off subprograms */
SEC("freplace")
int ext_tail(struct __sk_buff *skb)
{
	bpf_tail_call_static(skb, &ext_table, 0);
	hits.ext++;
	return 5;
}

char _license[] SEC("license") = "GPL";
