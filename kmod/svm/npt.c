// SPDX-License-Identifier: GPL-2.0
/*
 * Nested page tables.  Four levels, the host's paging mode (khyp refuses
 * to load on a 5-level host).  Every entry has U/S set: the hardware treats
 * guest accesses through the nested table as user accesses (APM 15.25.5).
 * Memory is mapped once at VM creation and never changed while vCPUs run,
 * so no TLB shootdown is needed here.
 */
#include <linux/mm.h>
#include <linux/io.h>
#include <linux/slab.h>
#include <asm/pgtable_types.h>
#include "svm.h"

#define NPT_P		BIT_ULL(0)
#define NPT_RW		BIT_ULL(1)
#define NPT_US		BIT_ULL(2)
#define NPT_A		BIT_ULL(5)
#define NPT_D		BIT_ULL(6)
#define NPT_PS		BIT_ULL(7)
#define NPT_TABLE	(NPT_P | NPT_RW | NPT_US | NPT_A)
#define NPT_LEAF	(NPT_P | NPT_RW | NPT_US | NPT_A | NPT_D)
#define NPT_ADDR_MASK	GENMASK_ULL(51, 12)

static u64 *npt_alloc_table(struct khyp_npt *npt)
{
	u64 *t = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

	if (t)
		npt->nr_tables++;
	return t;
}

int khyp_npt_init(struct khyp_npt *npt)
{
	npt->nr_tables = 0;
	npt->root = npt_alloc_table(npt);
	return npt->root ? 0 : -ENOMEM;
}

/* Return the table @level below @table[index], allocating it. */
static u64 *npt_next(struct khyp_npt *npt, u64 *table, unsigned int index)
{
	u64 *next;

	if (table[index] & NPT_P)
		return __va(table[index] & NPT_ADDR_MASK);
	next = npt_alloc_table(npt);
	if (!next)
		return NULL;
	table[index] = __pa(next) | NPT_TABLE;
	return next;
}

int khyp_npt_map_chunk(struct khyp_npt *npt, u64 gpa,
		       const struct khyp_mem_chunk *chunk)
{
	u64 *pdpt, *pd, *pt;
	unsigned int i;

	pdpt = npt_next(npt, npt->root, (gpa >> 39) & 511);
	if (!pdpt)
		return -ENOMEM;
	pd = npt_next(npt, pdpt, (gpa >> 30) & 511);
	if (!pd)
		return -ENOMEM;
	if (chunk->contiguous) {
		pd[(gpa >> 21) & 511] = page_to_phys(chunk->pages[0]) |
					NPT_LEAF | NPT_PS;
		return 0;
	}
	pt = npt_next(npt, pd, (gpa >> 21) & 511);
	if (!pt)
		return -ENOMEM;
	/* The last chunk of an odd-sized RAM is partly populated. */
	for (i = 0; i < KHYP_PAGES_PER_CHUNK && chunk->pages[i]; i++)
		pt[i] = page_to_phys(chunk->pages[i]) | NPT_LEAF;
	return 0;
}

static void npt_free_level(struct khyp_npt *npt, u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < 512; i++) {
			if (!(table[i] & NPT_P) || (table[i] & NPT_PS))
				continue;
			npt_free_level(npt, __va(table[i] & NPT_ADDR_MASK),
				       level - 1);
		}
	}
	free_page((unsigned long)table);
	npt->nr_tables--;
}

void khyp_npt_destroy(struct khyp_npt *npt)
{
	if (!npt->root)
		return;
	npt_free_level(npt, npt->root, 4);
	npt->root = NULL;
	WARN_ON_ONCE(npt->nr_tables);
}
