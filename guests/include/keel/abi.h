/* SPDX-License-Identifier: MIT */
/*
 * Keel's public guest ABI (docs/abi.md). Guests include this one header.
 * Hypercalls: number in RAX, arguments in RDI, RSI, RDX, R10, R8; the
 * result, or -errno, comes back in RAX. PV guests call through the
 * hypercall page, which hides how the call reaches Keel.
 */
#ifndef KEEL_ABI_H
#define KEEL_ABI_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* CPUID leaves 0x40000000+: "KeelKeelKeel" in EBX, ECX, EDX. */
#define KEEL_CPUID_BASE       0x40000000u
#define KEEL_CPUID_FEATURES   0x40000001u
#define KEEL_CPUID_SIG_EBX    0x6c65654bu /* "Keel" */
#define KEEL_CPUID_SIG_ECX    0x6c65654bu
#define KEEL_CPUID_SIG_EDX    0x6c65654bu
#define KEEL_ABI_VERSION      0x00000002u /* EAX of KEEL_CPUID_FEATURES */

/* Hypercall numbers (docs/abi.md has the arguments and errors of each). */
#define KEEL_HC_VERSION        0  /* () -> KEEL_ABI_VERSION: the null call */
#define KEEL_HC_CONSOLE_WRITE  1  /* (const char *buf, size_t len) -> bytes written */
#define KEEL_HC_CONSOLE_READ   2  /* (char *buf, size_t len) -> bytes read, 0 if none */
#define KEEL_HC_YIELD          3  /* () -> 0 */
#define KEEL_HC_BLOCK          4  /* () -> 0 once an unmasked event is pending */
#define KEEL_HC_SHUTDOWN       5  /* (reason, status): does not return */
#define KEEL_HC_SET_TIMER      6  /* (deadline_ns or 0 to cancel) -> 0; fires KEEL_PORT_TIMER */
#define KEEL_HC_EVTCHN_ALLOC   7  /* (remote domid) -> port, unbound until the remote binds */
#define KEEL_HC_EVTCHN_BIND    8  /* (remote domid, remote port) -> local port */
#define KEEL_HC_EVTCHN_SEND    9  /* (port) -> 0 */
#define KEEL_HC_EVTCHN_CLOSE   10 /* (port) -> 0 */
#define KEEL_HC_GRANT_OFFER    11 /* (page, domid, flags) -> grant reference */
#define KEEL_HC_GRANT_MAP      12 /* (domid, ref, at) -> 0: the page appears at `at` */
#define KEEL_HC_GRANT_UNMAP    13 /* (at) -> 0 */
#define KEEL_HC_MEMORY_QUERY   14 /* (struct keel_memory_info *) -> 0 */
#define KEEL_HC_DOMAIN_FIND    15 /* (const char *name) -> domid */
#define KEEL_HC_SET_CALLBACKS  16 /* (upcall entry, fault entry; 0 = none) -> 0 */
#define KEEL_HC_NET_INFO       17 /* (struct keel_net_info *) -> 0; -ENOENT without net= */
#define KEEL_HC_NET_SEND       18 /* (const void *frame, size_t len) -> ports it reached */
#define KEEL_HC_NET_RECV       19 /* (void *buf, size_t len) -> frame length, 0 if none */
#define KEEL_HC_NET_SEND_BATCH 20 /* (const struct keel_net_buf *, count) -> frames sent */
#define KEEL_HC_MAX            21

/*
 * Errors, returned negated. Linux's numbers, which a C library's errno.h
 * need not share (newlib's ENOSYS is 88): compare with these.
 */
#define KEEL_EPERM  1
#define KEEL_ENOENT 2
#define KEEL_EFAULT 14
#define KEEL_EBUSY  16
#define KEEL_EINVAL 22
#define KEEL_ENOSPC 28
#define KEEL_ENOSYS 38

/* KEEL_HC_SHUTDOWN reasons. */
#define KEEL_SHUTDOWN_POWEROFF 0 /* an orderly end; status is the exit status */
#define KEEL_SHUTDOWN_CRASH    1 /* the guest gave up; Keel reports it with registers */

/* KEEL_HC_GRANT_OFFER flags. */
#define KEEL_GRANT_READONLY    1u
/* Granted pages are mapped in this window, one 4 KiB page per slot (above a PV guest's RAM). */
#define KEEL_GRANT_BASE        0x40000000ULL
#define KEEL_GRANT_SLOTS       512
#define KEEL_GRANTS_MAX        32 /* grants one guest may offer at a time */

/* Event channel ports: 0..KEEL_EVTCHN_PORTS-1; port 0 is the timer. */
#define KEEL_EVTCHN_PORTS      64
#define KEEL_PORT_TIMER        0

/* Frames on Keel's virtual switch (KEEL_HC_NET_*): Ethernet, no FCS, no VLAN tag. */
#define KEEL_NET_FRAME_MIN     14   /* destination, source, EtherType */
#define KEEL_NET_FRAME_MAX     1514 /* a 1500-byte payload */
#define KEEL_NET_BATCH_MAX     32   /* frames one KEEL_HC_NET_SEND_BATCH may send */

