// SPDX-License-Identifier: GPL-2.0
/* jitdump PINNED_PROG OUT: write the JITed image of a pinned BPF program to
 * OUT and print the length of each function's image, one per line, so that
 * the host can disassemble it (6.1's bpftool needs libbfd for that). Its
 * output is data, not checks: no KTAP.
 */
#include <stdio.h>
#include "tool.h"

int main(int argc, char **argv)
{
	struct tool_prog_info pi;
	FILE *out;
	__u32 i;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s PINNED_PROG OUT\n", argv[0]);
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || tool_prog_info(fd, &pi))
		return perror(argv[1]), 1;
	out = fopen(argv[2], "w");
	if (!out || fwrite(pi.image, 1, pi.info.jited_prog_len, out) != pi.info.jited_prog_len)
		return perror(argv[2]), 1;
	fclose(out);
	for (i = 0; i < pi.info.nr_jited_func_lens; i++)
		printf("%u\n", pi.func_lens[i]);
	tool_prog_info_free(&pi);
	return 0;
}
