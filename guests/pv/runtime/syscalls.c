/* SPDX-License-Identifier: MIT */
/*
 * newlib's system calls, as a PV guest has them: standard output and
 * error go to Keel's console, standard input reads it, the heap is the
 * free RAM the start-info page names, and _exit shuts the guest down.
 * newlib for a bare x86_64-elf target calls these plain POSIX names.
 */
#include <errno.h>
#include <keel_pv.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#undef errno
extern int errno;

/* Keel's error numbers (Linux's) as newlib's errno values. */
static int errno_of(long keel_err)
{
	switch (-keel_err) {
	case KEEL_EFAULT: return EFAULT;
	case KEEL_EINVAL: return EINVAL;
	case KEEL_ENOSYS: return ENOSYS;
	default: return EIO;
	}
}

static int bad_fd(int fd)
{
	return fd < 0 || fd > 2;
}

int write(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	if (fd != 1 && fd != 2) {
		errno = EBADF;
		return -1;
	}
	while (done < len) {
		size_t chunk = len - done > 4096 ? 4096 : len - done;
		long n = keel_hcall(KEEL_HC_CONSOLE_WRITE, (long)buf + (long)done, (long)chunk, 0);

		if (n < 0) {
			errno = errno_of(n);
			return done ? (int)done : -1;
		}
		done += (size_t)n;
	}
	return (int)done;
}

/* Blocks until at least one byte has been typed (yielding meanwhile). */
int read(int fd, void *buf, size_t len)
{
	long n;

	if (fd != 0) {
		errno = EBADF;
		return -1;
	}
	if (!len)
		return 0;
	while ((n = keel_hcall(KEEL_HC_CONSOLE_READ, (long)buf, (long)len, 0)) == 0)
		keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
	if (n < 0) {
		errno = errno_of(n);
		return -1;
	}
	return (int)n;
}

/* sbrk hands out [heap_start, heap_limit); keel_heap_reserve_top lowers the limit. */
static uintptr_t brk, heap_limit;

static void heap_init(void)
{
	if (!brk) {
		brk = keel_start_info->heap_start;
		heap_limit = keel_start_info->heap_end;
	}
}

void *sbrk(ptrdiff_t incr)
{
	uintptr_t old;

	heap_init();
	old = brk;
	if ((incr > 0 && (uintptr_t)incr > heap_limit - brk) ||
	    (incr < 0 && (uintptr_t)-incr > brk - keel_start_info->heap_start)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	brk += incr;
	return (void *)old;
}

uintptr_t keel_heap_reserve_top(size_t size)
{
	uintptr_t pages = (size + 4095) & ~(uintptr_t)4095;
	uintptr_t top;

	heap_init();
	top = heap_limit & ~(uintptr_t)4095;
	if (pages < size || top < brk || pages > top - brk)
		return 0;
	heap_limit = top - pages;
	return heap_limit;
}

void _exit(int status)
{
	keel_shutdown(KEEL_SHUTDOWN_POWEROFF, status);
}

int close(int fd)
{
	errno = EBADF;
	(void)fd;
	return -1;
}

/* The console is a character device, so stdio buffers standard output by line. */
int fstat(int fd, struct stat *st)
{
	if (bad_fd(fd)) {
		errno = EBADF;
		return -1;
	}
	st->st_mode = S_IFCHR;
	return 0;
}

int isatty(int fd)
{
	if (bad_fd(fd)) {
		errno = EBADF;
		return 0;
	}
	return 1;
}

off_t lseek(int fd, off_t off, int whence)
{
	(void)fd, (void)off, (void)whence;
	errno = ESPIPE;
	return -1;
}

int getpid(void)
{
	return 1;
}

/* abort() raises SIGABRT at itself: the guest crashed. */
int kill(int pid, int sig)
{
	(void)pid;
	keel_shutdown(KEEL_SHUTDOWN_CRASH, 128 + sig);
}
