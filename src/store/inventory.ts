import { sql, type Kysely, type Migration, type RawBuilder } from 'kysely';
import type { Database, Dialect } from './db';
import { addToShippedRollup, dayOf, type InventoryRollupTables } from './inventory-rollups';

/**
 * Inventory's tables and the questions asked of them: stock levels per SKU and warehouse, units
 * shipped per SKU and window (the daily rollup, and `order_lines` for part-days) and units
 * committed per SKU (`order_lines`), aggregated in SQL and joined in one statement; the open
 * orders waiting on a SKU, the last quantity pushed per SKU and marketplace, the productType cache, ERP deliveries (written before they are sent) and their
 * dead letters, and snoozes and reorders from Slack.
 */

type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface InventoryTables extends InventoryRollupTables {
  stock_levels: { sku: string; warehouse: string; on_hand: number; source: string; updated_at: number };
  pushed_quantities: { account_id: string; marketplace_id: string; sku: string; quantity: number; pushed_at: number };
  product_types: { account_id: string; marketplace_id: string; sku: string; product_type: string; fetched_at: number };
  erp_deliveries: {
    id: string;
    sku: string;
    body: string;
    state: string;
    attempts: number;
    created_at: number;
    next_attempt_at: number;
    last_error: string | null;
  };
  stock_snoozes: { sku: string; until: number; by: string };
  stock_reorders: { sku: string; quantity: number; expected_at: string; by: string; at: number };
  stock_states: { sku: string; available: number; status: string; updated_at: number };
}

