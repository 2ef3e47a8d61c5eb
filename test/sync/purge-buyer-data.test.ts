import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../src/store/records';
import { Store } from '../../src/store/store';
import { purgeBuyerData } from '../../src/sync/purge-buyer-data.job';

function rec(id: string, over: Partial<OrderRecord>): OrderRecord {
  return { accountId: 'a', amazonOrderId: id, orderKey: id, state: 'sent', amazonStatus: 'shipped', lastUpdatedTime: 't', firstSeenAt: 't', unmappedSkus: [], isPrime: false, ...over };
}

describe('purgeBuyerData', () => {
  it('drops buyer data 30 days after shipment and keeps the record for exactly-once', async () => {
    const store = await Store.open({ memory: true });
    const now = new Date('2026-11-28T00:00:00Z');
    await store.orders.set('a:old', rec('old', { closedAt: '2026-10-28T00:00:00Z' }));
    await store.orders.set('a:recent', rec('recent', { closedAt: '2026-11-20T00:00:00Z' }));
    await store.orders.set('a:open', rec('open', { amazonStatus: 'unshipped' }));
    for (const k of ['a:old', 'a:recent', 'a:open']) await store.keepBuyerData(k, 'v1.sealed');
    expect(await purgeBuyerData(store, 30, now)).toBe(1);
    expect(await store.orders.get('a:old')).toMatchObject({ state: 'sent', orderKey: 'old' });
    expect(await store.buyerData.get('a:old')).toBeUndefined();
    expect(await store.buyerData.get('a:recent')).toEqual({ sealed: 'v1.sealed' });
    expect(await store.buyerData.get('a:open')).toEqual({ sealed: 'v1.sealed' });
    expect(await purgeBuyerData(store, 30, now)).toBe(0);
  });
});
