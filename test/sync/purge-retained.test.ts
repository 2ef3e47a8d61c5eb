import { describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../src/store/records';
import { Store } from '../../src/store/store';
import { purgeRetained } from '../../src/sync/purge-retained.job';

function rec(id: string, over: Partial<OrderRecord>): OrderRecord {
  return {
    accountId: 'a',
    amazonOrderId: id,
    orderKey: id,
    state: 'sent',
    amazonStatus: 'shipped',
    lastUpdatedTime: '2026-09-01T00:00:00Z',
    firstSeenAt: '2026-09-01T00:00:00Z',
    createdTime: '2026-09-01T00:00:00Z',
    unmappedSkus: [],
    isPrime: false,
    items: [{ orderItemId: `${id}-1`, quantityOrdered: 1, quantityShipped: 1, amazonSku: 'A-1', sku: 'WH-1' }],
    ...over,
  };
}

const retention = { buyerDataDays: 30, ordersDays: 90, factsDays: 400 };

describe('purgeRetained', () => {
  it('drops buyer data 30 days after shipment and keeps the record for exactly-once', async () => {
    const store = await Store.open({ memory: true });
    const now = new Date('2026-11-28T00:00:00Z');
    await store.orders.set('a:old', rec('old', { closedAt: '2026-10-28T00:00:00Z' }));
    await store.orders.set('a:recent', rec('recent', { closedAt: '2026-11-20T00:00:00Z' }));
    await store.orders.set('a:open', rec('open', { amazonStatus: 'unshipped' }));
    for (const k of ['a:old', 'a:recent', 'a:open']) await store.keepBuyerData(k, 'v1.sealed');
    expect(await purgeRetained(store, retention, now)).toEqual({ buyerData: 1, orders: 0, facts: 0 });
    expect(await store.orders.get('a:old')).toMatchObject({ state: 'sent', orderKey: 'old' });
    expect(await store.buyerData.get('a:old')).toBeUndefined();
    expect(await store.buyerData.get('a:recent')).toEqual({ sealed: 'v1.sealed' });
    expect(await store.buyerData.get('a:open')).toEqual({ sealed: 'v1.sealed' });
    expect((await purgeRetained(store, retention, now)).buyerData).toBe(0);
  });

  it('drops order records and lines after ordersDays but keeps their facts until factsDays', async () => {
    const store = await Store.open({ memory: true });
    await store.orders.set('a:closed', rec('closed', { closedAt: '2026-09-02T00:00:00Z' }));
    await store.orders.set('a:open', rec('open', { amazonStatus: 'unshipped', items: [{ orderItemId: 'o-1', quantityOrdered: 2 }] }));
    const purged = await purgeRetained(store, retention, new Date('2026-12-15T00:00:00Z'));
    expect(purged).toEqual({ buyerData: 0, orders: 1, facts: 0 });
    expect(await store.orders.get('a:closed')).toBeUndefined();
    expect(await store.orders.get('a:open')).toBeDefined();
    expect(await store.facts.get('a:closed')).toMatchObject({ amazonOrderId: 'closed', units: 1 });
    // 400 days after purchase the facts go too.
    expect((await purgeRetained(store, retention, new Date('2027-10-10T00:00:00Z'))).facts).toBe(2);
    expect(await store.facts.get('a:closed')).toBeUndefined();
  });
});
