import { sql, type Kysely, type RawBuilder } from 'kysely';
import {
  carrierKey,
  dayKey,
  dayOf,
  emptyLabelTally,
  emptyOrderTally,
  emptyPeriodTally,
  labelKey,
  lateCause,
  nearestRank90,
  type OrderTally,
  type ReportWindow,
  type Tallies,
} from '../reports/kpis';
import type { Database } from './db';

/**
 * The KPI tallies of a report window, aggregated in SQL over the fact tables: each question is
 * one grouped query over a covering index (migration 0005_reports), and no order is loaded one
 * by one. Times are grouped into 15-minute buckets from the window's start, and the buckets
 * into the seller's days in code: every zone's midnight falls on a quarter hour of UTC, so a
 * bucket never straddles two days, and the SQL needs no time-zone support (SQLite has none).
 * The definitions these follow are in src/reports/kpis.ts (tallyRows): tests hold both to the
 * same answers.
 */

type Row = Record<string, unknown>;

export interface LateOrder {
  amazonOrderId: string;
  accountId: string;
  shipBy: string;
  cause: 'labelLate' | 'confirmationLate' | 'notShipped';
}
const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const QUARTER_HOUR = 900_000;

export class ReportQueries {
  constructor(private readonly db: Kysely<Database>) {}

  private async rows(query: RawBuilder<Row>): Promise<Row[]> {
    return (await query.execute(this.db)).rows;
  }

  /**
   * Adds facts of orders and labels that have no records (history brought in from elsewhere:
   * the sandbox's 30 days, the report bench), a batch per transaction; rows already there stay.
   */
  async importFacts(orders: Array<Database['fulfillment_facts']>, labels: Array<Database['label_facts']>, batch = 500): Promise<void> {
    for (let i = 0; i < Math.max(orders.length, labels.length); i += batch) {
      await this.db.transaction().execute(async (trx) => {
        const o = orders.slice(i, i + batch);
        const l = labels.slice(i, i + batch);
        if (o.length > 0) await trx.insertInto('fulfillment_facts').values(o).onConflict((oc) => oc.column('order_key').doNothing()).execute();
        if (l.length > 0) await trx.insertInto('label_facts').values(l).onConflict((oc) => oc.column('label_id').doNothing()).execute();
      });
    }
  }

