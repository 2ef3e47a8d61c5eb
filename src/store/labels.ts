import type { Kysely } from 'kysely';
import type { Database } from './db';
import { DocTable, ms, putDoc, readDoc, type DocShape, type Exec } from './doc-table';
import { lateOf } from './orders';
import { ConfirmationRecord, OrderLabels, PendingConfirmation, orderRecordKey } from './records';
import { recordLabelQuarantine, writeLabelFact } from './report-facts';
import { keepShippedRollup } from './inventory-rollups';

/**
 * Tracking writeback's ledger: one row per ShipStation label with what Dockhand did with it on
 * Amazon, found by label and by order; the labels seen per order; and the labels waiting to be
 * resent. A label written here also updates its order's fulfillment facts and lines' ship time.
 */

export const LABEL_SHAPE: DocShape<typeof ConfirmationRecord> = {
  table: 'labels',
  keyColumn: 'label_id',
  schema: ConfirmationRecord,
  name: 'confirmation',
  columns: (_key, c) => ({
    order_key: orderRecordKey(c.accountId, c.amazonOrderId),
    account_id: c.accountId,
    state: c.state,
    label_created_at: ms(c.labelCreatedAt) ?? 0,
    confirmed_at: ms(c.confirmedAt),
    units: c.items.reduce((n, i) => n + i.quantity, 0),
  }),
};

/** Writes one ledger entry and brings its order's facts and lines up to date. */
export async function writeLabel(exec: Exec, labelId: string, c: ConfirmationRecord, now: number): Promise<void> {
  await putDoc(exec, LABEL_SHAPE, labelId, c);
  const orderKey = orderRecordKey(c.accountId, c.amazonOrderId);
  const createdAt = ms(c.labelCreatedAt);
  if (c.state !== 'skipped' && !c.voidedAfterConfirm && createdAt !== null) {
    let lines = exec.updateTable('order_lines').set({ shipped_at: createdAt }).where('order_key', '=', orderKey).where('shipped_at', 'is', null);
    if (c.items.length > 0) lines = lines.where('order_item_id', 'in', c.items.map((i) => i.orderItemId));
    await lines.execute();
  }
  if (c.state === 'skipped' || c.voidedAfterConfirm) await reshipLinesFromLiveLabels(exec, orderKey);
  await refreshLabelFacts(exec, orderKey, c.accountId, c.amazonOrderId, now);
}

/**
 * A voided label shipped nothing: each line of its order ships when the first label still live
 * that carries it was created, and is unshipped again when none does (velocity and committed
 * units read these times).
 */
async function reshipLinesFromLiveLabels(exec: Exec, orderKey: string): Promise<void> {
  const rows = await exec.selectFrom('labels').select(['label_id', 'doc']).where('order_key', '=', orderKey).execute();
  const live = rows.map((r) => readDoc(LABEL_SHAPE, r.label_id, r.doc)).filter((l) => l.state !== 'skipped' && !l.voidedAfterConfirm);
  const lines = await exec.selectFrom('order_lines').select(['order_item_id', 'shipped_at']).where('order_key', '=', orderKey).execute();
  for (const line of lines) {
    const times = live
      .filter((l) => l.items.length === 0 || l.items.some((i) => i.orderItemId === line.order_item_id))
      .map((l) => ms(l.labelCreatedAt))
      .filter((t): t is number => t !== null);
    const shippedAt = times.length > 0 ? Math.min(...times) : null;
    if (shippedAt !== (line.shipped_at === null ? null : Number(line.shipped_at))) {
      await exec.updateTable('order_lines').set({ shipped_at: shippedAt }).where('order_key', '=', orderKey).where('order_item_id', '=', line.order_item_id).execute();
    }
  }
}

