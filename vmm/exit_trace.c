/* SPDX-License-Identifier: MIT */
/* Reading a vCPU's exit ring back in order (recording is inline, keel/exit_trace.h). */
#include <keel/exit_trace.h>

unsigned exit_trace_read(const struct exit_trace *t, struct exit_trace_entry *out)
{
	uint64_t n = t->count < EXIT_TRACE_N ? t->count : EXIT_TRACE_N;
	uint64_t first = t->count - n; /* sequence number - 1 of the oldest kept */

	for (uint64_t k = 0; k < n; k++) {
		unsigned i = (unsigned)(first + k) & (EXIT_TRACE_N - 1);

		out[k] = (struct exit_trace_entry){ .seq = first + k + 1, .tsc = t->tsc[i].v,
						    .qual = t->qual[i], .rip = t->rip[i],
						    .reason = t->reason[i] };
	}
	return (unsigned)n;
}
