/* SPDX-License-Identifier: GPL-2.0 */
/* Constants shared by tests/races.c and its BPF objects tests/races*.bpf.c. */
#ifndef RACES_H
#define RACES_H

#include <linux/types.h>

/* prog_array slots */
#define RACES_SLOT_SUB		0	/* direct tail call from sub_direct() */
#define RACES_SLOT_MAIN		1	/* tail calls from the entry's main */
#define RACES_SLOT_IND		2	/* indirect tail call from sub_indirect() */
#define RACES_SLOT_CHAIN	3	/* tc_chain's own slot: always tc_chain */
#define RACES_NSLOTS		4

/* values returned by the tail call targets (0: the tail call failed) */
#define RACES_VAL_T1		1
#define RACES_VAL_T2		2
#define RACES_VAL_CHAIN		3

/* a run returns sub + RACES_MUL_IND * ind + RACES_MUL_MAIN * main */
#define RACES_MUL_IND		4
#define RACES_MUL_MAIN		16

/* histogram sizes; the last bucket also takes every larger value */
#define RACES_NVAL		64
#define RACES_NCNT		64

/* skb->cb words */
#define RACES_CB_COUNT		0	/* tail calls done by this run */
#define RACES_CB_ACC		1	/* the entry's value before main's tail call */
#define RACES_CB_INDIRECT	2	/* input: main uses its indirect tail call */

/* functions of the entry traced by fentry/fexit */
#define RACES_TR_SUB_DIRECT	0
#define RACES_TR_SUB_INDIRECT	1
#define RACES_TR_ENTRY		2
#define RACES_NTRACE		3

/* the .bss of races.bpf.c and of races_trace.bpf.c: one variable each,
 * so that races.c reads them at known offsets
 */
struct races_hist {
	__u64 ret[RACES_NVAL];		/* runs by return value */
	__u64 cnt[RACES_NCNT];		/* runs by number of tail calls */
};

struct races_hits {
	__u64 fentry[RACES_NTRACE];		/* calls seen by fentry */
	__u64 fexit[RACES_NTRACE][RACES_NVAL];	/* returns seen by fexit, by value */
};

#endif
