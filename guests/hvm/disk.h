/* SPDX-License-Identifier: MIT */
/*
 * What the hvm test disks written in C share (disk.c): port I/O, a line on
 * COM1, and an IDT whose every vector enters boot64.S's stubs, which call
 * the disk's own isr(vector).
 */
#ifndef HVM_DISK_H
#define HVM_DISK_H

#include <stdint.h>

static inline void outb(uint16_t p, uint8_t v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(p)); }
static inline void outl(uint16_t p, uint32_t v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(p)); }
static inline uint8_t inb(uint16_t p) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p)); return v; }
static inline uint32_t inl(uint16_t p) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(p)); return v; }

/* printf to COM1, polling its transmitter (SeaBIOS left it at 115200 8N1). */
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every vector to boot64.S's stubs (isr(vector)), and the IDT loaded. */
void idt_init(void);
/* One vector to a handler of its own (an interrupt gate). */
void idt_set(unsigned vec, uint64_t handler);
/* What the disk does with an interrupt or exception (boot64.S calls it). */
void isr(uint64_t vec);

#endif
