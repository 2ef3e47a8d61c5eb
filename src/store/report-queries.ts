import { sql, type Kysely, type RawBuilder } from 'kysely';
import { DockhandError } from '../domain/errors';
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
import { binOf, BUCKET_MS, DAY_MS, LATENCIES, type Latency } from './report-rollups';

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

export class ReportQueries {
  constructor(private readonly db: Kysely<Database>) {}

  private async rows(query: RawBuilder<unknown>): Promise<Row[]> {
    return (await query.execute(this.db)).rows as Row[];
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

  /**
   * The tallies of `w` (previous period and period), over `accounts` (all when empty), from the
   * rollups (migration 0009): each question sums the window's buckets, grouped into the seller's
   * days by a list of day boundaries. Only what is due is read from the facts for the bucket the
   * report is made in and after (an order not confirmed becomes due when its deadline passes).
   */
  async tallies(w: ReportWindow, accounts: string[] = []): Promise<Tallies> {
    if (w.boundaries.some((b) => b % BUCKET_MS !== 0)) {
      throw new DockhandError('report.invalid_period', `the report's days do not start on a quarter hour of UTC (${new Date(w.boundaries.find((b) => b % BUCKET_MS !== 0)!).toISOString()})`, {
        hint: 'Set reports.timeZone to a zone whose offset from UTC is a whole number of quarter hours (every zone in use today is).',
      });
    }
    const bucketOf = (t: number) => Math.floor(t / BUCKET_MS);
    const days = sql.raw(w.boundaries.slice(0, -1).map((b, i) => `(${i}, ${bucketOf(b)}, ${bucketOf(w.boundaries[i + 1]!)})`).join(', '));
    // The window's days as (day, first bucket, bucket after): each rollup row joins the day it falls in.
    const byDay = (table: string, columns: RawBuilder<unknown>, groups: string[], extra: RawBuilder<unknown> = sql``) =>
      sql`with days (day, lo, hi) as (values ${days})
          select d.day as day, ${columns} from days d join ${sql.table(table)} r on r.bucket >= d.lo and r.bucket < d.hi ${extra} ${this.of('r.account_id', accounts)}
          group by d.day, ${sql.join(groups.map((g) => sql.ref(`r.${g}`)))}`;
    const nowBucket = bucketOf(w.now);
    const t: Tallies = { days: w.days, orders: new Map(), labels: new Map(), events: new Map(), periods: [emptyPeriodTally(), emptyPeriodTally()] };
    const periodOf = (day: number) => (day < w.days ? 0 : 1);
    const order = (day: number, currency: unknown): OrderTally => {
      const k = dayKey(day, currency as string);
      let v = t.orders.get(k);
      if (!v) t.orders.set(k, (v = emptyOrderTally()));
      return v;
    };

    const from = Math.max(w.boundaries[0]!, nowBucket * BUCKET_MS);
    const hi = w.boundaries[2 * w.days]!;
    const ends = [w.boundaries[w.days]!, hi].map(bucketOf);
    const periods = [0, 1].map((k) => [w.boundaries[k * w.days]!, w.boundaries[(k + 1) * w.days]!] as const);
    // Independent questions, asked at once (Postgres answers them on several connections).
    const [orderRows, dueRows, dueNowRows, labelRows, eventRows, savingRows, openRows, p90s] = await Promise.all([
      this.rows(
        byDay('report_order_rollup', sql`r.currency as currency, sum(received) as received, sum(shipped) as shipped, sum(ptl_ms) as ptl_ms, sum(ptl_n) as ptl_n, sum(cancelled) as cancelled, sum(ltc_ms) as ltc_ms, sum(ltc_n) as ltc_n`, ['currency']),
      ),
      // Buckets wholly before the report is made: every order not confirmed there is past its deadline, so due.
      this.rows(
        byDay(
          'report_due_rollup',
          sql`r.currency as currency, r.carrier_code as carrier, r.service_code as service,
              sum(on_time + conf_label_late + conf_confirmation_late + open_not_shipped + open_label_late + open_confirmation_late) as due,
              sum(on_time) as on_time, sum(conf_label_late + open_label_late) as label_late, sum(open_not_shipped) as not_shipped`,
          ['currency', 'carrier_code', 'service_code'],
          sql`and r.bucket < ${sql.lit(nowBucket)}`,
        ),
      ),
      // The bucket the report is made in, and later: due as isDue decides, from the facts.
      from >= hi
        ? Promise.resolve([])
        : this.rows(
            sql`select ship_by / ${sql.lit(BUCKET_MS)} as b, coalesce(currency, '') as currency, coalesce(carrier_code, '') as carrier, coalesce(service_code, '') as service, count(*) as due,
                  sum(case when confirmed_at <= ship_by then 1 else 0 end) as on_time,
                  sum(case when confirmed_at <= ship_by then 0 when first_label_at is null and confirmed_at is null then 1 else 0 end) as not_shipped,
                  sum(case when confirmed_at <= ship_by then 0 when first_label_at > ship_by then 1 else 0 end) as label_late
                from fulfillment_facts
                where ship_by >= ${sql.lit(from)} and ship_by < ${sql.lit(hi)} and (confirmed_at is not null or ship_by < ${sql.lit(Math.floor(w.now))})
                  and not (cancelled_at is not null and confirmed_at is null) ${this.of('account_id', accounts)}
                group by 1, 2, 3, 4`,
          ),
      this.rows(
        byDay('report_label_rollup', sql`r.currency as currency, r.carrier_code as carrier, r.service_code as service, sum(shipments) as shipments, sum(cost_sum) as cost, sum(cost_n) as costs, sum(units) as units`, ['currency', 'carrier_code', 'service_code']),
      ),
      this.rows(sql`select at, kind from report_events where at >= ${sql.lit(w.boundaries[0]!)} and at < ${sql.lit(hi)} ${this.of('account_id', accounts)}`),
      // Rate shopping's choices (few: only the orders a rule sent to it), by rate_choices_by_state_requested.
      this.rows(
        sql`select case when c.requested_at < ${sql.lit(w.boundaries[w.days]!)} then 0 else 1 end as p, coalesce(f.currency, '') as currency, count(*) as n, sum(c.saving) as saving
            from rate_choices c left join fulfillment_facts f on f.order_key = c.order_key
            where c.state = 'chosen' and c.requested_at >= ${sql.lit(w.boundaries[0]!)} and c.requested_at < ${sql.lit(hi)} ${this.of('c.account_id', accounts)}
            group by 1, 2`,
      ),
      // Open at a period's end: bought before it, less those shipped or cancelled before it.
      this.rows(
        sql`select sum(case when bucket < ${sql.lit(ends[0]!)} then received - closed else 0 end) as previous, sum(received - closed) as period
            from report_order_rollup where bucket < ${sql.lit(ends[1]!)} ${this.of('account_id', accounts)}`,
      ),
      Promise.all(periods.flatMap(([lo, end]) => [this.p90(LATENCIES.purchaseToLabel, lo, end, accounts), this.p90(LATENCIES.labelToConfirmation, lo, end, accounts)])),
    ]);

    for (const r of orderRows) {
      // A bucket whose facts moved elsewhere stays behind at zero.
      if (['received', 'shipped', 'cancelled', 'ltc_n'].every((c) => n(r[c]) === 0)) continue;
      const o = order(n(r.day), r.currency);
      o.received += n(r.received);
      o.shipped += n(r.shipped);
      o.purchaseToLabelMs += n(r.ptl_ms);
      o.purchaseToLabelN += n(r.ptl_n);
      o.cancelled += n(r.cancelled);
      const p = t.periods[periodOf(n(r.day))];
      p.labelToConfirmationMs += n(r.ltc_ms);
      p.labelToConfirmationN += n(r.ltc_n);
    }
    const addDue = (day: number, r: Row) => {
      if (n(r.due) === 0) return;
      const o = order(day, r.currency);
      o.due += n(r.due);
      o.onTime += n(r.on_time);
      o.labelLate += n(r.label_late);
      o.notShipped += n(r.not_shipped);
      o.confirmationLate += n(r.due) - n(r.on_time) - n(r.label_late) - n(r.not_shipped);
      if (r.carrier === '' || r.carrier === null) return;
      const ck = carrierKey(r.currency as string, r.carrier as string, r.service as string);
      const due = t.periods[periodOf(day)].carrierDue;
      const d = due.get(ck) ?? { due: 0, onTime: 0 };
      d.due += n(r.due);
      d.onTime += n(r.on_time);
      due.set(ck, d);
    };
    for (const r of dueRows) addDue(n(r.day), r);
    for (const r of dueNowRows) addDue(dayOf(n(r.b) * BUCKET_MS, w.boundaries), r);
    for (const r of labelRows) {
      if (n(r.shipments) === 0) continue;
      const k = labelKey(n(r.day), r.currency as string, r.carrier as string, r.service as string);
      const v = t.labels.get(k) ?? emptyLabelTally();
      v.shipments += n(r.shipments);
      v.costSum += n(r.cost);
      v.costN += n(r.costs);
      v.units += n(r.units);
      t.labels.set(k, v);
    }
    for (const r of eventRows) {
      const day = dayOf(n(r.at), w.boundaries);
      const v = t.events.get(day) ?? { quarantined: 0, retried: 0 };
      if (r.kind === 'quarantined' || r.kind === 'retried') v[r.kind] += 1;
      t.events.set(day, v);
    }
    for (const r of savingRows) t.periods[n(r.p) as 0 | 1].savings.set(r.currency as string, { orders: n(r.n), saving: n(r.saving) });
    t.periods[0].openAtEnd = n(openRows[0]?.previous);
    t.periods[1].openAtEnd = n(openRows[0]?.period);
    [t.periods[0].purchaseToLabelP90Ms, t.periods[0].labelToConfirmationP90Ms, t.periods[1].purchaseToLabelP90Ms, t.periods[1].labelToConfirmationP90Ms] = p90s as [number | null, number | null, number | null, number | null];
    return t;
  }

  private of(column: string, accounts: string[]): RawBuilder<unknown> {
    return accounts.length > 0 ? sql`and ${sql.ref(column)} in (${sql.join(accounts)})` : sql``;
  }

  /**
   * The p90 (nearest rank) of a latency over [from, to), exactly: the histogram's whole UTC days
   * and the facts of the part-days at either end give each bin's count; the rank falls in one
   * bin, whose rows in the period are read through the index on the bin and sorted.
   */
  private async p90(l: Latency, from: number, to: number, accounts: string[]): Promise<number | null> {
    const firstDay = Math.ceil(from / DAY_MS);
    const lastDay = Math.floor(to / DAY_MS);
    const counts = new Map<number, number>();
    const add = (rows: Row[]) => {
      for (const r of rows) counts.set(n(r.bin), (counts.get(n(r.bin)) ?? 0) + n(r.n));
    };
    const time = sql.ref(l.time);
    const value = sql.raw(l.value);
    const bin = sql.raw(binOf(l));
    const known = l === LATENCIES.purchaseToLabel ? sql`and purchased_at is not null` : sql``;
    const edges = (ranges: Array<[number, number]>) =>
      sql`select ${bin} as bin, count(*) as n from ${sql.table(l.table)}
          where (${sql.join(ranges.map(([a, b]) => sql`(${time} >= ${sql.lit(a)} and ${time} < ${sql.lit(b)})`), sql` or `)}) ${known} ${this.of('account_id', accounts)} group by 1`;
    if (firstDay < lastDay) {
      add(
        await this.rows(
          sql`select bin, sum(n) as n from report_latency_hist where measure = ${l.measure} and day >= ${sql.lit(firstDay)} and day < ${sql.lit(lastDay)} ${this.of('account_id', accounts)} group by bin`,
        ),
      );
      add(await this.rows(edges([[from, firstDay * DAY_MS], [lastDay * DAY_MS, to]])));
    } else add(await this.rows(edges([[from, to]])));
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    if (total === 0) return null;
    const rank = nearestRank90(total);
    let below = 0;
    for (const b of [...counts.keys()].sort((x, y) => x - y)) {
      const c = counts.get(b)!;
      if (below + c >= rank) {
        const row = (
          await this.rows(
            sql`select ${value} as v from ${sql.table(l.table)} where ${bin} = ${sql.lit(b)} and ${time} >= ${sql.lit(from)} and ${time} < ${sql.lit(to)} ${known} ${this.of('account_id', accounts)}
                order by v limit 1 offset ${sql.lit(rank - below - 1)}`,
          )
        )[0];
        return row ? n(row.v) : null;
      }
      below += c;
    }
    return null;
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

}
