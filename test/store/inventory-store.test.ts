import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, shippedUnitsBySku, type ShippedLine } from '../../src/inventory/forecast';
import { forecastAll } from '../../src/inventory/inventory';
import { mulberry32 } from '../../src/sandbox/amazon/order-factory';
import type { ConfirmationRecord, OrderRecord } from '../../src/store/records';
import { BACKENDS } from '../support/postgres';
import { Store } from '../../src/store/store';
import { openStoreOn, type OpenedStore } from '../support/store-on';

/** Inventory's queries, on SQLite and (when the test server is there) Postgres alike. */

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const daysAgo = (d: number) => iso(NOW - d * DAY_MS);
const SETTINGS = { bufferUnits: 0, leadTimeDays: 7, safetyDays: 3 };

const openOn = (backend: 'sqlite' | 'postgres') => openStoreOn(backend, () => NOW);

type Item = NonNullable<OrderRecord['items']>[number];
function order(id: string, items: Item[], over: Partial<OrderRecord> = {}): OrderRecord {
  return {
    accountId: 'us',
    amazonOrderId: id,
    orderKey: `dockhand:us:${id}`,
    state: 'sent',
    amazonStatus: 'unshipped',
    lastUpdatedTime: daysAgo(20),
    firstSeenAt: daysAgo(20),
    createdTime: daysAgo(20),
    unmappedSkus: [],
    isPrime: false,
    items,
    ...over,
  };
}
const item = (orderItemId: string, sku: string, quantity: number, amazonSku = sku): Item => ({ orderItemId, quantityOrdered: quantity, quantityShipped: 0, amazonSku, sku });

function label(id: string, amazonOrderId: string, createdAt: string, items: Array<{ orderItemId: string; quantity: number }>, over: Partial<ConfirmationRecord> = {}): ConfirmationRecord {
  return {
    labelId: id,
    accountId: 'us',
    amazonOrderId,
    shipstationOrderId: 1,
    state: 'confirmed',
    packageReferenceId: id,
    carrierCode: 'ups',
    trackingNumber: `1Z${id}`,
    items,
    labelCreatedAt: createdAt,
    confirmedAt: createdAt,
    via: 'poll',
    at: createdAt,
    attempts: 1,
    voidedAfterConfirm: false,
    ...over,
  };
}

