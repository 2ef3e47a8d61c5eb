import { afterEach, describe, expect, it } from 'vitest';
import type { Product } from '../../src/rules/apply';
import { pagesWorthReading } from '../../src/rules/rate-shopper';
import { MatchTally, memoizeProducts } from '../../src/rules/routing';
import { BACKENDS } from '../support/postgres';
import { openStoreOn, type OpenedStore } from '../support/store-on';

/**
 * What the rules cost the import per order: product rows read through a memo, match counts
 * tallied in memory and written in one statement, and how many GET /orders pages rate shopping
 * reads back instead of one GET per order.
 */

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T12:00:00Z');

function countingSource(rows: Record<string, Product>) {
  const asked: string[][] = [];
  return {
    asked,
    async productsFor(skus: string[]) {
      asked.push([...skus].sort());
      return new Map(skus.filter((s) => rows[s]).map((s) => [s, rows[s]!]));
    },
  };
}

describe('the product memo', () => {
  it.each([
    // [what happens, reads, [ms after the first read, skus] ..., SKUs the source is asked for on each read]
    ['a SKU asked again within a minute is not read again', [[0, ['A']], [59_999, ['A']]], [['A']]],
    ['a SKU is read again once its minute is over', [[0, ['A']], [60_000, ['A']]], [['A'], ['A']]],
    ['a SKU the table lacks is remembered as missing too', [[0, ['NOPE']], [1_000, ['NOPE']]], [['NOPE']]],
    ['only the SKUs not yet known are read', [[0, ['A']], [1_000, ['A', 'B']]], [['A'], ['B']]],
    ['a SKU repeated on one order is read once', [[0, ['A', 'A', 'B']]], [['A', 'B']]],
  ] as Array<[string, Array<[number, string[]]>, string[][]]>)('%s', async (_what, reads, expected) => {
    const src = countingSource({ A: { sku: 'A', weightOz: 4 }, B: { sku: 'B', weightOz: 8, category: 'Toys' } });
    let now = T0;
    const memo = memoizeProducts(src, () => now);
    for (const [at, skus] of reads) {
      now = T0 + at;
      const got = await memo.productsFor(skus);
      // The answer is the same as the table's, memo or not.
      expect([...got.keys()].sort()).toEqual([...new Set(skus.filter((s) => s !== 'NOPE'))].sort());
    }
    expect(src.asked).toEqual(expected);
  });
});

describe.each(BACKENDS)('match counts on %s', (backend) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('adds what was tallied in memory to what the store already counted, per UTC day and rule', async () => {
    opened = await openStoreOn(backend);
    const { store } = opened;
    await store.rules.countMatches(['prime-fast'], T0);
    const tally = new MatchTally();
    tally.add(['prime-fast', 'shop-us'], T0);
    tally.add(['prime-fast', 'prime-fast'], T0 + 1_000);
    tally.add(['shop-us'], T0 + DAY);
    await tally.flush(store.rules);
    expect(Object.fromEntries(await store.rules.matchesOn(T0))).toEqual({ 'prime-fast': 3, 'shop-us': 1 });
    expect(Object.fromEntries(await store.rules.matchesOn(T0 + DAY))).toEqual({ 'shop-us': 1 });
    // A second flush with nothing new changes nothing.
    await tally.flush(store.rules);
    expect((await store.rules.matchesOn(T0)).get('prime-fast')).toBe(3);
    await store.close();
  });

  it('keeps the tally for the next flush when the write fails', async () => {
    opened = await openStoreOn(backend);
    const { store } = opened;
    const tally = new MatchTally();
    tally.add(['a'], T0);
    await expect(tally.flush({ addMatches: () => Promise.reject(new Error('store down')) })).rejects.toThrow('store down');
    tally.add(['a'], T0);
    await tally.flush(store.rules);
    expect((await store.rules.matchesOn(T0)).get('a')).toBe(2);
    await store.close();
  });
});

describe.each(BACKENDS)('rate-shop requests on %s', (backend) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.dispose();
    opened = undefined;
  });

  it('writes a batch in one statement, oldest first, and leaves an order already waiting or decided as it was', async () => {
    opened = await openStoreOn(backend);
    const { store } = opened;
    const req = (id: string, at: number, rule = 'shop') => ({ orderKey: `us:${id}`, accountId: 'us', amazonOrderId: id, requestedAt: new Date(at).toISOString(), rule });
    await store.rules.requestRateShops([req('111-1', T0)]);
    await store.rules.recordRateChoice({ ...req('111-1', T0), state: 'chosen', saving: 1.5 });
    await store.rules.requestRateShops([req('111-2', T0 + 2_000), req('111-3', T0 + 1_000)]);
    // Resent batch: 111-1 was decided and 111-2 waits already; neither changes.
    await store.rules.requestRateShops([req('111-1', T0 + 5_000, 'other'), req('111-2', T0 + 5_000, 'other'), req('111-4', T0 + 3_000)]);
    await store.rules.requestRateShops([]);
    expect((await store.rules.pendingRateShops(10)).map((c) => [c.amazonOrderId, c.rule])).toEqual([['111-3', 'shop'], ['111-2', 'shop'], ['111-4', 'shop']]);
    expect((await store.rules.rateChoiceOf('us:111-1'))?.state).toBe('chosen');
    await store.close();
  });
});

describe('reading waiting orders back', () => {
  it.each([
    [0, 0],
    [1, 0], // one order: its own GET is as cheap as a page
    [2, 1],
    [100, 1],
    [101, 2],
    [200, 2],
  ])('%i orders wanted → at most %i GET /orders pages', (wanted, pages) => {
    expect(pagesWorthReading(wanted)).toBe(pages);
  });
});