  /** The tallies of `w` (previous period and period), over `accounts` (all when empty). */
  async tallies(w: ReportWindow, accounts: string[] = []): Promise<Tallies> {
    const origin = w.boundaries[0]!;
    const lo = sql.lit(origin);
    const mid = sql.lit(w.boundaries[w.days]!);
    const hi = sql.lit(w.boundaries[2 * w.days]!);
    const now = sql.lit(Math.floor(w.now));
    const step = w.boundaries.every((b) => (b - origin) % QUARTER_HOUR === 0) ? QUARTER_HOUR : 60_000;
    const bucket = (col: string) => sql`(${sql.ref(col)} - ${lo}) / ${sql.lit(step)}`;
    const dayOfBucket = (b: unknown) => dayOf(origin + n(b) * step, w.boundaries);
    const of = (col: string) => (accounts.length > 0 ? sql`and ${sql.ref(col)} in (${sql.join(accounts)})` : sql``);
    const inWindow = (col: string) => sql`${sql.ref(col)} >= ${lo} and ${sql.ref(col)} < ${hi}`;

    const t: Tallies = { days: w.days, orders: new Map(), labels: new Map(), events: new Map(), periods: [emptyPeriodTally(), emptyPeriodTally()] };
    const order = (b: unknown, currency: unknown): OrderTally => {
      const k = dayKey(dayOfBucket(b), (currency as string | null) ?? null);
      let v = t.orders.get(k);
      if (!v) t.orders.set(k, (v = emptyOrderTally()));
      return v;
    };

    for (const r of await this.rows(sql`select ${bucket('purchased_at')} as b, currency, count(*) as n from fulfillment_facts where ${inWindow('purchased_at')} ${of('account_id')} group by 1, 2`)) {
      order(r.b, r.currency).received += n(r.n);
    }
    for (const r of await this.rows(
      sql`select ${bucket('first_label_at')} as b, currency, count(*) as n, sum(first_label_at - purchased_at) as ms, count(purchased_at) as k
          from fulfillment_facts where ${inWindow('first_label_at')} ${of('account_id')} group by 1, 2`,
    )) {
      const o = order(r.b, r.currency);
      o.shipped += n(r.n);
      o.purchaseToLabelMs += n(r.ms);
      o.purchaseToLabelN += n(r.k);
    }
    for (const r of await this.rows(sql`select ${bucket('cancelled_at')} as b, currency, count(*) as n from fulfillment_facts where ${inWindow('cancelled_at')} ${of('account_id')} group by 1, 2`)) {
      order(r.b, r.currency).cancelled += n(r.n);
    }
    // Due (see isDue): the deadline has come or Amazon has the confirmation; cancelled before confirmation is not due.
    const due = sql`(confirmed_at is not null or ship_by < ${now}) and not (cancelled_at is not null and confirmed_at is null)`;
    for (const r of await this.rows(
      sql`select ${bucket('ship_by')} as b, currency, count(*) as due,
            sum(case when confirmed_at <= ship_by then 1 else 0 end) as on_time,
            sum(case when confirmed_at <= ship_by then 0 when first_label_at is null and confirmed_at is null then 1 else 0 end) as not_shipped,
            sum(case when confirmed_at <= ship_by then 0 when first_label_at > ship_by then 1 else 0 end) as label_late
          from fulfillment_facts where ${inWindow('ship_by')} and ${due} ${of('account_id')} group by 1, 2`,
    )) {
      const o = order(r.b, r.currency);
      o.due += n(r.due);
      o.onTime += n(r.on_time);
      o.notShipped += n(r.not_shipped);
      o.labelLate += n(r.label_late);
      o.confirmationLate += n(r.due) - n(r.on_time) - n(r.not_shipped) - n(r.label_late);
    }

    for (const r of await this.rows(
      sql`select ${bucket('l.created_at')} as b, l.currency as currency, l.carrier_code as carrier, l.service_code as service,
            count(*) as shipments, sum(l.cost) as cost, count(l.cost) as costs, sum(l.units) as units
          from label_facts l where l.live = 1 and ${inWindow('l.created_at')} ${of('l.account_id')} group by 1, 2, 3, 4`,
    )) {
      const k = labelKey(dayOfBucket(r.b), (r.currency as string | null) ?? null, r.carrier as string, (r.service as string | null) ?? null);
      const v = t.labels.get(k) ?? emptyLabelTally();
      v.shipments += n(r.shipments);
      v.costSum += n(r.cost);
      v.costN += n(r.costs);
      v.units += n(r.units);
      t.labels.set(k, v);
    }
    // Per carrier: the orders due whose first label was its (see kpis.ts).
    for (const r of await this.rows(
      sql`select case when ship_by < ${mid} then 0 else 1 end as p, currency, carrier_code as carrier, service_code as service,
            count(*) as due, sum(case when confirmed_at <= ship_by then 1 else 0 end) as on_time
          from fulfillment_facts where ${inWindow('ship_by')} and carrier_code is not null and ${due} ${of('account_id')} group by 1, 2, 3, 4`,
    )) {
      t.periods[n(r.p) as 0 | 1].carrierDue.set(carrierKey((r.currency as string | null) ?? null, r.carrier as string, (r.service as string | null) ?? null), { due: n(r.due), onTime: n(r.on_time) });
    }

    for (const r of await this.rows(sql`select ${bucket('at')} as b, kind, count(*) as n from report_events where ${inWindow('at')} ${of('account_id')} group by 1, 2`)) {
      const day = dayOfBucket(r.b);
      const v = t.events.get(day) ?? { quarantined: 0, retried: 0 };
      if (r.kind === 'quarantined' || r.kind === 'retried') v[r.kind] += n(r.n);
      t.events.set(day, v);
    }

    for (const k of [0, 1] as const) {
      const from = sql.lit(w.boundaries[k * w.days]!);
      const to = sql.lit(w.boundaries[(k + 1) * w.days]!);
      const p = t.periods[k];
      p.openAtEnd = await this.openAt(w.boundaries[(k + 1) * w.days]!, accounts);
      let shippedN = 0;
      for (const [key, v] of t.orders) if (((JSON.parse(key) as number[])[0]! < w.days ? 0 : 1) === k) shippedN += v.purchaseToLabelN;
      p.purchaseToLabelP90Ms = await this.nth(
        sql`select first_label_at - purchased_at as v from fulfillment_facts where first_label_at >= ${from} and first_label_at < ${to} and purchased_at is not null ${of('account_id')}`,
        shippedN,
      );
      const confirmed = (await this.rows(sql`select count(*) as n, sum(confirmed_at - created_at) as ms from label_facts where confirmed_at >= ${from} and confirmed_at < ${to} ${of('account_id')}`))[0];
      p.labelToConfirmationN = n(confirmed?.n);
      p.labelToConfirmationMs = n(confirmed?.ms);
      p.labelToConfirmationP90Ms = await this.nth(sql`select confirmed_at - created_at as v from label_facts where confirmed_at >= ${from} and confirmed_at < ${to} ${of('account_id')}`, p.labelToConfirmationN);
    }
    return t;
  }