describe.each(BACKENDS)('inventory store on %s', (backend) => {
  let opened: OpenedStore | undefined;
  afterEach(async () => {
    await opened?.store.close();
    await opened?.dispose();
    opened = undefined;
  });

  it('sums shipped units per ShipStation SKU and window from labels, split shipments and voids included', async () => {
    opened = await openOn(backend);
    const { store } = opened;
    // One order, two Amazon SKUs mapped to MUG, shipped in two packages: line 1 (2 MUG) 2 days ago, line 2 (3 MUG) 10 days ago.
    await store.orders.set('us:A', order('A', [item('A1', 'MUG', 2, 'AMZ-MUG-RED'), item('A2', 'MUG', 3, 'AMZ-MUG-BLUE')]));
    await store.confirmations.set('L1', label('L1', 'A', daysAgo(2), [{ orderItemId: 'A1', quantity: 2 }]));
    await store.confirmations.set('L2', label('L2', 'A', daysAgo(10), [{ orderItemId: 'A2', quantity: 3 }]));
    // An order whose label was voided before Amazon had it: it shipped nothing.
    await store.orders.set('us:B', order('B', [item('B1', 'MUG', 4)]));
    await store.confirmations.set('L3', label('L3', 'B', daysAgo(1), [{ orderItemId: 'B1', quantity: 4 }], { state: 'in_flight' }));
    await store.confirmations.set('L3', label('L3', 'B', daysAgo(1), [{ orderItemId: 'B1', quantity: 4 }], { state: 'skipped' }));
    // A label voided after Amazon accepted it, then printed again 5 days ago: counts once, at the reprint.
    await store.orders.set('us:C', order('C', [item('C1', 'CUP', 1)]));
    await store.confirmations.set('L4', label('L4', 'C', daysAgo(6), [{ orderItemId: 'C1', quantity: 1 }]));
    await store.confirmations.set('L4', label('L4', 'C', daysAgo(6), [{ orderItemId: 'C1', quantity: 1 }], { voidedAfterConfirm: true }));
    await store.confirmations.set('L5', label('L5', 'C', daysAgo(5), [{ orderItemId: 'C1', quantity: 1 }]));
    // Shipped outside Dockhand's labels (Amazon closed it 20 days ago) and one 40 days ago: only the first in 30 days.
    await store.orders.set('us:D', order('D', [item('D1', 'CUP', 6)], { amazonStatus: 'shipped', closedAt: daysAgo(20) }));
    await store.orders.set('us:E', order('E', [item('E1', 'CUP', 9)], { amazonStatus: 'shipped', closedAt: daysAgo(40) }));

    const units = await store.inventory.shippedUnits(NOW);
    // MUG: 2 (2 d) + 3 (10 d) = 7 d: 2, 14 d: 5, 30 d: 5. CUP: 1 (5 d) + 6 (20 d) = 7 d: 1, 14 d: 1, 30 d: 7.
    expect(Object.fromEntries(units)).toEqual({ MUG: { units7: 2, units14: 5, units30: 5 }, CUP: { units7: 1, units14: 1, units30: 7 } });
    // The same lines through the pure reference give the same answer.
    const lines = [
      { sku: 'MUG', quantity: 2, shippedAt: NOW - 2 * DAY_MS },
      { sku: 'MUG', quantity: 3, shippedAt: NOW - 10 * DAY_MS },
      { sku: 'CUP', quantity: 1, shippedAt: NOW - 5 * DAY_MS },
      { sku: 'CUP', quantity: 6, shippedAt: NOW - 20 * DAY_MS },
      { sku: 'CUP', quantity: 9, shippedAt: NOW - 40 * DAY_MS },
    ];
    expect(Object.fromEntries(shippedUnitsBySku(lines, NOW))).toEqual(Object.fromEntries(units));
    // B's 4 MUG are committed again (its only label was voided): still awaiting shipment.
    expect(Object.fromEntries(await store.inventory.committedUnits())).toEqual({ MUG: 4 });
  });

  it('keeps the daily shipped rollup in step with the lines: labels, split shipments, voids, reprints, Amazon closing, history, deletes', async () => {
    opened = await openOn(backend);
    const { store } = opened;
    const mug = () => store.inventory.shippedByDay('MUG');
    // Two Amazon SKUs mapped to MUG on one order, nothing shipped yet.
    const a = order('A', [item('A1', 'MUG', 2, 'AMZ-MUG-RED'), item('A2', 'MUG', 3, 'AMZ-MUG-BLUE')]);
    await store.orders.set('us:A', a);
    expect(await mug()).toEqual([]);
    // Split: A1 on a label two days ago, A2 on another ten days ago.
    await store.confirmations.set('L1', label('L1', 'A', daysAgo(2), [{ orderItemId: 'A1', quantity: 2 }]));
    await store.confirmations.set('L2', label('L2', 'A', daysAgo(10), [{ orderItemId: 'A2', quantity: 3 }]));
    expect(await mug()).toEqual([{ day: '2026-11-21', units: 3 }, { day: '2026-11-29', units: 2 }]);
    // Sync writes the order again (Amazon now says partially shipped): nothing counted twice.
    await store.orders.set('us:A', { ...a, amazonStatus: 'partially_shipped' });
    expect(await mug()).toEqual([{ day: '2026-11-21', units: 3 }, { day: '2026-11-29', units: 2 }]);
    // L1 voided before Amazon had it: A1 shipped nothing, and its day leaves no row behind.
    await store.confirmations.set('L1', label('L1', 'A', daysAgo(2), [{ orderItemId: 'A1', quantity: 2 }], { state: 'skipped' }));
    expect(await mug()).toEqual([{ day: '2026-11-21', units: 3 }]);
    // Reprinted yesterday.
    await store.confirmations.set('L3', label('L3', 'A', daysAgo(1), [{ orderItemId: 'A1', quantity: 2 }]));
    expect(await mug()).toEqual([{ day: '2026-11-21', units: 3 }, { day: '2026-11-30', units: 2 }]);
    // L2 voided after Amazon accepted it, no other label carries A2: unshipped again.
    await store.confirmations.set('L2', label('L2', 'A', daysAgo(10), [{ orderItemId: 'A2', quantity: 3 }], { voidedAfterConfirm: true }));
    expect(await mug()).toEqual([{ day: '2026-11-30', units: 2 }]);
    // Amazon closes the order as shipped at midnight: A2 ships then, A1 keeps its label's time.
    await store.orders.set('us:A', { ...a, amazonStatus: 'shipped', closedAt: daysAgo(0.5) });
    expect(await mug()).toEqual([{ day: '2026-11-30', units: 2 }, { day: '2026-12-01', units: 3 }]);
    // A bulk import of an order Amazon shipped, and a sales history imported twice: each counted once.
    await store.orders.importMany([['us:B', order('B', [item('B1', 'MUG', 4)], { amazonStatus: 'shipped', closedAt: daysAgo(3) })]]);
    const history = [{ id: 'h1', sku: 'MUG', quantity: 5, shippedAt: NOW - 3 * DAY_MS + 1 }];
    await store.inventory.importShippedHistory(history);
    await store.inventory.importShippedHistory(history);
    expect(await mug()).toEqual([{ day: '2026-11-28', units: 9 }, { day: '2026-11-30', units: 2 }, { day: '2026-12-01', units: 3 }]);
    // Deleted and purged orders take their units with them.
    await store.orders.delete('us:A');
    expect(await mug()).toEqual([{ day: '2026-11-28', units: 9 }]);
    expect(await store.orders.purgeClosedBefore(new Date(NOW))).toBe(1);
    expect(await mug()).toEqual([{ day: '2026-11-28', units: 5 }]);
  });

  it('fills the daily rollup from the lines already stored when migration 0010 runs', async () => {
    opened = await openOn(backend);
    await opened.store.orders.set('us:A', order('A', [item('A1', 'MUG', 2), item('A2', 'CUP', 3)]));
    await opened.store.confirmations.set('L1', label('L1', 'A', daysAgo(2), [{ orderItemId: 'A1', quantity: 2 }, { orderItemId: 'A2', quantity: 3 }]));
    await opened.store.orders.set('us:B', order('B', [item('B1', 'MUG', 4)], { amazonStatus: 'shipped', closedAt: daysAgo(2.25) }));
    await opened.store.close();
    // Back to the schema before 0010, lines and all, as a data dir from the last release has it.
    const rewind = ['drop table shipped_units_by_day', 'drop index order_lines_by_ship_time', "delete from kysely_migration where name = '0010_inventory_rollups'"];
    if (backend === 'sqlite') {
      const db = new BetterSqlite3(path.join(opened.where.dataDir!, 'dockhand.sqlite'));
      for (const q of rewind) db.exec(q);
      db.close();
    } else {
      const c = new pg.Client({ connectionString: opened.where.storeUrl });
      await c.connect();
      for (const q of rewind) await c.query(q);
      await c.end();
    }
    opened.store = await Store.open({ ...opened.where, now: () => NOW });
    expect(await opened.store.inventory.shippedByDay('MUG')).toEqual([{ day: '2026-11-29', units: 6 }]);
    expect(await opened.store.inventory.shippedByDay('CUP')).toEqual([{ day: '2026-11-29', units: 3 }]);
  });

  it('answers the 7, 14 and 30-day windows to the millisecond, as the pure reference does, at any time of day', async () => {
    opened = await openOn(backend);
    const inv = opened.store.inventory;
    const nows = [NOW, Date.parse('2026-12-01T00:00:00.000Z'), Date.parse('2026-11-30T23:59:59.999Z'), Date.parse('2026-12-01T00:00:00.001Z')];
    const skus = ['A', 'B', 'C', 'D'];
    const random = mulberry32(7);
    const lines: ShippedLine[] = Array.from({ length: 300 }, () => ({ sku: skus[Math.floor(random() * skus.length)]!, quantity: 1 + Math.floor(random() * 4), shippedAt: Math.floor(NOW - random() * 35 * DAY_MS + DAY_MS) }));
    // On, just inside and just outside every window's edges, and today's midnight, for every `now`.
    for (const now of nows) {
      for (const t of [now, now + 1, now - 1, Math.floor(now / DAY_MS) * DAY_MS, Math.floor(now / DAY_MS) * DAY_MS - 1]) lines.push({ sku: 'A', quantity: 1, shippedAt: t });
      for (const days of [7, 14, 30]) for (const d of [-1, 0, 1]) lines.push({ sku: 'B', quantity: 1, shippedAt: now - days * DAY_MS + d });
    }
    await inv.importShippedHistory(lines.map((l, i) => ({ id: `e${i}`, ...l })));
    await inv.putStockLevels(skus.map((sku) => ({ sku, onHand: 100 })), 'csv', NOW);
    for (const now of nows) {
      const want = Object.fromEntries(shippedUnitsBySku(lines, now));
      expect(Object.fromEntries(await inv.shippedUnits(now)), new Date(now).toISOString()).toEqual(want);
      const all: Record<string, unknown> = {};
      for (const f of await inv.stockFacts(now)) all[f.sku] = f.shipped;
      expect(all, new Date(now).toISOString()).toEqual(want);
      expect((await inv.stockFacts(now, 'B')).map((f) => f.shipped)).toEqual([want.B]);
    }
  });

  it('counts committed units of orders in ShipStation only, and lists the orders waiting on a SKU Prime first', async () => {
    opened = await openOn(backend);
    const { store } = opened;
    await store.orders.set('us:P', order('P', [item('P1', 'TEA', 2)], { isPrime: true, shipByLatest: iso(NOW + 8 * 3_600_000) }));
    await store.orders.set('us:S', order('S', [item('S1', 'TEA', 1), item('S2', 'TEA', 1)], { shipByLatest: iso(NOW + 3_600_000) }));
    await store.orders.set('us:H', order('H', [item('H1', 'TEA', 5)], { state: 'held' })); // pending on Amazon: not released
    await store.orders.set('us:X', order('X', [item('X1', 'TEA', 7)], { amazonStatus: 'cancelled' }));
    // Split: one of two lines already on a label.
    await store.orders.set('us:Q', order('Q', [item('Q1', 'TEA', 1), item('Q2', 'TEA', 3)], { amazonStatus: 'partially_shipped' }));
    await store.confirmations.set('LQ', label('LQ', 'Q', daysAgo(0.5), [{ orderItemId: 'Q1', quantity: 1 }]));
    expect((await store.inventory.committedUnits('TEA')).get('TEA')).toBe(2 + 2 + 3);
    const waiting = await store.inventory.openOrdersFor('TEA');
    // Prime first, then the tightest ship-by, orders without one last (on both backends).
    expect(waiting.map((o) => [o.amazonOrderId, o.quantity, o.isPrime])).toEqual([['P', 2, true], ['S', 2, false], ['Q', 3, false]]);
  });

  it('keeps stock per warehouse, reports which SKUs changed, and forecasts them', async () => {
    opened = await openOn(backend);
    const { store } = opened;
    expect(await store.inventory.putStockLevels([{ sku: 'WH-1', onHand: 10, warehouse: 'Reno' }, { sku: 'WH-1', onHand: 5, warehouse: 'Austin' }, { sku: 'WH-2', onHand: 3 }], 'csv', NOW)).toEqual(['WH-1', 'WH-2']);
    expect(await store.inventory.putStockLevels([{ sku: 'WH-1', onHand: 10, warehouse: 'Reno' }, { sku: 'WH-2', onHand: 4 }], 'csv', NOW)).toEqual(['WH-2']);
    expect(await store.inventory.putStockLevels([{ sku: 'WH-1', onHand: 10, warehouse: 'Reno' }], 'shipstation-v2', NOW, { replaceSkus: true })).toEqual(['WH-1']);
    expect(await store.inventory.levelsOf('WH-1')).toEqual([{ warehouse: 'Reno', onHand: 10 }]);
    await store.orders.set('us:O', order('O', [item('O1', 'WH-1', 3)]));
    const rows = await forecastAll(store.inventory, SETTINGS, NOW);
    expect(rows.map((r) => [r.sku, r.onHand, r.committed, r.available, r.status])).toEqual([
      ['WH-1', 10, 3, 7, 'ok'],
      ['WH-2', 4, 0, 4, 'ok'],
    ]);
    expect(await forecastAll(store.inventory, SETTINGS, NOW, { status: 'out' })).toEqual([]);
  });

  it('remembers the last quantity pushed per SKU and marketplace, product types, snoozes and reorders', async () => {
    opened = await openOn(backend);
    const inv = opened.store.inventory;
    await inv.recordPushed([{ accountId: 'us', marketplaceId: 'M1', sku: 'A', quantity: 4 }, { accountId: 'us', marketplaceId: 'M2', sku: 'A', quantity: 9 }], NOW);
    await inv.recordPushed([{ accountId: 'us', marketplaceId: 'M1', sku: 'A', quantity: 5 }], NOW);
    expect(Object.fromEntries(await inv.lastPushed('us', 'M1', ['A', 'B']))).toEqual({ A: 5 });
    await inv.putProductType('us', 'M1', 'A', 'MUG', NOW);
    expect(await inv.productType('us', 'M1', 'A')).toBe('MUG');
    await inv.snooze('A', NOW + 1000, 'U1');
    expect([...(await inv.snoozed(NOW)).keys()]).toEqual(['A']);
    expect([...(await inv.snoozed(NOW + 2000)).keys()]).toEqual([]);
    await inv.markReordered({ sku: 'A', quantity: 200, expectedAt: '2026-12-15', by: 'U1' }, NOW);
    expect(await inv.reorderOf('A')).toEqual({ quantity: 200, expectedAt: '2026-12-15', by: 'U1' });
  });

  it('keeps ERP deliveries until delivered, and dead letters until retried', async () => {
    opened = await openOn(backend);
    const inv = opened.store.inventory;
    await inv.enqueueDeliveries([{ id: 'a@1', sku: 'A', body: '{}' }, { id: 'b@1', sku: 'B', body: '{}' }], NOW);
    expect((await inv.dueDeliveries(NOW)).map((d) => d.id)).toEqual(['a@1', 'b@1']);
    await inv.markDelivered('a@1');
    await inv.markAttemptFailed('b@1', 'HTTP 503', NOW + 5000, false);
    expect(await inv.dueDeliveries(NOW)).toEqual([]);
    expect((await inv.dueDeliveries(NOW + 5000)).map((d) => [d.id, d.attempts, d.lastError])).toEqual([['b@1', 1, 'HTTP 503']]);
    await inv.markAttemptFailed('b@1', 'HTTP 503', NOW + 10_000, true);
    expect((await inv.deadLetters()).map((d) => d.id)).toEqual(['b@1']);
    expect(await inv.requeue('b@1', NOW + 20_000)).toBe(true);
    expect(await inv.deadLetters()).toEqual([]);
    expect((await inv.dueDeliveries(NOW + 20_000)).map((d) => d.id)).toEqual(['b@1']);
  });
});
