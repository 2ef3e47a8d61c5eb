import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlertRecord, ConfirmationRecord, OrderRecord } from '../../src/store/records';
import { Store } from '../../src/store/store';
import { BACKENDS } from '../support/postgres';
import { openStoreOn, type OpenedStore } from '../support/store-on';

/** The store's contract, run on SQLite and (when the test server is there) Postgres alike. */

type Opened = OpenedStore;
const openOn = openStoreOn;

function order(id: string, over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    accountId: 'us',
    amazonOrderId: id,
    orderKey: `dockhand:us:${id}`,
    state: 'sent',
    amazonStatus: 'unshipped',
    lastUpdatedTime: '2026-12-01T08:00:00.000Z',
    firstSeenAt: '2026-12-01T08:00:00.000Z',
    createdTime: '2026-12-01T07:00:00.000Z',
    unmappedSkus: [],
    isPrime: false,
    items: [
      { orderItemId: `${id}-1`, quantityOrdered: 2, quantityShipped: 0, amazonSku: 'AMZ-1', sku: 'WH-1' },
      { orderItemId: `${id}-2`, quantityOrdered: 1, quantityShipped: 0, amazonSku: 'AMZ-2', sku: 'WH-2' },
    ],
    ...over,
  };
}

function label(id: string, amazonOrderId: string, over: Partial<ConfirmationRecord> = {}): ConfirmationRecord {
  return {
    labelId: id,
    accountId: 'us',
    amazonOrderId,
    shipstationOrderId: 1,
    state: 'confirmed',
    packageReferenceId: '1',
    carrierCode: 'ups',
    serviceCode: 'ups_ground',
    trackingNumber: '1Z1',
    cost: 7.5,
    warehouseId: '200001',
    items: [],
    labelCreatedAt: '2026-12-01T10:00:00.000Z',
    confirmedAt: '2026-12-01T10:05:00.000Z',
    via: 'poll',
    at: '2026-12-01T10:05:00.000Z',
    attempts: 1,
    voidedAfterConfirm: false,
    ...over,
  };
}

function alert(key: string, over: Partial<AlertRecord> = {}): AlertRecord {
  return { key, kind: 'quarantined_order', state: 'open', count: 1, facts: {}, rev: 1, updatedAt: '2026-12-01T09:00:00.000Z', ...over };
}

