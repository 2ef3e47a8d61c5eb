import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tallyRows, type LabelFactRow, type OrderFactRow, type RateChoiceRow, type ReportEventRow } from '../../src/reports/kpis';
import { assembleReport, dailyRows, reportWindow } from '../../src/reports/report';
import type { ConfirmationRecord, OrderRecord } from '../../src/store/records';
import { Store } from '../../src/store/store';
import { BACKENDS, freshPostgresDatabase } from '../support/postgres';

/**
 * The SQL aggregation gives the same tallies as the definitions (src/reports/kpis.ts) for the
 * same orders, labels and quarantines, written through the store's own repositories, on
 * SQLite and Postgres.
 */

async function openOn(backend: 'sqlite' | 'postgres'): Promise<{ store: Store; dispose(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-reports-'));
    const store = await Store.open({ dataDir });
    return { store, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const db = await freshPostgresDatabase();
  const store = await Store.open({ storeUrl: db.url });
  return { store, dispose: () => db.drop() };
}

/** A small seeded generator, so a failure replays. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const H = 3_600_000;
const iso = (t: number) => new Date(t).toISOString();
const period = { from: '2026-11-01', to: '2026-11-03', timeZone: 'America/Los_Angeles' };
// Nov 1 is the fall-back day in Los Angeles; the window starts Oct 29 (previous period).
const start = Date.parse('2026-10-29T07:00:00Z');
const now = Date.parse('2026-11-03T20:00:00Z');

interface Fixture {
  orders: Array<[string, OrderRecord]>;
  labels: Array<[string, ConfirmationRecord]>;
  rows: { orders: OrderFactRow[]; labels: LabelFactRow[]; events: ReportEventRow[]; rateChoices: RateChoiceRow[] };
  quarantines: Array<{ key: string; accountId: string; at: number; attempts: number }>;
  /** Labels that went through quarantine before their last state. */
  labelQuarantines: Set<string>;
}

function fixture(seed: number, count: number): Fixture {
  const r = random(seed);
  const f: Fixture = { orders: [], labels: [], rows: { orders: [], labels: [], events: [], rateChoices: [] }, quarantines: [], labelQuarantines: new Set() };
  for (let i = 0; i < count; i++) {
    const accountId = r() < 0.7 ? 'us' : 'eu';
    const id = `111-${String(i).padStart(7, '0')}-0000001`;
    const key = `${accountId}:${id}`;
    const euro = accountId === 'eu' && r() < 0.8;
    const purchasedAt = start + Math.floor(r() * 6.5 * 24) * H + Math.floor(r() * 60) * 60_000;
    const shipBy = purchasedAt + Math.floor(12 + r() * 48) * H;
    const cancelled = r() < 0.08;
    const record: OrderRecord = {
      accountId,
      amazonOrderId: id,
      orderKey: `dockhand:${key}`,
      state: cancelled ? 'cancelled' : r() < 0.05 ? 'quarantined' : 'sent',
      amazonStatus: cancelled ? 'cancelled' : 'unshipped',
      lastUpdatedTime: iso(purchasedAt),
      firstSeenAt: iso(purchasedAt + 60_000),
      createdTime: iso(purchasedAt),
      shipByLatest: iso(shipBy),
      marketplaceId: euro ? 'A1PA6795UKMFR9' : 'ATVPDKIKX0DER',
      unmappedSkus: [],
      isPrime: false,
      fulfilledBy: 'merchant',
      items: [{ orderItemId: `${id}-1`, quantityOrdered: 3 }],
      ...(cancelled ? { closedAt: iso(purchasedAt + Math.floor(r() * 30) * H) } : {}),
    };
    f.orders.push([key, record]);
    const labels: ConfirmationRecord[] = [];
    const packages = cancelled || r() < 0.15 ? 0 : r() < 0.2 ? 2 : 1;
    for (let p = 0; p < packages; p++) {
      const createdAt = purchasedAt + Math.floor(r() * 60) * H + p * H;
      const voided = r() < 0.1;
      const confirmed = !voided && r() < 0.85;
      const carrier = r() < 0.5 ? ['ups', 'ups_ground'] : r() < 0.5 ? ['stamps_com', 'usps_priority_mail'] : ['fedex', null];
      labels.push({
        labelId: `shipment:${i}-${p}`,
        accountId,
        amazonOrderId: id,
        shipstationOrderId: i,
        state: voided ? 'skipped' : confirmed ? 'confirmed' : 'in_flight',
        packageReferenceId: `${i}${p}`,
        carrierCode: carrier[0]!,
        ...(carrier[1] ? { serviceCode: carrier[1] } : {}),
        trackingNumber: `1Z${i}${p}`,
        ...(r() < 0.9 ? { cost: Math.round((4 + r() * 10) * 100) / 100 } : {}),
        items: [{ orderItemId: `${id}-1`, quantity: 1 + Math.floor(r() * 2) }],
        labelCreatedAt: iso(createdAt),
        via: 'poll',
        at: iso(createdAt),
        ...(confirmed ? { confirmedAt: iso(createdAt + Math.floor(r() * 180) * 60_000) } : {}),
        attempts: 1,
        voidedAfterConfirm: false,
      });
    }
    for (const l of labels) {
      f.labels.push([l.labelId, l]);
      // Quarantined once (at its creation), then tried again: a quarantine and a retry.
      if (r() < 0.1) {
        f.labelQuarantines.add(l.labelId);
        l.at = iso(Date.parse(l.labelCreatedAt) + 30 * 60_000);
        l.attempts = 2;
        f.rows.events.push({ accountId, kind: 'quarantined', at: Date.parse(l.labelCreatedAt) }, { accountId, kind: 'retried', at: Date.parse(l.at) });
      }
    }
    if (!cancelled && r() < 0.3) {
      const chosen = r() < 0.8;
      const saving = chosen && r() < 0.8 ? Math.round(r() * 500) / 100 : null;
      f.rows.rateChoices.push({ orderKey: key, accountId, requestedAt: purchasedAt + 60_000, chosen, saving });
    }
    // The order's facts as the label ledger derives them: first live label, first acceptance.
    const live = labels.filter((l) => l.state !== 'skipped').sort((a, b) => a.labelCreatedAt.localeCompare(b.labelCreatedAt));
    const confirmedAt = labels.map((l) => l.confirmedAt).filter((x): x is string => x !== undefined).sort()[0];
    f.rows.orders.push({
      orderKey: key,
      accountId,
      currency: euro ? 'EUR' : 'USD',
      purchasedAt,
      shipBy,
      cancelledAt: cancelled ? Date.parse(record.closedAt!) : null,
      firstLabelAt: live[0] ? Date.parse(live[0].labelCreatedAt) : null,
      confirmedAt: confirmedAt ? Date.parse(confirmedAt) : null,
      carrierCode: live[0]?.carrierCode ?? null,
      serviceCode: live[0]?.serviceCode ?? null,
    });
    for (const l of labels) {
      f.rows.labels.push({
        labelId: l.labelId,
        orderKey: key,
        accountId,
        createdAt: Date.parse(l.labelCreatedAt),
        confirmedAt: l.confirmedAt ? Date.parse(l.confirmedAt) : null,
        carrierCode: l.carrierCode,
        serviceCode: l.serviceCode ?? null,
        cost: l.cost ?? null,
        units: l.items[0]!.quantity,
        live: l.state !== 'skipped',
      });
    }
    if (record.state === 'quarantined') {
      const at = purchasedAt + H;
      const attempts = 1 + Math.floor(r() * 3);
      f.quarantines.push({ key, accountId, at, attempts });
      f.rows.events.push({ accountId, kind: 'quarantined', at });
      for (let a = 2; a <= attempts; a++) f.rows.events.push({ accountId, kind: 'retried', at: at + (a - 1) * H });
    }
  }
  return f;
}

async function load(store: Store, f: Fixture): Promise<void> {
  for (const [key, o] of f.orders) await store.orders.set(key, o);
  for (const [id, l] of f.labels) {
    if (f.labelQuarantines.has(id)) await store.confirmations.set(id, { ...l, state: 'quarantined', at: l.labelCreatedAt, attempts: 1 });
    await store.confirmations.set(id, l);
  }
  for (const c of f.rows.rateChoices) {
    const [accountId, amazonOrderId] = c.orderKey.split(':') as [string, string];
    const requestedAt = iso(c.requestedAt);
    await store.rules.requestRateShops([{ orderKey: c.orderKey, accountId, amazonOrderId, requestedAt, rule: 'cheapest' }]);
    await store.rules.recordRateChoice({ orderKey: c.orderKey, accountId, amazonOrderId, requestedAt, rule: 'cheapest', state: c.chosen ? 'chosen' : 'failed', ...(c.saving !== null ? { saving: c.saving } : {}) });
  }
  for (const q of f.quarantines) {
    const [accountId, amazonOrderId] = [q.accountId, q.key.split(':')[1]!];
    for (let a = 1; a <= q.attempts; a++) {
      await store.quarantine.set(q.key, { accountId, amazonOrderId, code: 'order.unmapped_sku', reason: 'x', hint: '', at: iso(q.at + (a - 1) * H), attempts: a });
    }
  }
}

describe.each(BACKENDS)('report queries on %s', (backend) => {
  let opened: { store: Store; dispose(): Promise<void> } | undefined;
  afterEach(async () => {
    await opened?.store.close();
    await opened?.dispose();
    opened = undefined;
  });

  it('aggregate the facts exactly as the definitions count them', async () => {
    opened = await openOn(backend);
    const f = fixture(12, 200);
    await load(opened.store, f);
    const w = reportWindow(period, now);
    const expected = tallyRows(f.rows, w);
    for (const accounts of [[], ['eu'], ['us', 'eu']]) {
      const mine = <T extends { accountId: string }>(rows: T[]) => rows.filter((x) => accounts.includes(x.accountId));
      const scoped = accounts.length === 0 ? f.rows : { orders: mine(f.rows.orders), labels: mine(f.rows.labels), events: mine(f.rows.events), rateChoices: mine(f.rows.rateChoices) };
      const want = accounts.length === 0 ? expected : tallyRows(scoped, w);
      const got = await opened.store.reports.tallies(w, accounts);
      expect(assembleReport(got, period, accounts)).toEqual(assembleReport(want, period, accounts));
      expect(dailyRows(got, period)).toEqual(dailyRows(want, period));
    }
    // The fixture exercises what it should: late orders, split shipments, two currencies.
    const report = assembleReport(expected, period, []);
    expect(report.onTime.late).toBeGreaterThan(0);
    expect(Array.isArray(report.cost)).toBe(true);
    expect(report.quarantined + report.previous.quarantined).toBeGreaterThan(0);
    expect(Array.isArray(report.rateShopSavings) && report.rateShopSavings.every((x) => x.orders > 0 && x.total > 0)).toBe(true);
  }, 30_000);

  it('a label voided and printed again moves the order facts to the new label', async () => {
    opened = await openOn(backend);
    const { store } = opened;
    const f = fixture(3, 1);
    const [key, o] = f.orders[0]!;
    const bought = Date.parse('2026-11-02T17:00:00Z');
    await store.orders.set(key, { ...o, state: 'sent', amazonStatus: 'unshipped', createdTime: iso(bought), shipByLatest: iso(bought + 30 * H), closedAt: undefined });
    const base: ConfirmationRecord = { labelId: 'shipment:1', accountId: o.accountId, amazonOrderId: o.amazonOrderId, shipstationOrderId: 1, state: 'confirmed', packageReferenceId: '1', carrierCode: 'fedex', trackingNumber: 'F1', cost: 12, items: [{ orderItemId: 'x', quantity: 3 }], labelCreatedAt: iso(bought + H), via: 'poll', at: iso(bought + H), confirmedAt: iso(bought + 2 * H), attempts: 1, voidedAfterConfirm: false };
    await store.confirmations.set('shipment:1', base);
    await store.confirmations.set('shipment:1', { ...base, voidedAfterConfirm: true, replacedBy: 'shipment:2' });
    await store.confirmations.set('shipment:2', { ...base, labelId: 'shipment:2', carrierCode: 'ups', serviceCode: 'ups_ground', cost: 7, labelCreatedAt: iso(bought + 3 * H), confirmedAt: iso(bought + 4 * H) });
    const r = assembleReport(await store.reports.tallies(reportWindow(period, now)), period, []);
    expect(r.orders.shipped).toBe(1);
    expect(r.timeToShip.purchaseToLabelHours).toEqual({ avg: 3, p90: 3 });
    // Amazon's first acceptance stands (the voided label's): on time, 2 h after purchase.
    expect(r.onTime).toMatchObject({ due: 1, onTime: 1, rate: 1 });
    expect(r.carriers).toEqual([{ carrierCode: 'ups', serviceCode: 'ups_ground', shipments: 1, avgCost: 7, onTimeRate: 1 }]);
    expect(r.cost).toEqual({ total: 7, perOrder: 7, perItem: 2.33, currency: o.marketplaceId === 'ATVPDKIKX0DER' ? 'USD' : 'EUR' });
    // Both labels' confirmations count: 60 minutes each.
    expect(r.timeToShip.labelToConfirmationMinutes).toEqual({ avg: 60, p90: 60 });
  });

  it("keeps Amazon's last account-health report, replacing it when read again", async () => {
    opened = await openOn(backend);
    const { digests } = opened.store;
    expect(await digests.lastHealthReport('seller-performance:ATVPDKIKX0DER')).toBeUndefined();
    await digests.saveHealthReport('seller-performance:ATVPDKIKX0DER', 1_000, '{"performanceMetrics":[]}');
    await digests.saveHealthReport('seller-performance:ATVPDKIKX0DER', 2_000, '{"performanceMetrics":[{}]}');
    expect(await digests.lastHealthReport('seller-performance:ATVPDKIKX0DER')).toEqual({ at: 2_000, doc: '{"performanceMetrics":[{}]}' });
  });
});