/* Each call's entry in the hypercall page: call page + nr * KEEL_HYPERCALL_STRIDE. */
#define KEEL_HYPERCALL_STRIDE  32

#define KEEL_START_MAGIC       0x313056506c65654bULL /* "KeelPV01" in memory */
#define KEEL_START_VMX         1u /* flags: running in a VM (vmcall); else deprivileged */
#define KEEL_CONSOLE_HYPERCALL 1u /* console: KEEL_HC_CONSOLE_WRITE / _READ */
#define KEEL_CONSOLE_MAX       4096 /* bytes one console call may move */

#ifndef __ASSEMBLER__
/*
 * What a PV guest finds at RDI on entry. Addresses are guest-virtual,
 * which for RAM equals guest-physical: RAM is mapped 1:1 from 0.
 */
struct keel_start_info {
	uint64_t magic;          /* KEEL_START_MAGIC */
	uint32_t abi_version;    /* KEEL_ABI_VERSION */
	uint32_t domid;          /* this guest's domain id */
	uint32_t flags;          /* KEEL_START_* */
	uint32_t reserved;
	uint64_t hypercall_page; /* one 4 KiB page of call entries */
	uint64_t shared_info;    /* struct keel_shared_info */
	uint64_t ram_size;       /* RAM is [0, ram_size) */
	uint64_t heap_start;     /* free RAM for the guest's allocator: [heap_start, heap_end) */
	uint64_t heap_end;
	uint64_t stack_top;      /* RSP on entry; the stack grows down from here to heap_end */
	uint64_t module_start;   /* the config's module= file in RAM, 0 if none */
	uint64_t module_size;
	uint32_t console;        /* how the console is reached: KEEL_CONSOLE_HYPERCALL */
	uint32_t console_input;  /* 1: typed input reaches this guest now (no hvm guest owns it) */
	uint32_t console_max;    /* bytes one console call moves at most */
	uint32_t reserved2;
	char name[32];           /* the guest's name in keel.cfg */
	char cmdline[256];       /* the config's args=, NUL-terminated */
};

/*
 * Shared between Keel and the guest. Time: system time in ns since the
 * guest was built is time_ns + ((rdtsc() - tsc_stamp) * tsc_mul >> 32),
 * computed in 128 bits. wall_clock_sec is the Unix time at system time 0.
 */
struct keel_shared_info {
	uint64_t evtchn_pending; /* bit n: port n has an event (the guest clears it) */
	uint64_t evtchn_mask;    /* bit n: port n raises no upcall (the guest sets it) */
	uint64_t tsc_stamp;
	uint64_t time_ns;
	uint64_t tsc_mul;
	uint64_t wall_clock_sec;
	uint64_t upcall_mask;    /* nonzero: no upcall now (Keel sets it on delivery, the guest clears it) */
};

/*
 * What a fault entry finds at RSP (lowest address first). The handler may
 * change rip and rflags; returning pops the first four words, then RFLAGS
 * and RIP, which leaves RSP as it was at the fault.
 */
struct keel_fault_frame {
	uint64_t vector;  /* the exception: 6 #UD, 13 #GP, 14 #PF, ... */
	uint64_t error;   /* its error code, 0 if it has none */
	uint64_t address; /* #PF: the address (CR2); else 0 */
	uint64_t rsp;     /* RSP at the fault (read-only) */
	uint64_t rflags;
	uint64_t rip;     /* the faulting instruction */
};

/* KEEL_HC_NET_INFO's answer: the guest's port on a virtual switch and its counters. */
struct keel_net_info {
	uint8_t mac[6];       /* its address: frames it sends must carry it as their source */
	uint16_t mtu;         /* 1500 */
	uint32_t event_port;  /* Keel raises it when a frame is queued for the guest */
	uint32_t queue_len;   /* frames Keel holds for it; more are dropped */
	uint64_t rx;          /* frames queued for it */
	uint64_t rx_dropped;  /* frames for it dropped: its queue was full */
	uint64_t tx;          /* frames it sent that the switch took */
	uint64_t tx_refused;  /* frames it sent with a bad length or source */
	char switch_name[16]; /* keel.cfg's net= */
};

/* One frame of KEEL_HC_NET_SEND_BATCH: where it is in the guest and its length. */
struct keel_net_buf {
	uint64_t addr;
	uint32_t len;
	uint32_t reserved; /* 0 */
};

/* KEEL_HC_MEMORY_QUERY's answer. */
struct keel_memory_info {
	uint64_t ram_size;      /* bytes of RAM this guest has */
	uint64_t heap_start, heap_end;
	uint64_t grants_mapped; /* pages of other guests mapped here */
};
#endif /* __ASSEMBLER__ */

/* Devices every Keel test VM has. */
#define KEEL_DEBUG_EXIT_PORT  0xf4       /* write: end the run with this value */
#define KEEL_TESTDEV_MMIO     0xfeb00000 /* 4 KiB of test registers */
#define KEEL_TESTDEV_ID       0x0        /* reads "KEEL" (0x4c45454b) */
#define KEEL_TESTDEV_SCRATCH  0x8        /* read/write 64-bit scratch */
#define KEEL_TESTDEV_ID_VALUE 0x4c45454bu

#endif
