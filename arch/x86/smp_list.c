/* SPDX-License-Identifier: MIT */
/*
 * Which host CPUs to start: pure logic over what the firmware listed, so
 * the host unit tests can feed it what no machine here has (duplicates, a
 * boot CPU missing from the list, more CPUs than Keel takes).
 */
#include <arch/smp.h>
#include <boot/boot_info.h>
#include <stdbool.h>

static bool listed(const uint32_t *ids, unsigned n, uint32_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Append id unless listed; counts every distinct CPU in *found, kept or not. */
static unsigned add(uint32_t *out, unsigned n, unsigned max, uint32_t id, unsigned *found,
		    uint32_t *seen, unsigned *nr_seen)
{
	if (listed(seen, *nr_seen, id))
		return n;
	if (*nr_seen < CFG_CPUS_MAX)
		seen[(*nr_seen)++] = id;
	(*found)++;
	if (n < max)
		out[n++] = id;
	return n;
}

unsigned smp_cpu_list(uint32_t bsp_apic, const uint32_t *madt, unsigned nr_madt,
		      const struct boot_cpu *fw, unsigned nr_fw, unsigned limit, uint32_t *out,
		      unsigned max, unsigned *found, enum smp_source *src)
{
	uint32_t seen[CFG_CPUS_MAX];
	unsigned n = 0, nr_seen = 0;

	*found = 0;
	*src = nr_madt ? SMP_SRC_MADT : nr_fw ? SMP_SRC_MP_SERVICES : SMP_SRC_NONE;
	if (limit && limit < max)
		max = limit;
	if (!max)
		return 0;
	n = add(out, n, max, bsp_apic, found, seen, &nr_seen);
	for (unsigned i = 0; i < nr_madt; i++)
		n = add(out, n, max, madt[i], found, seen, &nr_seen);
	for (unsigned i = 0; !nr_madt && i < nr_fw; i++)
		if (fw[i].flags & BOOT_CPU_ENABLED)
			n = add(out, n, max, fw[i].apic_id, found, seen, &nr_seen);
	return n;
}