describe.each(BACKENDS)('store contract on %s', (backend) => {
  let opened: Opened | undefined;
  const open = async (now?: () => number) => (opened = await openOn(backend, now));
  afterEach(async () => {
    await opened?.store.close();
    await opened?.dispose();
    opened = undefined;
  });

  it('finds the open orders due before a time, soonest first, and no others', async () => {
    const { store } = await open();
    await store.orders.set('us:late', order('late', { shipByLatest: '2026-12-01T09:00:00.000Z' }));
    await store.orders.set('us:soon', order('soon', { shipByLatest: '2026-12-01T13:00:00.000Z' }));
    await store.orders.set('us:later', order('later', { shipByLatest: '2026-12-03T13:00:00.000Z' }));
    await store.orders.set('us:shipped', order('shipped', { amazonStatus: 'shipped', shipByLatest: '2026-12-01T09:00:00.000Z' }));
    await store.orders.set('us:held', order('held', { state: 'held', shipByLatest: '2026-12-01T09:00:00.000Z' }));
    await store.orders.set('us:cancel', order('cancel', { cancelRequested: true, shipByLatest: '2026-12-05T09:00:00.000Z' }));
    const due = await store.orders.openDeadlines(new Date('2026-12-01T14:00:00.000Z'));
    // Due soonest first, then open cancel requests whatever their ship-by.
    expect(due.map((r) => r.amazonOrderId)).toEqual(['late', 'soon', 'cancel']);
    expect(due[2]).toMatchObject({ cancelRequested: true, unitsOrdered: 3, unitsConfirmed: 0 });
    expect(await store.orders.countOpen()).toBe(4);
  });

  it.each([
    ['never escalated, inside the widest lead', 180, undefined, true],
    ['never escalated, beyond every lead', 300, undefined, false],
    ['escalated at 240 and still above 60', 180, 240, false],
    ['escalated at 240 and now under 60', 30, 240, true],
    ['escalated at 60 and now late', -10, 60, true],
    ['escalated at 60 and still before its deadline', 30, 60, false],
    ['already reported late', -10, 0, false],
    ['escalated at a lead no longer configured', 30, 120, true],
  ])('gives the deadline guard an order %s: %s', async (_name, minutesLeft, escalatedAt, expected) => {
    const { store } = await open();
    const now = new Date('2026-12-01T12:00:00.000Z');
    await store.orders.set('us:o1', order('o1', { shipByLatest: new Date(now.getTime() + minutesLeft * 60_000).toISOString() }));
    if (escalatedAt !== undefined) await store.orders.markEscalated([{ orderKey: 'us:o1', leadMinutes: escalatedAt }]);
    // A later write of the record keeps the stage.
    await store.orders.set('us:o1', order('o1', { shipByLatest: new Date(now.getTime() + minutesLeft * 60_000).toISOString() }));
    const decided = await store.orders.deadlinesToDecide(now, [240, 60]);
    expect(decided.map((o) => o.amazonOrderId)).toEqual(expected ? ['o1'] : []);
  });

  it('counts orders by account and state, and those first seen since a time', async () => {
    const { store } = await open();
    await store.orders.set('us:a', order('a'));
    await store.orders.set('us:b', order('b', { state: 'held', firstSeenAt: '2026-11-30T08:00:00.000Z' }));
    await store.orders.set('eu:c', order('c', { accountId: 'eu' }));
    await store.orders.set('us:a', order('a', { state: 'cancelled' }));
    const counts = await store.orders.countByAccountAndState(['us', 'eu']);
    expect(counts.sort((x, y) => `${x.accountId}${x.state}`.localeCompare(`${y.accountId}${y.state}`))).toEqual([
      { accountId: 'eu', state: 'sent', count: 1 },
      { accountId: 'us', state: 'cancelled', count: 1 },
      { accountId: 'us', state: 'held', count: 1 },
    ]);
    expect(Object.fromEntries(await store.orders.countFirstSeenSince(['us', 'eu'], new Date('2026-12-01T00:00:00.000Z')))).toEqual({ us: 1, eu: 1 });
  });

  it('answers reconciliation and the SKU remap by index', async () => {
    const { store } = await open();
    await store.orders.set('us:open', order('open', { unmappedSkus: ['AMZ-9'] }));
    await store.orders.set('us:old', order('old', { amazonStatus: 'shipped', lastUpdatedTime: '2026-11-01T00:00:00.000Z' }));
    await store.orders.set('us:new', order('new', { amazonStatus: 'shipped', lastUpdatedTime: '2026-12-01T11:00:00.000Z' }));
    await store.orders.set('us:skip', order('skip', { state: 'skipped', unmappedSkus: ['AMZ-9'] }));
    const reconciled = await store.orders.forReconcile('us', new Date('2026-12-01T00:00:00.000Z'));
    expect(reconciled.map((r) => r.amazonOrderId).sort()).toEqual(['new', 'open']);
    expect((await store.orders.withUnmappedSku('AMZ-9', 10)).map((r) => r.amazonOrderId)).toEqual(['open']);
    // Mapped on the next write: the link goes.
    await store.orders.set('us:open', order('open'));
    expect(await store.orders.withUnmappedSku('AMZ-9', 10)).toEqual([]);
  });

  it('keeps the label ledger by label and by order, and the fulfillment facts from both', async () => {
    const { store } = await open();
    await store.orders.set('us:o1', order('o1', { shipByLatest: '2026-12-01T10:01:00.000Z', sentAt: '2026-12-01T08:00:05.000Z', isPrime: true }));
    await store.confirmations.set('shipment:2', label('shipment:2', 'o1', { labelCreatedAt: '2026-12-01T11:00:00.000Z', confirmedAt: '2026-12-01T11:01:00.000Z', items: [{ orderItemId: 'o1-2', quantity: 1 }], cost: 3 }));
    await store.confirmations.set('shipment:1', label('shipment:1', 'o1', { items: [{ orderItemId: 'o1-1', quantity: 2 }] }));
    expect((await store.confirmations.get('shipment:1'))?.trackingNumber).toBe('1Z1');
    expect((await store.confirmations.byOrders(['us:o1', 'us:none'])).get('us:o1')!.map((c) => c.labelId)).toEqual(['shipment:1', 'shipment:2']);
    expect(await store.facts.get('us:o1')).toEqual({
      orderKey: 'us:o1',
      accountId: 'us',
      amazonOrderId: 'o1',
      isPrime: true,
      units: 3,
      purchasedAt: '2026-12-01T07:00:00.000Z',
      shipBy: '2026-12-01T10:01:00.000Z',
      importedAt: '2026-12-01T08:00:05.000Z',
      firstLabelAt: '2026-12-01T10:00:00.000Z',
      confirmedAt: '2026-12-01T10:05:00.000Z',
      carrierCode: 'ups',
      serviceCode: 'ups_ground',
      warehouseId: '200001',
      labelCost: 10.5,
      late: true,
    });
    const counts = await store.confirmations.countsByAccount();
    expect(counts.get('us')).toEqual({ confirmed: 2, inFlight: 0, skipped: 0, quarantined: 0, lastConfirmedAt: '2026-12-01T11:01:00.000Z' });
  });

  it("tells late from whichever comes last, the confirmation or the order's ship-by date", async () => {
    const { store } = await open();
    await store.confirmations.set('shipment:1', label('shipment:1', 'o1', { items: [{ orderItemId: 'o1-1', quantity: 2 }] }));
    expect((await store.facts.get('us:o1'))?.late).toBeUndefined();
    await store.orders.set('us:o1', order('o1', { shipByLatest: '2026-12-01T10:00:00.000Z' }));
    expect((await store.facts.get('us:o1'))?.late).toBe(true);
    await store.orders.set('us:o1', order('o1', { shipByLatest: '2026-12-02T10:00:00.000Z', items: [{ orderItemId: 'o1-1', quantityOrdered: 3, quantityShipped: 1, sku: 'WH-9' }] }));
    expect((await store.facts.get('us:o1'))?.late).toBe(false);
    expect(await store.facts.get('us:o1')).toMatchObject({ units: 3, confirmedAt: '2026-12-01T10:05:00.000Z' });
  });

  it('appends audit rows and lists them by target and most recent', async () => {
    const { store } = await open();
    for (let i = 0; i < 5; i++) {
      await store.recordAudit({ at: `2026-12-01T10:00:0${i}.000Z`, actor: 'U1', source: 'slack', action: `action:${i}`, outcome: 'ok', ...(i % 2 === 0 ? { target: 'o1' } : {}) });
    }
    expect((await store.auditFor('o1')).map((e) => e.action)).toEqual(['action:0', 'action:2', 'action:4']);
    expect((await store.recentAudit(2)).map((e) => e.action)).toEqual(['action:4', 'action:3']);
  });

  it('claims a key once until the claim expires', async () => {
    const { store } = await open();
    expect(await store.claimOnce('k', '2026-12-01T10:00:00.000Z', 60_000)).toBe(true);
    expect(await store.claimOnce('k', '2026-12-01T10:00:30.000Z', 60_000)).toBe(false);
    expect(await store.marked(['k', 'other'], Date.parse('2026-12-01T10:00:30.000Z'))).toEqual(new Set(['k']));
    expect(await store.claimOnce('k', '2026-12-01T10:01:00.000Z', 60_000)).toBe(true);
  });

  it('hands a lease over only when its holder lets it go, it expires or its holder is gone', async () => {
    const { store } = await open();
    expect(await store.acquireLease('sync:a', 'h:1:x', 1000, 0)).toBe(true);
    expect(await store.acquireLease('sync:a', 'h:2:y', 1000, 500)).toBe(false);
    expect(await store.acquireLease('sync:a', 'h:1:x', 1000, 600)).toBe(true);
    expect(await store.acquireLease('sync:a', 'h:2:y', 1000, 700, (o) => o === 'h:1:x')).toBe(true);
    expect(await store.leaseHolder('sync:a')).toBe('h:2:y');
    await store.releaseLease('sync:a', 'h:2:y');
    expect(await store.acquireLease('sync:a', 'h:3:z', 1000, 800)).toBe(true);
  });

  it('deletes an outbox entry only at the version that was sent, and finds alerts by order', async () => {
    const { store } = await open();
    await store.outbox.set('quarantine:us:o1', alert('quarantine:us:o1', { rev: 2 }));
    expect(await store.outbox.deleteIfRev('quarantine:us:o1', 1)).toBe(false);
    expect(await store.outbox.pendingKeys()).toEqual(['quarantine:us:o1']);
    await store.alerts.set('writeback:shipment:9', alert('writeback:shipment:9', { kind: 'writeback_problem', facts: { amazonOrderId: 'o1' }, ts: '1.2' }));
    expect((await store.outbox.about('o1')).map((a) => a.key)).toEqual(['quarantine:us:o1']);
    expect((await store.alerts.about('o1')).map((a) => a.key)).toEqual(['writeback:shipment:9']);
    expect(await store.outbox.deleteIfRev('quarantine:us:o1', 2)).toBe(true);
    expect(await store.outbox.pendingKeys()).toEqual([]);
  });

  it('keeps key-value records through keyv in the same database, and lists the SKU map in pages', async () => {
    const { store, where } = await open();
    for (let i = 0; i < 1_203; i++) await store.skus.set(`A-${i}`, { amazonSku: `A-${i}`, shipstationSku: `WH-${i}` });
    await store.pauses.set('us', { paused: true, by: 'U1', at: '2026-12-01T10:00:00.000Z' });
    await store.close();
    const again = await Store.open(where);
    opened!.store = again;
    expect(await again.isPaused('us')).toBe(true);
    expect((await again.skuMappings()).length).toBe(1_203);
  });

  it('runs its migrations once: opening again changes nothing', async () => {
    const { store, where } = await open();
    await store.orders.set('us:o1', order('o1'));
    await store.close();
    const again = await Store.open(where);
    opened!.store = again;
    expect((await again.orders.get('us:o1'))?.amazonOrderId).toBe('o1');
  });

  it('lets exactly one of two claimants win each lease and each claim taken at the same instant', async () => {
    const { where } = await open();
    const rounds = 200;
    const barrier = new SharedArrayBuffer(4);
    const claimant = (owner: string) =>
      new Promise<Array<{ lease: boolean; claim: boolean }>>((resolve, reject) => {
        const w = new Worker(new URL('./race-claimant.mjs', import.meta.url), { workerData: { ...where, rounds, owner, barrier } });
        w.once('message', resolve);
        w.once('error', reject);
      });
    const [a, b] = await Promise.all([claimant('host:1:a'), claimant('host:2:b')]);
    for (let i = 0; i < rounds; i++) {
      expect(Number(a[i]!.lease) + Number(b[i]!.lease), `lease in round ${i}`).toBe(1);
      expect(Number(a[i]!.claim) + Number(b[i]!.claim), `claim in round ${i}`).toBe(1);
    }
  }, 120_000);
});
