/* SPDX-License-Identifier: MIT */
#ifndef KEEL_PRINTK_H
#define KEEL_PRINTK_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_write(const char *s, size_t len);
/* One byte to Keel's console as it is: the serial line and the screen. */
void console_putc(char c);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

#endif
