/* SPDX-License-Identifier: MIT */
/* The system calls newlib's libc.a calls out to (built by
 * tools/mknewlib.sh, MISSING_SYSCALL_NAMES: plain POSIX names, not _write),
 * as the PV runtime will supply them, here for a static Linux program.
 *   malloc: sbrk.  exit: _exit.  puts, any stdio: also read, write, lseek,
 *   close (stdio's default stream functions), fstat and isatty (buffering).
 *   printf, snprintf: also _exit, getpid and kill, through dtoa's assert ->
 *   abort -> raise.  strtol, strtod, sqrt: nothing.
 * Others that particular functions want: gettimeofday (time), times (clock),
 * getentropy (arc4random), open, unlink, stat, fcntl, mkdir, link... errno
 * (a field of the global struct _reent) and environ are libc's own. */
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stubs.h"

char newlib_out[4096];
size_t newlib_out_len;

#define HEAP_SIZE (1u << 20)
char newlib_heap[HEAP_SIZE] __attribute__((aligned(16)));
const size_t newlib_heap_size = HEAP_SIZE;
static size_t heap_used;

/* Raw Linux system calls: the test has no C library but newlib. */
static long linux_syscall3(long nr, long a, long b, long c)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return ret;
}

#define LINUX_WRITE 1
#define LINUX_EXIT_GROUP 231

void host_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	linux_syscall3(LINUX_WRITE, 1, (long)s, (long)n);
}

void _exit(int status)
{
	for (;;)
		linux_syscall3(LINUX_EXIT_GROUP, status, 0, 0);
}

/* malloc grows its arena through here; it asks for more than the request
 * (page-sized steps), and takes (void *)-1 with ENOMEM as "no more". */
void *sbrk(ptrdiff_t incr)
{
	char *old = newlib_heap + heap_used;

	if (incr < 0 ? (size_t)-incr > heap_used : (size_t)incr > HEAP_SIZE - heap_used) {
		errno = ENOMEM;
		return (void *)-1;
	}
	heap_used += incr;
	return old;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	if (fd != STDOUT_FILENO && fd != STDERR_FILENO) {
		errno = EBADF;
		return -1;
	}
	for (size_t i = 0; i < n && newlib_out_len < sizeof(newlib_out); i++)
		newlib_out[newlib_out_len++] = p[i];
	return n;
}

/* stdin is empty. */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t n)
{
	(void)buf;
	(void)n;
	if (fd != STDIN_FILENO) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

int close(int fd)
{
	if (fd > STDERR_FILENO || fd < 0) {
		errno = EBADF;
		return -1;
	}
	return 0;
}

/* stdio asks fstat and isatty how to buffer a stream: a character device
 * that is a terminal gets line buffering, as a console should. */
int fstat(int fd, struct stat *st)
{
	if (fd > STDERR_FILENO || fd < 0) {
		errno = EBADF;
		return -1;
	}
	*st = (struct stat){ .st_mode = S_IFCHR };
	return 0;
}

int isatty(int fd)
{
	if (fd > STDERR_FILENO || fd < 0) {
		errno = EBADF;
		return 0;
	}
	return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)fd;
	(void)off;
	(void)whence;
	errno = ESPIPE;
	return -1;
}

/* abort() is raise(SIGABRT), which is kill(getpid(), SIGABRT) here. */
pid_t getpid(void)
{
	return 1;
}

int kill(pid_t pid, int sig)
{
	if (pid != 1) {
		errno = ESRCH;
		return -1;
	}
	_exit(128 + sig);
}