/** The label side of an order's facts, from every label of the order in the ledger. */
async function refreshLabelFacts(exec: Exec, orderKey: string, accountId: string, amazonOrderId: string, now: number): Promise<void> {
  const rows = await exec.selectFrom('labels').select(['label_id', 'doc']).where('order_key', '=', orderKey).execute();
  const labels = rows.map((r) => readDoc(LABEL_SHAPE, r.label_id, r.doc));
  // Voided labels do not ship anything; the first confirmation Amazon accepted counts even if
  // its label was voided later, because Amazon cannot take it back.
  const live = labels.filter((c) => c.state !== 'skipped' && !c.voidedAfterConfirm).sort((a, b) => a.labelCreatedAt.localeCompare(b.labelCreatedAt));
  const first = live[0];
  const confirmedAt = labels
    .map((c) => c.confirmedAt)
    .filter((t): t is string => t !== undefined)
    .sort()[0];
  const costs = live.map((c) => c.cost).filter((x): x is number => x !== undefined);
  const labelFacts = {
    first_label_at: ms(first?.labelCreatedAt),
    confirmed_at: ms(confirmedAt),
    carrier_code: first?.carrierCode ?? null,
    service_code: first?.serviceCode ?? null,
    warehouse_id: first?.warehouseId ?? null,
    label_cost: costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : null,
    updated_at: now,
  };
  await exec
    .insertInto('fulfillment_facts')
    .values({ order_key: orderKey, account_id: accountId, amazon_order_id: amazonOrderId, is_prime: 0, units: 0, ...labelFacts })
    .onConflict((oc) => oc.column('order_key').doUpdateSet({ ...labelFacts, late: lateOf('excluded.confirmed_at', 'fulfillment_facts.ship_by') }))
    .execute();
}

export interface LedgerCounts {
  confirmed: number;
  inFlight: number;
  skipped: number;
  quarantined: number;
  lastConfirmedAt?: string;
}

export class LabelLedger extends DocTable<typeof ConfirmationRecord> {
  constructor(
    db: Kysely<Database>,
    private readonly clock: () => number,
  ) {
    super(db, LABEL_SHAPE);
  }

  override async set(labelId: string, c: ConfirmationRecord): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('labels').select(['state', 'doc']).where('label_id', '=', labelId).executeTakeFirst();
      await keepShippedRollup(trx, [orderRecordKey(c.accountId, c.amazonOrderId)], () => writeLabel(trx, labelId, c, this.clock()));
      await writeLabelFact(trx, labelId, c);
      // The reports' quarantines: only an entry in quarantine is read whole (for its attempts).
      await recordLabelQuarantine(trx, before?.state === 'quarantined' ? readDoc(LABEL_SHAPE, labelId, before.doc) : before && { state: before.state as ConfirmationRecord['state'], attempts: 0 }, c, this.clock());
    });
  }

  /** Every ledger entry of each order, by order key. */
  async byOrders(orderKeys: string[]): Promise<Map<string, ConfirmationRecord[]>> {
    const out = new Map<string, ConfirmationRecord[]>(orderKeys.map((k) => [k, []]));
    for (let i = 0; i < orderKeys.length; i += 500) {
      const rows = await this.db
        .selectFrom('labels')
        .select(['label_id as key', 'doc', 'order_key'])
        .where('order_key', 'in', orderKeys.slice(i, i + 500))
        .orderBy('label_created_at')
        .execute();
      for (const r of rows) out.get(r.order_key)?.push(readDoc(LABEL_SHAPE, r.key, r.doc));
    }
    return out;
  }

  /**
   * The state of each label that has a ledger entry, by label id: one indexed read for a whole
   * batch, where most labels were settled on an earlier pass.
   */
  async statesOf(labelIds: string[]): Promise<Map<string, ConfirmationRecord['state']>> {
    const out = new Map<string, ConfirmationRecord['state']>();
    for (let i = 0; i < labelIds.length; i += 500) {
      const rows = await this.db.selectFrom('labels').select(['label_id', 'state']).where('label_id', 'in', labelIds.slice(i, i + 500)).execute();
      for (const r of rows) out.set(r.label_id, ConfirmationRecord.shape.state.parse(r.state));
    }
    return out;
  }

  /** Ledger entries per account by state, with the last confirmation. */
  async countsByAccount(): Promise<Map<string, LedgerCounts>> {
    // The running counts (migration 0002), and each account's last confirmation by index.
    const rows = await this.db.selectFrom('label_counts').select(['account_id', 'state', 'n']).where('n', '>', 0).execute();
    const out = new Map<string, LedgerCounts>();
    for (const r of rows) {
      const c = out.get(r.account_id) ?? { confirmed: 0, inFlight: 0, skipped: 0, quarantined: 0 };
      const n = Number(r.n);
      if (r.state === 'confirmed') {
        c.confirmed += n;
        const last = await this.db
          .selectFrom('labels')
          .select((eb) => eb.fn.max('confirmed_at').as('last'))
          .where('account_id', '=', r.account_id)
          .where('state', '=', 'confirmed')
          .executeTakeFirst();
        if (last?.last !== null && last?.last !== undefined) c.lastConfirmedAt = new Date(Number(last.last)).toISOString();
      } else if (r.state === 'in_flight') c.inFlight += n;
      else if (r.state === 'skipped') c.skipped += n;
      else c.quarantined += n;
      out.set(r.account_id, c);
    }
    return out;
  }

  /** How many labels wait in quarantine for Retry. */
  async countQuarantined(): Promise<number> {
    const row = await this.db.selectFrom('label_counts').select((eb) => eb.fn.sum<number>('n').as('n')).where('state', '=', 'quarantined').executeTakeFirst();
    return Number(row?.n ?? 0);
  }
}

