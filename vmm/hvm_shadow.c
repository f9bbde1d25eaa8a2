/* SPDX-License-Identifier: MIT */
/*
 * Whether the guest may write its BIOS shadow area (0xc0000-0xfffff): the
 * i440FX PAM registers decide, segment by segment, as EPT enforces them for
 * the guest's own writes (hvm_build.c, pam_changed).
 */
#include <keel/dev/i440fx.h>
#include <keel/hvm.h>

#define SHADOW_BASE 0xc0000ULL
#define SHADOW_END  0x100000ULL

bool hvm_shadow_readonly(const struct hvm_platform *h, uint64_t gpa, uint64_t len)
{
	/* Without INVEPT the area stays writable for the guest too (said at the first change). */
	if (h->pam_off || !len || gpa >= SHADOW_END || gpa + len <= SHADOW_BASE)
		return false;
	for (unsigned seg = 0; seg < I440FX_PAM_SEGS; seg++) {
		struct i440fx_pam_seg s;

		i440fx_pam_decode(h->northbridge.pam, seg, &s);
		if (gpa < (uint64_t)s.base + s.size && gpa + len > s.base && !(s.mode & PAM_WO))
			return true;
	}
	return false;
}
