import { localDay } from '../domain/wall-clock';
import type { Database } from '../store/db';
import type { Store } from '../store/store';
import { addDays, midnight } from './period';

/**
 * Made-up fulfillment history, for the sandbox (30 days, so the first digest looks real) and
 * the report bench (a million orders over 400 days): orders through the day with a weekend dip,
 * three carriers at different prices, a few late, cancelled, split and voided, and one bad day
 * when labels came late. Deterministic for a seed.
 */

export interface HistoryOptions {
  /** The last day of history (in `timeZone`); it runs `days` days up to and including it. */
  lastDay: string;
  days: number;
  timeZone: string;
  accountId: string;
  currency: string;
  /** Orders on a weekday; weekends get about half. */
  ordersPerWeekday: number;
  /** Days back from `lastDay` that went badly (labels late). */
  badDaysAgo?: number[];
  seed?: number;
}

export interface HistoryBatch {
  orders: Array<Database['fulfillment_facts']>;
  labels: Array<Database['label_facts']>;
}

const CARRIERS = [
  { carrier: 'stamps_com', service: 'usps_priority_mail', cost: 7.4, spread: 2.2, share: 0.5 },
  { carrier: 'ups', service: 'ups_ground', cost: 10.9, spread: 2.6, share: 0.35 },
  { carrier: 'fedex', service: 'fedex_home_delivery', cost: 13.2, spread: 3, share: 0.15 },
] as const;

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const H = 3_600_000;
const MIN = 60_000;

/** History, a day per batch, oldest first. */
export function* history(o: HistoryOptions): Generator<HistoryBatch> {
  const r = random(o.seed ?? 7);
  const bad = new Set(o.badDaysAgo ?? []);
  for (let back = o.days - 1; back >= 0; back--) {
    const day = addDays(o.lastDay, -back);
    const start = midnight(day, o.timeZone);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    const count = Math.round(o.ordersPerWeekday * (weekend ? 0.5 : 1) * (0.9 + r() * 0.2));
    const batch: HistoryBatch = { orders: [], labels: [] };
    for (let i = 0; i < count; i++) {
      const id = `${day.replace(/-/g, '').slice(2)}${String(i).padStart(5, '0')}`;
      const amazonOrderId = `114-${id.slice(0, 7)}-${id.slice(7).padStart(7, '0')}`;
      const orderKey = `${o.accountId}:${amazonOrderId}`;
      // Busier in the afternoon and evening.
      const purchasedAt = start + Math.floor((6 + Math.sqrt(r()) * 17.5) * H);
      const shipBy = purchasedAt + Math.floor((20 + r() * 10) * H);
      const cancelled = r() < 0.02;
      const slow = bad.has(back) ? r() < 0.35 : r() < 0.03;
      const labelAt = cancelled ? null : purchasedAt + Math.floor((slow ? 24 + r() * 20 : 1 + r() * 14) * H);
      const confirmedAt = labelAt === null ? null : labelAt + Math.floor((2 + r() * (r() < 0.05 ? 300 : 25)) * MIN);
      const units = 1 + (r() < 0.25 ? 1 : 0) + (r() < 0.08 ? 2 : 0);
      const pick = r();
      const c = pick < CARRIERS[0].share ? CARRIERS[0] : pick < CARRIERS[0].share + CARRIERS[1].share ? CARRIERS[1] : CARRIERS[2];
      batch.orders.push({
        order_key: orderKey,
        account_id: o.accountId,
        amazon_order_id: amazonOrderId,
        marketplace_id: null,
        currency: o.currency,
        is_prime: r() < 0.3 ? 1 : 0,
        units,
        purchased_at: purchasedAt,
        ship_by: shipBy,
        imported_at: purchasedAt + 30_000,
        cancelled_at: cancelled ? purchasedAt + Math.floor(r() * 6 * H) : null,
        first_label_at: labelAt,
        confirmed_at: confirmedAt,
        carrier_code: labelAt === null ? null : c.carrier,
        service_code: labelAt === null ? null : c.service,
        warehouse_id: null,
        label_cost: null,
        late: confirmedAt === null ? null : confirmedAt > shipBy ? 1 : 0,
        updated_at: confirmedAt ?? purchasedAt,
      });
      if (labelAt === null) continue;
      const cost = (n: number) => Math.round((c.cost + (r() - 0.5) * c.spread) * n * 100) / 100;
      const label = (suffix: string, createdAt: number, u: number, live: boolean, confirmed: number | null) =>
        batch.labels.push({ label_id: `shipment:${id}${suffix}`, order_key: orderKey, account_id: o.accountId, created_at: createdAt, confirmed_at: confirmed, carrier_code: c.carrier, service_code: c.service, cost: cost(1), units: u, live: live ? 1 : 0, currency: o.currency });
      // A label voided before it was confirmed, then printed again.
      if (r() < 0.02) label('v', labelAt - 20 * MIN, units, false, null);
      if (units > 1 && r() < 0.15) {
        label('a', labelAt, 1, true, confirmedAt);
        const second = labelAt + Math.floor(r() * 3 * H);
        label('b', second, units - 1, true, second + Math.floor((2 + r() * 25) * MIN));
      } else label('', labelAt, units, true, confirmedAt);
    }
    yield batch;
  }
}

/**
 * The sandbox's last 30 days, written once (the same keys each start, so a restart adds
 * nothing): the digest and the chart have a month behind them from the first `npm start`.
 */
export async function backfillSandboxHistory(store: Store, o: { now: Date; timeZone: string; accountId: string; currency: string }): Promise<void> {
  const lastDay = addDays(localDay(o.now.getTime(), o.timeZone), -1);
  for (const batch of history({ lastDay, days: 30, timeZone: o.timeZone, accountId: o.accountId, currency: o.currency, ordersPerWeekday: 120, badDaysAgo: [9], seed: 30 })) {
    await store.reports.importFacts(batch.orders, batch.labels);
  }
}