/** The labels seen per order: rows added by insert-or-ignore, so two replicas never lose one. */
export class OrderLabelIndex {
  constructor(private readonly db: Kysely<Database>) {}

  async get(orderKey: string): Promise<OrderLabels | undefined> {
    return (await this.getMany([orderKey]))[0];
  }

  async getMany(orderKeys: string[]): Promise<Array<OrderLabels | undefined>> {
    const byOrder = new Map<string, string[]>();
    for (let i = 0; i < orderKeys.length; i += 500) {
      const rows = await this.db.selectFrom('order_labels').select(['order_key', 'label_id']).where('order_key', 'in', orderKeys.slice(i, i + 500)).execute();
      for (const r of rows) byOrder.set(r.order_key, [...(byOrder.get(r.order_key) ?? []), r.label_id]);
    }
    return orderKeys.map((k) => (byOrder.has(k) ? { labelIds: byOrder.get(k)!.sort() } : undefined));
  }

  /** Adds the labels in `value` to the order's; a label is never removed. */
  async set(orderKey: string, value: OrderLabels): Promise<void> {
    await addOrderLabels(this.db, orderKey, value.labelIds);
  }
}

export async function addOrderLabels(exec: Exec, orderKey: string, labelIds: string[]): Promise<void> {
  if (labelIds.length === 0) return;
  await exec
    .insertInto('order_labels')
    .values([...new Set(labelIds)].map((label_id) => ({ order_key: orderKey, label_id })))
    .onConflict((oc) => oc.columns(['order_key', 'label_id']).doNothing())
    .execute();
}

export const PENDING_SHAPE: DocShape<typeof PendingConfirmation> = {
  table: 'pending_confirmations',
  keyColumn: 'label_id',
  schema: PendingConfirmation,
  name: 'pending confirmation',
  columns: (_key, p) => ({ at: ms(p.at) ?? 0 }),
};

/** Labels whose confirmation failed for a passing reason, resent by the next pass. */
export class PendingConfirmations extends DocTable<typeof PendingConfirmation> {
  constructor(db: Kysely<Database>) {
    super(db, PENDING_SHAPE);
  }

  /** The oldest `limit` waiting. */
  async oldest(limit = 1_000): Promise<PendingConfirmation[]> {
    return this.parseRows(await this.db.selectFrom('pending_confirmations').select(['label_id as key', 'doc']).orderBy('at').limit(limit).execute());
  }
}