export function inventoryMigration(_dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      const big = 'bigint' as const;
      await db.schema
        .createTable('stock_levels')
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('warehouse', 'text', (c) => c.notNull())
        .addColumn('on_hand', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('stock_levels_pk', ['sku', 'warehouse'])
        .execute();
      // On hand per SKU for all SKUs, from the index alone.
      await db.schema.createIndex('stock_levels_on_hand').on('stock_levels').columns(['sku', 'on_hand']).execute();
      // Velocity reads shipped lines per SKU and ship time; covering the quantity, no order line
      // row is touched. In SKU order the sums stream out per SKU: measured at 1M lines, walking
      // it beat a ship-time range that then had to sort 700k rows by SKU (bench/inventory.ts).
      await db.schema.createIndex('order_lines_velocity').on('order_lines').columns(['sku', 'shipped_at', 'quantity']).where(sql.ref('shipped_at'), 'is not', null).execute();
      // Committed units: lines of open orders not shipped yet, found from the order side.
      await db.schema.createIndex('order_lines_unshipped_by_order').on('order_lines').columns(['order_key', 'sku', 'quantity']).where(sql.ref('shipped_at'), 'is', null).execute();
      await db.schema
        .createTable('pushed_quantities')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('marketplace_id', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('pushed_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('pushed_quantities_pk', ['account_id', 'marketplace_id', 'sku'])
        .execute();
      await db.schema
        .createTable('product_types')
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('marketplace_id', 'text', (c) => c.notNull())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('product_type', 'text', (c) => c.notNull())
        .addColumn('fetched_at', big, (c) => c.notNull())
        .addPrimaryKeyConstraint('product_types_pk', ['account_id', 'marketplace_id', 'sku'])
        .execute();
      await db.schema
        .createTable('erp_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('sku', 'text', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('next_attempt_at', big, (c) => c.notNull())
        .addColumn('last_error', 'text')
        .execute();
      await db.schema.createIndex('erp_deliveries_due').on('erp_deliveries').columns(['state', 'next_attempt_at']).execute();
      await db.schema
        .createTable('stock_snoozes')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('until', big, (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('stock_reorders')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('quantity', 'integer', (c) => c.notNull())
        .addColumn('expected_at', 'text', (c) => c.notNull())
        .addColumn('by', 'text', (c) => c.notNull())
        .addColumn('at', big, (c) => c.notNull())
        .execute();
      // What each SKU's available quantity and status were when last acted on: a pass acts on what changed.
      await db.schema
        .createTable('stock_states')
        .addColumn('sku', 'text', (c) => c.primaryKey())
        .addColumn('available', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('updated_at', big, (c) => c.notNull())
        .execute();
    },
  };
}

export interface StockLevelInput {
  sku: string;
  onHand: number;
  /** Absent: the SKU's only (default) location. */
  warehouse?: string;
}

export interface OpenOrderForSku {
  accountId: string;
  amazonOrderId: string;
  isPrime: boolean;
  shipByLatest?: string;
  quantity: number;
}

/** Units shipped in the windows ending at a time (as `ShippedUnits` in src/inventory/forecast.ts). */
export interface ShippedUnitsRow {
  units7: number;
  units14: number;
  units30: number;
}

/** What a SKU's forecast is computed from (as `StockFacts` in src/inventory/forecast.ts). */
export interface StockFactsRow {
  sku: string;
  onHand: number;
  committed: number;
  shipped: ShippedUnitsRow;
}

export type ErpDeliveryState = 'pending' | 'delivered' | 'dead';

export interface ErpDelivery {
  id: string;
  sku: string;
  body: string;
  state: ErpDeliveryState;
  attempts: number;
  createdAt: number;
  nextAttemptAt: number;
  lastError?: string;
}

export interface PushedQuantity {
  accountId: string;
  marketplaceId: string;
  sku: string;
  quantity: number;
}

const DEFAULT_WAREHOUSE = '';
const DAY_MS = 86_400_000;
/** Rows per multi-row insert: well under SQLite's and Postgres's parameter limits. */
const BATCH = 500;

/**
 * The windows of `now`: window N is (start, now] with start = now − N days. The rollup answers
 * its whole UTC days, from the day after the one the start falls in to yesterday.
 */
function windowsAt(now: number) {
  const start = (days: number) => now - days * DAY_MS;
  const firstDay = (days: number) => dayOf(start(days)) + 1;
  return { today: dayOf(now), start7: start(7), start14: start(14), start30: start(30), firstDay7: firstDay(7), firstDay14: firstDay(14), firstDay30: firstDay(30) };
}

/**
 * Imported and still expected to ship, as `orders_open_by_ship_by` is defined (literals, so
 * SQLite uses the partial index): orders in ShipStation awaiting shipment or on hold. Pending
 * orders Dockhand held back are `held`, not `sent`, so they are not counted.
 */
const OPEN = sql<boolean>`o.state = 'sent' and o.amazon_status in ('unshipped', 'partially_shipped')`;

export class InventoryStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect = 'sqlite',
  ) {}

  /**
   * Replaces the stock levels given (per SKU and warehouse) and returns the SKUs whose on-hand
   * total changed. `replaceSkus`: the source is complete for these SKUs, so warehouses it no
   * longer names are dropped.
   */
  async putStockLevels(levels: StockLevelInput[], source: string, at: number, opts: { replaceSkus?: boolean } = {}): Promise<string[]> {
    const skus = [...new Set(levels.map((l) => l.sku))];
    if (skus.length === 0) return [];
    return this.db.transaction().execute(async (trx) => {
      const before = await totals(trx, skus);
      if (opts.replaceSkus) for (let i = 0; i < skus.length; i += BATCH) await trx.deleteFrom('stock_levels').where('sku', 'in', skus.slice(i, i + BATCH)).execute();
      // The last entry for a SKU and warehouse wins, as in the file or body it came from.
      const rows = new Map(levels.map((l) => [`${l.sku}\u0000${l.warehouse ?? DEFAULT_WAREHOUSE}`, { sku: l.sku, warehouse: l.warehouse ?? DEFAULT_WAREHOUSE, on_hand: l.onHand, source, updated_at: at }]));
      const values = [...rows.values()];
      for (let i = 0; i < values.length; i += BATCH) {
        await trx
          .insertInto('stock_levels')
          .values(values.slice(i, i + BATCH))
          .onConflict((oc) => oc.columns(['sku', 'warehouse']).doUpdateSet({ on_hand: sql`excluded.on_hand`, source: sql`excluded.source`, updated_at: sql`excluded.updated_at` }))
          .execute();
      }
      const after = await totals(trx, skus);
      return skus.filter((s) => before.get(s) !== after.get(s));
    });
  }

  /** On hand per SKU, summed over warehouses; all SKUs with a level, or those given. */
  async onHand(skus?: string[]): Promise<Map<string, number>> {
    if (skus) return totals(this.db, skus);
    const rows = await this.db.selectFrom('stock_levels').select(['sku', (eb) => eb.fn.sum<number>('on_hand').as('n')]).groupBy('sku').execute();
    return new Map(rows.map((r) => [r.sku, Number(r.n)]));
  }

  /** On hand per warehouse for one SKU. */
  async levelsOf(sku: string): Promise<Array<{ warehouse: string; onHand: number }>> {
    const rows = await this.db.selectFrom('stock_levels').select(['warehouse', 'on_hand']).where('sku', '=', sku).orderBy('warehouse').execute();
    return rows.map((r) => ({ warehouse: r.warehouse, onHand: Number(r.on_hand) }));
  }

  /**
   * Units shipped per SKU in the 7, 14 and 30 days up to `now`: whole days from the rollup, the
   * part-days at the windows' edges from the lines themselves.
   */
  async shippedUnits(now: number, sku?: string): Promise<Map<string, ShippedUnitsRow>> {
    const { rows } = await sql<{ sku: string; u7: number; u14: number; u30: number }>`
      select sku, sum(u7) as u7, sum(u14) as u14, sum(u30) as u30
      from (${this.soldByDaySql(now, sku)} union all ${this.soldAtEdgesSql(now, sku)}) sold
      group by sku`.execute(this.db);
    return new Map(rows.map((r) => [r.sku, { units7: Number(r.u7), units14: Number(r.u14), units30: Number(r.u30) }]));
  }

  /** Units of one SKU shipped per UTC day (`YYYY-MM-DD`), oldest first: the daily rollup. */
  async shippedByDay(sku: string): Promise<Array<{ day: string; units: number }>> {
    const rows = await this.db.selectFrom('shipped_units_by_day').select(['day', 'units']).where('sku', '=', sku).orderBy('day').execute();
    return rows.map((r) => ({ day: new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10), units: Number(r.units) }));
  }

  /** Units per SKU on imported orders not shipped yet (in ShipStation, awaiting shipment or on hold). */
  async committedUnits(sku?: string): Promise<Map<string, number>> {
    const { rows } = await sql<{ sku: string; n: number }>`${this.committedSql(sku)}`.execute(this.db);
    return new Map(rows.map((r) => [r.sku, Number(r.n)]));
  }

  /**
   * On hand, committed and shipped units of every SKU with a stock level (or of the one given,
   * with or without a level), in SKU order: one statement that joins the three aggregates, each
   * read from its own covering index.
   */
  async stockFacts(now: number, sku?: string): Promise<StockFactsRow[]> {
    const n = (v: number | string | null) => (v === null ? 0 : Number(v));
    // Read whole, not streamed: Kysely streams SQLite one row per await, which cost a third more
    // CPU than the pass itself at 50,000 SKUs (bench/inventory.ts); the rows are a few MB.
    const { rows } = await this.stockFactsSql(now, sku).execute(this.db);
    return rows.map((r) => ({ sku: r.sku, onHand: n(r.on_hand), committed: n(r.committed), shipped: { units7: n(r.d7) + n(r.e7), units14: n(r.d14) + n(r.e14), units30: n(r.d30) + n(r.e30) } }));
  }

  /**
   * SQLite: driven by the stock levels in SKU order (their covering index, grouped as it is
   * walked, so nothing is sorted); each SKU's whole days are summed by a seek into the rollup's
   * primary key per window, reading only the window's days however long the history. Postgres
   * runs such subqueries once per row, slowly (measured 3x): there the rollup's window is
   * aggregated once and merge-joined like the rest. The part-days and the committed units are
   * small aggregates joined on SKU on both.
   */
  private stockFactsSql(now: number, sku?: string) {
    const w = windowsAt(now);
    const levels = sku !== undefined ? sql`(select cast(${sku} as text) as sku, coalesce((select sum(on_hand) from stock_levels where sku = ${sku}), 0) as on_hand)` : sql`stock_levels`;
    const days = (firstDay: number) => sql`(select sum(units) from shipped_units_by_day r where r.sku = s.sku and r.day >= ${firstDay} and r.day < ${w.today})`;
    const sold =
      this.dialect === 'sqlite'
        ? { columns: sql`${days(w.firstDay7)} as d7, ${days(w.firstDay14)} as d14, ${days(w.firstDay30)} as d30`, join: sql`` }
        : { columns: sql`max(d.u7) as d7, max(d.u14) as d14, max(d.u30) as d30`, join: sql`left join (${this.soldByDaySql(now, sku)}) d on d.sku = s.sku` };
    return sql<{ sku: string; on_hand: number; committed: number | null; d7: number | null; d14: number | null; d30: number | null; e7: number | null; e14: number | null; e30: number | null }>`
      select s.sku, sum(s.on_hand) as on_hand, max(c.n) as committed, ${sold.columns},
        max(e.u7) as e7, max(e.u14) as e14, max(e.u30) as e30
      from ${levels} s
      ${sold.join}
      left join (${this.soldAtEdgesSql(now, sku)}) e on e.sku = s.sku
      left join (${this.committedSql(sku)}) c on c.sku = s.sku
      group by s.sku
      order by s.sku`;
  }

  /**
   * Whole UTC days of each window from the rollup: window N (now − N days, now] holds the days
   * after the one its start falls in, up to yesterday; the rest is `soldAtEdgesSql`'s.
   */
  private soldByDaySql(now: number, sku?: string) {
    const w = windowsAt(now);
    const oneSku = sku !== undefined ? sql`and sku = ${sku}` : sql``;
    return sql`select sku,
        sum(case when day >= ${w.firstDay7} then units else 0 end) as u7,
        sum(case when day >= ${w.firstDay14} then units else 0 end) as u14,
        sum(units) as u30
      from shipped_units_by_day
      where day >= ${w.firstDay30} and day < ${w.today} ${oneSku}
      group by sku`;
  }

  /**
   * The part-days the rollup does not answer, from the lines by ship time: today up to `now`
   * (every window), and for each window the rest of the day its start falls in, after the start.
   * Each range is under a day of lines, read from the (shipped_at, sku, quantity) index.
   */
  private soldAtEdgesSql(now: number, sku?: string) {
    const w = windowsAt(now);
    // One SKU: its own lines by SKU and ship time; all SKUs: the ranges by ship time.
    const lines = sql.raw(this.dialect !== 'sqlite' ? 'order_lines' : sku !== undefined ? 'order_lines indexed by order_lines_by_sku_shipped' : 'order_lines indexed by order_lines_by_ship_time');
    const oneSku = sku !== undefined ? sql`and sku = ${sku}` : sql`and sku is not null`;
    const range = (window: number, from: RawBuilder<boolean>) => sql`select sku, quantity, ${sql.lit(window)} as w from ${lines} where ${from} ${oneSku}`;
    return sql`select sku,
        sum(case when w in (0, 7) then quantity else 0 end) as u7,
        sum(case when w in (0, 14) then quantity else 0 end) as u14,
        sum(case when w in (0, 30) then quantity else 0 end) as u30
      from (
        ${range(0, sql`shipped_at >= ${w.today * DAY_MS} and shipped_at <= ${now}`)}
        union all ${range(7, sql`shipped_at > ${w.start7} and shipped_at < ${w.firstDay7 * DAY_MS}`)}
        union all ${range(14, sql`shipped_at > ${w.start14} and shipped_at < ${w.firstDay14 * DAY_MS}`)}
        union all ${range(30, sql`shipped_at > ${w.start30} and shipped_at < ${w.firstDay30 * DAY_MS}`)}
      ) edges
      group by sku`;
  }

  /**
   * Committed units per SKU: from the open orders (their partial index) to their unshipped lines
   * (theirs). SQLite, left to itself, walked every line by SKU instead, 2.6 s at a million lines.
   */
  private committedSql(sku?: string) {
    const lines = sql.raw(this.dialect === 'sqlite' ? 'order_lines indexed by order_lines_unshipped_by_order' : 'order_lines');
    const oneSku = sku !== undefined ? sql`and sku = ${sku}` : sql``;
    return sql`select sku, sum(quantity) as n from ${lines}
      where shipped_at is null and sku is not null ${oneSku}
        and order_key in (select o.key from orders o where ${OPEN})
      group by sku`;
  }

  /** Open orders waiting on `sku`, Prime first, then by ship-by. */
  async openOrdersFor(sku: string, limit = 50): Promise<OpenOrderForSku[]> {
    const rows = await this.db
      .selectFrom('orders as o')
      .innerJoin('order_lines as l', 'l.order_key', 'o.key')
      .select(['o.account_id', 'o.amazon_order_id', 'o.is_prime', 'o.ship_by', sql<number>`sum(l.quantity)`.as('quantity')])
      .where(OPEN)
      .where('l.shipped_at', 'is', null)
      .where('l.sku', '=', sku)
      .groupBy(['o.account_id', 'o.amazon_order_id', 'o.is_prime', 'o.ship_by'])
      .orderBy('o.is_prime', 'desc')
      // SQLite sorts nulls first and Postgres last: say which.
      .orderBy(sql`case when o.ship_by is null then 1 else 0 end`)
      .orderBy('o.ship_by')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      accountId: r.account_id,
      amazonOrderId: r.amazon_order_id,
      isPrime: r.is_prime === 1,
      ...(r.ship_by !== null ? { shipByLatest: new Date(Number(r.ship_by)).toISOString() } : {}),
      quantity: Number(r.quantity),
    }));
  }

  /**
   * Shipped lines from before Dockhand held the orders (a sales history brought in, the sandbox's
   * first start): velocity counts them; no order record goes with them. Idempotent by `id`.
   */
  async importShippedHistory(lines: Array<{ id: string; sku: string; quantity: number; shippedAt: number }>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const inserted: Array<{ sku: string | null; shipped_at: number | null; quantity: number }> = [];
      for (let i = 0; i < lines.length; i += BATCH) {
        const rows = await trx
          .insertInto('order_lines')
          .values(lines.slice(i, i + BATCH).map((l) => ({ order_key: `history:${l.id}`, order_item_id: l.id, amazon_sku: null, sku: l.sku, quantity: l.quantity, quantity_shipped: l.quantity, shipped_at: l.shippedAt })))
          .onConflict((oc) => oc.columns(['order_key', 'order_item_id']).doNothing())
          .returning(['sku', 'shipped_at', 'quantity'])
          .execute();
        inserted.push(...rows);
      }
      // Only the lines not there yet count (a repeated import inserts none).
      await addToShippedRollup(trx, inserted);
    });
  }

  // ------------------------------------------------------------------ pushes to Amazon

  /** The last quantity pushed per SKU for one account and marketplace. */
  async lastPushed(accountId: string, marketplaceId: string, skus?: string[]): Promise<Map<string, number>> {
    const q = this.db.selectFrom('pushed_quantities').select(['sku', 'quantity']).where('account_id', '=', accountId).where('marketplace_id', '=', marketplaceId);
    const out = new Map<string, number>();
    if (!skus) {
      for (const r of await q.execute()) out.set(r.sku, Number(r.quantity));
      return out;
    }
    for (let i = 0; i < skus.length; i += BATCH) for (const r of await q.where('sku', 'in', skus.slice(i, i + BATCH)).execute()) out.set(r.sku, Number(r.quantity));
    return out;
  }

  async recordPushed(pushed: PushedQuantity[], at: number): Promise<void> {
    for (let i = 0; i < pushed.length; i += BATCH) {
      await this.db
        .insertInto('pushed_quantities')
        .values(pushed.slice(i, i + BATCH).map((p) => ({ account_id: p.accountId, marketplace_id: p.marketplaceId, sku: p.sku, quantity: p.quantity, pushed_at: at })))
        .onConflict((oc) => oc.columns(['account_id', 'marketplace_id', 'sku']).doUpdateSet({ quantity: sql`excluded.quantity`, pushed_at: sql`excluded.pushed_at` }))
        .execute();
    }
  }

  async productType(accountId: string, marketplaceId: string, sku: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('product_types').select('product_type').where('account_id', '=', accountId).where('marketplace_id', '=', marketplaceId).where('sku', '=', sku).executeTakeFirst();
    return r?.product_type;
  }

  async putProductType(accountId: string, marketplaceId: string, sku: string, productType: string, at: number): Promise<void> {
    await this.db
      .insertInto('product_types')
      .values({ account_id: accountId, marketplace_id: marketplaceId, sku, product_type: productType, fetched_at: at })
      .onConflict((oc) => oc.columns(['account_id', 'marketplace_id', 'sku']).doUpdateSet({ product_type: productType, fetched_at: at }))
      .execute();
  }

  // ------------------------------------------------------------------ ERP deliveries

  /** Writes deliveries before any is sent (durable before visible). */
  async enqueueDeliveries(deliveries: Array<Pick<ErpDelivery, 'id' | 'sku' | 'body'>>, at: number): Promise<void> {
    for (let i = 0; i < deliveries.length; i += BATCH) {
      await this.db
        .insertInto('erp_deliveries')
        .values(deliveries.slice(i, i + BATCH).map((d) => ({ id: d.id, sku: d.sku, body: d.body, state: 'pending', attempts: 0, created_at: at, next_attempt_at: at, last_error: null })))
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
  }

  /** Pending deliveries due at `now`, oldest first. */
  async dueDeliveries(now: number, limit = 100): Promise<ErpDelivery[]> {
    const rows = await this.db.selectFrom('erp_deliveries').selectAll().where('state', '=', 'pending').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').limit(limit).execute();
    return rows.map(toDelivery);
  }

  async deadLetters(limit = 50): Promise<ErpDelivery[]> {
    const rows = await this.db.selectFrom('erp_deliveries').selectAll().where('state', '=', 'dead').orderBy('next_attempt_at', 'desc').limit(limit).execute();
    return rows.map(toDelivery);
  }

  async deliveryById(id: string): Promise<ErpDelivery | undefined> {
    const r = await this.db.selectFrom('erp_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toDelivery(r) : undefined;
  }

  async markDelivered(id: string): Promise<void> {
    await this.db.updateTable('erp_deliveries').set({ state: 'delivered', last_error: null }).where('id', '=', id).execute();
  }

  /** One more failed attempt: tried again at `nextAttemptAt`, or dead-lettered when `dead`. */
  async markAttemptFailed(id: string, error: string, nextAttemptAt: number, dead: boolean): Promise<void> {
    await this.db
      .updateTable('erp_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500), next_attempt_at: nextAttemptAt, state: dead ? 'dead' : 'pending' }))
      .where('id', '=', id)
      .execute();
  }

  /** A dead letter goes back to the queue (Retry in Slack). Returns false when it is not dead. */
  async requeue(id: string, now: number): Promise<boolean> {
    const r = await this.db.updateTable('erp_deliveries').set({ state: 'pending', next_attempt_at: now, attempts: 0, created_at: now }).where('id', '=', id).where('state', '=', 'dead').executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Drops delivered entries older than `before`. */
  async purgeDelivered(before: number): Promise<number> {
    const r = await this.db.deleteFrom('erp_deliveries').where('state', '=', 'delivered').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ------------------------------------------------------------------ last known states

  async states(skus?: string[]): Promise<Map<string, { available: number; status: string }>> {
    const out = new Map<string, { available: number; status: string }>();
    const q = this.db.selectFrom('stock_states').select(['sku', 'available', 'status']);
    const put = (rows: Array<{ sku: string; available: number; status: string }>) => rows.forEach((r) => out.set(r.sku, { available: Number(r.available), status: r.status }));
    if (!skus) put(await q.execute());
    else for (let i = 0; i < skus.length; i += BATCH) put(await q.where('sku', 'in', skus.slice(i, i + BATCH)).execute());
    return out;
  }

  async saveStates(states: Array<{ sku: string; available: number; status: string }>, at: number): Promise<void> {
    for (let i = 0; i < states.length; i += BATCH) {
      await this.db
        .insertInto('stock_states')
        .values(states.slice(i, i + BATCH).map((s) => ({ ...s, updated_at: at })))
        .onConflict((oc) => oc.column('sku').doUpdateSet({ available: sql`excluded.available`, status: sql`excluded.status`, updated_at: sql`excluded.updated_at` }))
        .execute();
    }
  }

  // ------------------------------------------------------------------ snoozes and reorders

  async snooze(sku: string, until: number, by: string): Promise<void> {
    await this.db.insertInto('stock_snoozes').values({ sku, until, by }).onConflict((oc) => oc.column('sku').doUpdateSet({ until, by })).execute();
  }

  /** SKUs snoozed past `now`, with the time. */
  async snoozed(now: number): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('stock_snoozes').select(['sku', 'until']).where('until', '>', now).execute();
    return new Map(rows.map((r) => [r.sku, Number(r.until)]));
  }

  async markReordered(r: { sku: string; quantity: number; expectedAt: string; by: string }, at: number): Promise<void> {
    const values = { sku: r.sku, quantity: r.quantity, expected_at: r.expectedAt, by: r.by, at };
    await this.db.insertInto('stock_reorders').values(values).onConflict((oc) => oc.column('sku').doUpdateSet(values)).execute();
  }

  async reorderOf(sku: string): Promise<{ quantity: number; expectedAt: string; by: string } | undefined> {
    const r = await this.db.selectFrom('stock_reorders').selectAll().where('sku', '=', sku).executeTakeFirst();
    return r ? { quantity: Number(r.quantity), expectedAt: r.expected_at, by: r.by } : undefined;
  }
}

async function totals(exec: Kysely<Database>, skus: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (let i = 0; i < skus.length; i += BATCH) {
    const rows = await exec
      .selectFrom('stock_levels')
      .select(['sku', (eb) => eb.fn.sum<number>('on_hand').as('n')])
      .where('sku', 'in', skus.slice(i, i + BATCH))
      .groupBy('sku')
      .execute();
    for (const r of rows) out.set(r.sku, Number(r.n));
  }
  return out;
}

function toDelivery(r: Database['erp_deliveries']): ErpDelivery {
  return {
    id: r.id,
    sku: r.sku,
    body: r.body,
    state: r.state as ErpDeliveryState,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    nextAttemptAt: Number(r.next_attempt_at),
    ...(r.last_error ? { lastError: r.last_error } : {}),
  };
}
