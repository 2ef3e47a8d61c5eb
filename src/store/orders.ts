import { sql, type Kysely } from 'kysely';
import type { Database } from './db';
import { DocTable, ms, putDoc, type DocShape, type Exec } from './doc-table';
import { BuyerData, OrderRecord, type OrderState } from './records';
import { currencyOfMarketplace, writeOrderCurrency } from './report-facts';
import { addToShippedRollup, keepShippedRollup } from './inventory-rollups';

/**
 * Orders as Dockhand holds them, and what hangs off each: its lines (SKU, quantity, ship time,
 * for velocity per SKU), the Amazon SKUs it could not map, and the order's side of its
 * fulfillment facts. One write keeps them together, in one transaction.
 */

/**
 * Imported and still expected to ship: the condition of the partial index `orders_open_by_ship_by`,
 * written as literals, because SQLite uses a partial index only when the query's WHERE visibly
 * implies the index's, and a bound parameter proves nothing.
 */
const IMPORTED_AND_OPEN = sql<boolean>`state = 'sent' and amazon_status in ('unshipped', 'partially_shipped')`;
/** What sync did not put in ShipStation on purpose: pending, quarantined (alerted already), FBA. */
const NOT_IN_SHIPSTATION: OrderState[] = ['held', 'quarantined', 'skipped'];

export const ORDER_SHAPE: DocShape<typeof OrderRecord> = {
  table: 'orders',
  keyColumn: 'key',
  schema: OrderRecord,
  name: 'order',
  columns: (_key, r) => ({
    account_id: r.accountId,
    amazon_order_id: r.amazonOrderId,
    state: r.state,
    amazon_status: r.amazonStatus,
    ship_by: ms(r.shipByLatest),
    first_seen_at: ms(r.firstSeenAt) ?? 0,
    last_updated_time: ms(r.lastUpdatedTime) ?? 0,
    closed_at: ms(r.closedAt),
    cancel_requested: r.cancelRequested ? 1 : 0,
    is_prime: r.isPrime ? 1 : 0,
    shipstation_order_id: r.shipstationOrderId ?? null,
    units: (r.items ?? []).reduce((n, i) => n + i.quantityOrdered, 0),
  }),
};

/** The whole order, sealed (buyer data at rest), apart from its record: dropped after retention. */
export const BUYER_DATA_SHAPE: DocShape<typeof BuyerData> = {
  table: 'buyer_data',
  keyColumn: 'order_key',
  schema: BuyerData,
  name: 'buyer data',
  columns: () => ({}),
};

