// SPDX-License-Identifier: GPL-2.0
/* jitdump PINNED_PROG OUT: write the JITed image of a pinned BPF program to
 * OUT and print the length of each function's image, one per line, so that
 * the host can disassemble it (6.1's bpftool needs libbfd for that).
 */
#include <stdio.h>
#include <stdlib.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), n, i, *lens;
	unsigned char *img;
	FILE *out;
	int fd;

	if (argc != 3)
		return 2;
	fd = bpf_obj_get(argv[1]);
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return perror(argv[1]), 1;
	n = info.nr_jited_func_lens;
	img = calloc(1, info.jited_prog_len);
	lens = calloc(n ? n : 1, sizeof(*lens));
	len = info.jited_prog_len;
	info = (struct bpf_prog_info){
		.jited_prog_len = len,
		.jited_prog_insns = (__u64)(unsigned long)img,
		.nr_jited_func_lens = n,
		.jited_func_lens = (__u64)(unsigned long)lens,
	};
	len = sizeof(info);
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return perror("info"), 1;
	out = fopen(argv[2], "w");
	if (!out || fwrite(img, 1, info.jited_prog_len, out) != info.jited_prog_len)
		return perror(argv[2]), 1;
	fclose(out);
	for (i = 0; i < n; i++)
		printf("%u\n", lens[i]);
	return 0;
}
