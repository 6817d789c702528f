// SPDX-License-Identifier: GPL-2.0
/* fentry/fexit programs that tests/races.c attaches to and detaches from
 * functions of races_entry (tests/races.bpf.c) while it runs: the
 * tail-calling subprograms sub_direct and sub_indirect, and the entry's
 * main function. The attach target is set by races.c at load time, so
 * this object does not load on its own.
 *
 * hits.fentry[t] counts the calls of target t seen by an fentry program,
 * hits.fexit[t][v] the returns of value v seen by an fexit program (the
 * last bucket takes every larger value).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "races.h"

struct races_hits hits;

static __always_inline void count_ret(int t, int ret)
{
	__u32 v = ret;

	if (v >= RACES_NVAL)
		v = RACES_NVAL - 1;
	__sync_fetch_and_add(&hits.fexit[t][v], 1);
}

#define RACES_TRACE(fn, t)						\
SEC("fentry/" #fn)							\
int BPF_PROG(fentry_##fn, struct __sk_buff *skb)			\
{									\
	__sync_fetch_and_add(&hits.fentry[t], 1);			\
	return 0;							\
}									\
									\
SEC("fexit/" #fn)							\
int BPF_PROG(fexit_##fn, struct __sk_buff *skb, int ret)		\
{									\
	count_ret(t, ret);						\
	return 0;							\
}

RACES_TRACE(sub_direct, RACES_TR_SUB_DIRECT)
RACES_TRACE(sub_indirect, RACES_TR_SUB_INDIRECT)
RACES_TRACE(races_entry, RACES_TR_ENTRY)

char _license[] SEC("license") = "GPL";
