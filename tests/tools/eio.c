/*
 * eio.c - run a command on a "failing disk": a seccomp filter makes every
 * pread64(2), or every pwrite64(2), of exactly one 4K page fail with EIO,
 * then exec.  (Other sizes pass: the dynamic loader preads ELF headers.)
 * The page-file test (tests/pagefile.sh) uses it to check that vmsim ends
 * a run whose page file cannot be read or written with one line and exit
 * status 1.
 *
 * usage: eio pread64|pwrite64 COMMAND [ARG...]
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long nr = argc > 1 && strcmp(argv[1], "pread64") == 0 ? SYS_pread64 :
	    argc > 1 && strcmp(argv[1], "pwrite64") == 0 ? SYS_pwrite64 : -1;
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 5),
		/* the count, args[2]: low word 4096, high word 0 (x86-64 is little-endian) */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4096, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[2]) + 4),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EIO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (argc < 3 || nr < 0) {
		fprintf(stderr, "usage: eio pread64|pwrite64 COMMAND [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("eio: seccomp");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("eio: exec");
	return 2;
}
