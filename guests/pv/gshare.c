/* SPDX-License-Identifier: MIT */
/*
 * gshare: grants mapped and unmapped across CPUs (issue 11). Run twice:
 * args="owner" grants two pages, A and B, to the guest named "gmapper" and
 * keeps writing a counter into each and reading it back until the mapper
 * says it is done; args="mapper" maps A, then B, then A... at the same
 * address of its grant window, ROUNDS times, and checks each time that it
 * reads the page just mapped: a translation left over from the previous
 * mapping (no INVEPT where one was needed) would show the other page.
 */
#include <keel_pv.h>
#include <stdio.h>
#include <string.h>

#define ROUNDS 400
#define MAGIC_A 0x4141414141414141ULL
#define MAGIC_B 0x4242424242424242ULL

struct gshare_page {
	volatile uint64_t magic;   /* which page this is */
	volatile uint64_t counter; /* the owner's writes so far */
	volatile uint64_t done;    /* written by the mapper through A when it has finished */
};

static struct gshare_page page_a __attribute__((aligned(4096)));
static struct gshare_page page_b __attribute__((aligned(4096)));

#define MAPPED ((struct gshare_page *)KEEL_GRANT_BASE)

static int owner(void)
{
	long mapper, ra, rb;
	uint64_t writes = 0;

	page_a.magic = MAGIC_A;
	page_b.magic = MAGIC_B;
	while ((mapper = keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"gmapper", 0, 0)) < 0)
		keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
	ra = keel_hcall(KEEL_HC_GRANT_OFFER, (long)&page_a, mapper, 0);
	rb = keel_hcall(KEEL_HC_GRANT_OFFER, (long)&page_b, mapper, 0);
	printf("gowner: pages A and B granted to domain %ld as references %ld and %ld\n", mapper, ra,
	       rb);
	if (ra != 0 || rb != 1)
		return 1;
	while (!page_a.done) {
		page_a.counter++;
		page_b.counter++;
		writes++;
		if (page_a.magic != MAGIC_A || page_b.magic != MAGIC_B)
			return 2;
	}
	printf("gowner: %s after %s writes\n", "mapper done", writes > ROUNDS ? "many" : "few");
	return 0;
}

static int mapper(void)
{
	long own = keel_hcall(KEEL_HC_DOMAIN_FIND, (long)"gowner", 0, 0), r;
	unsigned stale = 0, maps = 0, unmaps = 0;
	uint64_t last[2] = { 0, 0 };

	if (own < 0)
		return 1;
	for (unsigned i = 0; i < ROUNDS; i++) {
		unsigned ref = i & 1;
		uint64_t want = ref ? MAGIC_B : MAGIC_A, c;

		/* The owner may not have granted yet: only the first map waits for it. */
		while ((r = keel_hcall5(KEEL_HC_GRANT_MAP, own, ref, (long)KEEL_GRANT_BASE, 0, 0)) ==
			       -KEEL_EPERM && i < 2)
			keel_hcall(KEEL_HC_YIELD, 0, 0, 0);
		if (r) {
			printf("gmapper: round %u: map of reference %u failed: %ld\n", i, ref, r);
			return 2;
		}
		maps++;
		c = MAPPED->counter;
		if (MAPPED->magic != want || c < last[ref])
			stale++;
		last[ref] = c;
		r = keel_hcall(KEEL_HC_GRANT_UNMAP, (long)KEEL_GRANT_BASE, 0, 0);
		if (r) {
			printf("gmapper: round %u: unmap failed: %ld\n", i, r);
			return 3;
		}
		unmaps++;
	}
	printf("gmapper: %u maps, %u unmaps at one address, A and B in turn: %u stale reads\n", maps,
	       unmaps, stale);
	printf("gmapper: the owner wrote while mapped: %s\n",
	       last[0] > 0 && last[1] > 0 ? "yes" : "no");
	/* Tell the owner through A, mapped once more. */
	if (keel_hcall5(KEEL_HC_GRANT_MAP, own, 0, (long)KEEL_GRANT_BASE, 0, 0))
		return 4;
	MAPPED->done = 1;
	keel_hcall(KEEL_HC_GRANT_UNMAP, (long)KEEL_GRANT_BASE, 0, 0);
	return stale ? 5 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "owner"))
		return owner();
	if (argc > 1 && !strcmp(argv[1], "mapper"))
		return mapper();
	printf("gshare: args must be owner or mapper\n");
	return 9;
}
