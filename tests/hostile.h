/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between tests/hostile.c and its BPF objects: the counters the
 * programs keep in their .bss, read and reset by user space.
 */
#ifndef __HOSTILE_H
#define __HOSTILE_H

#include <linux/types.h>

/* hostile.bpf.c: the whole of its .bss */
struct hostile_state {
	__u32 cap;	/* bomb_sub() tail calls only while entries < cap */
	__u32 entries;	/* runs of the entry program under test */
	__u32 calls;	/* calls of its tail-calling subprogram */
	__u32 fails;	/* tail calls that returned (failed) */
	__u32 skips;	/* calls that did not try because of the cap */
	__u32 hops;	/* calls of the global function hop() */
};

/* hostile_attach.bpf.c: the whole of its .bss */
struct hostile_hits {
	__u32 fentry;	/* runs of the fentry program */
	__u32 fexit;	/* runs of the fexit program */
	__u32 fexit_ret;	/* sum of the return values fexit saw */
	__u32 ext;	/* runs of the extension program */
};

/* hostile_nest.bpf.c: the whole of its .bss. NEST_MAX: bpf_clone_redirect()
 * nests at most XMIT_RECURSION_LIMIT (8) deep.
 */
#define NEST_MAX	8
struct hostile_nest {
	__u32 ifindex;		/* nest_tc clones to the egress of this device */
	__u32 max_depth;	/* clones in progress at most */
	__u32 fentry_on;	/* nest_fentry runs only when set */
	__u32 depth;		/* clones in progress */
	__u32 deepest;		/* the most clones in progress */
	__u32 clone_errors;	/* bpf_clone_redirect() calls that failed */
	__u32 fentry_entries;	/* runs of nest_fentry, tail calls included */
	__u32 tc_entries[NEST_MAX + 1];	/* runs of nest_tc, tail calls
					 * included, by clones in progress
					 */
	__u32 last_runs[NEST_MAX + 1];	/* last levels (failed tail calls),
					 * by clones in progress
					 */
	__u64 entry_task[NEST_MAX + 1];	/* the task of the first entry, by
					 * clones in progress
					 */
};

#endif /* __HOSTILE_H */
