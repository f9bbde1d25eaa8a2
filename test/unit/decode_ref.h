/* SPDX-License-Identifier: MIT */
/*
 * Keel's MMIO decoder (arch/decode.h) checked against Capstone 4 as the
 * reference, for the differential host test and for fuzz targets. Link
 * with -lcapstone. mode is an enum cpu_mode; the real and 16-bit protected
 * modes both decode as Capstone's 16-bit mode.
 */
#ifndef TEST_UNIT_DECODE_REF_H
#define TEST_UNIT_DECODE_REF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <arch/decode.h>

/*
 * Decode bytes[0..len) with Keel and, if Keel accepts, compare with
 * Capstone. Returns 0 when they agree or Keel refuses; nonzero with a
 * reason in why otherwise.
 */
int decode_ref_check(const uint8_t *bytes, size_t len, int mode, char *why, size_t whylen);

/* The comparison alone, for a result k that Keel produced from these bytes. */
int decode_ref_compare(const uint8_t *bytes, size_t len, int mode, const struct mmio_insn *k,
		       char *why, size_t whylen);

/*
 * Whether Capstone decodes the bytes as a form arch/decode.h says Keel
 * emulates: then Keel must not refuse it. why names the form.
 */
bool decode_ref_claimed(const uint8_t *bytes, size_t len, int mode, char *why, size_t whylen);

/* Close the Capstone handles (they are opened on first use). */
void decode_ref_fini(void);

#endif
