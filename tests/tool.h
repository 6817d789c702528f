/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the workspace's tests: the 'ok'/'not ok' lines of the guest
 * tools, which scripts/report.py counts, and a one-slot program array for
 * the BPF objects.
 */
#ifndef __TOOL_H
#define __TOOL_H

#ifdef __bpf__
#define PROG_ARRAY_1(name)					\
	struct {						\
		__uint(type, BPF_MAP_TYPE_PROG_ARRAY);		\
		__uint(max_entries, 1);				\
		__uint(key_size, sizeof(__u32));		\
		__uint(value_size, sizeof(__u32));		\
	} name SEC(".maps")
#else
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

/* checks that failed so far */
static int tool_failures;

/* Print one check, "ok NAME detail" or "not ok NAME detail"; return 1 if
 * it failed.
 */
static inline int __attribute__((format(printf, 3, 4)))
tool_check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("%s %s ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tool_failures += !ok;
	return !ok;
}
#endif

#endif /* __TOOL_H */
