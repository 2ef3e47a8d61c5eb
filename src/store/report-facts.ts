import { sql, type Kysely, type Migration } from 'kysely';
import { MARKETPLACES } from '../domain/marketplaces';
import type { Database, Dialect } from './db';
import { ms, readDoc, type Exec } from './doc-table';
import { ConfirmationRecord, orderRecordKey } from './records';

/**
 * What the KPI reports need beyond each order's facts: each label's own facts (a split
 * shipment is two shipments with two costs and two confirmations; a voided label ships
 * nothing), the order's currency, the moments orders entered quarantine or were retried, and
 * the digests already posted. Migration `0005_reports`.
 */

// Loosely typed: a migration runs against the schema as it was at its version, not today's.
type AnyDb = Kysely<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The order's currency: its marketplace's (Amazon prices an order in its marketplace's currency). */
export function currencyOfMarketplace(marketplaceId: string | null | undefined): string | null {
  return (marketplaceId && MARKETPLACES.get(marketplaceId)?.currency) || null;
}

/** A label's facts row, from its ledger entry. */
export function labelFactOf(labelId: string, c: ConfirmationRecord): Omit<Database['label_facts'], 'currency'> {
  return {
    label_id: labelId,
    order_key: orderRecordKey(c.accountId, c.amazonOrderId),
    account_id: c.accountId,
    created_at: ms(c.labelCreatedAt) ?? 0,
    confirmed_at: ms(c.confirmedAt),
    carrier_code: c.carrierCode,
    service_code: c.serviceCode ?? null,
    cost: c.cost ?? null,
    units: c.items.reduce((n, i) => n + i.quantity, 0),
    // Voided before it was confirmed ('skipped') or after: it shipped nothing (as the order's facts count it).
    live: c.state !== 'skipped' && !c.voidedAfterConfirm ? 1 : 0,
  };
}

/** Keeps a label's facts row in step with its ledger entry (called where the entry is written). */
export async function writeLabelFact(exec: Exec, labelId: string, c: ConfirmationRecord): Promise<void> {
  const row = labelFactOf(labelId, c);
  const { label_id: _id, ...rest } = row;
  const currency = sql<string | null>`(select currency from fulfillment_facts where order_key = ${row.order_key})`;
  await exec
    .insertInto('label_facts')
    .values({ ...row, currency })
    .onConflict((oc) => oc.column('label_id').doUpdateSet({ ...rest, currency }))
    .execute();
}

export type ReportEventKind = 'quarantined' | 'retried';

/**
 * The order's currency on its facts, and on labels written before the order (their facts row had
 * none yet). Kept apart from writeOrder, which migration 0003 runs on the schema before 0005.
 */
export async function writeOrderCurrency(exec: Exec, orderKey: string, currency: string | null): Promise<void> {
  if (currency === null) return;
  await exec.updateTable('fulfillment_facts').set({ currency }).where('order_key', '=', orderKey).execute();
  await exec.updateTable('label_facts').set({ currency }).where('order_key', '=', orderKey).where('currency', 'is', null).execute();
}

/**
 * A label's entry into quarantine counts as a quarantine, and each later attempt at it (it left
 * quarantine, or was tried again and stayed) as a retry, as an order's do; `before` is the
 * ledger entry this write replaces.
 */
export async function recordLabelQuarantine(exec: Exec, before: Pick<ConfirmationRecord, 'state' | 'attempts'> | undefined, c: ConfirmationRecord, now: number): Promise<void> {
  const at = ms(c.at) ?? now;
  if (before?.state !== 'quarantined') {
    if (c.state === 'quarantined') await recordReportEvent(exec, c.accountId, 'quarantined', at);
  } else if (c.state !== 'quarantined' || c.attempts > before.attempts) await recordReportEvent(exec, c.accountId, 'retried', at);
}

/** Appends one quarantine or retry, for the reports' counts. */
export async function recordReportEvent(exec: Exec, accountId: string, kind: ReportEventKind, at: number): Promise<void> {
  await exec.insertInto('report_events').values({ account_id: accountId, kind, at }).execute();
}

export function reportTables(dialect: Dialect): Migration {
  return {
    async up(db: AnyDb) {
      const big = 'bigint' as const;
      await db.schema.alterTable('fulfillment_facts').addColumn('currency', 'text').execute();
      const byCurrency = new Map<string, string[]>();
      for (const m of MARKETPLACES.values()) byCurrency.set(m.currency, [...(byCurrency.get(m.currency) ?? []), m.id]);
      for (const [currency, ids] of byCurrency) await db.updateTable('fulfillment_facts').set({ currency }).where('marketplace_id', 'in', ids).execute();

      // Each question a report asks is answered from one covering index, never the table's rows.
      const facts = [
        ['facts_report_purchased', ['purchased_at', 'account_id', 'currency']],
        ['facts_report_first_label', ['first_label_at', 'account_id', 'currency', 'purchased_at']],
        ['facts_report_cancelled', ['cancelled_at', 'account_id', 'currency', 'purchased_at', 'first_label_at']],
        ['facts_report_ship_by', ['ship_by', 'account_id', 'currency', 'confirmed_at', 'cancelled_at', 'first_label_at', 'carrier_code', 'service_code']],
      ] as const;
      for (const [name, columns] of facts) await db.schema.createIndex(name).on('fulfillment_facts').columns([...columns]).execute();

      await db.schema
        .createTable('label_facts')
        .addColumn('label_id', 'text', (c) => c.primaryKey())
        .addColumn('order_key', 'text', (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('created_at', big, (c) => c.notNull())
        .addColumn('confirmed_at', big)
        .addColumn('carrier_code', 'text', (c) => c.notNull())
        .addColumn('service_code', 'text')
        .addColumn('cost', 'double precision')
        .addColumn('units', 'integer', (c) => c.notNull())
        .addColumn('live', 'integer', (c) => c.notNull())
        // The order's currency, copied here so a report never joins labels to orders.
        .addColumn('currency', 'text')
        .execute();
      await db.schema
        .createIndex('label_facts_by_created')
        .on('label_facts')
        .columns(['created_at', 'live', 'account_id', 'currency', 'carrier_code', 'service_code', 'cost', 'units'])
        .execute();
      await db.schema.createIndex('label_facts_by_confirmed').on('label_facts').columns(['confirmed_at', 'account_id', 'created_at']).execute();
      await db.schema.createIndex('label_facts_by_order').on('label_facts').columns(['order_key']).execute();

      await db.schema
        .createTable('report_events')
        .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (c) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('at', big, (c) => c.notNull())
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('report_events_by_at').on('report_events').columns(['at', 'kind', 'account_id']).execute();

      // One row per digest day: posted once, whichever replica, whatever restarts.
      await db.schema
        .createTable('digest_runs')
        .addColumn('day', 'text', (c) => c.primaryKey())
        .addColumn('posted_at', big, (c) => c.notNull())
        .addColumn('channel', 'text')
        .addColumn('ts', 'text')
        .execute();

      // Labels already in the ledger (an upgraded data dir) get their facts, a batch at a time.
      let after = '';
      for (;;) {
        const rows = (await db.selectFrom('labels').select(['label_id', 'doc']).where('label_id', '>', after).orderBy('label_id').limit(1000).execute()) as Array<{ label_id: string; doc: string }>;
        if (rows.length === 0) break;
        const facts = rows.map((r) => labelFactOf(r.label_id, readDoc({ schema: ConfirmationRecord, name: 'confirmation' }, r.label_id, r.doc)));
        await db.insertInto('label_facts').values(facts).execute();
        after = rows[rows.length - 1]!.label_id;
      }
      await sql`update label_facts set currency = (select f.currency from fulfillment_facts f where f.order_key = label_facts.order_key)`.execute(db);
    },
  };
}
