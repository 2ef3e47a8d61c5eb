import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { history } from '../../src/reports/history';
import { tallyRows, type LabelFactRow, type OrderFactRow } from '../../src/reports/kpis';
import { assembleReport, dailyRows, reportWindow } from '../../src/reports/report';
import { openDb, type Database, type Db } from '../../src/store/db';
import { migrate } from '../../src/store/migrations';
import { Store } from '../../src/store/store';
import { BACKENDS, freshPostgresDatabase } from '../support/postgres';

/**
 * The rollups of migration 0009 give the reports the same answers as the facts themselves: for
 * facts there before the migration (its backfill), and after the triggers saw them rewritten
 * (a label arriving, a confirmation, a cancel) and deleted (retention's purge), on both backends.
 */

type FactRow = Database['fulfillment_facts'];
type LabelRow = Database['label_facts'];

const TZ = 'Asia/Kolkata'; // UTC+5:30: the seller's midnight is on a half hour of UTC.
const period = { from: '2026-11-10', to: '2026-11-16', timeZone: TZ };
const now = Date.parse('2026-11-16T12:00:00Z'); // the afternoon of the period's last day

function asOrderRow(f: FactRow): OrderFactRow {
  return { orderKey: f.order_key, accountId: f.account_id, currency: f.currency ?? null, purchasedAt: f.purchased_at, shipBy: f.ship_by, cancelledAt: f.cancelled_at, firstLabelAt: f.first_label_at, confirmedAt: f.confirmed_at, carrierCode: f.carrier_code, serviceCode: f.service_code };
}

function asLabelRow(l: LabelRow): LabelFactRow {
  return { labelId: l.label_id, orderKey: l.order_key, accountId: l.account_id, createdAt: l.created_at, confirmedAt: l.confirmed_at, carrierCode: l.carrier_code, serviceCode: l.service_code, cost: l.cost, units: l.units, live: l.live === 1 };
}

async function openRaw(backend: 'sqlite' | 'postgres'): Promise<{ db: Db; where: { dataDir?: string; storeUrl?: string }; dispose(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'dockhand-rollups-'));
    return { db: await openDb({ dataDir }), where: { dataDir }, dispose: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const pg = await freshPostgresDatabase();
  return { db: await openDb({ storeUrl: pg.url }), where: { storeUrl: pg.url }, dispose: () => pg.drop() };
}

async function expectSameAsFacts(store: Store, orders: FactRow[], labels: LabelRow[]): Promise<void> {
  const w = reportWindow(period, now);
  const want = tallyRows({ orders: orders.map(asOrderRow), labels: labels.map(asLabelRow), events: [] }, w);
  for (const accounts of [[], ['in']]) {
    const got = await store.reports.tallies(w, accounts);
    expect(assembleReport(got, period, accounts)).toEqual(assembleReport(want, period, accounts));
    expect(dailyRows(got, period)).toEqual(dailyRows(want, period));
  }
}

describe.each(BACKENDS)('report rollups on %s', (backend) => {
  let opened: { dispose(): Promise<void> } | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await opened?.dispose();
    store = undefined;
    opened = undefined;
  });

  it('count the facts already there at the migration, and follow them as they change and go', async () => {
    const raw = await openRaw(backend);
    opened = raw;
    await migrate(raw.db, '0007_returns');
    const orders: FactRow[] = [];
    const labels: LabelRow[] = [];
    // 20 days to Nov 16 (the previous period and the period, and a week before): splits, voids, cancels, one bad day.
    for (const b of history({ lastDay: '2026-11-16', days: 20, timeZone: TZ, accountId: 'in', currency: 'INR', ordersPerWeekday: 30, badDaysAgo: [3], seed: 9 })) {
      orders.push(...b.orders);
      labels.push(...b.labels);
    }
    // Still open at the report (not labelled yet, deadline ahead or passed): due is decided when the report is made.
    for (const o of orders.slice(-12)) Object.assign(o, { first_label_at: null, confirmed_at: null, carrier_code: null, service_code: null });
    const open = new Set(orders.slice(-12).map((o) => o.order_key));
    const kept = labels.filter((l) => !open.has(l.order_key));
    await raw.db.kysely.insertInto('fulfillment_facts').values(orders).execute();
    await raw.db.kysely.insertInto('label_facts').values(kept).execute();
    await raw.db.kysely.destroy();

    store = await Store.open(raw.where);
    await expectSameAsFacts(store, orders, kept);

    // Rewritten: a label (and Amazon's acceptance) for some open orders, a cancel, a currency learnt late.
    const k = (store as unknown as { db: Db }).db.kysely;
    const [a, b, c] = orders.slice(-12);
    Object.assign(a!, { first_label_at: a!.purchased_at! + 3_600_000, confirmed_at: a!.purchased_at! + 4_000_000, carrier_code: 'ups', service_code: 'ups_ground' });
    Object.assign(b!, { cancelled_at: b!.purchased_at! + 60_000 });
    Object.assign(c!, { currency: 'USD' });
    for (const o of [a!, b!, c!]) await k.updateTable('fulfillment_facts').set(o).where('order_key', '=', o.order_key).execute();
    const added: LabelRow = { label_id: 'late-one', order_key: a!.order_key, account_id: 'in', created_at: a!.first_label_at!, confirmed_at: a!.confirmed_at, carrier_code: 'ups', service_code: 'ups_ground', cost: 120, units: 1, live: 1, currency: 'INR' };
    await store.reports.importFacts([], [added]);
    // A voided label of the period (not live any more).
    const voided = kept.find((l) => l.live === 1 && l.created_at >= Date.parse('2026-11-12T00:00:00Z'))!;
    voided.live = 0;
    await k.updateTable('label_facts').set({ live: 0 }).where('label_id', '=', voided.label_id).execute();
    await expectSameAsFacts(store, orders, [...kept, added]);

    // Retention's purge, and its labels with it.
    const cutoff = Date.parse('2026-11-11T00:00:00Z');
    await store.orders.purgeFactsBefore(new Date(cutoff));
    const left = orders.filter((o) => o.purchased_at! >= cutoff);
    const leftKeys = new Set(left.map((o) => o.order_key));
    await sql`delete from label_facts where order_key not in (select order_key from fulfillment_facts)`.execute(k);
    await expectSameAsFacts(store, left, [...kept, added].filter((l) => leftKeys.has(l.order_key)));
  }, 60_000);
});