  /**
   * The late orders among those due in [from, to) (see isDue), latest deadline first, at most
   * `limit`, and how many there are: from the ship-by covering index.
   */
  async lateOrders(from: number, to: number, now: number, accounts: string[] = [], limit = 20): Promise<{ total: number; orders: LateOrder[] }> {
    const of = accounts.length > 0 ? sql`and account_id in (${sql.join(accounts)})` : sql``;
    const late = sql`ship_by >= ${sql.lit(from)} and ship_by < ${sql.lit(to)} and (confirmed_at is not null or ship_by < ${sql.lit(Math.floor(now))})
      and not (cancelled_at is not null and confirmed_at is null) and not (confirmed_at is not null and confirmed_at <= ship_by) ${of}`;
    const total = n((await this.rows(sql`select count(*) as n from fulfillment_facts where ${late}`))[0]?.n);
    const rows = await this.rows(sql`select amazon_order_id, account_id, ship_by, first_label_at, confirmed_at from fulfillment_facts where ${late} order by ship_by desc limit ${sql.lit(limit)}`);
    return {
      total,
      orders: rows.map((r) => ({
        amazonOrderId: String(r.amazon_order_id),
        accountId: String(r.account_id),
        shipBy: new Date(n(r.ship_by)).toISOString(),
        cause: lateCause({ shipBy: n(r.ship_by), firstLabelAt: r.first_label_at === null ? null : n(r.first_label_at), confirmedAt: r.confirmed_at === null ? null : n(r.confirmed_at) }),
      })),
    };
  }

  /** The p90 (nearest rank) of the values `query` selects as `v`, of which there are `count`. */
  private async nth(query: RawBuilder<unknown>, count: number): Promise<number | null> {
    if (count === 0) return null;
    const row = (await this.rows(sql`${query} order by v limit 1 offset ${sql.lit(nearestRank90(count) - 1)}`))[0];
    return row ? n(row.v) : null;
  }

  /**
   * Orders open at `end` (bought before it, neither shipped nor cancelled by then), as three
   * disjoint sets each served by an index: open now, shipped since, and cancelled since without
   * a label. Each costs what happened after `end`, not every order ever bought.
   */
  private async openAt(end: number, accounts: string[]): Promise<number> {
    const e = sql.lit(end);
    const of = accounts.length > 0 ? sql`and account_id in (${sql.join(accounts)})` : sql``;
    // A unary plus keeps SQLite's planner (which has no statistics) off an index for that term,
    // so each count walks the index its set is small in; Postgres reads it as the same value.
    const counts = await Promise.all([
      this.rows(sql`select count(*) as n from fulfillment_facts where first_label_at is null and +cancelled_at is null and +purchased_at < ${e} ${of}`),
      this.rows(sql`select count(*) as n from fulfillment_facts where first_label_at >= ${e} and +purchased_at < ${e} and (+cancelled_at is null or +cancelled_at >= ${e}) ${of}`),
      this.rows(sql`select count(*) as n from fulfillment_facts where cancelled_at >= ${e} and +first_label_at is null and +purchased_at < ${e} ${of}`),
    ]);
    return counts.reduce((sum, r) => sum + n(r[0]?.n), 0);
  }
}