/** Writes an order record with its lines, unmapped SKUs and facts; `exec` is a transaction or a migration. */
export async function writeOrder(exec: Exec, key: string, record: OrderRecord, now: number): Promise<void> {
  await putDoc(exec, ORDER_SHAPE, key, record);
  const shippedAt = record.amazonStatus === 'shipped' ? ms(record.closedAt) : null;
  const items = record.items ?? [];
  // One statement for all the lines: sync writes every order twice (in flight, then sent), and
  // each statement Kysely builds and compiles is garbage the import has to collect.
  if (items.length > 0) {
    await exec
      .insertInto('order_lines')
      .values(
        items.map((item) => ({
          order_key: key,
          order_item_id: item.orderItemId,
          quantity: item.quantityOrdered,
          quantity_shipped: item.quantityShipped ?? 0,
          amazon_sku: item.amazonSku ?? null,
          sku: item.sku ?? null,
          shipped_at: shippedAt,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['order_key', 'order_item_id']).doUpdateSet({
          quantity: sql`excluded.quantity`,
          quantity_shipped: sql`excluded.quantity_shipped`,
          amazon_sku: sql`coalesce(excluded.amazon_sku, order_lines.amazon_sku)`,
          sku: sql`coalesce(excluded.sku, order_lines.sku)`,
        }),
      )
      .execute();
  }
  // Shipped outside a label Dockhand saw (Amazon says so): its lines shipped when Amazon closed it.
  if (shippedAt !== null) await exec.updateTable('order_lines').set({ shipped_at: shippedAt }).where('order_key', '=', key).where('shipped_at', 'is', null).execute();

  await exec.deleteFrom('order_unmapped_skus').where('order_key', '=', key).execute();
  const unmapped = [...new Set(record.unmappedSkus)];
  if (unmapped.length > 0) await exec.insertInto('order_unmapped_skus').values(unmapped.map((amazon_sku) => ({ order_key: key, amazon_sku }))).execute();

  // Amazon-fulfilled orders are not ours to count.
  if (record.fulfilledBy === 'amazon') return;
  const orderFacts = orderFactsOf(record, now);
  await exec
    .insertInto('fulfillment_facts')
    .values({ order_key: key, account_id: record.accountId, amazon_order_id: record.amazonOrderId, ...orderFacts })
    .onConflict((oc) => oc.column('order_key').doUpdateSet({ ...orderFacts, late: lateOf('fulfillment_facts.confirmed_at', 'excluded.ship_by') }))
    .execute();
}

/** The order's side of its fulfillment facts. */
function orderFactsOf(record: OrderRecord, now: number) {
  const cancelled = record.state === 'cancelled' || record.amazonStatus === 'cancelled';
  return {
    marketplace_id: record.marketplaceId ?? null,
    is_prime: record.isPrime ? 1 : 0,
    units: (record.items ?? []).reduce((n, i) => n + i.quantityOrdered, 0),
    purchased_at: ms(record.createdTime ?? record.firstSeenAt),
    ship_by: ms(record.shipByLatest),
    imported_at: ms(record.sentAt),
    cancelled_at: cancelled ? (ms(record.closedAt) ?? now) : null,
    updated_at: now,
  };
}

/**
 * `late`: Amazon accepted the first confirmation after the latest ship date (null until both are
 * known), from the two columns named. Set in the same upsert that changes either of them (a new
 * row has no confirmation and ship date both, so it starts null).
 */
export function lateOf(confirmedAt: string, shipBy: string) {
  const c = sql.ref(confirmedAt);
  const s = sql.ref(shipBy);
  return sql<number | null>`case when ${c} is null or ${s} is null then null when ${c} > ${s} then 1 else 0 end`;
}

async function deleteOrderRows(exec: Exec, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await exec.deleteFrom('order_lines').where('order_key', 'in', keys).execute();
  await exec.deleteFrom('order_unmapped_skus').where('order_key', 'in', keys).execute();
  await exec.deleteFrom('buyer_data').where('order_key', 'in', keys).execute();
  await exec.deleteFrom('orders').where('key', 'in', keys).execute();
}

/** An open order as the deadline guard weighs it. */
export interface OpenDeadline {
  accountId: string;
  amazonOrderId: string;
  shipByLatest?: string;
  isPrime: boolean;
  amazonStatus: string;
  cancelRequested: boolean;
  shipstationOrderId?: number;
  unitsOrdered: number;
  /** Units on labels Amazon accepted. */
  unitsConfirmed: number;
  /** The tightest stage escalated so far: lead minutes, 0 once reported late. */
  escalatedAtLead?: number;
}

export interface OrderCountsRow {
  accountId: string;
  state: OrderState;
  count: number;
}

export class OrderRepository extends DocTable<typeof OrderRecord> {
  constructor(
    db: Kysely<Database>,
    private readonly clock: () => number,
  ) {
    super(db, ORDER_SHAPE);
  }

  override async set(key: string, record: OrderRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await keepShippedRollup(trx, [key], () => writeOrder(trx, key, record, this.clock()));
      // The reports' side (migration 0005), apart from writeOrder, which migration 0003 also runs on the older schema.
      if (record.fulfilledBy !== 'amazon') await writeOrderCurrency(trx, key, currencyOfMarketplace(record.marketplaceId));
    });
  }

  /**
   * Adds many orders not in the store yet with multi-row inserts, a batch per transaction (a
   * bulk load: benchmarks, imports). An order already there is left as it is.
   */
  async importMany(entries: Array<[string, OrderRecord]>, batch = 200): Promise<void> {
    const now = this.clock();
    for (let i = 0; i < entries.length; i += batch) {
      const part = entries.slice(i, i + batch).map(([key, r]) => [key, OrderRecord.parse(r)] as const);
      await this.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('orders')
          .values(part.map(([key, r]) => ({ key, ...(ORDER_SHAPE.columns(key, r) as Omit<Database['orders'], 'key' | 'doc'>), doc: JSON.stringify(r) })))
          .onConflict((oc) => oc.column('key').doNothing())
          .execute();
        const lines = part.flatMap(([key, r]) =>
          (r.items ?? []).map((item) => ({
            order_key: key,
            order_item_id: item.orderItemId,
            amazon_sku: item.amazonSku ?? null,
            sku: item.sku ?? null,
            quantity: item.quantityOrdered,
            quantity_shipped: item.quantityShipped ?? 0,
            shipped_at: r.amazonStatus === 'shipped' ? ms(r.closedAt) : null,
          })),
        );
        if (lines.length > 0) await addToShippedRollup(trx, await trx.insertInto('order_lines').values(lines).onConflict((oc) => oc.columns(['order_key', 'order_item_id']).doNothing()).returning(['sku', 'shipped_at', 'quantity']).execute());
        const facts = part.filter(([, r]) => r.fulfilledBy !== 'amazon').map(([key, r]) => ({ order_key: key, account_id: r.accountId, amazon_order_id: r.amazonOrderId, ...orderFactsOf(r, now), currency: currencyOfMarketplace(r.marketplaceId) }));
        if (facts.length > 0) await trx.insertInto('fulfillment_facts').values(facts).onConflict((oc) => oc.column('order_key').doNothing()).execute();
      });
    }
  }

  override async delete(key: string): Promise<boolean> {
    const existed = (await this.get(key)) !== undefined;
    await this.db.transaction().execute(async (trx) => {
      await keepShippedRollup(trx, [key], () => deleteOrderRows(trx, [key]));
      await trx.deleteFrom('fulfillment_facts').where('order_key', '=', key).execute();
    });
    return existed;
  }

  private async pick(query: { execute(): Promise<Array<{ key: string; doc: string }>> }): Promise<OrderRecord[]> {
    return this.parseRows(await query.execute());
  }

  /**
   * What the deadline guard weighs of each imported order Amazon still expects to ship that is
   * due before `before` (late ones included) or whose buyer asked to cancel: from the covering
   * index and the ledger's confirmed units, without reading the orders' documents.
   */
  async openDeadlines(before: Date, limit = 20_000): Promise<OpenDeadline[]> {
    return this.deadlines((o) => o.where('o.ship_by', '<', before.getTime()), limit);
  }

  /**
   * The open orders the deadline guard has something to decide about at `now`: those whose
   * ship-by has come within a stage (`leadsMinutes`, then late) tighter than the one already
   * escalated, plus open cancel requests. An order escalated at its current stage is skipped in
   * the index, so the guard's work follows what changed, not how many orders are open.
   */
  async deadlinesToDecide(now: Date, leadsMinutes: number[], limit = 20_000): Promise<OpenDeadline[]> {
    const leads = [...new Set(leadsMinutes.filter((l) => l > 0))].sort((a, b) => b - a);
    const at = (minutes: number) => now.getTime() + minutes * 60_000;
    return this.deadlines(
      (o) =>
        o.where((eb) =>
          eb.or([
            // Never escalated (or at a stage no longer configured): from the widest lead on.
            eb.and([eb.or([eb('o.escalated_at_lead', 'is', null), eb('o.escalated_at_lead', 'not in', [...leads, 0])]), eb('o.ship_by', '<', at(leads[0] ?? 0))]),
            // Escalated at a lead: once the next tighter lead (or the deadline) is reached.
            ...leads.map((lead, i) => eb.and([eb('o.escalated_at_lead', '=', lead), eb('o.ship_by', '<', at(leads[i + 1] ?? 0))])),
          ]),
        ),
      limit,
    );
  }

  /** Records the stage each order was escalated at (lead minutes, 0 for late). */
  async markEscalated(stages: Array<{ orderKey: string; leadMinutes: number }>): Promise<void> {
    const byStage = new Map<number, string[]>();
    for (const s of stages) byStage.set(s.leadMinutes, [...(byStage.get(s.leadMinutes) ?? []), s.orderKey]);
    for (const [lead, keys] of byStage) {
      for (let i = 0; i < keys.length; i += 500) {
        await this.db.updateTable('orders').set({ escalated_at_lead: lead }).where('key', 'in', keys.slice(i, i + 500)).execute();
      }
    }
  }

  private async deadlines(filter: (q: ReturnType<OrderRepository['openOrders']>) => ReturnType<OrderRepository['openOrders']>, limit: number): Promise<OpenDeadline[]> {
    const project = (q: ReturnType<typeof this.openOrders>) =>
      q
        .select([
          'o.key',
          'o.account_id',
          'o.amazon_order_id',
          'o.ship_by',
          'o.is_prime',
          'o.amazon_status',
          'o.cancel_requested',
          'o.shipstation_order_id',
          'o.units',
          'o.escalated_at_lead',
          (eb) =>
            eb
              .selectFrom('labels as l')
              .select((e) => e.fn.coalesce(e.fn.sum<number>('l.units'), sql<number>`0`).as('n'))
              .whereRef('l.order_key', '=', 'o.key')
              .where('l.state', '=', 'confirmed')
              .as('confirmed_units'),
        ])
        .limit(limit);
    const due = await project(filter(this.openOrders()).orderBy('o.ship_by')).execute();
    const cancels = await project(this.openOrders().where(sql<boolean>`o.cancel_requested = 1`)).execute();
    const byKey = new Map([...due, ...cancels].map((r) => [r.key, r]));
    return [...byKey.values()].map((r) => ({
      accountId: r.account_id,
      amazonOrderId: r.amazon_order_id,
      ...(r.ship_by !== null ? { shipByLatest: new Date(Number(r.ship_by)).toISOString() } : {}),
      isPrime: r.is_prime === 1,
      amazonStatus: r.amazon_status,
      cancelRequested: r.cancel_requested === 1,
      ...(r.shipstation_order_id !== null ? { shipstationOrderId: Number(r.shipstation_order_id) } : {}),
      unitsOrdered: Number(r.units),
      unitsConfirmed: Number(r.confirmed_units ?? 0),
      ...(r.escalated_at_lead !== null ? { escalatedAtLead: Number(r.escalated_at_lead) } : {}),
    }));
  }

  private openOrders() {
    return this.db.selectFrom('orders as o').where(sql<boolean>`o.state = 'sent' and o.amazon_status in ('unshipped', 'partially_shipped')`);
  }

  /** How many imported orders Amazon still expects to ship. */
  async countOpen(): Promise<number> {
    const row = await this.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where(IMPORTED_AND_OPEN)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Orders per account and state, from the running counts (see migration 0002). */
  async countByAccountAndState(accountIds: string[]): Promise<OrderCountsRow[]> {
    if (accountIds.length === 0) return [];
    const rows = await this.db.selectFrom('order_counts').select(['account_id', 'state', 'n']).where('account_id', 'in', accountIds).where('n', '>', 0).execute();
    return rows.map((r) => ({ accountId: r.account_id, state: r.state as OrderState, count: Number(r.n) }));
  }

  /** Orders per account first seen on or after the UTC day of `since`. */
  async countFirstSeenSince(accountIds: string[], since: Date): Promise<Map<string, number>> {
    if (accountIds.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('order_first_seen_counts')
      .select(['account_id', (eb) => eb.fn.sum<number>('n').as('n')])
      .where('account_id', 'in', accountIds)
      .where('day', '>=', Math.floor(since.getTime() / 86_400_000))
      .groupBy('account_id')
      .execute();
    return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.account_id, Number(r.n)]));
  }

  /**
   * An account's orders that reconciliation compares with ShipStation: those sync put there,
   * open on Amazon, or changed on Amazon since `since`.
   */
  async forReconcile(accountId: string, since: Date, limit = 20_000): Promise<OrderRecord[]> {
    const inShipStation = this.db.selectFrom('orders').select(['key', 'doc']).where('account_id', '=', accountId).where('state', 'not in', NOT_IN_SHIPSTATION);
    const open = await inShipStation.where(IMPORTED_AND_OPEN).limit(limit).execute();
    const sending = await inShipStation.where('state', '=', 'in_flight').limit(limit).execute();
    const changed = await inShipStation.where('last_updated_time', '>=', since.getTime()).limit(limit).execute();
    const byKey = new Map([...open, ...sending, ...changed].map((r) => [r.key, r]));
    return this.parseRows([...byKey.values()]);
  }

  /** Orders in ShipStation that carry the Amazon SKU `amazonSku` unmapped, oldest first. */
  withUnmappedSku(amazonSku: string, limit: number): Promise<OrderRecord[]> {
    return this.pick(
      this.db
        .selectFrom('order_unmapped_skus as u')
        .innerJoin('orders as o', 'o.key', 'u.order_key')
        .select(['o.key as key', 'o.doc as doc'])
        .where('u.amazon_sku', '=', amazonSku)
        .where('o.state', '=', 'sent')
        .orderBy('o.first_seen_at')
        .limit(limit),
    );
  }

  /** Drops the sealed buyer data of orders closed before `cutoff`; the records stay. */
  async purgeBuyerDataClosedBefore(cutoff: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('buyer_data')
      .where('order_key', 'in', (eb) => eb.selectFrom('orders').select('key').where('closed_at', 'is not', null).where('closed_at', '<', cutoff.getTime()))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes the records and lines of orders closed before `cutoff` (their facts stay), a batch at a time. */
  async purgeClosedBefore(cutoff: Date, batch = 1_000): Promise<number> {
    let purged = 0;
    for (;;) {
      const keys = (await this.db.selectFrom('orders').select('key').where('closed_at', 'is not', null).where('closed_at', '<', cutoff.getTime()).limit(batch).execute()).map((r) => r.key);
      if (keys.length === 0) return purged;
      await this.db.transaction().execute((trx) => keepShippedRollup(trx, keys, () => deleteOrderRows(trx, keys)));
      purged += keys.length;
    }
  }

  /** Deletes facts about orders purchased before `cutoff`. */
  async purgeFactsBefore(cutoff: Date): Promise<number> {
    const result = await this.db.deleteFrom('fulfillment_facts').where('purchased_at', '<', cutoff.getTime()).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

