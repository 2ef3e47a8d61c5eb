import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { shipstationWarehouse } from '../../src/returns/shipstation-warehouse';
import { orderRecordKey } from '../../src/store/store';
import { order, report, returnRow, world, type World } from './support';
import { pollReturns } from '../../src/returns/returns-poll.job';
import { silentLogger } from '../../src/log/logger';

describe('the ShipStation side of a return', () => {
  let w: World;
  const tagged: Array<[number, number]> = [];
  let tags = [{ tagId: 7, name: 'return expected', color: '#fff' }];
  const v1 = { listTags: async () => tags, addTag: async (orderId: number, tagId: number) => (tagged.push([orderId, tagId]), { success: true, message: 'ok' }) };

  beforeEach(async () => {
    w = await world('sqlite');
    tagged.length = 0;
    tags = [{ tagId: 7, name: 'return expected', color: '#fff' }];
    await w.store.orders.set(orderRecordKey('default', '112-0000001-0000001'), {
      accountId: 'default', amazonOrderId: '112-0000001-0000001', orderKey: 'k1', state: 'sent', amazonStatus: 'shipped', lastUpdatedTime: '2026-11-02T00:00:00Z', firstSeenAt: '2026-11-01T00:00:00Z', shipstationOrderId: 4242, unmappedSkus: [], isPrime: false,
    });
    w.orders.set('112-0000001-0000001', order('112-0000001-0000001', [{ id: '10000000000001', sku: 'MUG-1', qty: 1, price: 20, tax: 1.6 }]));
    w.reports.texts.set('default/ATVPDKIKX0DER', report([returnRow('112-0000001-0000001', 'RMA1', 'MUG-1'), returnRow('112-0000009-0000009', 'RMA9', 'X-1')]));
  });
  afterEach(async () => {
    await w.close();
  });

  const poll = (warehouse: ReturnType<typeof shipstationWarehouse>) =>
    pollReturns({ store: w.store, source: w.reports, warehouse, tag: 'Return expected', redraw: w.actions.redraw, accounts: [{ id: 'default', marketplaceIds: ['ATVPDKIKX0DER'] }], windowDays: 3, now: () => new Date(w.clock.t), logger: silentLogger });

  it('without v2, tags the original ShipStation order once per new RMA (tag matched without case) and says so in the message', async () => {
    await poll(shipstationWarehouse({ store: w.store, v1 }));
    await poll(shipstationWarehouse({ store: w.store, v1 }));
    expect(tagged).toEqual([[4242, 7]]);
    expect((await w.message('RMA1'))?.warehouse).toBe('ShipStation order tagged');
    expect((await w.message('RMA9'))?.warehouse).toBe('the order is not in ShipStation: nothing to tag');
  });

  it('a missing tag is shown on the message, and the poll goes on', async () => {
    tags = [];
    const s = await poll(shipstationWarehouse({ store: w.store, v1 }));
    expect(s.failed).toEqual([]);
    expect((await w.message('RMA1'))?.warehouse).toMatch(/ShipStation has no tag named "Return expected"/);
  });

  it('with v2 but no outbound label bought in ShipStation, falls back to the tag', async () => {
    const calls: string[] = [];
    const v2 = { listLabels: async () => (calls.push('listLabels'), { labels: [] }), createReturnLabel: async () => (calls.push('createReturnLabel'), {}) };
    await poll(shipstationWarehouse({ store: w.store, v1, v2 }));
    expect(tagged).toEqual([[4242, 7]]);
  });
});
