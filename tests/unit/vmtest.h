/*
 * vmtest.h - what the unit tests share besides check.h: a small vm built
 * without the kernel (vm_structs_init), and running a function in a child
 * process that is expected to panic; counting the process's open file
 * descriptors and mappings (leak checks).
 */
#pragma once
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vm_sigbus.h"

#if defined(__SANITIZE_THREAD__)
#define VMTEST_TSAN 1
#else
#define VMTEST_TSAN 0
#endif

/*
 * A vm of nframes frames, npages virtual pages and nslots page-file slots
 * (in memory), with no region, no userfaultfd and no threads: every frame
 * free, holding poison.  Returns vm_structs_init()'s status.
 */
/* No system threads, 4 bounce buffers: the unit tests' tunables. */
static const struct vm_tunables vmtest_tunables = { .vt_start_threads = 0, .vt_max_faulters = 4,
	.vt_shared_unlink = 1, .vt_pgf_rows = 1, .vt_pgf_stash = 1, .vt_trim_goal_div = 8 };

/* The process's open file descriptors now (-1 if /proc cannot say). */
static inline int vmtest_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The process's mappings now: the lines of /proc/self/maps (-1 if none). */
static inline int vmtest_count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	int n = 0, c;

	if (f == NULL)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static inline int vmtest_init(struct vm *vm, uint64_t nframes, uint64_t npages, uint64_t nslots)
{
	struct vm_config cfg = vm_config_pages(nframes, npages, nslots, &vmtest_tunables);
	char err[256];
	int rc;

	rc = vm_structs_init(vm, &cfg, err, sizeof(err));
	if (rc != 0)
		fprintf(stderr, "vm_structs_init: %s\n", err);
	return rc;
}

/*
 * Run fn(arg) in a child process with no core dump and stderr silenced
 * (VMTEST_VERBOSE=1 keeps it, to read the panic).  Returns the signal that
 * killed the child, 0 if fn returned, -1 if fork failed.  The child shares
 * nothing with the parent afterwards; frames and bounce buffers are
 * MADV_DONTFORK, so fn must not touch frame contents.
 */
static inline int vmtest_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		if (getenv("VMTEST_VERBOSE") == NULL) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 2);
		}
		fn(arg);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

/*
 * Run fn(arg) in a child process with no core dump, its stderr captured
 * into out (NUL-terminated, at most outlen - 1 bytes).  Returns the child's
 * wait status (WIFEXITED/WIFSIGNALED), or -1 if fork failed.  fn may exit
 * or die; if it returns, the child exits 0.
 */
static inline int vmtest_child_capture(void (*fn)(void *), void *arg, char *out, size_t outlen)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	fflush(NULL);
	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		struct rlimit rl = { 0, 0 };
		setrlimit(RLIMIT_CORE, &rl);
		close(fds[0]);
		dup2(fds[1], 2);
		close(fds[1]);
		fn(arg);
		_exit(0);
	}
	close(fds[1]);
	for (char buf[512]; (r = read(fds[0], buf, sizeof(buf))) > 0;) {
		size_t k = (size_t)r < outlen - 1 - n ? (size_t)r : outlen - 1 - n;
		memcpy(out + n, buf, k);	/* the rest is drained, so the child never blocks */
		n += k;
	}
	out[n] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static inline void vmtest_exec_fn(void *argv)
{
	execv(((char **)argv)[0], (char **)argv);
	_exit(127);
}

/*
 * Run this program again as "PROGRAM scenario" in a child process, its
 * stderr captured as vmtest_child_capture() does: a fresh process, for a
 * scenario that starts threads (ThreadSanitizer refuses new threads in a
 * fork() child of a threaded process).  Returns the wait status.
 */
static inline int vmtest_exec_capture(const char *scenario, char *out, size_t outlen)
{
	char *argv[] = { (char *)"/proc/self/exe", (char *)scenario, NULL };

	return vmtest_child_capture(vmtest_exec_fn, argv, out, outlen);
}

/* Lines in s (a last line without its newline counts). */
static inline int vmtest_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n' || s[1] == '\0';
	return n;
}

static const char *vmtest_suite = "test";

static void vmtest_alarm(int sig)
{
	static const char msg[] = ": timed out (hung?)\n";

	(void)sig;
	if (write(2, vmtest_suite, strlen(vmtest_suite)) >= 0)
		(void)!write(2, msg, sizeof(msg) - 1);
	_exit(1);
}

/* A hung test fails instead of hanging the run. */
static inline void vmtest_watchdog(const char *suite, unsigned seconds)
{
	vmtest_suite = suite;
	signal(SIGALRM, vmtest_alarm);
	alarm(seconds);
}

/* Word 0 of page vpn of process p, as the tests write it: a stamp naming
 * (process, page), so a frame handed to the wrong owner reads wrong. */
static inline uint64_t vmtest_stamp(struct vm_process *p, uint64_t vpn)
{
	return 0x5053000000000000ULL | ((uint64_t)p->ps_id << 32) | vpn;
}

/* Write each page of [lo, hi) of p its stamp (a fault each, if absent). */
static inline void vmtest_write_pages(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	for (uint64_t v = lo; v < hi; v++)
		((volatile uint64_t *)vm_process_base(p))[v * VM_PAGE_SIZE / 8] = vmtest_stamp(p, v);
}

/* Pages of [lo, hi) of p whose stamp is not their own (0: all right). */
static inline uint64_t vmtest_bad_pages(struct vm_process *p, uint64_t lo, uint64_t hi)
{
	uint64_t bad = 0;

	for (uint64_t v = lo; v < hi; v++)
		bad += ((volatile uint64_t *)vm_process_base(p))[v * VM_PAGE_SIZE / 8] !=
		    vmtest_stamp(p, v);
	return bad;
}
